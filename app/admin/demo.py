"""Demo data for `make run`: two fictional employers and one account for every role."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.passwords import hash_password
from app.audit import record_event
from app.models import Organisation, OrganisationKind, Role, RoleMembership, User

DEMO_ORGANISATIONS = [
    ("Northmoor Borough Council", OrganisationKind.LOCAL_AUTHORITY),
    ("Eastbridge Children's Services Trust", OrganisationKind.CHILDRENS_TRUST),
]


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
