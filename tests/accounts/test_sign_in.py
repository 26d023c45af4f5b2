import time
from datetime import timedelta

import pytest

from app.models import Role
from app.models.types import utcnow
from app.sessions import ThrottledRefreshSessionInterface
from tests.conftest import PASSWORD, audit_actions, error_summary, page_text

WRONG = "Enter a correct email address and password. The details you entered did not match an account"


def test_sign_in_lands_on_the_role_home_page(client, sign_in, user_with_role):
    user = user_with_role(Role.EMPLOYER)
    response = sign_in(user)
    assert response.headers["Location"] == "/employer/"
    home = client.get("/employer/")
    assert home.status_code == 200
    assert user.organisation.name in page_text(home)


def test_sign_in_records_an_audit_event_and_the_time(client, sign_in, user_with_role, session):
    user = user_with_role(Role.ASSESSOR)
    sign_in(user)
    session.refresh(user)
    assert user.last_sign_in_at is not None
    assert "user.signed_in" in audit_actions(session, user)


def test_email_is_matched_whatever_its_case(forms, user_with_role):
    user = user_with_role(Role.ASSESSOR)
    response = forms.post("/account/sign-in", {"email": f"  {user.email.upper()} ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "email, password, message",
    [
        ("", "", ["Enter your email address", "Enter your password"]),
        ("not-an-email", PASSWORD, ["Enter an email address in the correct format, like name@example.org"]),
        ("nobody@example.org", PASSWORD, [WRONG]),
        ("{user}", "wrong password entirely", [WRONG]),
    ],
    ids=["empty", "badly-formed", "unknown-email", "wrong-password"],
)
def test_bad_sign_in_says_what_is_wrong_and_signs_nobody_in(client, forms, user_with_role, email, password, message):
    user = user_with_role(Role.ASSESSOR)
    response = forms.post("/account/sign-in", {"email": email.format(user=user.email), "password": password})
    assert response.status_code == 200
    assert error_summary(response) == message
    assert page_text(response).startswith("Error: ") or "Error: Sign in" in response.get_data(as_text=True)
    assert client.get("/assessor").status_code == 302  # still signed out


def test_failed_page_title_starts_with_error(forms):
    response = forms.post("/account/sign-in", {"email": "", "password": ""})
    assert "<title>Error: Sign in" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, client, forms, user_with_role, session):
    user = user_with_role(Role.ASSESSOR)
    for _ in range(app.config["LOCKOUT_THRESHOLD"] - 1):
        assert error_summary(forms.post("/account/sign-in", {"email": user.email, "password": "nope nope nope"})) == [WRONG]
    locked = forms.post("/account/sign-in", {"email": user.email, "password": "nope nope nope"})
    assert "Your account is locked after too many failed sign-in attempts" in error_summary(locked)[0]
    right = forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert "locked" in error_summary(right)[0]
    session.refresh(user)
    assert user.locked_until > utcnow() + timedelta(minutes=app.config["LOCKOUT_MINUTES"] - 1)
    assert audit_actions(session, user, "user.locked") == ["user.locked"]


def test_lock_expires(client, forms, sign_in, user_with_role, session):
    user = user_with_role(Role.ASSESSOR)
    user.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    sign_in(user)


def test_deactivated_account_cannot_sign_in(forms, user_with_role, session):
    user = user_with_role(Role.ASSESSOR, active=False)
    response = forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert error_summary(response) == ["Your account has been deactivated. Contact the accreditation team if this is wrong"]


def test_invited_user_without_password_cannot_sign_in(forms, user_with_role):
    user = user_with_role(Role.ASSESSOR, password=None)
    response = forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert error_summary(response) == [WRONG]


def test_sign_in_is_rate_limited(app, forms, client):
    limit = int(app.config["SIGN_IN_RATE_LIMIT"].split(" per ")[0])
    token = forms.token("/account/sign-in")
    statuses = [client.post("/account/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": token}).status_code
                for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit
    assert statuses[-1] == 429
    assert "Too many attempts" in page_text(client.post("/account/sign-in", data={"csrf_token": token}))


def test_next_parameter_returns_to_the_page_asked_for_but_never_off_site(forms, user_with_role, client):
    user = user_with_role(Role.ADMINISTRATOR)
    asked = client.get("/admin/audit")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/account/sign-in?next=")
    ok = forms.post("/account/sign-in?next=/admin/audit", {"email": user.email, "password": PASSWORD}, page="/account/sign-in")
    assert ok.headers["Location"] == "/admin/audit"
    client.post("/account/sign-out", data={"csrf_token": forms.token("/account/")})
    evil = forms.post("/account/sign-in?next=//evil.example.com/x", {"email": user.email, "password": PASSWORD}, page="/account/sign-in")
    assert evil.headers["Location"] == "/admin/"


def test_session_is_renewed_at_sign_in(client, forms, user_with_role):
    user = user_with_role(Role.ASSESSOR)
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["_user_id"] == user.get_id()


def test_session_cookie_is_secure_httponly_and_samesite(forms, user_with_role):
    user = user_with_role(Role.ASSESSOR)
    response = forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("accreditation_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_out_ends_the_session(client, sign_in, forms, user_with_role, session):
    user = user_with_role(Role.ASSESSOR)
    sign_in(user)
    response = forms.post("/account/sign-out", page="/account/")
    assert response.headers["Location"] == "/account/sign-in"
    assert "You have signed out." in page_text(client.get("/account/sign-in"))
    assert client.get("/assessor").status_code == 302
    assert audit_actions(session, user, "user.signed_out") == ["user.signed_out"]


def test_sign_out_needs_post(client, sign_in, user_with_role):
    sign_in(user_with_role(Role.ASSESSOR))
    assert client.get("/account/sign-out").status_code == 405
    assert client.get("/assessor").status_code == 200


def test_signed_in_user_visiting_sign_in_goes_home(client, sign_in, user_with_role):
    sign_in(user_with_role(Role.MODERATOR))
    assert client.get("/account/sign-in").headers["Location"] == "/moderator"
    assert client.get("/").headers["Location"] == "/moderator"


def test_someone_with_several_roles_sees_each_in_the_navigation(client, sign_in, make_user, make_organisation):
    user = make_user(roles=(Role.ASSESSOR, Role.EMPLOYER), organisation=make_organisation())
    sign_in(user)
    text = page_text(client.get("/assessor"))
    assert "Your organisation" in text and "Marking" in text and "Administration" not in text
    assert client.get("/employer/").status_code == 200


def _session_cookie(response):
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith("accreditation_session=")), None)


def test_session_expiry_slides_but_the_cookie_is_not_re_signed_on_every_request(client, sign_in, user_with_role, monkeypatch):
    sign_in(user_with_role(Role.ASSESSOR))
    client.get("/account/")  # shows (and so removes) the sign-in message: the session changes
    assert _session_cookie(client.get("/account/")) is None  # refreshed less than a minute ago
    later = time.time() + ThrottledRefreshSessionInterface.refresh_every + 1
    monkeypatch.setattr("app.sessions.time.time", lambda: later)
    refreshed = _session_cookie(client.get("/account/"))
    assert refreshed is not None and "Expires=" in refreshed  # the 8-hour expiry moves on
    assert _session_cookie(client.get("/account/")) is None
    assert client.get("/assessor").status_code == 200  # still signed in with the refreshed cookie
