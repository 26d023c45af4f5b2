"""Scheduling, allocation, check-in, blind double marking, moderation and release, through the services."""

import pytest
from sqlmodel import select

from app.models import AgreedMark, ConflictOfInterest, MarkerAllocation, Role, SittingStatus
from app.models.types import utcnow
from app.practice import services
from app.practice.services import MarkInput, MarksInvalid, PracticeRefused
from tests.conftest import audit_actions, count_rows


def check_in(session, sitting, admin):
    services.check_in(session, sitting=sitting, identity_checked=True, registration_confirmed=True, filming_consent=True,
                      adjustments_in_place=True, note=None, actor=admin, now=utcnow())
    session.commit()


def all_marks(sitting, score, evidence="Clear evidence seen in the station, noted at the time."):
    return {key: MarkInput(score(key) if callable(score) else score, evidence, f"Feedback on {key[1]}.") for key in sitting.set_version.criteria()}


def markers(sitting, practice):
    by_id = {a.id: a for a in practice.assessors}
    return [by_id[a.assessor_id] for a in sitting.allocations]


def test_a_sitting_gets_two_assessors_balancing_load_and_never_a_conflict(session, practice, scheduled, user_with_role):
    first = scheduled()
    assert len(first.allocations) == 2 and len({a.assessor_id for a in first.allocations}) == 2
    # the third assessor, with no load, is chosen first for the next candidate
    idle = next(a for a in practice.assessors if a.id not in {x.assessor_id for x in first.allocations})
    other = user_with_role(Role.CANDIDATE)
    session.add(ConflictOfInterest(assessor_id=idle.id, candidate_id=other.id, reason="Former colleague"))
    session.commit()
    second = scheduled(candidate=other)
    assert idle.id not in {a.assessor_id for a in second.allocations}  # the conflict keeps them out
    third = scheduled(candidate=user_with_role(Role.CANDIDATE))
    assert third.allocations[0].assessor_id == idle.id
    assert "practice_sitting.allocated" in audit_actions(session, first)


def test_an_assessor_from_the_candidates_employer_is_never_allocated_or_accepted(session, practice, scheduled, user_with_role, make_organisation):
    employer = make_organisation()
    candidate = user_with_role(Role.CANDIDATE, organisation=employer)
    colleague = practice.assessors[0]
    colleague.organisation = employer
    session.add(colleague)
    session.commit()
    sitting = scheduled(candidate=candidate)
    assert colleague.id not in {a.assessor_id for a in sitting.allocations}
    with pytest.raises(PracticeRefused, match="works for the candidate's employer"):
        services.override_allocation(session, sitting=sitting, position=1, assessor=colleague, reason="Cover for annual leave", actor=practice.admin)


def test_an_override_needs_a_reason_and_refuses_a_declared_conflict(session, practice, scheduled):
    sitting = scheduled()
    idle = next(a for a in practice.assessors if a.id not in {x.assessor_id for x in sitting.allocations})
    with pytest.raises(PracticeRefused, match="at least 10 characters"):
        services.override_allocation(session, sitting=sitting, position=1, assessor=idle, reason="", actor=practice.admin)
    services.declare_conflict(session, assessor=idle, candidate=practice.candidate, reason="Supervised them last year", actor=practice.admin)
    with pytest.raises(PracticeRefused, match="declared a conflict of interest"):
        services.override_allocation(session, sitting=sitting, position=1, assessor=idle, reason="Cover for annual leave", actor=practice.admin)
    session.rollback()


def released_fail(session, sitting, days_ago=120):
    from datetime import timedelta

    sitting.status, sitting.passed, sitting.released_at = SittingStatus.RELEASED, False, utcnow() - timedelta(days=days_ago)
    session.add(sitting)
    session.commit()


def test_a_resit_meets_a_different_station_set(session, practice, scheduled):
    first = scheduled()
    with pytest.raises(PracticeRefused, match="whose result is not released yet"):
        scheduled()  # not while the first is still being marked
    session.rollback()
    released_fail(session, first, days_ago=10)
    with pytest.raises(PracticeRefused, match="can resit the practice component from"):
        scheduled()  # not within the resit interval
    session.rollback()
    released_fail(session, first)
    second = scheduled()
    assert first.set_version.station_set.code != second.set_version.station_set.code
    released_fail(session, second)
    with pytest.raises(PracticeRefused, match="not already met"):
        scheduled()


