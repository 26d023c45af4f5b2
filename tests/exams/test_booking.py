"""Administrators create assessment windows; endorsed candidates book, move and cancel places."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.exams import services
from app.models import AssessmentMode, AssessmentWindow, Booking, BookingStatus, Endorsement, Role, Tier
from app.models.types import utcnow
from tests.conftest import audit_actions, count_rows, error_summary, page_text


@pytest.fixture
def tier(session):
    tier = Tier(code="practitioner", name="Child and family practitioner", standard="Standard", statutory=True, position=1)
    session.add(tier)
    session.commit()
    return tier


@pytest.fixture
def make_window(session, tier):
    def make(days=30, capacity=10, cutoff=48, **overrides):
        window = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=days),
                                  closes_at=utcnow() + timedelta(days=days, hours=8), capacity=capacity,
                                  mode=AssessmentMode.REMOTE, change_cutoff_hours=cutoff, **overrides)
        session.add(window)
        session.commit()
        return window

    return make


@pytest.fixture
def endorsed_candidate(signed_in_as, make_user, session, tier):
    candidate = signed_in_as(Role.CANDIDATE)
    employer = make_user(roles=(Role.EMPLOYER,), organisation=candidate.organisation)
    session.add(Endorsement(candidate_id=candidate.id, tier_id=tier.id, endorsed_by_id=employer.id,
                            statement="Reviewed against every statement in supervision."))
    session.commit()
    return candidate


def window_form(**changes):
    future = utcnow() + timedelta(days=60)
    data = {"tier": "practitioner", "opens_on": [str(future.day), str(future.month), str(future.year)], "opens_time": "09:00",
            "closes_on": [str(future.day), str(future.month), str(future.year)], "closes_time": "17:00",
            "capacity": "120", "mode": "centre", "location": "Northmoor Civic Centre", "change_cutoff_hours": "48"}
    data.update(changes)
    return data


def test_administrator_creates_a_window(client, forms, signed_in_as, tier, session):
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/windows/new", window_form())
    assert response.headers["Location"] == "/admin/windows", error_summary(response)
    window = session.exec(select(AssessmentWindow)).one()
    assert window.capacity == 120 and window.mode is AssessmentMode.CENTRE and window.location == "Northmoor Civic Centre"
    assert window.opens_at.hour in (8, 9)  # 09:00 UK time is 08:00 or 09:00 UTC depending on summer time
    assert "Northmoor Civic Centre" in page_text(client.get("/admin/windows"))
    assert audit_actions(session, window) == ["window.created"]


@pytest.mark.parametrize(
    "changes, errors",
    [
        ({"opens_time": "9am"}, ["Enter the opening time as hours and minutes, like 09:30"]),
        ({"closes_time": "08:00"}, ["The window must close after it opens"]),
        ({"opens_on": ["1", "1", "2020"], "closes_on": ["2", "1", "2020"]}, ["The window must open in the future"]),
        ({"capacity": "0"}, ["Places must be between 1 and 100,000"]),
        ({"location": ""}, ["Enter the centre for a window at an assessment centre"]),
        ({"opens_on": ["31", "2", "2027"]}, ["Not a valid date value."]),
    ],
)
def test_bad_window_is_refused_and_changes_nothing(forms, signed_in_as, tier, session, changes, errors):
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/windows/new", window_form(**changes))
    assert response.status_code == 200 and error_summary(response) == errors
    assert count_rows(session, "assessment_window") == 0


def test_endorsed_candidate_books_a_place(client, forms, endorsed_candidate, make_window, session):
    window = make_window()
    page = page_text(client.get("/candidate/book"))
    assert "Child and family practitioner" in page and "(10 places left)" in page
    response = forms.post("/candidate/book", {"window": str(window.id), "share_results": "no"})
    assert response.headers["Location"] == "/candidate"
    home = page_text(client.get("/candidate"))
    assert "You have a place" in home and "Change booking" in home
    booking = session.exec(select(Booking)).one()
    assert audit_actions(session, booking) == ["booking.made"]


def test_booking_without_an_endorsement_is_refused(client, forms, signed_in_as, make_window, session):
    window = make_window()
    candidate = signed_in_as(Role.CANDIDATE)
    assert "You need your employer's endorsement before you can book" in page_text(client.get("/candidate/book"))
    response = forms.post("/candidate/book", {"window": str(window.id), "share_results": "no"})
    assert error_summary(response) == ["Choose one of the windows shown"]
    with pytest.raises(services.BookingRefused, match="You need your employer's endorsement for Child and family practitioner"):
        services.book(session, candidate=candidate, window=window)
    assert count_rows(session, "booking") == 0


def test_a_full_window_is_refused(endorsed_candidate, make_window, make_user, session):
    window = make_window(capacity=1)
    other = make_user(roles=(Role.CANDIDATE,))
    session.add(Booking(candidate_id=other.id, window_id=window.id))
    session.commit()
    with pytest.raises(services.BookingRefused, match="This window is full. Choose another window"):
        services.book(session, candidate=endorsed_candidate, window=window)


def test_one_place_per_tier_and_booking_closes_at_the_cutoff(endorsed_candidate, make_window, session):
    services.book(session, candidate=endorsed_candidate, window=make_window())
    with pytest.raises(services.BookingRefused, match="You already have a place for Child and family practitioner"):
        services.book(session, candidate=endorsed_candidate, window=make_window(days=40))
    with pytest.raises(services.BookingRefused, match="Booking for this window has closed"):
        services.book(session, candidate=endorsed_candidate, window=make_window(days=1, cutoff=48))


def test_moving_a_booking_keeps_the_old_place_if_the_new_one_fails(client, forms, endorsed_candidate, make_window, session):
    first, second = make_window(), make_window(days=40)
    forms.post("/candidate/book", {"window": str(first.id), "share_results": "no"})
    booking = session.exec(select(Booking)).one()
    moved = forms.post(f"/candidate/bookings/{booking.id}/move", {"window": str(second.id)})
    assert moved.headers["Location"] == "/candidate"
    active = session.exec(select(Booking).where(Booking.status == BookingStatus.BOOKED)).one()
    assert active.window_id == second.id
    full = make_window(days=50, capacity=0)
    assert forms.post(f"/candidate/bookings/{active.id}/move", {"window": str(full.id)}).status_code == 200
    still = session.exec(select(Booking).where(Booking.status == BookingStatus.BOOKED)).one()
    assert still.window_id == second.id


@pytest.mark.parametrize("cutoff_hours, cancelled, message", [
    (12, True, "Your booking has been cancelled."),  # opens in 24 hours, cut-off 12 hours before: still allowed
    (48, False, "Bookings can only be changed until 48 hours before the window opens"),
])
def test_cancelling_is_allowed_until_the_cutoff(client, forms, endorsed_candidate, make_window, session,
                                                 cutoff_hours, cancelled, message):
    booking = Booking(candidate_id=endorsed_candidate.id, window_id=make_window(days=1, cutoff=cutoff_hours).id)
    session.add(booking)
    session.commit()
    assert forms.post(f"/candidate/bookings/{booking.id}/cancel", page="/candidate").status_code == 302
    session.refresh(booking)
    assert (booking.status is BookingStatus.CANCELLED) == cancelled
    assert message in page_text(client.get("/candidate"))


def test_someone_elses_booking_cannot_be_cancelled(client, forms, endorsed_candidate, make_window, make_user, session):
    other = make_user(roles=(Role.CANDIDATE,))
    theirs = Booking(candidate_id=other.id, window_id=make_window().id)
    session.add(theirs)
    session.commit()
    assert forms.post(f"/candidate/bookings/{theirs.id}/cancel", page="/candidate").status_code == 403
    session.refresh(theirs)
    assert theirs.status is BookingStatus.BOOKED
