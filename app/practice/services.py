"""Observed practice: importing station sets, scheduling and checking in sittings, allocating two
assessors, blind double marking, moderation and release.

Keyword-only, take the session, never commit. The rules themselves (station pass, tolerance, agreed
marks, profile, who may mark) are pure functions in app.practice.rules and app.practice.allocation.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.orm import lazyload
from sqlmodel import Session, func, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.mail.services import queue_message
from app.models import (
    AgreedMark,
    AssessorProfile,
    ConflictOfInterest,
    CriterionMark,
    MarkerAllocation,
    Moderation,
    PracticeRoute,
    PracticeRuleSetting,
    PracticeSitting,
    Role,
    RoleMembership,
    SittingStatus,
    StationSet,
    StationSetVersion,
    Tier,
    User,
)
from app.practice.allocation import AllocationError, AssessorOption, choose_markers, why_not
from app.practice.rules import (
    FAIL_AT_OR_BELOW,
    Key,
    StationRule,
    check_score,
    compare_markers,
    practice_result,
)

EVIDENCE_ABOVE = 5  # marks of 6 or above need evidence, as do marks of FAIL_AT_OR_BELOW or below
MARKING = (SittingStatus.CHECKED_IN, SittingStatus.MODERATION)


class PracticeRefused(AccountError):
    """Something that cannot be done; the message says why."""


# Station sets ----------------------------------------------------------------------------------------

@dataclass
class SetImport:
    created: list[str]
    updated: list[str]
    unchanged: int = 0

    def line(self) -> str:
        return f"Station sets: {len(self.created)} created, {len(self.updated)} new versions, {self.unchanged} unchanged."


def import_station_sets(session: Session, *, specs, actor: User | None) -> SetImport:
    """Create or version each checked station set (app.practice.schema.StationSetSpec)."""
    summary = SetImport([], [])
    tiers = {tier.code: tier for tier in session.exec(select(Tier))}
    for spec in specs:
        content = spec.model_dump(exclude={"id", "tier", "status", "title"})
        digest = hashlib.sha256(json.dumps({**content, "title": spec.title}, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        found = session.exec(select(StationSet).where(StationSet.code == spec.id)).first()
        if found is not None and found.source_hash == digest and found.status == spec.status:
            summary.unchanged += 1
            continue
        if found is None:
            found = StationSet(code=spec.id, tier_id=tiers[spec.tier].id, status=spec.status)
            session.add(found)
            session.flush()
            summary.created.append(spec.id)
        elif found.source_hash != digest:
            summary.updated.append(spec.id)
        found.status = spec.status
        if found.source_hash != digest:
            version = StationSetVersion(set_id=found.id, number=len(found.versions) + 1, title=spec.title, content=content,
                                        content_hash=digest)
            session.add(version)
            found.source_hash = digest
            session.flush()
            session.refresh(found)
            record_event(session, actor=actor, action="station_set.version_created", obj=found, version=version.number)
        session.add(found)
    return summary


def live_sets(session: Session, tier: Tier) -> list[StationSet]:
    return session.exec(select(StationSet).where(StationSet.tier_id == tier.id, StationSet.status == "live")
                        .order_by(StationSet.code)).all()


# Rules ---------------------------------------------------------------------------------------------------

def rule_of(session: Session, sitting: PracticeSitting) -> StationRule:
    """The rule the sitting's marks were agreed under (the tier's current rule before agreement)."""
    return StationRule(**sitting.rule) if sitting.rule else rule_for(session, sitting.tier_id)


def rule_for(session: Session, tier_id: int) -> StationRule:
    setting = session.exec(select(PracticeRuleSetting).where(PracticeRuleSetting.tier_id == tier_id)).first()
    if setting is None:
        return StationRule()
    return StationRule(setting.lowest_allowed, setting.mean_at_least, setting.moderate_at)


def save_rule(session: Session, *, tier: Tier, rule: StationRule, actor: User) -> None:
    setting = session.exec(select(PracticeRuleSetting).where(PracticeRuleSetting.tier_id == tier.id)).first() \
        or PracticeRuleSetting(tier_id=tier.id)
    setting.lowest_allowed, setting.mean_at_least, setting.moderate_at = rule.lowest_allowed, rule.mean_at_least, rule.moderate_at
    session.add(setting)
    session.flush()
    record_event(session, actor=actor, action="practice_rule.saved", obj=setting, tier=tier.code, lowest_allowed=rule.lowest_allowed,
                 mean_at_least=rule.mean_at_least, moderate_at=rule.moderate_at)


# Assessors -------------------------------------------------------------------------------------------------

def assessor_options(session: Session) -> list[AssessorOption]:
    """Every active assessor with a profile, with their current load and declared conflicts."""
    load = dict(session.exec(select(MarkerAllocation.assessor_id, func.count()).join(PracticeSitting, PracticeSitting.id == MarkerAllocation.sitting_id)
                             .where(PracticeSitting.status.in_([SittingStatus.SCHEDULED, *MARKING]))
                             .group_by(MarkerAllocation.assessor_id)).all())
    conflicts: dict[int, set[int]] = {}
    for assessor_id, candidate_id in session.exec(select(ConflictOfInterest.assessor_id, ConflictOfInterest.candidate_id)):
        conflicts.setdefault(assessor_id, set()).add(candidate_id)
    rows = session.exec(select(AssessorProfile, User).join(User, User.id == AssessorProfile.user_id)
                        .join(RoleMembership, RoleMembership.user_id == User.id)
                        .where(RoleMembership.role == Role.ASSESSOR, User.active).order_by(User.id)).all()
    return [AssessorOption(user.id, user.name, frozenset(profile.tiers), user.organisation_id, profile.capacity, load.get(user.id, 0),
                           frozenset(conflicts.get(user.id, ()))) for profile, user in rows]


def save_profile(session: Session, *, assessor: User, tiers: list[str], capacity: int, actor: User) -> AssessorProfile:
    if Role.ASSESSOR not in assessor.roles:
        raise PracticeRefused(f"{assessor.name} is not an assessor")
    if not 0 <= capacity <= 50:
        raise PracticeRefused("Capacity is a whole number of sittings from 0 to 50")
    profile = session.exec(select(AssessorProfile).where(AssessorProfile.user_id == assessor.id)).first() \
        or AssessorProfile(user_id=assessor.id)
    profile.tiers, profile.capacity = sorted(tiers), capacity
    session.add(profile)
    session.flush()
    record_event(session, actor=actor, action="assessor_profile.saved", obj=assessor, tiers=sorted(tiers), capacity=capacity)
    return profile


def declare_conflict(session: Session, *, assessor: User, candidate: User, reason: str, actor: User) -> ConflictOfInterest:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise PracticeRefused("Say what the conflict is, in a few words")
    if session.exec(select(ConflictOfInterest).where(ConflictOfInterest.assessor_id == assessor.id,
                                                      ConflictOfInterest.candidate_id == candidate.id)).first():
        raise PracticeRefused(f"A conflict with {candidate.name} is already declared")
    conflict = ConflictOfInterest(assessor_id=assessor.id, candidate_id=candidate.id, reason=reason)
    session.add(conflict)
    session.flush()
    record_event(session, actor=actor, action="conflict.declared", obj=conflict, assessor=assessor.id, candidate=candidate.id)
    return conflict


# Sittings ------------------------------------------------------------------------------------------------------

def schedule_sitting(session: Session, *, candidate: User, tier: Tier, route: PracticeRoute, scheduled_at: datetime,
                     location: str | None, actor: User, set_code: str | None = None) -> PracticeSitting:
    """Book an observed-practice sitting with a live station set the candidate has not met (so a
    resit meets different stations) and allocate two assessors automatically."""
    if Role.CANDIDATE not in candidate.roles:
        raise PracticeRefused(f"{candidate.name} is not a candidate")
    from app.accreditation.rules import PRACTICE, resit_check
    from app.accreditation.services import component_results, current_policy

    pending = session.exec(select(PracticeSitting).where(PracticeSitting.candidate_id == candidate.id, PracticeSitting.tier_id == tier.id,
                                                         PracticeSitting.status != SittingStatus.RELEASED,
                                                         PracticeSitting.voided_on_appeal.is_(False))).first()
    if pending is not None:
        raise PracticeRefused(f"{candidate.name} already has a {tier.name} observed-practice sitting whose result is not released yet")
    results, _ = component_results(session, candidate, tier)
    resit = resit_check(results, PRACTICE, scheduled_at, current_policy(session))
    if not resit.allowed:
        raise PracticeRefused(resit.reason.replace("You ", f"{candidate.name} ").replace("your ", "their "))
    sets = live_sets(session, tier)
    if set_code:
        sets = [s for s in sets if s.code == set_code]
        if not sets:
            raise PracticeRefused(f"There is no live {tier.name} station set {set_code}")
    met = set(session.exec(select(StationSetVersion.set_id).join(PracticeSitting, PracticeSitting.set_version_id == StationSetVersion.id)
                           .where(PracticeSitting.candidate_id == candidate.id)))
    fresh = [s for s in sets if s.id not in met]
    if not fresh:
        raise PracticeRefused(f"No live {tier.name} station set is left that {candidate.name} has not already met" if sets
                              else f"There is no live station set for {tier.name}: import one with flask bank import")
    sitting = PracticeSitting(candidate_id=candidate.id, tier_id=tier.id, set_version_id=fresh[0].current.id, route=route,
                              scheduled_at=scheduled_at, location=(location or "").strip() or None, created_by_id=actor.id)
    session.add(sitting)
    session.flush()
    record_event(session, actor=actor, action="practice_sitting.scheduled", obj=sitting, candidate=candidate.id, tier=tier.code,
                 station_set=fresh[0].code, route=route.value)
    chosen = choose_markers(assessor_options(session), tier=tier.code, candidate_id=candidate.id,
                            candidate_organisation_id=candidate.organisation_id)
    for position, option in enumerate(chosen, 1):
        session.add(MarkerAllocation(sitting_id=sitting.id, assessor_id=option.id, position=position))
    session.flush()
    session.refresh(sitting)
    record_event(session, actor=actor, action="practice_sitting.allocated", obj=sitting, assessors=[o.id for o in chosen], automatic=True)
    return sitting


def override_allocation(session: Session, *, sitting: PracticeSitting, position: int, assessor: User, reason: str, actor: User) -> None:
    """Replace the assessor in `position`. The tier, employer and conflict rules still apply."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise PracticeRefused("Give the reason for changing the assessor, in at least 10 characters")
    allocation = next((a for a in sitting.allocations if a.position == position), None)
    if allocation is None:
        raise PracticeRefused(f"This sitting has no assessor {position}")
    if allocation.submitted_at is not None:
        raise PracticeRefused("This assessor has submitted their marks: they can no longer be replaced")
    if sitting.status in (SittingStatus.AGREED, SittingStatus.RELEASED):
        raise PracticeRefused("The marks for this sitting are agreed: its assessors can no longer change")
    other = next(a for a in sitting.allocations if a.position != position)
    if assessor.id == other.assessor_id:
        raise PracticeRefused(f"{assessor.name} is already the other assessor: a sitting needs two different assessors")
    option = next((o for o in assessor_options(session) if o.id == assessor.id), None)
    if option is None:
        raise PracticeRefused(f"{assessor.name} has no assessor profile (tiers and capacity) yet")
    problem = why_not(option, tier=sitting.tier.code, candidate_id=sitting.candidate_id,
                      candidate_organisation_id=sitting.candidate.organisation_id, check_capacity=False)
    if problem:
        raise PracticeRefused(f"{problem}, so they cannot mark this sitting")
    before = allocation.assessor_id
    # draft marks belong to the assessor who made them
    for mark in session.exec(select(CriterionMark).where(CriterionMark.allocation_id == allocation.id)):
        session.delete(mark)
    allocation.assessor_id, allocation.automatic, allocation.reason = assessor.id, False, reason
    session.add(allocation)
    record_event(session, actor=actor, action="practice_sitting.allocation_overridden", obj=sitting, position=position,
                 before=before, after=assessor.id, reason=reason)


