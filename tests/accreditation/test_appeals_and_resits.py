"""Appeals, resits and the accreditation policy, through the pages."""

from datetime import timedelta

from sqlmodel import select

from app.exams import services as booking
from app.models import (
    Appeal,
    AppealStatus,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    Certificate,
    PracticeSitting,
    Role,
    SittingStatus,
)
from app.models.types import utcnow
from tests.conftest import audit_actions, count_rows, error_summary, page_text

GROUNDS = "The screen reader I was approved to use was not set up, so I lost twenty minutes of the assessment."


def test_a_candidate_appeals_and_an_upheld_void_lets_them_sit_again(client, forms, session, accredited, sign_in, signed_in_as):
    candidate, tier = accredited(knowledge=False)
    sign_in(candidate)
    page = page_text(client.get("/candidate/appeals"))
    assert "knowledge component (not yet passed)" in page
    short = forms.post("/candidate/appeals", {"result": client.get("/candidate/appeals") and _first_option(client), "grounds": "unfair"})
    assert short.status_code == 400 and "at least 50 characters" in error_summary(short)[0]
    forms.post("/candidate/appeals", {"result": _first_option(client, "knowledge"), "grounds": GROUNDS})
    appeal = session.exec(select(Appeal)).one()
    assert appeal.status is AppealStatus.SUBMITTED and "appeal.submitted" in audit_actions(session, appeal)
    assert "knowledge component (not yet passed)" not in page_text(client.get("/candidate/appeals"))  # once per result
    forms.post("/account/sign-out", page="/account/")

    signed_in_as(Role.ADMINISTRATOR)
    url = f"/admin/appeals/{appeal.id}"
    missing = forms.post(url, {"rationale": "Upheld after checking the adjustment records."})
    assert missing.status_code == 400 and error_summary(missing) == ["Choose the outcome of the appeal"]
    mails = count_rows(session, "outbox_message")
    forms.post(url, {"outcome": "void", "rationale": "The approved screen reader was not in place: the result is set aside."})
    session.expire_all()
    assert session.get(Appeal, appeal.id).status is AppealStatus.UPHELD
    assert session.exec(select(Attempt).where(Attempt.candidate_id == candidate.id)).one().voided_on_appeal
    assert count_rows(session, "outbox_message") == mails + 1
    # The set-aside fail is no attempt: the candidate may book the very next window, with no resit interval.
    soon = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=10), closes_at=utcnow() + timedelta(days=11), capacity=5,
                            mode=AssessmentMode.REMOTE)
    session.add(soon)
    session.commit()
    assert booking.knowledge_resit(session, candidate, soon).allowed


def _first_option(client, component="knowledge"):
    import re

    page = client.get("/candidate/appeals").get_data(as_text=True)
    return re.search(rf'name="result" type="radio" value="({component}-\d+)"', page).group(1)


def test_an_upheld_remark_of_practice_goes_back_to_moderation(client, forms, session, accredited, sign_in, signed_in_as):
    candidate, tier = accredited(practice=False)
    sign_in(candidate)
    forms.post("/candidate/appeals", {"result": _first_option(client, "practice"), "grounds": GROUNDS})
    forms.post("/account/sign-out", page="/account/")
    signed_in_as(Role.ADMINISTRATOR)
    appeal = session.exec(select(Appeal)).one()
    forms.post(f"/admin/appeals/{appeal.id}", {"outcome": "remark", "rationale": "The moderator's rationale did not address the evidence."})
    session.expire_all()
    sitting = session.exec(select(PracticeSitting).where(PracticeSitting.candidate_id == candidate.id)).one()
    assert sitting.status is SittingStatus.MODERATION and sitting.passed is None


def test_resits_wait_for_the_interval_and_a_pass_is_kept(session, accredited):
    candidate, tier = accredited(knowledge=False)  # a fail released 20 days ago
    soon = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=10), closes_at=utcnow() + timedelta(days=11), capacity=5,
                            mode=AssessmentMode.REMOTE)
    later = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=90), closes_at=utcnow() + timedelta(days=91), capacity=5,
                             mode=AssessmentMode.REMOTE)
    session.add_all([soon, later])
    session.commit()
    refused = booking.knowledge_resit(session, candidate, soon)
    assert not refused.allowed and "You can resit the knowledge component from" in refused.reason
    assert booking.knowledge_resit(session, candidate, later).allowed
    passed, _ = accredited()
    assert "do not need to sit it again" in booking.knowledge_resit(session, passed, later).reason


