"""Queueing and delivering outbox messages."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlmodel import Session, select

from app.models import MessageStatus, OutboxMessage
from app.models.types import utcnow

log = logging.getLogger(__name__)


def queue_message(session: Session, *, to: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the outbox; it is delivered by deliver_queued() once the session commits."""
    message = OutboxMessage(recipient=to, subject=subject, body=body)
    session.add(message)
    session.info.setdefault("outbox", []).append(message)
    return message


def deliver_queued(session: Session) -> int:
    """After the commit: deliver the messages this session queued. Commits their new status.
    Returns how many were sent or held."""
    messages = session.info.pop("outbox", [])
    return _deliver_all(session, messages)


def retry_failed(session: Session) -> int:
    """Deliver again every message whose delivery failed (the `flask mail retry` command)."""
    failed = session.exec(
        select(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED).order_by(OutboxMessage.id)
    ).all()
    return _deliver_all(session, failed)


def _deliver_all(session: Session, messages) -> int:
    config = current_app.config
    delivered = sum(_deliver(message, config) for message in messages)
    if messages:
        session.commit()
    return delivered


def _deliver(message: OutboxMessage, config) -> bool:
    message.attempts += 1
    if not config["MAIL_SERVER"]:
        message.status = MessageStatus.HELD
        log.info("Mail held in outbox (no MAIL_SERVER): to=%s subject=%r\n%s", message.recipient, message.subject, message.body)
        return True
    try:
        _send_smtp(message, config)
    except (OSError, smtplib.SMTPException) as error:
        message.status = MessageStatus.FAILED
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        log.warning("Mail %s to %s failed: %s", message.id, message.recipient, message.last_error)
        return False
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    return True


def _send_smtp(message: OutboxMessage, config) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