def check_in(session: Session, *, sitting: PracticeSitting, identity_checked: bool, registration_confirmed: bool,
             filming_consent: bool, adjustments_in_place: bool, note: str | None, actor: User, now: datetime) -> None:
    """Centre staff confirm who the candidate is before the stations start. Identity and the
    registration number must be confirmed; filming consent is recorded either way (without it, the
    sitting is not filmed)."""
    if sitting.status is not SittingStatus.SCHEDULED:
        raise PracticeRefused("This candidate has already been checked in")
    missing = [label for ok, label in ((identity_checked, "photo identity"), (registration_confirmed, "registration number")) if not ok]
    if missing:
        raise PracticeRefused(f"Confirm the candidate's {' and '.join(missing)} before checking them in")
    sitting.status, sitting.checked_in_at, sitting.checked_in_by_id = SittingStatus.CHECKED_IN, now, actor.id
    sitting.identity_checked, sitting.registration_confirmed = identity_checked, registration_confirmed
    sitting.filming_consent, sitting.adjustments_in_place = filming_consent, adjustments_in_place
    sitting.check_in_note = (note or "").strip() or None
    session.add(sitting)
    record_event(session, actor=actor, action="practice_sitting.checked_in", obj=sitting, filming_consent=filming_consent,
                 adjustments_in_place=adjustments_in_place)


