"""Candidates' optional equality-monitoring answers (special category data, UK GDPR article 9(2)(a):
explicit consent). Only the candidate sees or changes their own answers; reports use them in
aggregate with small groups suppressed. The audit log records that answers were given or withdrawn,
never what they were."""

from datetime import datetime

from sqlmodel import Session, select

from app.audit import record_event
from app.models import AgeBand, Disability, EqualityMonitoring, EthnicGroup, Sex, User

FIELDS = {"age_band": AgeBand, "sex": Sex, "ethnic_group": EthnicGroup, "disability": Disability}


def answers_of(session: Session, candidate: User) -> EqualityMonitoring | None:
    return session.exec(select(EqualityMonitoring).where(EqualityMonitoring.candidate_id == candidate.id)).first()


def save_answers(session: Session, *, candidate: User, answers: dict[str, str], now: datetime) -> EqualityMonitoring:
    """Store (or replace) the candidate's answers; consent is given by calling this."""
    values = {name: FIELDS[name](answers[name]) for name in FIELDS}
    record = answers_of(session, candidate)
    if record is None:
        record = EqualityMonitoring(candidate_id=candidate.id, consented_at=now, updated_at=now, **values)
        action = "equality_monitoring.given"
    else:
        for name, value in values.items():
            setattr(record, name, value)
        record.updated_at = now
        action = "equality_monitoring.changed"
    session.add(record)
    record_event(session, actor=candidate, action=action, obj=candidate)
    return record


def withdraw(session: Session, *, candidate: User) -> bool:
    """Delete the candidate's answers (consent withdrawn). Returns False if there were none."""
    record = answers_of(session, candidate)
    if record is None:
        return False
    session.delete(record)
    record_event(session, actor=candidate, action="equality_monitoring.withdrawn", obj=candidate)
    return True
