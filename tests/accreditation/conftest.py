"""An accredited practitioner: endorsed, with released passes of both components."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.bank.services import import_framework
from app.models import (
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Endorsement,
    PracticeRoute,
    PracticeSitting,
    Role,
    SittingStatus,
    StationSet,
    StationSetVersion,
    Tier,
)
from app.models.types import utcnow
from tests.practice.conftest import framework  # noqa: F401  (the shipped framework, session-scoped)


@pytest.fixture
def accredited(session, framework, user_with_role):  # noqa: F811
    import_framework(session, tiers=framework, actor=None)
    session.commit()
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    employer = user_with_role(Role.EMPLOYER)

    def make(knowledge=True, practice=True, endorsed=True, **overrides):
        candidate = user_with_role(Role.CANDIDATE, **overrides)
        now = utcnow()
        if endorsed:
            session.add(Endorsement(candidate_id=candidate.id, tier_id=tier.id, endorsed_by_id=employer.id, statement="Reviewed in supervision."))
        window = AssessmentWindow(tier_id=tier.id, opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=39), capacity=5,
                                  mode=AssessmentMode.REMOTE, results_released_at=now - timedelta(days=20))
        session.add(window)
        session.flush()
        booking = Booking(candidate_id=candidate.id, window_id=window.id)
        session.add(booking)
        session.flush()
        form = AssessmentForm(booking_id=booking.id, time_limit_minutes=60, cut_score=18)
        session.add(form)
        session.flush()
        session.add(Attempt(booking_id=booking.id, form_id=form.id, candidate_id=candidate.id, status=AttemptStatus.SUBMITTED,
                            deadline_at=now - timedelta(days=39), submitted_at=now - timedelta(days=39), score=22, max_score=30,
                            cut_score=18, passed=knowledge))
        station_set = session.exec(select(StationSet).where(StationSet.code == "prac-set-x")).first()
        if station_set is None:
            station_set = StationSet(code="prac-set-x", tier_id=tier.id, status="live")
            session.add(station_set)
            session.flush()
            session.add(StationSetVersion(set_id=station_set.id, number=1, title="Set X", content={"summary": "X", "stations": []},
                                          content_hash="x"))
            session.flush()
            session.refresh(station_set)
        session.add(PracticeSitting(candidate_id=candidate.id, tier_id=tier.id, set_version_id=station_set.current.id,
                                    route=PracticeRoute.CENTRE, scheduled_at=now - timedelta(days=20), status=SittingStatus.RELEASED,
                                    passed=practice, released_at=now - timedelta(days=10), created_by_id=employer.id))
        session.commit()
        return candidate, tier

    return make