# Marking ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MarkInput:
    score: int | None
    evidence: str
    feedback: str


def allocation_for(session: Session, sitting: PracticeSitting, assessor: User) -> MarkerAllocation:
    allocation = next((a for a in sitting.allocations if a.assessor_id == assessor.id), None)
    if allocation is None:
        raise PracticeRefused("This sitting is not allocated to you")
    return allocation


def marks_of(session: Session, allocation: MarkerAllocation) -> dict[Key, CriterionMark]:
    return {(m.station, m.criterion): m for m in session.exec(select(CriterionMark).where(CriterionMark.allocation_id == allocation.id))}


def mark_problems(criteria: list[Key], entered: dict[Key, MarkInput], *, submitting: bool) -> dict[Key, str]:
    """What is wrong with each criterion's entry (a draft may leave criteria blank)."""
    problems = {}
    for key in criteria:
        entry = entered.get(key)
        if entry is None or entry.score is None:
            if submitting:
                problems[key] = "Give a mark from 1 to 7"
            continue
        try:
            check_score(entry.score)
        except ValueError:
            problems[key] = "A mark is a whole number from 1 to 7"
            continue
        if (entry.score <= FAIL_AT_OR_BELOW or entry.score > EVIDENCE_ABOVE) and len(entry.evidence.strip()) < 20:
            problems[key] = (f"A mark of {entry.score} needs evidence notes (at least 20 characters): what you saw or heard "
                             "that puts it in this band")
    return problems


