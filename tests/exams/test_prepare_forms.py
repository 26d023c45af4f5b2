"""Each booking gets its form ahead of the window: to the blueprint, never repeating items the
candidate has met, spreading exposure, with the candidate's extra time."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app.bank.content import check_bank
from app.bank.services import import_bank
from app.exams.forms_preparation import prepare_forms
from app.models import (
    AdjustmentStatus,
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Booking,
    BookingStatus,
    Item,
    ItemVersion,
    ReasonableAdjustment,
    Role,
    Tier,
)
from app.models.types import utcnow
from tests.conftest import agree_ratings, audit_actions, page_text

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank"


@pytest.fixture
def window(session):
    import_bank(session, bank=check_bank(SHIPPED), actor=None)
    agree_ratings(session)
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    window = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=10), closes_at=utcnow() + timedelta(days=11),
                              capacity=100, mode=AssessmentMode.REMOTE)
    session.add(window)
    session.commit()
    return window


def book(session, window, candidate):
    booking = Booking(candidate_id=candidate.id, window_id=window.id)
    session.add(booking)
    session.commit()
    return booking


def codes(session, booking):
    form = session.exec(select(AssessmentForm).where(AssessmentForm.booking_id == booking.id)).one()
    return [session.get(Item, session.get(ItemVersion, fi.item_version_id).item_id).code for fi in form.items], form


def test_every_booking_gets_a_form_to_the_blueprint_and_forms_differ(session, window, make_user):
    bookings = [book(session, window, make_user()) for _ in range(3)]
    result = prepare_forms(session, window=window, actor=None)
    session.commit()
    assert (result.prepared, result.already, result.failed) == (3, 0, [])
    forms = [codes(session, b)[0] for b in bookings]
    assert all(len(items) == 30 and len(set(items)) == 30 for items in forms)
    assert len({tuple(items) for items in forms}) == 3  # least-exposed first: candidates get different forms
    again = prepare_forms(session, window=window, actor=None)
    assert (again.prepared, again.already) == (0, 3)
    assert audit_actions(session, window) == ["window.forms_prepared", "window.forms_prepared"]


def test_a_candidate_never_meets_an_item_twice(session, window, make_user):
    candidate = make_user()
    first = book(session, window, candidate)
    prepare_forms(session, window=window, actor=None)
    first.status = BookingStatus.CANCELLED  # e.g. a resit in a later window
    later = AssessmentWindow(tier_id=window.tier_id, opens_at=utcnow() + timedelta(days=100),
                             closes_at=utcnow() + timedelta(days=101), capacity=10, mode=AssessmentMode.REMOTE)
    session.add(later)
    session.commit()
    second = book(session, later, candidate)
    prepare_forms(session, window=later, actor=None)
    session.commit()
    assert not set(codes(session, first)[0]) & set(codes(session, second)[0])


def test_the_form_records_time_with_approved_extra_time(session, window, make_user):
    candidate = make_user()
    session.add(ReasonableAdjustment(candidate_id=candidate.id, extra_time_percent=25, status=AdjustmentStatus.APPROVED))
    booking = book(session, window, candidate)
    prepare_forms(session, window=window, actor=None)
    session.commit()
    assert codes(session, booking)[1].time_limit_minutes == 75


def test_a_bank_that_cannot_supply_a_form_is_reported_per_booking(session, window, make_user):
    for item in session.exec(select(Item)):
        if item.code.startswith("prac-02"):  # retire every applied practitioner item
            from app.models import ItemStatus

            item.status = ItemStatus.RETIRED
    candidate = make_user(name="Noor Hassan")
    booking = book(session, window, candidate)
    result = prepare_forms(session, window=window, actor=None)
    assert result.prepared == 0
    assert result.failed == [f"Noor Hassan (booking {booking.id}): the bank has 0 unseen live applied practitioner item(s) for 12 places"]


def test_administrator_prepares_forms_from_the_windows_page(client, forms, signed_in_as, session, window, make_user):
    book(session, window, make_user())
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post(f"/admin/windows/{window.id}/prepare", page="/admin/windows")
    assert response.headers["Location"] == "/admin/windows"
    assert "Forms prepared for Child and family practitioner: 1 new, 0 already prepared." in page_text(client.get("/admin/windows"))
