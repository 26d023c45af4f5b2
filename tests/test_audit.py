"""The audit log is append-only: the ORM and the database itself refuse changes."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit import record_event
from app.models import AuditEvent, Role
from app.models.audit import AuditLogIsAppendOnly


def test_events_record_who_what_when_and_which_object(session, make_user):
    actor, target = make_user(roles=(Role.ADMINISTRATOR,)), make_user()
    event = record_event(session, actor=actor, action="user.roles_changed", obj=target, before=["candidate"])
    session.commit()
    assert (event.actor_id, event.action, event.object_type, event.object_id) == (actor.id, "user.roles_changed", "user_account", str(target.id))
    assert event.details == {"before": ["candidate"]} and event.occurred_at.tzinfo is not None


def test_orm_refuses_to_change_or_delete_an_event(session, make_user):
    event = record_event(session, actor=None, action="user.invited", obj=make_user())
    session.commit()
    event.action = "something else"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.get(AuditEvent, event.id))
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event"])
def test_database_refuses_to_change_or_delete_an_event(connection, session, make_user, statement):
    record_event(session, actor=None, action="user.invited", obj=make_user())
    session.commit()
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text(statement))
    savepoint.rollback()
    assert connection.execute(text("SELECT count(*) FROM audit_event WHERE action = 'user.invited'")).scalar_one() >= 1
