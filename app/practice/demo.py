"""Demo observed practice: profiles for the demo assessors, a sitting for the demo candidate, and a
set of simulated sittings already marked, so the rater-quality report has something to show.

The simulated sittings are marked through the real services. Each simulated candidate has a true
level per criterion; the first demo assessor marks close to it, the second is planted as severe (a
point lower on average, with more noise), so the report flags them, and sittings where the two
differ too much go to the moderator, who marks the true level.
"""

from datetime import timedelta

import numpy as np
from sqlmodel import Session, select

from app.models import PracticeRoute, PracticeSitting, Role, RoleMembership, Tier, User
from app.models.types import utcnow
from app.practice import services
from app.practice.services import MarkInput

DEMO_ASSESSORS = ("assessor@accreditation.example.org", "assessor2@accreditation.example.org")
DEMO_MODERATOR = "moderator@accreditation.example.org"
DEMO_CANDIDATE = "candidate@northmoor.example.org"
SIMULATED = "simulated-practice"


def seed_demo_practice(session: Session, *, admin: User, simulated: int = 12, seed: int = 1) -> int:
    """Create what is missing; returns how many simulated sittings were marked. Never commits."""
    tiers = session.exec(select(Tier).order_by(Tier.position)).all()
    if not tiers or not any(services.live_sets(session, tier) for tier in tiers):
        return 0
    assessors = [session.exec(select(User).where(User.email == email)).first() for email in DEMO_ASSESSORS]
    if not all(assessors):
        return 0
    for assessor in assessors:
        if not _has_profile(session, assessor):
            services.save_profile(session, assessor=assessor, tiers=[t.code for t in tiers], capacity=20, actor=admin)
    practitioner = next(t for t in tiers if t.code == "practitioner")
    candidate = session.exec(select(User).where(User.email == DEMO_CANDIDATE)).first()
    if candidate is not None and not session.exec(select(PracticeSitting).where(PracticeSitting.candidate_id == candidate.id)).first():
        services.schedule_sitting(session, candidate=candidate, tier=practitioner, route=PracticeRoute.CENTRE,
                                  scheduled_at=utcnow() + timedelta(days=14), location="Northmoor assessment centre", actor=admin)
    if session.exec(select(User).where(User.email.like(f"{SIMULATED}-%"))).first():
        return 0
    return _simulated_sittings(session, practitioner, admin, assessors, simulated, seed)


def _has_profile(session, assessor) -> bool:
    return any(o.id == assessor.id for o in services.assessor_options(session))


def _simulated_sittings(session, tier, admin, assessors, n, seed) -> int:
    moderator = session.exec(select(User).where(User.email == DEMO_MODERATOR)).first()
    rng = np.random.default_rng(seed)
    now = utcnow()
    marked = 0
    for number in range(1, n + 1):
        candidate = User(name=f"Simulated practice candidate {number:02d}", email=f"{SIMULATED}-{number:02d}@simulated.example.org",
                         memberships=[RoleMembership(role=Role.CANDIDATE)])
        session.add(candidate)
        session.flush()
        sitting = services.schedule_sitting(session, candidate=candidate, tier=tier, route=PracticeRoute.CENTRE,
                                            scheduled_at=now - timedelta(days=30 - number), location="Simulated", actor=admin)
        services.check_in(session, sitting=sitting, identity_checked=True, registration_confirmed=True, filming_consent=True,
                          adjustments_in_place=True, note=None, actor=admin, now=now)
        criteria = sitting.set_version.criteria()
        ability = rng.normal(4.6, 1.0)
        truth = {key: float(np.clip(ability + rng.normal(0, 0.6), 1, 7)) for key in criteria}
        for allocation in sitting.allocations:
            severe = allocation.assessor_id == assessors[1].id
            marks = {key: int(np.clip(round(level + (rng.normal(-1.0, 0.3) if severe else rng.normal(0, 0.3))), 1, 7))
                     for key, level in truth.items()}
            entered = {key: MarkInput(score, "Simulated evidence: what the assessor saw and heard in the station.",
                                      "Simulated feedback for the candidate.") for key, score in marks.items()}
            services.save_marks(session, sitting=sitting, assessor=allocation.assessor, entered=entered, submit=True, now=now)
        session.flush()
        session.refresh(sitting)
        if sitting.status.value == "moderation" and moderator is not None:
            services.moderate(session, sitting=sitting, moderator=moderator, now=now,
                              scores={key: int(round(level)) for key, level in truth.items()},
                              feedback={key: "Simulated moderated feedback." for key in criteria},
                              rationale="Simulated moderation: the agreed marks follow the evidence of both assessors.")
        marked += 1
    return marked
