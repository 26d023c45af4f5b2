"""Every state-changing route refuses a request without a valid CSRF token, signed in or not, and
changes nothing. (The JSON API is the one exception: it takes no cookies, only a bearer API key,
so a forged cross-site request carries no credentials; it has its own tests.)"""

import pytest
from sqlalchemy import text

from app.models import Role
from tests.test_access_control import _url, targets  # noqa: F401  (the same objects the access matrix uses)

EXEMPT_BLUEPRINTS = {"api"}


def _state_changing_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and rule.endpoint.split(".")[0] not in EXEMPT_BLUEPRINTS]


def _row_counts(session):
    tables = [name for (name,) in session.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table'" if session.bind.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))]
    return {table: session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one() for table in tables}


@pytest.mark.parametrize("who", ["anonymous", Role.ADMINISTRATOR, Role.EMPLOYER, Role.CANDIDATE], ids=lambda w: getattr(w, "value", w))
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_no_state_changing_route_accepts_a_request_without_a_valid_token(app, client, session, signed_in_as, targets, who, token):  # noqa: F811
    if who != "anonymous":
        signed_in_as(who)
    rules = _state_changing_rules(app)
    assert len(rules) > 50
    before = _row_counts(session)
    accepted = []
    for rule in rules:
        data = {} if token == "missing" else {"csrf_token": "IjEyMyI.forged.token"}
        response = client.post(_url(rule, targets), data=data)
        if response.status_code != 400 or "security token" not in response.get_data(as_text=True):
            accepted.append(f"{rule.rule}: {response.status_code}")
    assert accepted == []
    assert _row_counts(session) == before
