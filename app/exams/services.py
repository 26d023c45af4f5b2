"""Endorsement. Keyword-only, take the session, never commit."""

from sqlmodel import Session, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.models import Endorsement, EndorsementStatus, Role, Tier, User
from app.models.types import utcnow


class EndorsementRefused(AccountError):
    field = "tier"


def active_endorsements(session: Session, candidate: User) -> list[Endorsement]:
    return list(session.exec(select(Endorsement).where(
        Endorsement.candidate_id == candidate.id, Endorsement.status == EndorsementStatus.ACTIVE)))


def endorse(session: Session, *, actor: User, candidate: User, tier: Tier, statement: str) -> Endorsement:
    """Record the employer's endorsement of a candidate of their own organisation for a tier."""
    if not candidate.has_role(Role.CANDIDATE):
        raise EndorsementRefused(f"{candidate.name} is not a candidate for accreditation")
    if candidate.organisation_id is None or candidate.organisation_id != actor.organisation_id:
        raise EndorsementRefused(f"{candidate.name} is not a member of your organisation")
    if any(e.tier_id == tier.id for e in active_endorsements(session, candidate)):
        raise EndorsementRefused(f"{candidate.name} is already endorsed for {tier.name}")
    endorsement = Endorsement(candidate_id=candidate.id, tier_id=tier.id, endorsed_by_id=actor.id, statement=statement.strip())
    session.add(endorsement)
    session.flush()
    record_event(session, actor=actor, action="endorsement.given", obj=endorsement, candidate_id=candidate.id, tier=tier.code)
    return endorsement


def withdraw(session: Session, *, actor: User, endorsement: Endorsement, reason: str) -> None:
    if endorsement.status is not EndorsementStatus.ACTIVE:
        raise EndorsementRefused("This endorsement has already been withdrawn")
    endorsement.status = EndorsementStatus.WITHDRAWN
    endorsement.withdrawn_at = utcnow()
    endorsement.withdrawn_reason = reason.strip()
    record_event(session, actor=actor, action="endorsement.withdrawn", obj=endorsement, reason=endorsement.withdrawn_reason)
