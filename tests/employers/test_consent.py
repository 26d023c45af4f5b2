"""What an employer sees of a candidate's results follows the candidate's choice: asked at booking,
changeable, tied to the organisation, and respected on every employer page."""

from sqlmodel import select

from app.employers.consent import shares_results
from app.models import ResultsSharing, Role
from tests.accreditation.conftest import accredited  # noqa: F401
from tests.conftest import audit_actions, error_summary, page_text
from tests.exams.test_booking import endorsed_candidate, make_window, tier  # noqa: F401
from tests.practice.conftest import framework  # noqa: F401


def test_booking_asks_and_records_the_choice(client, forms, session, endorsed_candidate, make_window):  # noqa: F811
    window = make_window()
    refused = forms.post("/candidate/book", {"window": str(window.id)}, page="/candidate/book")
    assert refused.status_code == 200 or refused.status_code == 400
    assert "Choose whether your employer can see your detailed results" in error_summary(refused)
    assert session.exec(select(ResultsSharing)).first() is None
    forms.post("/candidate/book", {"window": str(window.id), "share_results": "yes"})
    assert shares_results(session, endorsed_candidate)
    assert audit_actions(session, action="results_sharing.changed")


def test_the_candidate_changes_their_mind_and_the_audit_log_says_so(client, forms, session, signed_in_as):
    candidate = signed_in_as(Role.CANDIDATE)
    assert "Choose whether" in page_text(client.get("/account/"))
    forms.post("/candidate/results-sharing", {"share_results": "yes"})
    assert shares_results(session, candidate)
    bad = forms.post("/candidate/results-sharing", {"share_results": "maybe"})
    assert bad.status_code == 400 and "Choose yes or no" in error_summary(bad) and shares_results(session, candidate)
    done = forms.post("/candidate/results-sharing", {"share_results": "no"}, follow_redirects=True)
    assert "cannot see your detailed results" in page_text(done) and not shares_results(session, candidate)
    assert len(audit_actions(session, action="results_sharing.changed")) == 2


def test_consent_lapses_when_the_candidate_moves_employer(session, user_with_role, make_organisation):
    from app.employers.consent import set_sharing

    candidate = user_with_role(Role.CANDIDATE)
    set_sharing(session, candidate=candidate, share=True)
    session.commit()
    candidate.organisation = make_organisation()
    session.commit()
    assert not shares_results(session, candidate)


def test_employers_see_results_only_with_consent(app, client, session, forms, accredited, sign_in, user_with_role):  # noqa: F811
    from app.employers.consent import set_sharing

    candidate, _tier = accredited(name="Jordan Ellis")
    employer = user_with_role(Role.EMPLOYER, organisation=candidate.organisation)
    sign_in(employer)
    home, member = page_text(client.get("/employer/")), page_text(client.get(f"/employer/staff/{candidate.id}"))
    assert "Jordan Ellis" in home and "Passed" not in home and "Released" not in home and "Not shared" in home
    assert "has not chosen to share" in member and "22 of 30" not in member
    set_sharing(session, candidate=candidate, share=True)
    session.commit()
    home, member = page_text(client.get("/employer/")), page_text(client.get(f"/employer/staff/{candidate.id}"))
    assert "Passed" in home and "Not shared" not in home
    assert "22 of 30 marks; pass mark 18" in member and "Observed practice" in member


def test_a_result_set_aside_on_appeal_is_not_shown(session, accredited):  # noqa: F811
    from app.employers.services import released_results
    from app.models import Attempt

    candidate, _tier = accredited(name="Jordan Ellis")
    assert [r.component for r in released_results(session, candidate)] == ["Observed practice", "Knowledge assessment"]
    attempt = session.exec(select(Attempt).where(Attempt.candidate_id == candidate.id)).one()
    attempt.voided_on_appeal = True
    session.commit()
    assert [r.component for r in released_results(session, candidate)] == ["Observed practice"]
