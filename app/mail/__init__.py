"""Outgoing mail: services queue messages in the outbox (inside their transaction); views call
deliver_queued() after the commit. With MAIL_SERVER set, delivery is by SMTP; without it,
messages are kept in the outbox as held and written to the log, never dropped."""

from app.mail.services import deliver_queued, queue_message

__all__ = ["deliver_queued", "queue_message"]
