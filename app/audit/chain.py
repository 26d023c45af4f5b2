"""The audit log as a hash chain, so that tampering shows.

Each event carries `prev_hash` (the previous event's `hash`, by id) and its own `hash`: SHA-256 of
`prev_hash` followed by the event's canonical JSON (time, actor, action, object and details). The
database already refuses updates and deletes (triggers); the chain catches what someone with the
power to drop those triggers might do: an event changed afterwards no longer matches its hash, and
an event removed or inserted breaks the link to the next. `flask audit verify` walks the chain.

Events are chained as they are flushed. Writers take turns: on PostgreSQL a transaction-scoped
advisory lock is held from the first audit event a transaction writes until it commits; SQLite's
transactions already begin with the write lock (BEGIN IMMEDIATE, app.db). Pure functions below,
the session hook at the end."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models import AuditEvent

GENESIS = "0" * 64
ADVISORY_LOCK = 0x4B5341  # "KSA": one number for the audit chain's writers


def canonical(occurred_at, actor_id, action, object_type, object_id, details) -> bytes:
    """The bytes an event's hash covers, the same whichever database stored the event."""
    return json.dumps({"occurred_at": occurred_at.astimezone(timezone.utc).isoformat(timespec="microseconds"), "actor_id": actor_id,
                       "action": action, "object_type": object_type, "object_id": str(object_id), "details": details or {}},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + content).hexdigest()


@dataclass(frozen=True)
class Break:
    event_id: int
    reason: str


def first_break(events: Iterable) -> tuple[int, Break | None]:
    """Walk events in id order; how many were checked, and the first broken link if any."""
    expected_prev, checked = GENESIS, 0
    for e in events:
        if e.prev_hash != expected_prev:
            return checked, Break(e.id, "its link to the event before it is broken: an event before it was removed, added or changed")
        if e.hash != link(e.prev_hash, canonical(e.occurred_at, e.actor_id, e.action, e.object_type, e.object_id, e.details)):
            return checked, Break(e.id, "its content no longer matches its hash: it was changed after it was written")
        expected_prev, checked = e.hash, checked + 1
    return checked, None


@event.listens_for(Session, "before_flush")
def _chain_new_events(session, _flush_context, _instances):
    new = sorted((o for o in session.new if isinstance(o, AuditEvent)), key=lambda o: inspect(o).insert_order)
    if not new:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    table = AuditEvent.__table__
    prev = connection.execute(sa.select(table.c.hash).order_by(table.c.id.desc()).limit(1)).scalar() or GENESIS
    for e in new:
        e.prev_hash = prev
        e.hash = prev = link(prev, canonical(e.occurred_at, e.actor_id, e.action, e.object_type, e.object_id, e.details))
