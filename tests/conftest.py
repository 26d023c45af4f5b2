"""Fixtures shared by the whole suite.

- `app`: one app for the session, on a database built by the real migrations (SQLite, or
  PostgreSQL when TEST_DATABASE_URL is set).
- `session`: each test runs inside a transaction that is rolled back; every request the test
  makes gets its own Session joined to that transaction, so the views commit as in production.
- factories: `make_organisation(**overrides)`, `make_user(roles=..., **overrides)`.
- `sign_in(client, user)`: signs in through the real form; `forms.post(...)` sends a form with
  its CSRF token as a browser would.
"""

import itertools
import re

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app import create_app, migrate
from app.accounts.passwords import hash_password
from app.accreditation.keys import init_keys
from app.config import TestConfig
from app.extensions import limiter
from app.models import Organisation, OrganisationKind, Role, RoleMembership, User
from tests.databases import fresh_database

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    with fresh_database(instance) as url:
        application = create_app(TestConfig(instance, environ={"TEST_DATABASE_URL": url}))
        init_keys(application.config["KEYS_DIR"], issuer=application.config["ISSUING_BODY"])
        migrate.upgrade(url)
        yield application
        application.extensions["db"].engine.dispose()


@pytest.fixture
def connection(app):
    connection = app.extensions["db"].engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(app, connection):
    database = app.extensions["db"]
    original = database.session_factory

    def factory():
        return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)

    database.session_factory = factory
    test_session = factory()
    yield test_session
    test_session.close()
    database.session_factory = original


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's fixture of this name, which keeps one app context open for the whole
    test, so that every request shared one `g` (and one database session and CSRF token).
    Here each request gets its own, as in production."""
    yield


@pytest.fixture
def client(app, session):
    """pytest-flask's client, but always inside the test's rolled-back transaction."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters do not leak from one test to the next."""
    if "app" in request.fixturenames:
        limiter.reset()
    yield


_serial = itertools.count(1)


@pytest.fixture
def make_organisation(session):
    def make(**overrides):
        values = {"name": f"Test Borough Council {next(_serial)}", "kind": OrganisationKind.LOCAL_AUTHORITY}
        organisation = Organisation(**{**values, **overrides})
        session.add(organisation)
        session.commit()
        return organisation

    return make


@pytest.fixture
def make_user(session, app):
    def make(roles=(Role.CANDIDATE,), password=PASSWORD, **overrides):
        n = next(_serial)
        values = {"name": f"Test Person {n}", "email": f"person{n}@example.org"}
        if Role.CANDIDATE in roles:
            values["swe_number"] = f"SW9{n:05d}"
        values.update(overrides)
        user = User(**values)
        if password is not None:
            user.password_hash = hash_password(password, profile=app.config["PASSWORD_HASH_PROFILE"])
        user.memberships = [RoleMembership(role=role) for role in roles]
        session.add(user)
        session.commit()
        return user

    return make


@pytest.fixture
def user_with_role(make_user, make_organisation):
    """One user for a role, with an organisation where the role has one."""

    def make(role: Role, **overrides):
        if role in (Role.CANDIDATE, Role.EMPLOYER) and "organisation" not in overrides:
            overrides["organisation"] = make_organisation()
        return make_user(roles=(role,), **overrides)

    return make


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Forms:
    """Fill in and send forms the way a browser does: fetch the page, then post with its token."""

    def __init__(self, client):
        self.client = client

    def token(self, url):
        page = self.client.get(url)
        match = CSRF.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} (status {page.status_code})"
        return match.group(1)

    def post(self, url, data=None, page=None, **kwargs):
        token = self.token(page or url)
        return self.client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def forms(client):
    return Forms(client)


@pytest.fixture
def sign_in(client, forms):
    def do(user, password=PASSWORD):
        response = forms.post("/account/sign-in", {"email": user.email, "password": password})
        assert response.status_code == 302, f"sign-in as {user.email} failed: {response.status_code}"
        return response

    return do


@pytest.fixture
def signed_in_as(user_with_role, sign_in):
    """Sign the test client in as a new user with `role`; returns the user."""

    def do(role: Role, **overrides):
        user = user_with_role(role, **overrides)
        sign_in(user)
        return user

    return do


def page_text(response) -> str:
    """The visible words of a page, whitespace collapsed, for assertions a reader would make."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def error_summary(response) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = soup.select_one(".govuk-error-summary")
    return [" ".join(a.get_text().split()) for a in summary.select("li")] if summary else []


def count_rows(session, table: str) -> int:
    return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def audit_actions(session, obj=None, action=None) -> list[str]:
    """The audit log's actions, oldest first, optionally for one object or one action."""
    from sqlmodel import select

    from app.models import AuditEvent

    query = select(AuditEvent).order_by(AuditEvent.id)
    if obj is not None:
        query = query.where(AuditEvent.object_type == type(obj).__tablename__, AuditEvent.object_id == str(obj.id))
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return [event.action for event in session.exec(query)]


def agree_ratings(session, value: float = 0.6, tiers=None) -> None:
    """Test set-up: an agreed Angoff rating of `value` for every live item that can appear on each
    tier's forms (as after a closed standard-setting panel), so forms can be prepared. The panel
    workflow itself is tested in tests/standards."""
    from sqlmodel import select

    from app.models import AgreedRating, PanelStatus, StandardSettingPanel, Tier
    from app.standards.services import eligible_versions

    setter = User(email=f"standard-setter-{next(_serial)}@example.org", name="Standard Setter", password_hash="!test-only")
    session.add(setter)
    session.flush()
    for tier in session.exec(select(Tier)):
        if tiers is not None and tier.code not in tiers:
            continue
        panel = StandardSettingPanel(tier_id=tier.id, title=f"Test panel: {tier.code}", status=PanelStatus.CLOSED, opened_by_id=setter.id)
        session.add(panel)
        session.flush()
        session.add_all(AgreedRating(tier_id=tier.id, item_version_id=version.id, value=value, panel_id=panel.id, agreed_by_id=setter.id)
                        for version in eligible_versions(session, tier))
    session.commit()
