"""Invitations and password resets: one-time, expiring links."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.models import AccountToken, OutboxMessage, Role, User
from app.models.types import utcnow
from tests.conftest import PASSWORD, audit_actions, error_summary, page_text

NEW_PASSWORD = "violet harbour pencil"
LINK = re.compile(r"http://localhost(/account/(?:set|reset)-password/[\w-]+)")


def last_link(session, email):
    message = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())).first()
    assert message is not None, f"no email to {email}"
    return LINK.search(message.body).group(1)


@pytest.fixture
def invited(client, forms, signed_in_as, session, make_organisation):
    """An administrator has invited Ada Lovelace as an assessor; returns (user, link path)."""
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/users/invite", {"name": "Ada Lovelace", "email": "ada@example.org", "roles": ["assessor"]})
    assert response.status_code == 302, error_summary(response)
    client.post("/account/sign-out", data={"csrf_token": forms.token("/account/")})
    user = session.exec(select(User).where(User.email == "ada@example.org")).one()
    return user, last_link(session, "ada@example.org")


def test_invitation_email_and_setting_a_password(client, forms, invited, session):
    user, link = invited
    message = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "ada@example.org")).one()
    assert message.subject == "Set up your Child and family social work accreditation account"
    assert "expires in 7 days" in message.body
    assert message.status.value == "held"  # no MAIL_SERVER in tests: kept in the outbox, never dropped
    page = client.get(link)
    assert page.status_code == 200 and "Welcome, Ada Lovelace" in page_text(page)
    done = forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/account/sign-in"
    signed = forms.post("/account/sign-in", {"email": "ada@example.org", "password": NEW_PASSWORD})
    assert signed.headers["Location"] == "/assessor"
    assert audit_actions(session, user) == ["user.invited", "user.invitation_link_issued", "user.password_set", "user.signed_in"]


def test_invitation_link_works_only_once(client, forms, invited):
    _user, link = invited
    forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation link has already been used. Each link works only once" in page_text(again)
    replay = client.post(link, data={"password": "another fine password", "confirm": "another fine password"})
    assert replay.status_code in (400, 410)


def test_expired_invitation_link_changes_nothing(client, forms, invited, session):
    user, link = invited
    token = session.exec(select(AccountToken).where(AccountToken.user_id == user.id)).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    page = client.get(link)
    assert page.status_code == 410
    assert "This invitation link has expired" in page_text(page)
    csrf = forms.token("/account/sign-in")
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf})
    session.refresh(user)
    assert user.password_hash is None


def test_unknown_link_is_not_found(client):
    page = client.get("/account/set-password/made-up-secret")
    assert page.status_code == 404
    assert "This invitation link is not recognised" in page_text(page)


def test_a_reset_link_cannot_be_used_as_an_invitation(client, forms, user_with_role, session):
    user = user_with_role(Role.ASSESSOR)
    forms.post("/account/forgotten-password", {"email": user.email})
    reset_path = last_link(session, user.email)
    assert client.get(reset_path.replace("reset-password", "set-password")).status_code == 404


@pytest.mark.parametrize(
    "password, confirm, errors",
    [
        ("", "", ["Enter a new password", "Confirm your new password"]),
        ("short", "short", ["Password must be 12 characters or more"]),
        ("password123456", "password123456",
         ["Password is too easy to guess because it is a commonly used password. Choose a different one, such as three random words"]),
        (NEW_PASSWORD, "violet harbour pen", ["The passwords you entered do not match"]),
        ("ada lovelace", "ada lovelace", ["Password must not be your name or email address"]),
    ],
)
def test_weak_or_mismatched_password_is_refused_and_link_still_works(client, forms, invited, session, password, confirm, errors):
    user, link = invited
    response = forms.post(link, {"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert error_summary(response) == errors
    assert "<title>Error: Set your password" in response.get_data(as_text=True)
    session.refresh(user)
    assert user.password_hash is None
    assert client.get(link).status_code == 200


def test_password_reset_journey(client, forms, user_with_role, session):
    user = user_with_role(Role.MODERATOR)
    sent = forms.post("/account/forgotten-password", {"email": user.email.upper()})
    assert "Check your email" in page_text(sent)
    link = last_link(session, user.email)
    assert forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert error_summary(forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD}))
    assert forms.post("/account/sign-in", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_reset_for_unknown_email_looks_the_same_and_sends_nothing(forms, session):
    before = len(session.exec(select(OutboxMessage)).all())
    sent = forms.post("/account/forgotten-password", {"email": "nobody@example.org"})
    assert "If nobody@example.org belongs to an account, we have sent it a link" in page_text(sent)
    assert len(session.exec(select(OutboxMessage)).all()) == before


def test_reset_request_validates_the_email(forms):
    response = forms.post("/account/forgotten-password", {"email": "not an email"})
    assert error_summary(response) == ["Enter an email address in the correct format, like name@example.org"]


def test_a_new_reset_link_replaces_the_old_one(client, forms, user_with_role, session):
    user = user_with_role(Role.MODERATOR)
    forms.post("/account/forgotten-password", {"email": user.email})
    first = last_link(session, user.email)
    forms.post("/account/forgotten-password", {"email": user.email})
    second = last_link(session, user.email)
    assert first != second
    assert "This password reset link has expired" in page_text(client.get(first))
    assert client.get(second).status_code == 200


def test_reset_ends_other_sessions(app, client, forms, sign_in, user_with_role, session):
    user = user_with_role(Role.MODERATOR)
    other_device = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', other_device.get("/account/sign-in").get_data(as_text=True)).group(1)
    other_device.post("/account/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert other_device.get("/moderator").status_code == 200
    forms.post("/account/forgotten-password", {"email": user.email})
    forms.post(last_link(session, user.email), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other_device.get("/moderator").status_code == 302


def test_password_reset_is_rate_limited(app, client, forms):
    limit = int(app.config["SIGN_IN_RATE_LIMIT"].split(" per ")[0])
    token = forms.token("/account/forgotten-password")
    statuses = [client.post("/account/forgotten-password", data={"email": "a@example.org", "csrf_token": token}).status_code
                for _ in range(limit + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:limit]
