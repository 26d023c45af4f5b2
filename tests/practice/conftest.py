"""A practitioner tier with a small station set of our own, assessors with profiles, a moderator
and a candidate: enough to schedule, mark, moderate and release sittings."""

from dataclasses import dataclass

import pytest
from sqlmodel import select

from app.bank.content import check_bank
from app.bank.services import import_framework
from app.models import Role, StationSet, Tier, User
from app.models.types import utcnow
from app.practice import services
from app.practice.schema import StationSetSpec
from tests.exams.conftest import SHIPPED

LEVELS = {"well_below": "No evidence of this at all in the station.", "below": "Some evidence, but short of the standard.",
          "meets": "Clear evidence that meets the standard.", "exceeds": "Strong, consistent evidence beyond the standard."}


def station(code, kind, criteria=("one", "two", "three"), **extra):
    return {"id": code, "kind": kind, "title": f"Station {code}", "timings": [{"name": "Reading", "minutes": 10}, {"name": "Doing", "minutes": 20}],
            "candidate_brief": "You are a social worker. " * 6,
            "rubric": [{"id": c, "title": f"Criterion {c}", "kss": ["P1", "P4"] if c == "one" else ["P7"],
                        "evidence": "What the assessor looks for in this criterion.", "levels": LEVELS} for c in criteria], **extra}


def spec(code="prac-set-t", status="live") -> StationSetSpec:
    letter = code[-1]
    return StationSetSpec.model_validate({
        "id": code, "tier": "practitioner", "title": f"Test set {letter}", "summary": "A set for the tests, with four stations.",
        "status": status, "stations": [
            station(f"prac-{letter}-visit", "simulation", actor_brief="The actor plays a parent. " * 10),
            station(f"prac-{letter}-young", "simulation", actor_brief="The actor plays a young person. " * 10),
            station(f"prac-{letter}-record", "written", based_on=f"prac-{letter}-visit", task="Write the case record of the visit. " * 3),
            station(f"prac-{letter}-reflect", "reflective", based_on=f"prac-{letter}-visit", prompts=["What went well?", "What would you change?", "Why?"]),
        ]})


@dataclass
class Practice:
    tier: Tier
    candidate: User
    assessors: list[User]
    moderator: User
    admin: User


@pytest.fixture(scope="session")
def framework():
    return check_bank(SHIPPED).tiers


@pytest.fixture
def practice(session, framework, user_with_role, make_organisation) -> Practice:
    import_framework(session, tiers=framework, actor=None)
    services.import_station_sets(session, specs=[spec("prac-set-t"), spec("prac-set-u")], actor=None)
    session.commit()
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    admin = user_with_role(Role.ADMINISTRATOR)
    assessors = [user_with_role(Role.ASSESSOR) for _ in range(3)]
    for assessor in assessors:
        services.save_profile(session, assessor=assessor, tiers=["practitioner"], capacity=4, actor=admin)
    session.commit()
    return Practice(tier, user_with_role(Role.CANDIDATE), assessors, user_with_role(Role.MODERATOR), admin)


@pytest.fixture
def scheduled(session, practice):
    def make(candidate=None, **kwargs):
        sitting = services.schedule_sitting(session, candidate=candidate or practice.candidate, tier=practice.tier,
                                            route=kwargs.pop("route", None) or services.PracticeRoute.CENTRE, scheduled_at=utcnow(),
                                            location="Leeds assessment centre", actor=practice.admin, **kwargs)
        session.commit()
        return sitting
    return make


def station_sets(session):
    return session.exec(select(StationSet)).all()
