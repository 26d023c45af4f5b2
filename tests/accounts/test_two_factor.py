"""Two-factor sign-in: set up with an authenticator, a code after the password, single-use codes
and recovery codes, required for some roles, reset by an administrator."""

import re
import time

import pyotp
import pytest

from app.models import Role, TwoFactor
from tests.conftest import PASSWORD, audit_actions, error_summary, page_text


def _key(response) -> str:
    return re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', response.get_data(as_text=True)).group(1).replace(" ", "")


def _code(key, offset=0):
    return pyotp.TOTP(key).at(time.time() + offset)


@pytest.fixture
def enrolled(client, forms, signed_in_as, session):
    """A candidate who has turned two-factor sign-in on; returns (user, key, recovery codes)."""
    user = signed_in_as(Role.CANDIDATE)
    key = _key(client.get("/account/two-factor"))
    done = forms.post("/account/two-factor", {"code": _code(key)}, page="/account/two-factor")
    codes = re.findall(r"<code>([A-Z2-7]{5}-[A-Z2-7]{5})</code>", done.get_data(as_text=True))
    forms.post("/account/sign-out", page="/account/")
    return user, key, codes


def test_setting_up_needs_a_right_code_and_gives_ten_recovery_codes(client, forms, signed_in_as, session):
    user = signed_in_as(Role.CANDIDATE)
    page = client.get("/account/two-factor")
    assert page.headers["Cache-Control"] == "no-store" and "<svg" in page.get_data(as_text=True)
    key = _key(page)
    assert key == _key(client.get("/account/two-factor"))  # a reload shows the same key
    wrong = forms.post("/account/two-factor", {"code": "000000" if _code(key) != "000000" else "111111"}, page="/account/two-factor")
    assert wrong.status_code == 400 and "That code is not right" in error_summary(wrong)[0]
    assert "Enter the 6-digit code" in error_summary(forms.post("/account/two-factor", {"code": "12ab"}, page="/account/two-factor"))[0]
    done = forms.post("/account/two-factor", {"code": _code(key)}, page="/account/two-factor")
    assert done.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r"<code>[A-Z2-7]{5}-[A-Z2-7]{5}</code>", done.get_data(as_text=True))) == 10
    record = session.exec(TwoFactor.__table__.select().where(TwoFactor.user_id == user.id)).one()
    assert key not in record.secret_encrypted and record.confirmed_at is not None  # the secret is stored encrypted
    assert audit_actions(session, obj=user, action="two_factor.enabled")
    assert "On" in page_text(client.get("/account/two-factor"))