def test_marking_needs_check_in_and_evidence_for_low_and_high_marks(session, practice, scheduled):
    sitting = scheduled()
    assessor = markers(sitting, practice)[0]
    with pytest.raises(PracticeRefused, match="not been checked in"):
        services.save_marks(session, sitting=sitting, assessor=assessor, entered={}, submit=False, now=utcnow())
    with pytest.raises(PracticeRefused, match="Confirm the candidate's photo identity"):
        services.check_in(session, sitting=sitting, identity_checked=False, registration_confirmed=True, filming_consent=False,
                          adjustments_in_place=False, note=None, actor=practice.admin, now=utcnow())
    check_in(session, sitting, practice.admin)
    key = sitting.set_version.criteria()[0]
    with pytest.raises(MarksInvalid) as refused:
        services.save_marks(session, sitting=sitting, assessor=assessor, entered={key: MarkInput(2, "", "")}, submit=False, now=utcnow())
    assert "needs evidence notes" in refused.value.problems[key]
    with pytest.raises(MarksInvalid) as refused:
        services.save_marks(session, sitting=sitting, assessor=assessor, entered={key: MarkInput(8, "", "")}, submit=False, now=utcnow())
    assert refused.value.problems[key] == "A mark is a whole number from 1 to 7"
    services.save_marks(session, sitting=sitting, assessor=assessor, entered={key: MarkInput(5, "", "")}, submit=False, now=utcnow())  # a draft
    with pytest.raises(MarksInvalid) as refused:
        services.save_marks(session, sitting=sitting, assessor=assessor, entered={key: MarkInput(5, "", "")}, submit=True, now=utcnow())
    assert len(refused.value.problems) == len(sitting.set_version.criteria()) - 1  # every other criterion needs a mark


def test_someone_not_allocated_cannot_mark(session, practice, scheduled):
    sitting = scheduled()
    check_in(session, sitting, practice.admin)
    outsider = next(a for a in practice.assessors if a.id not in {x.assessor_id for x in sitting.allocations})
    with pytest.raises(PracticeRefused, match="not allocated to you"):
        services.save_marks(session, sitting=sitting, assessor=outsider, entered={}, submit=False, now=utcnow())


def test_blind_double_marking_that_agrees_gives_agreed_marks(session, practice, scheduled):
    sitting = scheduled()
    check_in(session, sitting, practice.admin)
    first, second = markers(sitting, practice)
    services.save_marks(session, sitting=sitting, assessor=first, entered=all_marks(sitting, 5), submit=True, now=utcnow())
    session.commit()
    assert services.visible_co_marks(session, sitting, second) is None  # blind until both have submitted
    assert services.visible_co_marks(session, sitting, first) is None
    with pytest.raises(PracticeRefused, match="can no longer be changed"):
        services.save_marks(session, sitting=sitting, assessor=first, entered=all_marks(sitting, 4), submit=False, now=utcnow())
    services.save_marks(session, sitting=sitting, assessor=second, entered=all_marks(sitting, 4), submit=True, now=utcnow())
    session.commit()
    assert sitting.status is SittingStatus.AGREED and sitting.passed is True
    agreed = session.exec(select(AgreedMark).where(AgreedMark.sitting_id == sitting.id)).all()
    assert {m.score for m in agreed} == {4.5} and all(m.feedback.startswith("Feedback on") for m in agreed)
    assert services.visible_co_marks(session, sitting, first) is not None
    assert "practice_marks.agreed" in audit_actions(session, sitting)


