"""Administrators invite people, change roles, deactivate accounts, read the audit log and outbox."""

import pytest
from sqlmodel import select

from app.models import OrganisationKind, OutboxMessage, Role, User
from tests.conftest import audit_actions, count_rows, error_summary, page_text


def invite(forms, **fields):
    data = {"name": "Bola Adebayo", "email": "bola@example.org", "swe_number": "", "organisation": "", "roles": ["assessor"]}
    return forms.post("/admin/users/invite", {**data, **fields})


def test_admin_invites_a_candidate_into_an_organisation(client, forms, signed_in_as, make_organisation, session):
    admin = signed_in_as(Role.ADMINISTRATOR)
    organisation = make_organisation(name="Kingsford City Council")
    response = invite(forms, email="Bola@Example.org", swe_number="sw 123 456", organisation=str(organisation.id),
                      roles=["candidate", "assessor"])
    user = session.exec(select(User).where(User.email == "bola@example.org")).one()
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert user.swe_number == "SW123456" and user.organisation_id == organisation.id
    assert user.roles == {Role.CANDIDATE, Role.ASSESSOR} and not user.has_password
    detail = page_text(client.get(response.headers["Location"]))
    assert "Invitation sent to bola@example.org." in detail and "Invited" in detail
    message = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "bola@example.org")).one()
    assert f"{admin.name} has created an account for you" in message.body


@pytest.mark.parametrize(
    "fields, errors",
    [
        ({"name": "", "email": "", "roles": []}, ["Enter the person's full name", "Enter their email address", "Select at least one role"]),
        ({"email": "bola@"}, ["Enter an email address in the correct format, like name@example.org"]),
        ({"swe_number": "123456"}, ["Enter a Social Work England registration number in the correct format, like SW123456"]),
        ({"roles": ["candidate"], "swe_number": "SW1"}, ["Select an organisation: candidate accounts belong to one"]),
        ({"roles": ["superuser"]}, ["Select roles from the list (superuser is not a role)"]),
        ({"organisation": "999999"}, ["Select an organisation from the list"]),
        ({"name": "x" * 201}, ["Full name must be 200 characters or fewer"]),
    ],
)
def test_invitation_form_errors_change_nothing(forms, signed_in_as, session, fields, errors):
    signed_in_as(Role.ADMINISTRATOR)
    users, mail = count_rows(session, "user_account"), count_rows(session, "outbox_message")
    response = invite(forms, **fields)
    assert response.status_code == 200
    assert error_summary(response) == errors
    assert (count_rows(session, "user_account"), count_rows(session, "outbox_message")) == (users, mail)


def test_candidate_needs_a_registration_number(forms, signed_in_as, make_organisation):
    signed_in_as(Role.ADMINISTRATOR)
    response = invite(forms, roles=["candidate"], organisation=str(make_organisation().id))
    assert error_summary(response) == ["Candidates need a Social Work England registration number"]


def test_duplicate_email_and_registration_number_are_refused(forms, signed_in_as, make_user, session):
    signed_in_as(Role.ADMINISTRATOR)
    existing = make_user(roles=(Role.CANDIDATE,), swe_number="SW555555")
    assert error_summary(invite(forms, email=existing.email.upper())) == [f"An account with the email address {existing.email} already exists"]
    assert error_summary(invite(forms, swe_number="SW555555")) == ["An account with the registration number SW555555 already exists"]


def test_roles_can_be_changed_and_are_audited(client, forms, signed_in_as, make_user, session):
    signed_in_as(Role.ADMINISTRATOR)
    person = make_user(roles=(Role.ASSESSOR,))
    response = forms.post(f"/admin/users/{person.id}/roles", {"roles": ["assessor", "moderator"]}, page=f"/admin/users/{person.id}")
    assert response.status_code == 302
    session.refresh(person)
    assert person.roles == {Role.ASSESSOR, Role.MODERATOR}
    assert audit_actions(session, person)[-1] == "user.roles_changed"
    empty = forms.post(f"/admin/users/{person.id}/roles", {}, page=f"/admin/users/{person.id}")
    assert empty.status_code == 400 and error_summary(empty) == ["Select at least one role"]
    session.refresh(person)
    assert person.roles == {Role.ASSESSOR, Role.MODERATOR}


