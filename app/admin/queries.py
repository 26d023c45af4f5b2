"""Read-only queries behind the administration pages."""

from sqlmodel import Session, func, or_, select

from app.models import MessageStatus, Organisation, OutboxMessage, RegradedAttempt, Role, RoleMembership, User
from app.quality.regrading import AWAITING_REVIEW

PER_PAGE = 50


def dashboard_counts(session: Session) -> dict[str, int]:
    def count(query):
        return session.exec(query).one()

    return {
        "users": count(select(func.count(User.id))),
        "awaiting_password": count(select(func.count(User.id)).where(User.password_hash.is_(None))),
        "organisations": count(select(func.count(Organisation.id))),
        "held_mail": count(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == MessageStatus.HELD)),
        "failed_mail": count(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == MessageStatus.FAILED)),
        "regrades_to_review": count(select(func.count(RegradedAttempt.id)).where(*AWAITING_REVIEW)),
    }


def list_users(session: Session, *, role: Role | None, text: str, page: int):
    query = select(User)
    if role is not None:
        query = query.where(User.id.in_(select(RoleMembership.user_id).where(RoleMembership.role == role)))
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern),
                                func.lower(User.swe_number).like(pattern)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(User.name, User.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return rows, total


def list_outbox(session: Session, *, page: int):
    total = session.exec(select(func.count(OutboxMessage.id))).one()
    rows = session.exec(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return rows, total
