"""Demo certificates: an accredited candidate who can sign in and download a valid certificate, and
two more holders whose certificates verify as expired and as revoked. Their results are demo data
(released passes recorded directly), but the certificates are issued, signed and revoked through the
real services."""

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.accounts.passwords import hash_password
from app.accreditation import services
from app.audit import record_event
from app.models import (
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    CertificateStatus,
    Endorsement,
    Organisation,
    PracticeRoute,
    PracticeSitting,
    Role,
    RoleMembership,
    SittingStatus,
    Tier,
    User,
)
from app.models.types import utcnow
from app.practice.services import live_sets

ACCREDITED = ("Amira Hussain", "accredited.candidate@northmoor.example.org", "SW100007")
EXPIRED = ("Chris Doyle", "expired.certificate@northmoor.example.org", "SW100008")
REVOKED = ("Pat Quinn", "revoked.certificate@northmoor.example.org", "SW100009")


def seed_demo_certificates(session: Session, *, admin: User, password: str, hash_profile: str, keys, base_url: str, issuer: str) -> int:
    """Create the three demo holders if missing; returns how many certificates were issued. Never commits."""
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).first()
    employer = session.exec(select(User).where(User.email == "employer@northmoor.example.org")).first()
    organisation = session.exec(select(Organisation).where(Organisation.name == "Northmoor Borough Council")).first()
    if tier is None or employer is None or not live_sets(session, tier):
        return 0
    issued = 0
    now = utcnow()
    for (name, email, number), issued_at, revoke in ((ACCREDITED, now - timedelta(days=20), False),
                                                     (EXPIRED, now - timedelta(days=3 * 365 + 40), False),
                                                     (REVOKED, now - timedelta(days=200), True)):
        if session.exec(select(User).where(User.email == email)).first():
            continue
        candidate = User(name=name, email=email, swe_number=number, organisation=organisation,
                         password_hash=hash_password(password, profile=hash_profile), memberships=[RoleMembership(role=Role.CANDIDATE)])
        session.add(candidate)
        session.flush()
        record_event(session, actor=None, action="user.created_by_command", obj=candidate, roles=["candidate"], via="seed-demo")
        _passes(session, candidate, tier, employer, issued_at)
        certificate = services.issue(session, candidate=candidate, tier=tier, now=issued_at, actor=admin, keys=keys, base_url=base_url,
                                     issuer=issuer)
        if revoke:
            services.change_status(session, certificate=certificate, to=CertificateStatus.REVOKED, actor=admin, now=now,
                                   reason="Demo: removed from the Social Work England register.")
        issued += 1
    return issued


def _passes(session: Session, candidate: User, tier: Tier, employer: User, accredited_at: datetime) -> None:
    """An endorsement and released passes of both components, shortly before `accredited_at`."""
    session.add(Endorsement(candidate_id=candidate.id, tier_id=tier.id, endorsed_by_id=employer.id, created_at=accredited_at - timedelta(days=120),
                            statement="Demo: reviewed in supervision against P1-P10, with two observed visits."))
    sat = accredited_at - timedelta(days=60)
    window = AssessmentWindow(tier_id=tier.id, opens_at=sat, closes_at=sat + timedelta(hours=8), capacity=1, mode=AssessmentMode.REMOTE,
                              location="Demo: past window", change_cutoff_hours=0, results_released_at=sat + timedelta(days=14))
    session.add(window)
    session.flush()
    booking = Booking(candidate_id=candidate.id, window_id=window.id, created_at=sat - timedelta(days=30))
    session.add(booking)
    session.flush()
    form = AssessmentForm(booking_id=booking.id, time_limit_minutes=90, cut_score=17.4)
    session.add(form)
    session.flush()
    session.add(Attempt(booking_id=booking.id, form_id=form.id, candidate_id=candidate.id, status=AttemptStatus.SUBMITTED, started_at=sat,
                        deadline_at=sat + timedelta(minutes=90), submitted_at=sat + timedelta(minutes=80), submitted_by="candidate",
                        score=23, max_score=30, cut_score=17.4, passed=True))
    version = live_sets(session, tier)[0].current
    session.add(PracticeSitting(candidate_id=candidate.id, tier_id=tier.id, set_version_id=version.id, route=PracticeRoute.CENTRE,
                                scheduled_at=accredited_at - timedelta(days=30), location="Demo: past sitting", status=SittingStatus.RELEASED,
                                passed=True, agreed_at=accredited_at - timedelta(days=20), released_at=accredited_at - timedelta(days=1),
                                created_by_id=employer.id))
    session.flush()