def test_the_policy_page_changes_the_rules(client, forms, session, accredited, signed_in_as):
    signed_in_as(Role.ADMINISTRATOR)
    bad = forms.post("/admin/accreditation-policy", {"pass_valid_months": "12", "resit_interval_months": "3", "appeal_days": "0",
                                                     "validity_years": "3"})
    assert bad.status_code == 400 and error_summary(bad) == ["The appeal period: is from 1 to 365, not 0"]
    forms.post("/admin/accreditation-policy", {"pass_valid_months": "12", "resit_interval_months": "0", "appeal_days": "60",
                                               "validity_years": "5"})
    candidate, tier = accredited(knowledge=False)
    soon = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=10), closes_at=utcnow() + timedelta(days=11), capacity=5,
                            mode=AssessmentMode.REMOTE)
    session.add(soon)
    session.commit()
    assert booking.knowledge_resit(session, candidate, soon).allowed  # no interval now


def test_decisions_per_window_issue_certificates(client, forms, session, accredited, signed_in_as):
    accredited_candidate, tier = accredited(name="Amira Hussain")
    window_id = session.exec(select(booking.Booking.window_id).where(booking.Booking.candidate_id == accredited_candidate.id)).one()
    signed_in_as(Role.ADMINISTRATOR)
    url = f"/admin/windows/{window_id}/decisions"
    assert "Accredited" in page_text(client.get(url))
    done = forms.post(url, {})
    assert "1 certificate(s) issued" in page_text(client.get(done.headers["Location"]))
    assert session.exec(select(Certificate)).one().holder_name == "Amira Hussain"


def test_no_new_booking_while_a_sat_result_is_not_released(session, accredited):
    import pytest

    candidate, tier = accredited(knowledge=False)
    window = session.exec(select(AssessmentWindow).join(booking.Booking, booking.Booking.window_id == AssessmentWindow.id)
                          .where(booking.Booking.candidate_id == candidate.id)).one()
    window.results_released_at = None  # sat and closed, result not out yet
    later = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=200), closes_at=utcnow() + timedelta(days=201),
                             capacity=5, mode=AssessmentMode.REMOTE, change_cutoff_hours=0)
    session.add_all([window, later])
    session.commit()
    with pytest.raises(booking.BookingRefused, match="You already have a place"):
        booking.book(session, candidate=candidate, window=later)


def test_a_certificate_is_suspended_when_the_pass_it_rests_on_is_set_aside(app, session, accredited, user_with_role):
    import pytest

    from app.accreditation import appeals, services
    from app.accreditation.keys import load_keys
    from app.models import AppealRemedy, CertificateStatus

    candidate, tier = accredited()
    certificate = services.issue(session, candidate=candidate, tier=tier, now=utcnow(), actor=None, keys=load_keys(app.config),
                                 base_url="http://localhost", issuer="Board")
    session.commit()
    attempt = session.exec(select(Attempt).where(Attempt.candidate_id == candidate.id)).one()
    appeal = Appeal(candidate_id=candidate.id, component="knowledge", attempt_id=attempt.id, grounds=GROUNDS)
    session.add(appeal)
    session.commit()
    admin = user_with_role(Role.ADMINISTRATOR)
    with pytest.raises(appeals.AppealRefused, match="marked automatically"):
        appeals.decide(session, appeal=appeal, upheld=True, remedy=AppealRemedy.REMARK, rationale="x" * 40, actor=admin, now=utcnow())
    appeals.decide(session, appeal=appeal, upheld=True, remedy=AppealRemedy.VOID, rationale="Set aside: the paper was faulty.", actor=admin,
                   now=utcnow())
    session.commit()
    session.refresh(certificate)
    assert certificate.status is CertificateStatus.SUSPENDED and "set aside" in certificate.status_reason
    assert not services.evidence(session, candidate, tier, utcnow()).decision.accredited
