"""Scheduled tasks for the knowledge assessment, to run every few minutes (cron or a systemd timer):

    flask --app wsgi exams prepare-due      # forms for windows opening within 48 hours
    flask --app wsgi exams close-expired    # submit attempts whose time ran out
"""

import click
from flask.cli import AppGroup
from sqlmodel import select

from app.db import get_session

exams_group = AppGroup("exams", help="The knowledge assessment: scheduled preparation and closing.")


@exams_group.command("prepare-due")
@click.option("--hours", default=48, show_default=True, type=click.IntRange(1, 24 * 60),
              help="Prepare forms for windows opening within this many hours (and windows already open).")
def prepare_due_command(hours):
    """Assemble a form for every booking in windows opening soon that has none yet."""
    from datetime import timedelta

    from app.exams.forms_preparation import prepare_forms
    from app.models import AssessmentWindow
    from app.models.types import utcnow

    session = get_session()
    now = utcnow()
    due = session.exec(select(AssessmentWindow).where(AssessmentWindow.opens_at <= now + timedelta(hours=hours),
                                                      AssessmentWindow.closes_at > now)).all()
    failures = 0
    for window in due:
        result = prepare_forms(session, window=window, actor=None)
        session.commit()
        click.echo(f"Window {window.id} ({window.tier.name}): {result.prepared} prepared, {result.already} already prepared, "
                   f"{len(result.failed)} could not be prepared.")
        for reason in result.failed:
            click.echo(f"  {reason}", err=True)
        failures += len(result.failed)
    if not due:
        click.echo(f"No window opens within {hours} hours.")
    raise SystemExit(1 if failures else 0)


@exams_group.command("close-expired")
def close_expired_command():
    """Submit every attempt whose time (and grace period) has run out, with the answers saved by then."""
    from app.exams.attempts import close_expired
    from app.models.types import utcnow

    session = get_session()
    closed = close_expired(session, now=utcnow())
    session.commit()
    click.echo(f"Submitted {closed} attempt(s) whose time had run out.")
