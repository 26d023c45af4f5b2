"""Observed practice through the pages, as each person uses it."""

from sqlmodel import select

from app.models import PracticeSitting, SittingStatus
from tests.conftest import error_summary, page_text


def score_fields(sitting, score, evidence="Seen clearly in the station; noted at the time.", feedback="You did this well."):
    data = {}
    for station, criterion in sitting.set_version.criteria():
        data[f"score-{station}-{criterion}"] = str(score(station, criterion) if callable(score) else score)
        data[f"evidence-{station}-{criterion}"] = evidence
        data[f"feedback-{station}-{criterion}"] = feedback
    return data


def sign_out(forms):
    forms.post("/account/sign-out", page="/account/")


def test_schedule_mark_moderate_release_and_read_feedback(client, forms, session, practice, sign_in):
    sign_in(practice.admin)
    page = page_text(client.get("/admin/practice"))
    assert "no criterion below 3 and a mean of at least 4.0" in page
    bad = forms.post("/admin/practice/new", {"email": "nobody@example.org", "tier": "practitioner", "route": "centre",
                                             "on": ["1", "3", "2027"], "time": "09:30"})
    assert bad.status_code == 400 and error_summary(bad) == ["There is no account with this email address"]
    done = forms.post("/admin/practice/new", {"email": practice.candidate.email, "tier": "practitioner", "route": "centre",
                                              "on": ["1", "3", "2027"], "time": "09:30", "location": "Leeds"})
    assert done.status_code == 302, error_summary(done)
    sitting = session.exec(select(PracticeSitting)).one()
    url = f"/admin/practice/sittings/{sitting.id}"
    refused = forms.post(f"{url}/check-in", {"registration_confirmed": "y"}, page=url)
    assert error_summary(refused) == ["Confirm the candidate's photo identity before checking them in"]
    forms.post(f"{url}/check-in", {"identity_checked": "y", "registration_confirmed": "y", "filming_consent": "y"}, page=url)
    session.refresh(sitting)
    assert sitting.status is SittingStatus.CHECKED_IN
    sign_out(forms)

    first, second = (next(a for a in practice.assessors if a.id == x.assessor_id) for x in sitting.allocations)
    low = sitting.set_version.criteria()[0]
    sign_in(first)
    assert "1 observed-practice sitting to mark" in page_text(client.get("/assessor"))
    mark_url = f"/assessor/practice/sittings/{sitting.id}"
    assert "Actor's brief" in page_text(client.get(mark_url))
    missing = forms.post(mark_url, {**score_fields(sitting, 5), f"score-{low[0]}-{low[1]}": "2", f"evidence-{low[0]}-{low[1]}": "",
                                    "action": "submit"})
    assert missing.status_code == 400 and len(error_summary(missing)) == 1 and "needs evidence notes" in error_summary(missing)[0]
    assert forms.post(mark_url, {**score_fields(sitting, 5), "action": "draft"}).status_code == 302
    assert forms.post(mark_url, {**score_fields(sitting, 6), "action": "submit"}).status_code == 302
    assert "You submitted your marks" in page_text(client.get(mark_url))
    sign_out(forms)
    sign_in(second)
    assert "Other assessor's mark" not in page_text(client.get(mark_url))  # blind
    forms.post(mark_url, {**score_fields(sitting, lambda s, c: 3 if (s, c) == low else 6), "action": "submit"})
    assert "Other assessor's mark" in page_text(client.get(mark_url))  # both submitted
    session.refresh(sitting)
    assert sitting.status is SittingStatus.MODERATION
    sign_out(forms)

    sign_in(practice.moderator)
    assert "1 sitting waiting for moderation" in page_text(client.get("/moderator"))
    moderate_url = f"/moderator/practice/sittings/{sitting.id}"
    assert "Differ by 3" in page_text(client.get(moderate_url))
    short = forms.post(moderate_url, {**score_fields(sitting, 5), "rationale": "fine"})
    assert short.status_code == 400 and "rationale" in error_summary(short)[0]
    forms.post(moderate_url, {**score_fields(sitting, 5, feedback="Moderated: you met the standard."),
                              "rationale": "Read both assessors' evidence: the candidate met the standard on every criterion."})
    session.refresh(sitting)
    assert sitting.status is SittingStatus.AGREED and sitting.passed
    sign_out(forms)

    sign_in(practice.candidate)
    assert client.get(f"/candidate/practice/{sitting.id}/result").status_code == 404
    sign_out(forms)
    sign_in(practice.admin)
    forms.post(f"{url}/release", {}, page=url)
    sign_out(forms)
    sign_in(practice.candidate)
    result = page_text(client.get(f"/candidate/practice/{sitting.id}/result"))
    assert "Passed" in result and "Moderated: you met the standard." in result and "Your profile by statement" in result
    assert "P1" in result and "Meets the standard" in result