def save_marks(session: Session, *, sitting: PracticeSitting, assessor: User, entered: dict[Key, MarkInput], submit: bool,
               now: datetime) -> MarkerAllocation:
    """Save a draft, or submit (every criterion marked; locks the marks). When both assessors have
    submitted, their marks are compared: within tolerance the agreed marks are computed, otherwise
    the sitting goes to moderation. Raises PracticeRefused, or MarksInvalid with a message per criterion."""
    allocation = allocation_for(session, sitting, assessor)
    if sitting.status is SittingStatus.SCHEDULED:
        raise PracticeRefused("The candidate has not been checked in yet, so this sitting cannot be marked")
    if allocation.submitted_at is not None:
        raise PracticeRefused("You have submitted your marks for this sitting: they can no longer be changed")
    if sitting.status not in MARKING:
        raise PracticeRefused("The marks for this sitting are agreed: they can no longer be changed")
    criteria = sitting.set_version.criteria()
    unknown = set(entered) - set(criteria)
    if unknown:
        raise PracticeRefused(f"{sorted(unknown)[0]} is not a criterion of this sitting's stations")
    problems = mark_problems(criteria, entered, submitting=submit)
    if problems:
        raise MarksInvalid(problems)
    stored = marks_of(session, allocation)
    for key, entry in entered.items():
        mark = stored.get(key) or CriterionMark(allocation_id=allocation.id, station=key[0], criterion=key[1])
        mark.score, mark.evidence, mark.feedback, mark.saved_at = entry.score, entry.evidence.strip(), entry.feedback.strip(), now
        session.add(mark)
    if submit:
        allocation.submitted_at, allocation.reconsider_note = now, None
        session.add(allocation)
        session.flush()
        record_event(session, actor=assessor, action="practice_marks.submitted", obj=sitting, position=allocation.position)
        if all(a.submitted_at for a in sitting.allocations):
            _compare(session, sitting, now)
    return allocation


