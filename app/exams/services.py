"""Endorsement, assessment windows and booking. Keyword-only, take the session, never commit."""

from datetime import timedelta

from sqlmodel import Session, func, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.models import (
    AdjustmentStatus,
    AssessmentMode,
    AssessmentWindow,
    Booking,
    BookingStatus,
    Endorsement,
    EndorsementStatus,
    ReasonableAdjustment,
    Role,
    Tier,
    User,
)
from app.models.types import utcnow


class EndorsementRefused(AccountError):
    field = "tier"


def active_endorsements(session: Session, candidate: User) -> list[Endorsement]:
    return list(session.exec(select(Endorsement).where(
        Endorsement.candidate_id == candidate.id, Endorsement.status == EndorsementStatus.ACTIVE)))


def endorse(session: Session, *, actor: User, candidate: User, tier: Tier, statement: str) -> Endorsement:
    """Record the employer's endorsement of a candidate of their own organisation for a tier."""
    if not candidate.has_role(Role.CANDIDATE):
        raise EndorsementRefused(f"{candidate.name} is not a candidate for accreditation")
    if candidate.organisation_id is None or candidate.organisation_id != actor.organisation_id:
        raise EndorsementRefused(f"{candidate.name} is not a member of your organisation")
    if any(e.tier_id == tier.id for e in active_endorsements(session, candidate)):
        raise EndorsementRefused(f"{candidate.name} is already endorsed for {tier.name}")
    endorsement = Endorsement(candidate_id=candidate.id, tier_id=tier.id, endorsed_by_id=actor.id, statement=statement.strip())
    session.add(endorsement)
    session.flush()
    record_event(session, actor=actor, action="endorsement.given", obj=endorsement, candidate_id=candidate.id, tier=tier.code)
    return endorsement


def withdraw(session: Session, *, actor: User, endorsement: Endorsement, reason: str) -> None:
    if endorsement.status is not EndorsementStatus.ACTIVE:
        raise EndorsementRefused("This endorsement has already been withdrawn")
    endorsement.status = EndorsementStatus.WITHDRAWN
    endorsement.withdrawn_at = utcnow()
    endorsement.withdrawn_reason = reason.strip()
    record_event(session, actor=actor, action="endorsement.withdrawn", obj=endorsement, reason=endorsement.withdrawn_reason)


# Windows and booking ---------------------------------------------------------------------------

class BookingRefused(AccountError):
    field = "window"


def create_window(session: Session, *, actor: User, tier: Tier, opens_at, closes_at, capacity: int,
                  mode: AssessmentMode, location: str | None, change_cutoff_hours: int) -> AssessmentWindow:
    window = AssessmentWindow(tier_id=tier.id, opens_at=opens_at, closes_at=closes_at, capacity=capacity, mode=mode,
                              location=location or None, change_cutoff_hours=change_cutoff_hours)
    session.add(window)
    session.flush()
    record_event(session, actor=actor, action="window.created", obj=window, tier=tier.code, capacity=capacity)
    return window


def places_taken(session: Session, window: AssessmentWindow) -> int:
    return session.exec(select(func.count(Booking.id)).where(
        Booking.window_id == window.id, Booking.status == BookingStatus.BOOKED)).one()


def bookable_windows(session: Session, candidate: User, now=None) -> list[tuple[AssessmentWindow, int]]:
    """Windows the candidate could book now (endorsed tier, not yet past the cut-off), with places left."""
    now = now or utcnow()
    tiers = {e.tier_id for e in active_endorsements(session, candidate)}
    windows = session.exec(select(AssessmentWindow).where(AssessmentWindow.tier_id.in_(tiers))
                           .order_by(AssessmentWindow.opens_at)).all()
    return [(w, w.capacity - places_taken(session, w)) for w in windows if now < change_cutoff(w)]


def current_bookings(session: Session, candidate: User) -> list[Booking]:
    return list(session.exec(select(Booking).where(Booking.candidate_id == candidate.id, Booking.status == BookingStatus.BOOKED)))


def settled(session: Session, booking: Booking, now) -> bool:
    """A booking is behind the candidate once its results are released, or its window has closed
    without them sitting. A sat attempt whose result is not out yet still holds the place: the resit
    rules can only be applied to a released result."""
    if booking.window.results_released_at is not None:
        return True
    from app.exams.attempts import attempt_for

    return booking.window.closes_at <= now and attempt_for(session, booking) is None


def knowledge_resit(session: Session, candidate: User, window: AssessmentWindow):
    """Whether the candidate may sit the knowledge component in this window: not while a pass is
    current, nor within the resit interval after a released fail (app.accreditation.rules)."""
    from app.accreditation.rules import KNOWLEDGE, resit_check
    from app.accreditation.services import component_results, current_policy

    results, _ = component_results(session, candidate, window.tier)
    return resit_check(results, KNOWLEDGE, window.opens_at, current_policy(session))


