"""`flask audit verify`: walk the audit log's hash chain and report the first broken link."""

import sys

import click
from flask.cli import AppGroup
from sqlmodel import select

from app.audit.chain import first_break
from app.db import get_session
from app.models import AuditEvent

audit_group = AppGroup("audit", help="The audit log.")


@audit_group.command("verify")
def verify_command():
    """Check every event's hash and its link to the one before; exit 1 at the first break."""
    session = get_session()
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    try:
        checked, broken = first_break(events)
    finally:
        events.close()  # a server-side cursor on PostgreSQL, left open when the walk stops early
    if broken is None:
        click.echo(f"The audit log is intact: {checked:,} events, each linked to the one before.")
        return
    event = session.get(AuditEvent, broken.event_id)
    click.echo(f"The audit log is broken at event {broken.event_id} ({event.action} on {event.object_type} {event.object_id}, "
               f"{event.occurred_at:%Y-%m-%d %H:%M:%S} UTC): {broken.reason}. The {checked:,} events before it are intact.", err=True)
    sys.exit(1)
