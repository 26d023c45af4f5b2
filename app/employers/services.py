"""Organisations and their staff. Keyword-only, take the session, never commit."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from app.accounts.errors import AccountError
from app.accreditation.rules import ComponentResult
from app.audit import record_event
from app.models import (
    AssessmentWindow,
    Booking,
    BookingStatus,
    Certificate,
    Endorsement,
    EndorsementStatus,
    Organisation,
    OrganisationKind,
    PracticeSitting,
    Role,
    SittingStatus,
    Tier,
    User,
)


class OrganisationNameInUse(AccountError):
    field = "name"

    def __init__(self, name: str):
        super().__init__(f"An organisation called {name} already exists")


def create_organisation(session: Session, *, actor: User, name: str, kind: OrganisationKind) -> Organisation:
    name = " ".join(name.split())
    if session.exec(select(Organisation).where(func.lower(Organisation.name) == name.lower())).first():
        raise OrganisationNameInUse(name)
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.flush()
    record_event(session, actor=actor, action="organisation.created", obj=organisation, name=name, kind=kind.value)
    return organisation


def list_organisations(session: Session) -> list[tuple[Organisation, int]]:
    """Every organisation with its number of people, by name."""
    counts = (
        select(Organisation, func.count(User.id))
        .join(User, User.organisation_id == Organisation.id, isouter=True)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    )
    return list(session.exec(counts).all())


def staff_of(session: Session, organisation: Organisation) -> list[User]:
    from sqlalchemy.orm import selectinload

    return list(session.exec(select(User).where(User.organisation_id == organisation.id)
                             .options(selectinload(User.memberships)).order_by(User.name)).all())


def organisation_certificates(session: Session, organisation: Organisation) -> list:
    """Each certificate held by the organisation's staff (newest first), with its holder."""
    from app.accreditation.services import LOOKUP_OPTIONS

    return session.exec(select(Certificate, User).options(*LOOKUP_OPTIONS).join(User, User.id == Certificate.candidate_id)
                        .where(User.organisation_id == organisation.id)
                        .order_by(User.name, Certificate.issued_at.desc())).all()


@dataclass(frozen=True)
class TierProgress:
    """Where one member of staff is in one tier: the employer's own endorsement, what is booked, the
    latest released result of each component, and the current certificate."""

    tier: Tier
    endorsed: bool
    knowledge_booking: AssessmentWindow | None  # a booked window whose results are not out yet
    practice_sitting: PracticeSitting | None  # scheduled or being marked, not released
    knowledge: ComponentResult | None  # the latest released result (voided ones ignored)
    practice: ComponentResult | None
    certificate: Certificate | None  # the latest one not replaced by a reissue, whatever its status now


@dataclass(frozen=True)
class StaffProgress:
    person: User
    shares_results: bool  # the candidate lets the organisation see their detailed results
    tiers: tuple[TierProgress, ...]  # only tiers where something has happened


def workforce_progress(session: Session, organisation: Organisation, now: datetime) -> list[StaffProgress]:
    """Every candidate on the organisation's staff with their progress per tier, in a few queries a tier."""
    from app.accreditation.services import LOOKUP_OPTIONS, component_results_for
    from app.employers.consent import sharing_staff_ids

    people = [p for p in staff_of(session, organisation) if p.has_role(Role.CANDIDATE)]
    ids = [p.id for p in people]
    tiers = session.exec(select(Tier).order_by(Tier.position)).all()
    sharing = sharing_staff_ids(session, organisation.id)
    endorsed = set(session.exec(select(Endorsement.candidate_id, Endorsement.tier_id).join(User, User.id == Endorsement.candidate_id)
                                .where(User.organisation_id == organisation.id, Endorsement.status == EndorsementStatus.ACTIVE)).all())
    booked = {(b.candidate_id, w.tier_id): w for b, w in session.exec(
        select(Booking, AssessmentWindow).join(AssessmentWindow, AssessmentWindow.id == Booking.window_id).join(User, User.id == Booking.candidate_id)
        .where(User.organisation_id == organisation.id, Booking.status == BookingStatus.BOOKED, AssessmentWindow.results_released_at.is_(None)))}
    sittings = {(s.candidate_id, s.tier_id): s for s in session.exec(
        select(PracticeSitting).join(User, User.id == PracticeSitting.candidate_id)
        .where(User.organisation_id == organisation.id, PracticeSitting.status != SittingStatus.RELEASED))}
    latest_certificate = {}
    for c in session.exec(select(Certificate).options(*LOOKUP_OPTIONS).join(User, User.id == Certificate.candidate_id)
                          .where(User.organisation_id == organisation.id, Certificate.superseded_by_id.is_(None))
                          .order_by(Certificate.issued_at)):
        latest_certificate[c.candidate_id, c.tier_id] = c
    progress: dict[int, list[TierProgress]] = {p.id: [] for p in people}
    for tier in tiers:
        results = component_results_for(session, ids, tier)
        for pid in ids:
            latest = {c: max((r for r in results[pid][0] if r.component == c and not r.voided), key=lambda r: r.released_at, default=None)
                      for c in ("knowledge", "practice")}
            row = TierProgress(tier, (pid, tier.id) in endorsed, booked.get((pid, tier.id)), sittings.get((pid, tier.id)),
                               latest["knowledge"], latest["practice"], latest_certificate.get((pid, tier.id)))
            if row.endorsed or row.knowledge_booking or row.practice_sitting or row.knowledge or row.practice or row.certificate:
                progress[pid].append(row)
    return [StaffProgress(p, p.id in sharing, tuple(progress[p.id])) for p in people]


@dataclass(frozen=True)
class ReleasedResult:
    tier: str
    component: str  # "Knowledge assessment" or "Observed practice"
    passed: bool
    detail: str  # the score against the pass mark, where there is one
    released_at: datetime


def released_results(session: Session, member: User) -> list[ReleasedResult]:
    """A candidate's released results, newest first: shown to their employer only with consent.
    Results voided on appeal, and decisions held for review after regrading, are left out."""
    from app.models import Attempt, AttemptStatus
    from app.quality.regrading import under_review_ids

    held = under_review_ids(session, member)
    found = []
    for attempt, window in session.exec(
            select(Attempt, AssessmentWindow).join(Booking, Booking.id == Attempt.booking_id)
            .join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
            .where(Attempt.candidate_id == member.id, Attempt.status == AttemptStatus.SUBMITTED, Attempt.voided_on_appeal.is_(False),
                   AssessmentWindow.results_released_at.is_not(None), Attempt.passed.is_not(None))):
        if attempt.id not in held:
            found.append(ReleasedResult(window.tier.name, "Knowledge assessment", bool(attempt.passed),
                                        f"{attempt.score:g} of {attempt.max_score:g} marks; pass mark {attempt.cut_score:g}",
                                        window.results_released_at))
    for sitting in session.exec(select(PracticeSitting).where(PracticeSitting.candidate_id == member.id,
                                                              PracticeSitting.status == SittingStatus.RELEASED,
                                                              PracticeSitting.voided_on_appeal.is_(False))):
        found.append(ReleasedResult(sitting.tier.name, "Observed practice", bool(sitting.passed), "", sitting.released_at))
    return sorted(found, key=lambda r: r.released_at, reverse=True)
