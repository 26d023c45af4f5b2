"""Candidates' optional equality-monitoring answers: consented, changeable, deletable, and never in
the audit log."""

from sqlmodel import select

from app.models import AuditEvent, EqualityMonitoring, Role
from tests.conftest import audit_actions, count_rows, error_summary, page_text

ANSWERS = {"age_band": "35_44", "sex": "female", "ethnic_group": "black", "disability": "yes", "consent": "y"}


def test_a_candidate_gives_changes_and_withdraws_answers(client, forms, session, signed_in_as):
    candidate = signed_in_as(Role.CANDIDATE)
    assert "Answer the equality-monitoring questions" in page_text(client.get("/candidate"))
    page = page_text(client.get("/candidate/equality"))
    assert "optional" in page and "at least 100 candidates" in page
    for question in ("What is your age?", "What is your sex?", "What is your ethnic group?", "Do you consider yourself to have a disability"):
        assert question in page

    response = forms.post("/candidate/equality", ANSWERS)
    assert response.status_code == 302
    record = session.exec(select(EqualityMonitoring)).one()
    assert (record.candidate_id, record.age_band.value, record.sex.value, record.ethnic_group.value, record.disability.value) == \
        (candidate.id, "35_44", "female", "black", "yes")
    assert "Change or withdraw them" in page_text(client.get("/candidate"))
    assert 'value="black" checked' in client.get("/candidate/equality").get_data(as_text=True)

    forms.post("/candidate/equality", {**ANSWERS, "ethnic_group": "not_said"})
    session.expire_all()
    assert session.exec(select(EqualityMonitoring)).one().ethnic_group.value == "not_said"

    forms.post("/candidate/equality/withdraw", {}, page="/candidate/equality")
    assert count_rows(session, "equality_monitoring") == 0
    assert {"equality_monitoring.given", "equality_monitoring.changed", "equality_monitoring.withdrawn"} <= set(audit_actions(session, candidate))
    details = [event.details for event in session.exec(select(AuditEvent).where(AuditEvent.action.like("equality%")))]
    assert all("black" not in str(d) and "female" not in str(d) for d in details)


def test_answers_need_consent_and_a_choice_for_each_question(client, forms, session, signed_in_as):
    signed_in_as(Role.CANDIDATE)
    response = forms.post("/candidate/equality", {"sex": "female", "ethnic_group": "purple"})
    assert response.status_code == 200  # the page again, with the errors summarised
    assert error_summary(response) == ["Select your age group, or Prefer not to say", "Select your ethnic group, or Prefer not to say",
                                       "Select yes, no, or Prefer not to say",
                                       "Tick the box to agree, or leave this page without answering"]
    assert count_rows(session, "equality_monitoring") == 0