class MarksInvalid(PracticeRefused):
    def __init__(self, problems: dict[Key, str]):
        super().__init__(f"{len(problems)} criterion mark(s) need attention")
        self.problems = problems


def _scores(session, allocation) -> dict[Key, int]:
    return {key: mark.score for key, mark in marks_of(session, allocation).items()}


def _compare(session: Session, sitting: PracticeSitting, now: datetime) -> None:
    first, second = sitting.allocations
    rule = rule_for(session, sitting.tier_id)
    comparison = compare_markers(_scores(session, first), _scores(session, second), rule)
    if comparison.agree:
        # the first assessor's feedback for the candidate, or the second's where the first wrote none
        second_feedback = {key: mark.feedback for key, mark in marks_of(session, second).items()}
        feedback = {key: mark.feedback or second_feedback.get(key, "") for key, mark in marks_of(session, first).items()}
        _agree(session, sitting, comparison.agreed, feedback, rule, now)
        record_event(session, actor=None, action="practice_marks.agreed", obj=sitting, passed=sitting.passed)
    else:
        sitting.status = SittingStatus.MODERATION
        session.add(sitting)
        record_event(session, actor=None, action="practice_sitting.sent_to_moderation", obj=sitting,
                     far_apart=[list(key) for key in comparison.far_apart], split_stations=list(comparison.split_stations))


def _agree(session, sitting, agreed: dict[Key, float], feedback: dict[Key, str], rule: StationRule, now: datetime) -> None:
    for old in session.exec(select(AgreedMark).where(AgreedMark.sitting_id == sitting.id)):
        session.delete(old)
    session.flush()
    session.add_all(AgreedMark(sitting_id=sitting.id, station=key[0], criterion=key[1], score=score, feedback=feedback.get(key, ""))
                    for key, score in agreed.items())
    sitting.passed, _ = practice_result(agreed, rule)
    sitting.status, sitting.agreed_at, sitting.rule = SittingStatus.AGREED, now, asdict(rule)
    session.add(sitting)


def visible_co_marks(session: Session, sitting: PracticeSitting, assessor: User) -> dict[Key, CriterionMark] | None:
    """The other assessor's marks, for an assessor who may see them: only when both have submitted."""
    mine = allocation_for(session, sitting, assessor)
    other = next(a for a in sitting.allocations if a.id != mine.id)
    if mine.submitted_at is None or other.submitted_at is None:
        return None
    return marks_of(session, other)


# Moderation ---------------------------------------------------------------------------------------------------------

