"""Mail goes through a real SMTP conversation when MAIL_SERVER is set, and is never dropped."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import select

from app.models import MessageStatus, OutboxMessage, Role


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    yield inbox
    controller.stop()


def invite(forms):
    return forms.post("/admin/users/invite", {"name": "Dee Smith", "email": "dee@example.org", "organisation": "",
                                              "roles": ["moderator"]})


def test_invitation_is_delivered_by_smtp(forms, signed_in_as, smtp_server, session):
    signed_in_as(Role.ADMINISTRATOR)
    assert invite(forms).status_code == 302
    [delivered] = smtp_server.messages
    assert delivered["To"] == "dee@example.org"
    assert delivered["Subject"] == "Set up your Child and family social work accreditation account"
    assert "/account/set-password/" in delivered.get_payload(decode=True).decode()
    stored = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "dee@example.org")).one()
    assert stored.status is MessageStatus.SENT and stored.sent_at is not None


def test_unreachable_mail_server_keeps_the_message_for_retry(app, forms, signed_in_as, session, monkeypatch):
    signed_in_as(Role.ADMINISTRATOR)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens here
    assert invite(forms).status_code == 302  # the invitation itself is saved
    stored = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "dee@example.org")).one()
    assert stored.status is MessageStatus.FAILED and "ConnectionRefusedError" in stored.last_error


def test_retry_delivers_failed_messages(app, session, smtp_server):
    from app.mail.services import retry_failed

    session.add(OutboxMessage(recipient="late@example.org", subject="Later", body="Body", status=MessageStatus.FAILED))
    session.commit()
    with app.app_context():
        assert retry_failed(session) == 1
    assert [m["To"] for m in smtp_server.messages] == ["late@example.org"]
