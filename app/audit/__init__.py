"""Writing to and reading from the append-only audit log."""

from sqlmodel import Session, func, select

from app.audit import chain  # noqa: F401  (chains audit events as they are flushed)
from app.models import AuditEvent, User


def record_event(session: Session, *, actor: User | None, action: str, obj, **details) -> AuditEvent:
    """Record that `actor` did `action` to `obj` (a model instance with an id). Never commits."""
    if obj.id is None:
        session.flush()
    return record_event_on(session, actor=actor, action=action, object_type=type(obj).__tablename__, object_id=obj.id, **details)


def record_event_on(session: Session, *, actor: User | None, action: str, object_type: str, object_id, **details) -> AuditEvent:
    """Record an event on an object known by table name and id (for bulk work without ORM objects)."""
    event = AuditEvent(actor_id=actor.id if actor is not None else None, action=action, object_type=object_type,
                       object_id=str(object_id), details=details)
    session.add(event)
    return event


def list_events(session: Session, *, page: int, per_page: int = 50, object_type=None, object_id=None):
    """One page of events, newest first, with the total count."""
    query = select(AuditEvent)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == str(object_id))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return rows, total
