"""Organisations and their staff. Keyword-only, take the session, never commit."""

from sqlmodel import Session, func, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.models import Organisation, OrganisationKind, User


class OrganisationNameInUse(AccountError):
    field = "name"

    def __init__(self, name: str):
        super().__init__(f"An organisation called {name} already exists")


def create_organisation(session: Session, *, actor: User, name: str, kind: OrganisationKind) -> Organisation:
    name = " ".join(name.split())
    if session.exec(select(Organisation).where(func.lower(Organisation.name) == name.lower())).first():
        raise OrganisationNameInUse(name)
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.flush()
    record_event(session, actor=actor, action="organisation.created", obj=organisation, name=name, kind=kind.value)
    return organisation


def list_organisations(session: Session) -> list[tuple[Organisation, int]]:
    """Every organisation with its number of people, by name."""
    counts = (
        select(Organisation, func.count(User.id))
        .join(User, User.organisation_id == Organisation.id, isouter=True)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    )
    return list(session.exec(counts).all())


def staff_of(session: Session, organisation: Organisation) -> list[User]:
    return list(session.exec(select(User).where(User.organisation_id == organisation.id).order_by(User.name)).all())


def organisation_certificates(session: Session, organisation: Organisation) -> list:
    """Each certificate held by the organisation's staff (newest first), with its holder."""
    from app.models import Certificate

    return session.exec(select(Certificate, User).join(User, User.id == Certificate.candidate_id)
                        .where(User.organisation_id == organisation.id)
                        .order_by(User.name, Certificate.issued_at.desc())).all()