def _check_moderator(sitting: PracticeSitting, moderator: User) -> None:
    if Role.MODERATOR not in moderator.roles:
        raise PracticeRefused("Only a moderator can moderate a sitting")
    if any(a.assessor_id == moderator.id for a in sitting.allocations):
        raise PracticeRefused("You marked this sitting, so you cannot moderate it")
    if sitting.candidate_id == moderator.id:
        raise PracticeRefused("This is your own sitting, so you cannot moderate it")
    if sitting.status is not SittingStatus.MODERATION:
        raise PracticeRefused("This sitting is not waiting for moderation")


def request_reconsideration(session: Session, *, sitting: PracticeSitting, position: int, note: str, moderator: User) -> None:
    """Ask one marker to look again: their marks are unlocked (the other's stay submitted)."""
    _check_moderator(sitting, moderator)
    note = (note or "").strip()
    if len(note) < 10:
        raise PracticeRefused("Say what the assessor should look at again, in at least 10 characters")
    allocation = next((a for a in sitting.allocations if a.position == position), None)
    if allocation is None:
        raise PracticeRefused(f"This sitting has no assessor {position}")
    allocation.submitted_at, allocation.reconsider_note = None, note
    sitting.status = SittingStatus.CHECKED_IN
    session.add_all([allocation, sitting])
    record_event(session, actor=moderator, action="practice_marks.reconsideration_requested", obj=sitting, position=position, note=note)
    queue_message(session, to=allocation.assessor.email, subject="A moderator has asked you to look at your marks again",
                  body=f"Dear {allocation.assessor.name},\n\nThe moderator of an observed-practice sitting you marked has asked you to "
                       f"reconsider your marks:\n\n{note}\n\nYour marks are unlocked; sign in to review and submit them again.\n")


def moderate(session: Session, *, sitting: PracticeSitting, moderator: User, scores: dict[Key, int], feedback: dict[Key, str],
             rationale: str, now: datetime) -> None:
    """Set the agreed marks for a sitting the markers disagreed on, with a written rationale."""
    _check_moderator(sitting, moderator)
    rationale = (rationale or "").strip()
    if len(rationale) < 30:
        raise PracticeRefused("Write the rationale for the agreed marks, in at least 30 characters: the markers and the audit log rely on it")
    criteria = sitting.set_version.criteria()
    missing = [key for key in criteria if scores.get(key) is None]
    if missing:
        raise MarksInvalid({key: "Give the agreed mark from 1 to 7" for key in missing})
    bad = {}
    for key in criteria:
        try:
            check_score(scores[key])
        except ValueError:
            bad[key] = "A mark is a whole number from 1 to 7"
    if bad:
        raise MarksInvalid(bad)
    session.add(Moderation(sitting_id=sitting.id, moderator_id=moderator.id, rationale=rationale, decided_at=now))
    sitting.moderated = True
    _agree(session, sitting, {key: float(scores[key]) for key in criteria}, feedback, rule_for(session, sitting.tier_id), now)
    record_event(session, actor=moderator, action="practice_sitting.moderated", obj=sitting, passed=sitting.passed, rationale=rationale)


# Release ------------------------------------------------------------------------------------------------------------------

def release(session: Session, *, sitting: PracticeSitting, actor: User, now: datetime, link: str) -> None:
    if sitting.status is SittingStatus.RELEASED:
        raise PracticeRefused("This result has already been released")
    if sitting.status is not SittingStatus.AGREED:
        raise PracticeRefused("Only agreed marks can be released: this sitting is " + sitting.status.label.lower())
    sitting.status, sitting.released_at, sitting.released_by_id = SittingStatus.RELEASED, now, actor.id
    session.add(sitting)
    record_event(session, actor=actor, action="practice_sitting.released", obj=sitting)
    queue_message(session, to=sitting.candidate.email, subject="Your observed practice result is ready",
                  body=f"Dear {sitting.candidate.name},\n\nThe result of your {sitting.tier.name} observed practice assessment is ready, "
                       f"with feedback on each criterion and your profile by Knowledge and Skills Statement:\n\n{link}\n")


