"""The append-only audit log: who did what, when, to which object.

Rows are only ever inserted. The ORM refuses updates and deletes, and the migration adds
database triggers that refuse them too.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=64)
    object_id: str = Field(max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # The hash chain (app.audit.chain): set when the event is flushed.
    # prev_hash is unique: an event can follow only one other, so the chain cannot fork.
    prev_hash: str = Field(default="", max_length=64, unique=True)
    hash: str = Field(default="", max_length=64)

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, target):
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed or deleted")