def test_deactivating_signs_the_person_out_and_reactivating_restores(app, forms, signed_in_as, make_user, session):
    signed_in_as(Role.ADMINISTRATOR)
    person = make_user(roles=(Role.ASSESSOR,))
    their_browser = app.test_client()
    from tests.conftest import CSRF, PASSWORD

    token = CSRF.search(their_browser.get("/account/sign-in").get_data(as_text=True)).group(1)
    their_browser.post("/account/sign-in", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    assert their_browser.get("/assessor").status_code == 200
    forms.post(f"/admin/users/{person.id}/active", page=f"/admin/users/{person.id}")
    assert their_browser.get("/assessor").status_code == 302
    forms.post(f"/admin/users/{person.id}/active", page=f"/admin/users/{person.id}")
    session.refresh(person)
    assert person.active
    assert audit_actions(session, person)[-2:] == ["user.deactivated", "user.reactivated"]


def test_admin_cannot_deactivate_themselves(forms, signed_in_as):
    admin = signed_in_as(Role.ADMINISTRATOR)
    assert forms.post(f"/admin/users/{admin.id}/active", page="/admin/").status_code == 400


def test_resending_an_invitation_replaces_the_link(client, forms, signed_in_as, session):
    signed_in_as(Role.ADMINISTRATOR)
    invite(forms)
    user = session.exec(select(User).where(User.email == "bola@example.org")).one()
    response = forms.post(f"/admin/users/{user.id}/invitation", page=f"/admin/users/{user.id}")
    assert response.status_code == 302
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "bola@example.org")).all()
    assert len(messages) == 2


def test_people_list_filters_by_role_and_text(client, signed_in_as, make_user):
    signed_in_as(Role.ADMINISTRATOR)
    make_user(roles=(Role.MODERATOR,), name="Zainab Moderator")
    make_user(roles=(Role.ASSESSOR,), name="Yusuf Assessor")
    moderators = page_text(client.get("/admin/users?role=moderator"))
    assert "Zainab Moderator" in moderators and "Yusuf Assessor" not in moderators
    found = page_text(client.get("/admin/users?q=yusuf"))
    assert "Yusuf Assessor" in found and "Zainab Moderator" not in found


def test_organisations_are_created_with_a_type(client, forms, signed_in_as, session):
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/organisations/new", {"name": "  Riverside   Children's Trust ", "kind": "childrens_trust"})
    assert response.status_code == 302
    page = page_text(client.get(response.headers["Location"]))
    assert "Riverside Children's Trust" in page and "Children's services trust" in page
    assert "Riverside Children's Trust" in page_text(client.get("/admin/organisations"))


@pytest.mark.parametrize(
    "fields, errors",
    [
        ({"name": "", "kind": ""}, ["Enter the organisation's name", "Select the type of organisation"]),
        ({"name": "Somewhere", "kind": "a-company"}, ["Select the type of organisation from the list"]),
    ],
)
def test_organisation_form_errors(forms, signed_in_as, session, fields, errors):
    signed_in_as(Role.ADMINISTRATOR)
    before = count_rows(session, "organisation")
    assert error_summary(forms.post("/admin/organisations/new", fields)) == errors
    assert count_rows(session, "organisation") == before


def test_organisation_names_are_unique_whatever_the_case(forms, signed_in_as, make_organisation):
    signed_in_as(Role.ADMINISTRATOR)
    make_organisation(name="Hollowfield Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    response = forms.post("/admin/organisations/new", {"name": "hollowfield council", "kind": "local_authority"})
    assert error_summary(response) == ["An organisation called hollowfield council already exists"]


def test_audit_log_and_outbox_pages_show_what_happened(client, forms, signed_in_as):
    admin = signed_in_as(Role.ADMINISTRATOR)
    invite(forms)
    audit = page_text(client.get("/admin/audit"))
    assert "user.invited" in audit and admin.name in audit
    outbox = page_text(client.get("/admin/outbox"))
    assert "bola@example.org" in outbox and "Held" in outbox
    assert "No mail server is configured" in outbox


def test_unknown_objects_are_not_found(client, signed_in_as):
    signed_in_as(Role.ADMINISTRATOR)
    for url in ("/admin/users/999999", "/admin/organisations/999999", "/admin/outbox/999999"):
        response = client.get(url)
        assert response.status_code == 404 and "Page not found" in page_text(response)


def test_people_list_is_paged_and_keeps_the_filter(client, signed_in_as, make_user):
    signed_in_as(Role.ADMINISTRATOR)
    for n in range(51):
        make_user(roles=(Role.ASSESSOR,), name=f"Assessor {n:02d}")
    first = client.get("/admin/users?role=assessor")
    assert "Page 1 of 2" in page_text(first)
    assert 'href="/admin/users?page=2&amp;q=&amp;role=assessor"' in first.get_data(as_text=True)
    second = page_text(client.get("/admin/users?role=assessor&page=2"))
    assert "Page 2 of 2" in second and "Assessor 50" in second and "Assessor 00" not in second


def test_audit_log_shows_event_details(client, forms, signed_in_as, make_user):
    signed_in_as(Role.ADMINISTRATOR)
    person = make_user(roles=(Role.ASSESSOR,))
    forms.post(f"/admin/users/{person.id}/roles", {"roles": ["moderator"]}, page=f"/admin/users/{person.id}")
    assert "before: ['assessor']; after: ['moderator']" in page_text(client.get("/admin/audit"))
    assert "before: ['assessor']; after: ['moderator']" in page_text(client.get(f"/admin/users/{person.id}"))
