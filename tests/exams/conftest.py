"""A practitioner window open now, with the shipped bank and a candidate whose form is prepared."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app.bank.content import check_bank
from app.bank.services import import_bank
from app.exams.forms_preparation import prepare_forms
from app.models import AssessmentMode, AssessmentWindow, Booking, Role, Tier, User
from app.models.types import utcnow
from tests.conftest import agree_ratings

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank"


@pytest.fixture(scope="session")
def shipped_content():
    bank = check_bank(SHIPPED)
    assert bank.errors == []
    return bank


@dataclass
class Sitting:
    window: AssessmentWindow
    booking: Booking
    candidate: User


@pytest.fixture
def open_window(session, shipped_content):
    import_bank(session, bank=shipped_content, actor=None)
    agree_ratings(session)
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    window = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(hours=5),
                              capacity=100, mode=AssessmentMode.REMOTE, change_cutoff_hours=48)
    session.add(window)
    session.commit()
    return window


@pytest.fixture
def booked(session, open_window, user_with_role, sign_in):
    """Book a place for a new candidate in the open window, prepare their form, and sign them in."""

    def make(sign=True, **overrides) -> Sitting:
        candidate = user_with_role(Role.CANDIDATE, **overrides)
        booking = Booking(candidate_id=candidate.id, window_id=open_window.id)
        session.add(booking)
        session.commit()
        prepare_forms(session, window=open_window, actor=None)
        session.commit()
        if sign:
            sign_in(candidate)
        return Sitting(open_window, booking, candidate)

    return make
