"""Demo data for `make run`: fictional employers, one account for every role, and where the simulated
cohort works. The organisations are invented (no real council's workforce is implied)."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.passwords import hash_password
from app.audit import record_event
from app.models import Organisation, OrganisationKind, Role, RoleMembership, User

DEMO_ORGANISATIONS = [
    ("Northmoor Borough Council", OrganisationKind.LOCAL_AUTHORITY),
    ("Eastbridge Children's Services Trust", OrganisationKind.CHILDRENS_TRUST),
    ("Ashdown Vale County Council", OrganisationKind.LOCAL_AUTHORITY),
    ("Marlcombe City Council", OrganisationKind.LOCAL_AUTHORITY),
    ("Westhaven Metropolitan Borough Council", OrganisationKind.LOCAL_AUTHORITY),
    ("Kingsmere Children's Services Trust", OrganisationKind.CHILDRENS_TRUST),
]
# The share of a simulated cohort (app.quality.simulated) each demo organisation employs, and the
# share of them who let their employer see their detailed results (the rest decline).
DEMO_WORKFORCE = {
    "Northmoor Borough Council": 0.24,
    "Eastbridge Children's Services Trust": 0.16,
    "Ashdown Vale County Council": 0.2,
    "Marlcombe City Council": 0.16,
    "Westhaven Metropolitan Borough Council": 0.14,
    "Kingsmere Children's Services Trust": 0.1,
}
DEMO_SHARING = 0.85


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    name: str
    email: str
    organisation: str | None = None
    swe_number: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount(Role.CANDIDATE, "Jordan Ellis", "candidate@northmoor.example.org", "Northmoor Borough Council", "SW100001"),
    DemoAccount(Role.ASSESSOR, "Samuel Okafor", "assessor@accreditation.example.org", None, "SW100002"),
    DemoAccount(Role.MODERATOR, "Grace Adeyemi", "moderator@accreditation.example.org", None, "SW100003"),
    DemoAccount(Role.ASSESSOR, "Megan Hughes", "assessor2@accreditation.example.org", None, "SW100004"),
    DemoAccount(Role.EMPLOYER, "Priya Shah", "employer@northmoor.example.org", "Northmoor Borough Council"),
    DemoAccount(Role.ADMINISTRATOR, "Alex Morgan", "admin@accreditation.example.org"),
]


def seed_demo(session: Session, *, password: str, hash_profile: str) -> int:
    """Create whatever demo data is missing; returns how many accounts were created. Never commits."""
    organisations = {}
    for name, kind in DEMO_ORGANISATIONS:
        organisation = session.exec(select(Organisation).where(Organisation.name == name)).first()
        if organisation is None:
            organisation = Organisation(name=name, kind=kind)
            session.add(organisation)
            session.flush()
            record_event(session, actor=None, action="organisation.created", obj=organisation, via="seed-demo")
        organisations[name] = organisation
    created = 0
    for account in DEMO_ACCOUNTS:
        if session.exec(select(User).where(User.email == account.email)).first():
            continue
        user = User(
            name=account.name, email=account.email, swe_number=account.swe_number,
            organisation=organisations.get(account.organisation),
            password_hash=hash_password(password, profile=hash_profile),
            memberships=[RoleMembership(role=account.role)],
        )
        session.add(user)
        session.flush()
        record_event(session, actor=None, action="user.created_by_command", obj=user,
                     roles=[account.role.value], via="seed-demo")
        created += 1
    return created


def demo_employers(session: Session) -> dict[int, float]:
    """The demo organisations that exist (by id), each with the share of a simulated cohort it
    employs; empty when the demo has not been seeded."""
    found = session.exec(select(Organisation.id, Organisation.name).where(Organisation.name.in_(list(DEMO_WORKFORCE)))).all()
    total = sum(DEMO_WORKFORCE[name] for _, name in found)
    return {organisation_id: DEMO_WORKFORCE[name] / total for organisation_id, name in sorted(found)}


READY_CANDIDATE = DemoAccount(Role.CANDIDATE, "Sam Taylor", "ready.candidate@northmoor.example.org",
                              "Northmoor Borough Council", "SW100006")


def seed_ready_to_sit(session: Session, *, password: str, hash_profile: str) -> bool:
    """A second demo candidate, endorsed and booked into a practitioner window that is open now, with
    the form prepared, so the assessment can be tried at once. Needs the bank imported first.
    Returns False when it already exists or the bank has no live practitioner items. Never commits."""
    from datetime import timedelta

    from app.exams.forms_preparation import prepare_forms
    from app.exams.services import create_window
    from app.models import AssessmentMode, Booking, Endorsement, Item, ItemStatus, Tier
    from app.models.types import utcnow

    if session.exec(select(User).where(User.email == READY_CANDIDATE.email)).first():
        return False
    practitioner = session.exec(select(Tier).where(Tier.code == "practitioner")).first()
    if practitioner is None or not session.exec(select(Item).where(Item.tier_id == practitioner.id, Item.status == ItemStatus.LIVE)).first():
        return False
    northmoor = session.exec(select(Organisation).where(Organisation.name == READY_CANDIDATE.organisation)).one()
    employer = session.exec(select(User).where(User.email == "employer@northmoor.example.org")).one()
    candidate = User(name=READY_CANDIDATE.name, email=READY_CANDIDATE.email, swe_number=READY_CANDIDATE.swe_number,
                     organisation=northmoor, password_hash=hash_password(password, profile=hash_profile),
                     memberships=[RoleMembership(role=Role.CANDIDATE)])
    session.add(candidate)
    session.flush()
    record_event(session, actor=None, action="user.created_by_command", obj=candidate, roles=["candidate"], via="seed-demo")
    session.add(Endorsement(candidate_id=candidate.id, tier_id=practitioner.id, endorsed_by_id=employer.id,
                            statement="Demo: reviewed in supervision against P1-P10, with two observed visits."))
    window = create_window(session, actor=None, tier=practitioner, opens_at=utcnow() - timedelta(minutes=1),
                           closes_at=utcnow() + timedelta(days=30), capacity=20, mode=AssessmentMode.REMOTE, location=None,
                           change_cutoff_hours=0)
    session.add(Booking(candidate_id=candidate.id, window_id=window.id))
    session.flush()
    prepare_forms(session, window=window, actor=None)
    return True
