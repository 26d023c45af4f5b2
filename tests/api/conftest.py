"""An organisation with an accredited member of staff and an API key."""

import pytest

from app.api.keys import create_key
from app.models import Role
from tests.accreditation.conftest import accredited  # noqa: F401
from tests.accreditation.test_certificates import issue
from tests.practice.conftest import framework  # noqa: F401


@pytest.fixture
def api_key(session, user_with_role):
    def make(organisation, scopes=("verify", "accreditations"), name="HR system"):
        employer = user_with_role(Role.EMPLOYER, organisation=organisation)
        key, secret = create_key(session, actor=employer, organisation=organisation, name=name, scopes=list(scopes))
        session.commit()
        return key, secret

    return make


@pytest.fixture
def holder(app, session, accredited):  # noqa: F811
    """Jordan Ellis, SW777001, with a valid practitioner certificate."""
    candidate, tier = accredited(name="Jordan Ellis", swe_number="SW777001")
    return candidate, issue(app, session, candidate, tier)