def test_assessor_profiles_conflicts_and_rules(client, forms, session, practice, sign_in):
    sign_in(practice.admin)
    assessor = practice.assessors[0]
    page = forms.post(f"/admin/practice/assessors/{assessor.id}", {"tiers": ["practitioner", "leader"], "capacity": "99"})
    assert error_summary(page) == ["Enter the capacity as a whole number from 0 to 50"]
    forms.post(f"/admin/practice/assessors/{assessor.id}", {"tiers": ["practitioner", "leader"], "capacity": "5"})
    assert "Child and family practitioner, Practice leader" in page_text(client.get("/admin/practice/assessors")) or \
        "Practice leader" in page_text(client.get("/admin/practice/assessors"))
    unknown = forms.post("/admin/practice/assessors", {"assessor": str(assessor.id), "email": "ghost@example.org", "reason": "Old friend"})
    assert error_summary(unknown) == ["There is no account with this email address"]
    forms.post("/admin/practice/assessors", {"assessor": str(assessor.id), "email": practice.candidate.email, "reason": "Old friend"})
    again = forms.post("/admin/practice/assessors", {"assessor": str(assessor.id), "email": practice.candidate.email, "reason": "Old friend"})
    assert error_summary(again) == [f"A conflict with {practice.candidate.name} is already declared"]
    bad = forms.post("/admin/practice/rules/practitioner", {"lowest_allowed": "0", "mean_at_least": "4", "moderate_at": "2"})
    assert error_summary(bad) == ["Enter the lowest mark allowed, from 1 to 7"]
    forms.post("/admin/practice/rules/practitioner", {"lowest_allowed": "4", "mean_at_least": "4.5", "moderate_at": "1"})
    assert "no criterion below 4 and a mean of at least 4.5" in page_text(client.get("/admin/practice"))
    assert "No sittings have agreed marks yet" in page_text(client.get("/admin/practice/rater-quality"))


def test_a_later_rule_change_does_not_change_a_released_result(client, forms, session, practice, scheduled, sign_in):
    from app.models.types import utcnow
    from app.practice import services
    from app.practice.rules import StationRule
    from app.practice.services import MarkInput

    sitting = scheduled()
    services.check_in(session, sitting=sitting, identity_checked=True, registration_confirmed=True, filming_consent=False,
                      adjustments_in_place=False, note=None, actor=practice.admin, now=utcnow())
    low = sitting.set_version.criteria()[0]
    by_id = {a.id: a for a in practice.assessors}
    for allocation in sitting.allocations:
        entered = {k: MarkInput(3 if k == low else 5, "Seen in the station, noted at the time.", "Fine.") for k in sitting.set_version.criteria()}
        services.save_marks(session, sitting=sitting, assessor=by_id[allocation.assessor_id], entered=entered, submit=True, now=utcnow())
    services.release(session, sitting=sitting, actor=practice.admin, now=utcnow(), link="http://x")
    services.save_rule(session, tier=practice.tier, rule=StationRule(lowest_allowed=4), actor=practice.admin)
    session.commit()
    assert sitting.passed and sitting.rule["lowest_allowed"] == 3
    sign_in(practice.candidate)
    page = page_text(client.get(f"/candidate/practice/{sitting.id}/result"))
    assert "4 stations, 4 passed" in page and "no criterion is below 3" in page
