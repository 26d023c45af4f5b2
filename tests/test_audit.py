"""The audit log is append-only: the ORM and the database itself refuse changes."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

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


# The hash chain ------------------------------------------------------------------------------------

def _drop_append_only_triggers(connection):
    """What only someone with the database owner's powers could do; inside the test's transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
    else:
        connection.execute(text("DROP TRIGGER audit_event_no_update"))
        connection.execute(text("DROP TRIGGER audit_event_no_delete"))


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_each_event_is_chained_to_the_one_before(app, session, make_user):
    from app.audit.chain import canonical, first_break, link

    person = make_user()
    first = record_event(session, actor=None, action="user.invited", obj=person, note="één")  # non-ASCII is hashed as UTF-8
    second = record_event(session, actor=None, action="user.roles_changed", obj=person, before=["candidate"], at=1.5)
    session.commit()
    assert second.prev_hash == first.hash and len(second.hash) == 64
    assert second.hash == link(first.hash, canonical(second.occurred_at, None, "user.roles_changed", "user_account", person.id,
                                                   {"before": ["candidate"], "at": 1.5}))
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert first_break(events) == (len(events), None)
    result = _verify(app)
    assert result.exit_code == 0 and f"intact: {len(events):,} events" in result.output


@pytest.mark.parametrize("tamper, reason", [
    ("UPDATE audit_event SET details = '{\"before\": [\"administrator\"]}' WHERE id = :middle", "changed after it was written"),
    ("DELETE FROM audit_event WHERE id = :middle", "link to the event before it is broken"),
])
def test_audit_verify_names_the_first_broken_link(app, connection, session, make_user, tamper, reason):
    person = make_user()
    events = [record_event(session, actor=None, action=f"step.{n}", obj=person, before=["candidate"]) for n in range(3)]
    session.commit()
    _drop_append_only_triggers(connection)
    connection.execute(text(tamper), {"middle": events[1].id})
    result = _verify(app)
    broken = events[1].id if "UPDATE" in tamper else events[2].id
    assert result.exit_code == 1 and f"broken at event {broken}" in result.output and reason in result.output


def test_a_forked_chain_is_refused_by_the_database(session, connection, make_user):
    """Two events can never follow the same one: prev_hash is unique."""
    record_event(session, actor=None, action="user.invited", obj=make_user())
    session.commit()
    last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError):
        connection.execute(text("INSERT INTO audit_event (occurred_at, action, object_type, object_id, details, prev_hash, hash) "
                                "VALUES (:t, 'forged', 'x', '1', '{}', :prev, :h)"),
                           {"t": last.occurred_at, "prev": last.prev_hash, "h": "f" * 64})
    savepoint.rollback()


def test_concurrent_writers_extend_one_chain(tmp_path):
    """Eight threads commit audit events at once, on a database of their own: one unbroken chain."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import Session

    from app import migrate
    from app.audit.chain import first_break
    from app.db import make_engine
    from app.models import User
    from tests.databases import fresh_database

    with fresh_database(tmp_path) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine) as setup:
                person = User(name="Someone", email="someone@example.org")
                setup.add(person)
                setup.commit()
                person_id = person.id

            def write(worker):
                with Session(engine) as session:
                    target = session.get(User, person_id)
                    for n in range(15):
                        record_event(session, actor=None, action="test.concurrent", obj=target, worker=worker, n=n)
                        session.commit()

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(write, range(8)))
            with Session(engine) as session:
                events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
            assert len(events) == 8 * 15 and first_break(events) == (len(events), None)
        finally:
            engine.dispose()
