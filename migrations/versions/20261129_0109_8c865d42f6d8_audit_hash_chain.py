"""audit hash chain

Revision ID: 8c865d42f6d8
Revises: b5d37813c890
Create Date: 2026-11-29 01:09:47.997398+00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.types


revision: str = '8c865d42f6d8'
down_revision: Union[str, None] = 'b5d37813c890'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _triggers(create: bool) -> None:
    """The append-only triggers of the first migration: dropped while the chain is written into the
    existing events, then made again (SQLite's table rebuild would lose them anyway)."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not create:
        if postgresql:
            op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        return
    if postgresql:
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                       "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")


def upgrade() -> None:
    from app.audit.chain import GENESIS, canonical, link

    _triggers(create=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    events = sa.table("audit_event", sa.column("id", sa.Integer()), sa.column("occurred_at", app.models.types.UTCDateTime()),
                      sa.column("actor_id", sa.Integer()), sa.column("action", sa.String()), sa.column("object_type", sa.String()),
                      sa.column("object_id", sa.String()), sa.column("details", sa.JSON()), sa.column("prev_hash", sa.String()),
                      sa.column("hash", sa.String()))
    connection = op.get_bind()
    prev = GENESIS
    rows = connection.execute(sa.select(events.c.id, events.c.occurred_at, events.c.actor_id, events.c.action, events.c.object_type,
                                        events.c.object_id, events.c.details).order_by(events.c.id)).all()
    for row in rows:
        digest = link(prev, canonical(row.occurred_at, row.actor_id, row.action, row.object_type, row.object_id, row.details))
        connection.execute(events.update().where(events.c.id == row.id).values(prev_hash=prev, hash=digest))
        prev = digest
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_prev_hash'), ['prev_hash'])
    _triggers(create=True)


def downgrade() -> None:
    _triggers(create=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_prev_hash'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
    _triggers(create=True)
