"""Employers see their own staff and invite social workers as candidates."""

import pytest
from sqlmodel import select

from app.models import Role, User
from tests.conftest import count_rows, error_summary, page_text


def test_employer_invites_a_candidate_into_their_own_organisation(client, forms, signed_in_as, session):
    employer = signed_in_as(Role.EMPLOYER)
    response = forms.post("/employer/invite", {"name": "Chloe Brennan", "email": "chloe@example.org", "swe_number": "SW700123"})
    assert response.headers["Location"] == "/employer/"
    user = session.exec(select(User).where(User.email == "chloe@example.org")).one()
    assert user.roles == {Role.CANDIDATE} and user.organisation_id == employer.organisation_id
    home = page_text(client.get("/employer/"))
    assert "Invitation sent to Chloe Brennan at chloe@example.org." in home
    assert "Chloe Brennan" in home and "SW700123" in home


@pytest.mark.parametrize(
    "fields, errors",
    [
        ({"name": "", "email": "", "swe_number": ""},
         ["Enter the person's full name", "Enter their work email address", "Enter the Social Work England registration number"]),
        ({"name": "Chloe", "email": "chloe@example.org", "swe_number": "AB12"},
         ["Enter a Social Work England registration number in the correct format, like SW123456"]),
    ],
)
def test_bad_candidate_invitation_changes_nothing(forms, signed_in_as, session, fields, errors):
    signed_in_as(Role.EMPLOYER)
    before = count_rows(session, "user_account")
    assert error_summary(forms.post("/employer/invite", fields)) == errors
    assert count_rows(session, "user_account") == before


def test_employer_sees_only_their_own_staff(client, signed_in_as, make_user, make_organisation):
    employer = signed_in_as(Role.EMPLOYER)
    make_user(name="Colleague Here", organisation=employer.organisation)
    make_user(name="Stranger Elsewhere", organisation=make_organisation())
    text = page_text(client.get("/employer/"))
    assert "Colleague Here" in text and "Stranger Elsewhere" not in text


def test_employer_without_an_organisation_is_told_and_cannot_invite(client, signed_in_as):
    signed_in_as(Role.EMPLOYER, organisation=None)
    assert "not linked to an organisation" in page_text(client.get("/employer/"))
    assert client.get("/employer/invite").status_code == 403
