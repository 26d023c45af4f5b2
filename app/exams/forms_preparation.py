"""Preparing each booking's form ahead of its window, so that thousands can start at once cheaply."""

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlmodel import Session, select

from app.audit import record_event
from app.exams.assembly import AssemblyError, assemble_form
from app.exams.blueprint_settings import agreed_ratings, blueprint_for, live_pool
from app.exams.timing import minutes_allowed
from app.models import AssessmentForm, AssessmentWindow, Booking, BookingStatus, FormItem, Item, ItemVersion, User
from app.scoring import form_cut_score


@dataclass
class Preparation:
    prepared: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)


def prepare_forms(session: Session, *, window: AssessmentWindow, actor: User | None) -> Preparation:
    """Assemble and store a form for every booking in the window that has none. Each form avoids
    the items on the candidate's other forms, prefers the least-exposed items, and records the
    time allowed with the candidate's approved extra time. Only items with an agreed Angoff
    rating for the window's tier are used, and the form's cut score is the sum of those ratings."""
    from app.exams.services import approved_adjustments

    result = Preparation()
    blueprint = blueprint_for(session, window.tier)
    exposure = _exposure(session)
    pool = live_pool(session, rated_for=window.tier)  # only items the standard-setting panel has rated
    ratings = agreed_ratings(session, window.tier)
    versions = {item.code: item.current.id for item in session.exec(select(Item))}
    for booking in session.exec(select(Booking).where(Booking.window_id == window.id, Booking.status == BookingStatus.BOOKED)
                                .order_by(Booking.id)):
        if session.exec(select(AssessmentForm).where(AssessmentForm.booking_id == booking.id)).first():
            result.already += 1
            continue
        weighted = [replace(candidate, exposure=exposure[candidate.id]) for candidate in pool]
        try:
            form = assemble_form(blueprint, weighted, seen=_seen(session, booking), seed=booking.id)
        except AssemblyError as error:
            result.failed.append(f"{booking.candidate.name} (booking {booking.id}): {error}")
            continue
        adjustments = approved_adjustments(session, booking.candidate)
        stored = AssessmentForm(booking_id=booking.id, time_limit_minutes=minutes_allowed(
            blueprint.time_limit_minutes, adjustments.extra_time_percent if adjustments else 0),
            cut_score=form_cut_score(ratings[versions[code]] for code in form.items),
            multiple_response_rule=blueprint.multiple_response_rule, statement_minimum_percent=blueprint.statement_minimum_percent)
        session.add(stored)
        session.flush()
        session.add_all(FormItem(form_id=stored.id, position=n, item_version_id=versions[code], rating=ratings[versions[code]])
                        for n, code in enumerate(form.items, 1))
        exposure.update(form.items)
        result.prepared += 1
    record_event(session, actor=actor, action="window.forms_prepared", obj=window, prepared=result.prepared,
                 already=result.already, failed=len(result.failed))
    return result


def _exposure(session: Session) -> Counter:
    """How many current (not cancelled) forms each item is on."""
    rows = session.exec(select(Item.code).join(ItemVersion, ItemVersion.item_id == Item.id)
                        .join(FormItem, FormItem.item_version_id == ItemVersion.id)
                        .join(AssessmentForm, AssessmentForm.id == FormItem.form_id)
                        .join(Booking, Booking.id == AssessmentForm.booking_id)
                        .where(Booking.status == BookingStatus.BOOKED))
    return Counter(rows)


def _seen(session: Session, booking: Booking) -> set[str]:
    """Items on the candidate's other forms (a candidate never meets the same item twice)."""
    rows = session.exec(select(Item.code).join(ItemVersion, ItemVersion.item_id == Item.id)
                        .join(FormItem, FormItem.item_version_id == ItemVersion.id)
                        .join(AssessmentForm, AssessmentForm.id == FormItem.form_id)
                        .join(Booking, Booking.id == AssessmentForm.booking_id)
                        .where(Booking.candidate_id == booking.candidate_id, Booking.id != booking.id))
    return set(rows)
