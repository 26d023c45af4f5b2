"""A candidate's consent to their employer seeing their detailed results (scores, KSS profiles and
feedback). Without it the employer sees only what anyone may: whether they hold a certificate.
Asked when the candidate books, changeable at any time, and tied to the organisation it was given
to. Keyword-only, take the session, never commit."""

from sqlmodel import Session, select

from app.audit import record_event
from app.models import ResultsSharing, User
from app.models.types import utcnow


def sharing_of(session: Session, candidate: User) -> ResultsSharing | None:
    """The candidate's choice for their current organisation, or None if they have not made one."""
    if candidate.organisation_id is None:
        return None
    choice = session.exec(select(ResultsSharing).where(ResultsSharing.candidate_id == candidate.id)).first()
    return choice if choice is not None and choice.organisation_id == candidate.organisation_id else None


def shares_results(session: Session, candidate: User) -> bool:
    choice = sharing_of(session, candidate)
    return bool(choice and choice.share)


def set_sharing(session: Session, *, candidate: User, share: bool, now=None) -> ResultsSharing | None:
    """Record the candidate's choice for their current organisation; audited. None when they have no
    employer to share with."""
    if candidate.organisation_id is None:
        return None
    choice = session.exec(select(ResultsSharing).where(ResultsSharing.candidate_id == candidate.id)).first()
    if choice is None:
        choice = ResultsSharing(candidate_id=candidate.id, organisation_id=candidate.organisation_id)
        session.add(choice)
    elif choice.share == share and choice.organisation_id == candidate.organisation_id:
        return choice
    choice.organisation_id, choice.share, choice.decided_at = candidate.organisation_id, share, now or utcnow()
    session.flush()
    record_event(session, actor=candidate, action="results_sharing.changed", obj=choice, share=share,
                 organisation_id=candidate.organisation_id)
    return choice


def sharing_staff_ids(session: Session, organisation_id: int) -> set[int]:
    """The staff of the organisation who let it see their detailed results."""
    rows = session.exec(select(ResultsSharing.candidate_id).join(User, User.id == ResultsSharing.candidate_id)
                        .where(ResultsSharing.organisation_id == organisation_id, ResultsSharing.share.is_(True),
                               User.organisation_id == organisation_id)).all()
    return set(rows)