def test_sign_in_asks_for_the_code_after_the_password_and_each_code_works_once(client, forms, enrolled):
    user, key, _codes = enrolled
    step = forms.post("/account/sign-in?next=/account/", {"email": user.email, "password": PASSWORD}, page="/account/sign-in")
    assert step.headers["Location"] == "/account/sign-in/code"
    assert client.get("/account/").status_code == 302  # not signed in until the code is right
    wrong = forms.post("/account/sign-in/code", {"code": "12345"})
    assert wrong.status_code == 400 and "recovery code is not right" in error_summary(wrong)[0]
    used = _code(key)  # used when setting up, moments ago
    again = forms.post("/account/sign-in/code", {"code": used})
    assert again.status_code == 400 and "used already" in error_summary(again)[0]
    ok = forms.post("/account/sign-in/code", {"code": _code(key, 30)})
    assert ok.status_code == 302 and ok.headers["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_a_recovery_code_works_once(client, forms, enrolled, session):
    user, _key_, codes = enrolled
    for attempt, expected in ((codes[0].lower(), 302), (codes[0], 400)):
        forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
        response = forms.post("/account/sign-in/code", {"code": attempt})
        assert response.status_code == expected
        if expected == 302:
            assert "9 left" in page_text(client.get("/account/"))
            forms.post("/account/sign-out", page="/account/")
    assert audit_actions(session, obj=user, action="two_factor.recovery_code_used")


def test_the_code_must_follow_the_password_within_five_minutes(client, forms, enrolled, monkeypatch):
    user, key, _codes = enrolled
    forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    later = time.time() + 301
    monkeypatch.setattr("app.accounts.two_factor_routes.time.time", lambda: later)
    response = forms.post("/account/sign-in/code", {"code": _code(key, 30)}, page="/account/sign-in")
    assert response.headers["Location"] == "/account/sign-in"


def test_required_roles_must_set_it_up_and_cannot_turn_it_off(app, client, forms, signed_in_as, session, user_with_role):
    app.config["TWO_FACTOR_ROLES"] = "administrator,assessor,moderator"
    try:
        signed_in_as(Role.ASSESSOR)
        blocked = client.get("/assessor")
        assert blocked.headers["Location"] == "/account/two-factor"
        assert "Your role needs two-factor sign-in" in page_text(client.get("/account/two-factor"))
        key = _key(client.get("/account/two-factor"))
        forms.post("/account/two-factor", {"code": _code(key)}, page="/account/two-factor")
        assert client.get("/assessor").status_code == 200
        off = forms.post("/account/two-factor/off", {}, page="/account/two-factor", follow_redirects=True)
        assert "cannot be turned off" in page_text(off)
        assert session.exec(TwoFactor.__table__.select()).first() is not None
    finally:
        app.config["TWO_FACTOR_ROLES"] = ""


def test_others_can_turn_it_off_and_an_administrator_can_reset_it(client, forms, enrolled, session, sign_in, user_with_role):
    user, key, _codes = enrolled
    forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    forms.post("/account/sign-in/code", {"code": _code(key, 30)})
    assert "is off" in page_text(forms.post("/account/two-factor/off", {}, page="/account/two-factor", follow_redirects=True))
    assert session.exec(TwoFactor.__table__.select().where(TwoFactor.confirmed_at.is_not(None))).first() is None
    key = _key(client.get("/account/two-factor"))
    forms.post("/account/two-factor", {"code": _code(key, 30)}, page="/account/two-factor")
    forms.post("/account/sign-out", page="/account/")
    sign_in(user_with_role(Role.ADMINISTRATOR))
    reset = forms.post(f"/admin/users/{user.id}/two-factor/reset", {}, page=f"/admin/users/{user.id}", follow_redirects=True)
    assert "is reset" in page_text(reset)
    assert session.exec(TwoFactor.__table__.select()).first() is None
    assert audit_actions(session, obj=user, action="two_factor.disabled") == ["two_factor.disabled"] * 2
    assert forms.post("/account/sign-out", page="/account/").status_code == 302
    forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert client.get("/account/").status_code == 200  # signed straight in: they may set it up again


def test_two_tabs_opening_the_set_up_page_at_once_get_the_same_secret(tmp_path):
    """The first tab has read that there is no authenticator yet and is adding one when the second
    tab reads: the second waits, then shows the same secret (before, on PostgreSQL, it added a second
    record, broke the one-per-person rule and showed an error page)."""
    import threading

    from sqlalchemy import func
    from sqlmodel import Session, select

    from app import migrate
    from app.accounts import two_factor as tf
    from app.db import make_engine
    from app.models import User
    from tests.databases import fresh_database

    with fresh_database(tmp_path) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                person = User(name="Two Tabs", email="two.tabs@example.org")
                session.add(person)
                session.commit()
                person_id = person.id
            secrets_shown, errors = [], []

            def second_tab():
                try:
                    with Session(engine) as session:
                        secrets_shown.append(tf.setup_secret(session, user=session.get(User, person_id), service_secret="s"))
                        session.commit()
                except Exception as error:  # noqa: BLE001 - the assertion below reports it
                    errors.append(error)

            with Session(engine) as first:
                secrets_shown.append(tf.setup_secret(first, user=first.get(User, person_id), service_secret="s"))
                tab = threading.Thread(target=second_tab)
                tab.start()
                tab.join(timeout=1.5)  # without the lock the second tab has read "none yet" by now
                first.commit()
            tab.join(timeout=30)
            assert errors == [] and len(secrets_shown) == 2 and secrets_shown[0] == secrets_shown[1]
            with Session(engine) as session:
                assert session.exec(select(func.count()).select_from(TwoFactor)).one() == 1
        finally:
            engine.dispose()
