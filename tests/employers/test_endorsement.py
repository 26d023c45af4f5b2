"""Employers endorse their own candidates for a tier, and can withdraw it; candidates see it."""

import pytest
from sqlmodel import select

from app.models import Endorsement, EndorsementStatus, Role, Tier
from tests.conftest import audit_actions, count_rows, error_summary, page_text

STATEMENT = "Reviewed her case records and observed two visits against P1-P10 in supervision."


@pytest.fixture
def tiers(session):
    rows = [Tier(code="practitioner", name="Child and family practitioner", standard="Standard", statutory=True, position=1),
            Tier(code="supervisor", name="Practice supervisor", standard="Standard", statutory=True, position=2)]
    session.add_all(rows)
    session.commit()
    return rows


@pytest.fixture
def employer_and_candidate(signed_in_as, make_user):
    employer = signed_in_as(Role.EMPLOYER)
    candidate = make_user(roles=(Role.CANDIDATE,), name="Aisha Karim", organisation=employer.organisation)
    return employer, candidate


def endorse(forms, candidate, **fields):
    data = {"tier": "practitioner", "statement": STATEMENT, "reviewed": "y", **fields}
    return forms.post(f"/employer/staff/{candidate.id}/endorse", data)


def test_employer_endorses_a_candidate_who_then_sees_it(app, client, forms, sign_in, tiers, employer_and_candidate, session):
    employer, candidate = employer_and_candidate
    assert "Aisha Karim" in page_text(client.get("/employer/"))
    response = endorse(forms, candidate)
    assert response.headers["Location"] == f"/employer/staff/{candidate.id}"
    page = page_text(client.get(response.headers["Location"]))
    assert "Aisha Karim is endorsed for Child and family practitioner. They can now book an assessment." in page
    assert STATEMENT in page and f"{employer.name} on" in page
    endorsement = session.exec(select(Endorsement)).one()
    assert audit_actions(session, endorsement) == ["endorsement.given"]
    client.post("/account/sign-out", data={"csrf_token": forms.token("/account/")})
    sign_in(candidate)
    assert f"You are endorsed for Child and family practitioner by {employer.name}" in page_text(client.get("/candidate"))


@pytest.mark.parametrize(
    "fields, errors",
    [
        ({"tier": "", "statement": "", "reviewed": ""},
         ["Select the tier you are endorsing them for", "Enter your endorsement statement",
          "Confirm you have reviewed their practice against the statements"]),
        ({"statement": "Fine."}, ["Endorsement statement must be between 30 and 2,000 characters"]),
        ({"tier": "director"}, ["Select one of the tiers shown"]),
    ],
)
def test_bad_endorsement_is_refused_and_changes_nothing(forms, tiers, employer_and_candidate, session, fields, errors):
    _employer, candidate = employer_and_candidate
    response = endorse(forms, candidate, **fields)
    assert response.status_code == 200 and error_summary(response) == errors
    assert count_rows(session, "endorsement") == 0


def test_a_candidate_cannot_be_endorsed_twice_for_one_tier(forms, tiers, employer_and_candidate, session):
    _employer, candidate = employer_and_candidate
    endorse(forms, candidate)
    again = endorse(forms, candidate)
    assert error_summary(again) == ["Aisha Karim is already endorsed for Child and family practitioner"]
    assert endorse(forms, candidate, tier="supervisor").status_code == 302  # another tier is fine
    assert count_rows(session, "endorsement") == 2


def test_another_organisations_candidate_cannot_be_endorsed(client, forms, tiers, signed_in_as, make_user, make_organisation, session):
    signed_in_as(Role.EMPLOYER)
    stranger = make_user(roles=(Role.CANDIDATE,), organisation=make_organisation())
    assert client.get(f"/employer/staff/{stranger.id}/endorse").status_code == 403
    token = forms.token("/employer/")
    response = client.post(f"/employer/staff/{stranger.id}/endorse",
                           data={"tier": "practitioner", "statement": STATEMENT, "reviewed": "y", "csrf_token": token})
    assert response.status_code == 403 and count_rows(session, "endorsement") == 0


def test_withdrawing_an_endorsement_needs_a_reason_and_is_audited(client, forms, tiers, employer_and_candidate, session):
    _employer, candidate = employer_and_candidate
    endorse(forms, candidate)
    endorsement = session.exec(select(Endorsement)).one()
    url = f"/employer/endorsements/{endorsement.id}/withdraw"
    page = f"/employer/staff/{candidate.id}"
    refused = forms.post(url, {"reason": ""}, page=page)
    assert refused.status_code == 400 and error_summary(refused) == ["Enter why you are withdrawing the endorsement"]
    assert forms.post(url, {"reason": "Concerns raised in a recent audit"}, page=page).status_code == 302
    session.refresh(endorsement)
    assert endorsement.status is EndorsementStatus.WITHDRAWN and endorsement.withdrawn_reason == "Concerns raised in a recent audit"
    assert audit_actions(session, endorsement) == ["endorsement.given", "endorsement.withdrawn"]
    again = forms.post(url, {"reason": "Twice"}, page=page)
    assert error_summary(again) == ["This endorsement has already been withdrawn"]
    assert "You have not been endorsed yet" not in page_text(client.get(page))