def test_disagreement_goes_to_a_moderator_who_sets_the_agreed_marks(session, practice, scheduled):
    sitting = scheduled()
    check_in(session, sitting, practice.admin)
    first, second = markers(sitting, practice)
    low_key = sitting.set_version.criteria()[0]
    services.save_marks(session, sitting=sitting, assessor=first, entered=all_marks(sitting, 5), submit=True, now=utcnow())
    services.save_marks(session, sitting=sitting, assessor=second, entered=all_marks(sitting, lambda k: 3 if k == low_key else 5),
                        submit=True, now=utcnow())
    session.commit()
    assert sitting.status is SittingStatus.MODERATION and count_rows(session, "agreed_mark") == 0

    with pytest.raises(PracticeRefused, match="you cannot moderate it"):
        services.moderate(session, sitting=sitting, moderator=_as_moderator(session, first), scores={}, feedback={}, rationale="x" * 40, now=utcnow())
    session.rollback()
    with pytest.raises(PracticeRefused, match="This is your own sitting, so you cannot moderate it"):
        services.moderate(session, sitting=sitting, moderator=_as_moderator(session, sitting.candidate), scores={}, feedback={},
                          rationale="x" * 40, now=utcnow())
    session.rollback()
    scores = {key: 4 for key in sitting.set_version.criteria()}
    with pytest.raises(PracticeRefused, match="rationale"):
        services.moderate(session, sitting=sitting, moderator=practice.moderator, scores=scores, feedback={}, rationale="ok", now=utcnow())
    services.moderate(session, sitting=sitting, moderator=practice.moderator, scores=scores, feedback={low_key: "Moderated feedback."},
                      rationale="Both markers' evidence reviewed: the candidate met the standard on every criterion.", now=utcnow())
    session.commit()
    assert sitting.status is SittingStatus.AGREED and sitting.moderated and sitting.passed is True
    assert "practice_sitting.moderated" in audit_actions(session, sitting)


def _as_moderator(session, user):
    from app.models import RoleMembership

    session.add(RoleMembership(user_id=user.id, role=Role.MODERATOR))
    session.flush()
    session.refresh(user)
    return user


def test_a_moderator_can_ask_a_marker_to_reconsider(session, practice, scheduled):
    sitting = scheduled()
    check_in(session, sitting, practice.admin)
    first, second = markers(sitting, practice)
    services.save_marks(session, sitting=sitting, assessor=first, entered=all_marks(sitting, 6), submit=True, now=utcnow())
    services.save_marks(session, sitting=sitting, assessor=second, entered=all_marks(sitting, 3), submit=True, now=utcnow())
    session.commit()
    services.request_reconsideration(session, sitting=sitting, position=2, note="Look again at the evidence on the written record.",
                                     moderator=practice.moderator)
    session.commit()
    allocation = session.exec(select(MarkerAllocation).where(MarkerAllocation.sitting_id == sitting.id, MarkerAllocation.position == 2)).one()
    assert allocation.submitted_at is None and allocation.reconsider_note and sitting.status is SittingStatus.CHECKED_IN
    services.save_marks(session, sitting=sitting, assessor=second, entered=all_marks(sitting, 5), submit=True, now=utcnow())
    session.commit()
    assert sitting.status is SittingStatus.AGREED and {m.score for m in services.agreed_marks(session, sitting).values()} == {5.5}


def test_release_needs_agreed_marks_and_tells_the_candidate(session, practice, scheduled):
    sitting = scheduled()
    with pytest.raises(PracticeRefused, match="Only agreed marks can be released"):
        services.release(session, sitting=sitting, actor=practice.admin, now=utcnow(), link="http://x")
    check_in(session, sitting, practice.admin)
    first, second = markers(sitting, practice)
    for assessor in (first, second):
        services.save_marks(session, sitting=sitting, assessor=assessor, entered=all_marks(sitting, 2, "Did not do this at all; noted."),
                            submit=True, now=utcnow())
    mails = count_rows(session, "outbox_message")
    services.release(session, sitting=sitting, actor=practice.admin, now=utcnow(), link="http://x")
    session.commit()
    assert sitting.status is SittingStatus.RELEASED and sitting.passed is False
    assert count_rows(session, "outbox_message") == mails + 1


def test_station_sets_import_once_and_version_on_change(session, practice):
    from tests.practice.conftest import spec

    again = services.import_station_sets(session, specs=[spec("prac-set-t"), spec("prac-set-u")], actor=None)
    assert (again.created, again.updated, again.unchanged) == ([], [], 2)
    changed = spec("prac-set-t").model_copy(update={"title": "Test set t, revised"})
    assert services.import_station_sets(session, specs=[changed], actor=None).updated == ["prac-set-t"]