def book(session: Session, *, candidate: User, window: AssessmentWindow, now=None) -> Booking:
    """A place for the candidate in the window. Refused without an endorsement for the tier, after the
    cut-off, when the window is full, or when the candidate already has a place for the tier."""
    now = now or utcnow()
    if not any(e.tier_id == window.tier_id for e in active_endorsements(session, candidate)):
        raise BookingRefused(f"You need your employer's endorsement for {window.tier.name} before you can book")
    if now >= change_cutoff(window):
        raise BookingRefused("Booking for this window has closed")
    if any(b.window.tier_id == window.tier_id and not settled(session, b, now) for b in current_bookings(session, candidate)):
        raise BookingRefused(f"You already have a place for {window.tier.name}. Change that booking instead")
    resit = knowledge_resit(session, candidate, window)
    if not resit.allowed:
        raise BookingRefused(resit.reason)
    _lock(session, window)
    if places_taken(session, window) >= window.capacity:
        raise BookingRefused("This window is full. Choose another window")
    booking = Booking(candidate_id=candidate.id, window_id=window.id)
    session.add(booking)
    session.flush()
    record_event(session, actor=candidate, action="booking.made", obj=booking, window_id=window.id)
    return booking


def cancel(session: Session, *, candidate: User, booking: Booking, now=None) -> None:
    now = now or utcnow()
    if booking.candidate_id != candidate.id or booking.status is not BookingStatus.BOOKED:
        raise BookingRefused("This booking cannot be cancelled")
    if now >= change_cutoff(booking.window):
        raise BookingRefused(f"Bookings can only be changed until {booking.window.change_cutoff_hours} hours before the window opens")
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    record_event(session, actor=candidate, action="booking.cancelled", obj=booking)


def move(session: Session, *, candidate: User, booking: Booking, window: AssessmentWindow, now=None) -> Booking:
    """Cancel and rebook in one transaction: if the new place cannot be had, the old one is kept."""
    if window.tier_id != booking.window.tier_id:
        raise BookingRefused("You can only move to a window for the same tier")
    cancel(session, candidate=candidate, booking=booking, now=now)
    session.flush()
    return book(session, candidate=candidate, window=window, now=now)


def change_cutoff(window: AssessmentWindow):
    """Until when a booking in the window can be cancelled or moved."""
    return window.opens_at - timedelta(hours=window.change_cutoff_hours)


def _lock(session: Session, window: AssessmentWindow) -> None:
    """Serialise bookings for one window (PostgreSQL row lock; SQLite transactions are already serial)."""
    session.exec(select(AssessmentWindow.id).where(AssessmentWindow.id == window.id).with_for_update())


# Reasonable adjustments ------------------------------------------------------------------------

def approved_adjustments(session: Session, candidate: User) -> ReasonableAdjustment | None:
    return session.exec(select(ReasonableAdjustment).where(
        ReasonableAdjustment.candidate_id == candidate.id, ReasonableAdjustment.status == AdjustmentStatus.APPROVED)).first()


def pending_request(session: Session, candidate: User) -> ReasonableAdjustment | None:
    return session.exec(select(ReasonableAdjustment).where(
        ReasonableAdjustment.candidate_id == candidate.id, ReasonableAdjustment.status == AdjustmentStatus.REQUESTED)).first()


def request_adjustments(session: Session, *, candidate: User, extra_time_percent: int, rest_breaks: bool,
                        screen_reader: bool, larger_text: bool, other_needs: str | None) -> ReasonableAdjustment:
    """A new request replaces any earlier request that has not been decided yet."""
    earlier = pending_request(session, candidate)
    if earlier is not None:
        session.delete(earlier)
        session.flush()
    request = ReasonableAdjustment(candidate_id=candidate.id, extra_time_percent=extra_time_percent, rest_breaks=rest_breaks,
                                   screen_reader=screen_reader, larger_text=larger_text, other_needs=(other_needs or "").strip() or None)
    session.add(request)
    session.flush()
    record_event(session, actor=candidate, action="adjustments.requested", obj=request, requested=request.summary)
    return request


def decide_adjustments(session: Session, *, actor: User, request: ReasonableAdjustment, approve: bool, note: str) -> None:
    if request.status is not AdjustmentStatus.REQUESTED:
        raise BookingRefused("This request has already been decided")
    if approve:
        previous = approved_adjustments(session, request.candidate)
        if previous is not None:
            previous.status = AdjustmentStatus.SUPERSEDED
    request.status = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.DECLINED
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, utcnow(), note.strip()
    record_event(session, actor=actor, action=f"adjustments.{request.status.value}", obj=request, note=request.decision_note)