def agreed_marks(session: Session, sitting: PracticeSitting) -> dict[Key, AgreedMark]:
    return {(m.station, m.criterion): m for m in session.exec(select(AgreedMark).where(AgreedMark.sitting_id == sitting.id))}


__all__ = ["AllocationError", "MarkInput", "MarksInvalid", "PracticeRefused", "PracticeRoute"]


# Rater quality ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RaterRow:
    assessor: User
    scope: str  # "All stations" or a station kind
    statistics: object  # app.practice.agreement.RaterStatistics


def rater_report(session: Session) -> list[RaterRow]:
    """Per assessor, overall and per kind of station: agreement with co-markers and with agreed
    marks, severity, and how often their sittings needed moderation (agreed or released sittings).

    Five queries however many sittings, assessors and marks there are (joined to the agreed
    sittings, never an IN list of ids); the statistics are app.practice.agreement.rater_table."""
    from app.practice.agreement import ALL_STATIONS, MarkedSitting, rater_table

    done = PracticeSitting.status.in_([SittingStatus.AGREED, SittingStatus.RELEASED])
    allocations = session.exec(
        select(MarkerAllocation.id, MarkerAllocation.sitting_id, MarkerAllocation.assessor_id, PracticeSitting.set_version_id,
               PracticeSitting.moderated)
        .join(PracticeSitting, PracticeSitting.id == MarkerAllocation.sitting_id).where(done)
        .order_by(MarkerAllocation.sitting_id, MarkerAllocation.position, MarkerAllocation.id)).all()
    marks: dict[int, dict[Key, int | None]] = {}
    for allocation_id, station, criterion, score in session.exec(
            select(CriterionMark.allocation_id, CriterionMark.station, CriterionMark.criterion, CriterionMark.score)
            .join(MarkerAllocation, MarkerAllocation.id == CriterionMark.allocation_id)
            .join(PracticeSitting, PracticeSitting.id == MarkerAllocation.sitting_id).where(done).order_by(CriterionMark.id)):
        marks.setdefault(allocation_id, {})[station, criterion] = score
    agreed: dict[int, dict[Key, float]] = {}
    for sitting_id, station, criterion, score in session.exec(
            select(AgreedMark.sitting_id, AgreedMark.station, AgreedMark.criterion, AgreedMark.score)
            .join(PracticeSitting, PracticeSitting.id == AgreedMark.sitting_id).where(done).order_by(AgreedMark.id)):
        agreed.setdefault(sitting_id, {})[station, criterion] = score
    versions = select(PracticeSitting.set_version_id).where(done)
    kinds = {version_id: {station["id"]: station["kind"] for station in content["stations"]}
             for version_id, content in session.exec(select(StationSetVersion.id, StationSetVersion.content)
                                                     .where(StationSetVersion.id.in_(versions)))}
    assessors = select(MarkerAllocation.assessor_id).join(PracticeSitting, PracticeSitting.id == MarkerAllocation.sitting_id).where(done)
    people = {user.id: user for user in session.exec(select(User).where(User.id.in_(assessors)).options(lazyload(User.memberships)))}

    facts: dict[int, tuple[bool, int]] = {}  # in sitting order
    markers: dict[int, list[tuple[int, dict[Key, int | None]]]] = {}  # in position order
    for allocation_id, sitting_id, assessor_id, version_id, moderated in allocations:
        facts[sitting_id] = moderated, version_id
        markers.setdefault(sitting_id, []).append((assessor_id, marks.get(allocation_id, {})))
    sittings = [MarkedSitting(moderated, kinds[version_id], agreed.get(sitting_id, {}), markers[sitting_id])
                for sitting_id, (moderated, version_id) in facts.items()]
    table = rater_table(sittings)
    order = {ALL_STATIONS: 0, "simulation": 1, "written": 2, "reflective": 3}
    ranked = sorted(table.items(), key=lambda item: (people[item[0][0]].name, order.get(item[0][1], 9)))
    return [RaterRow(people[assessor_id], scope, statistics) for (assessor_id, scope), statistics in ranked]
