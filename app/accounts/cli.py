"""Data protection commands: `flask subject-access`, `flask retention apply` and `flask erase-person`."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.db import get_session


@click.command("subject-access")
@with_appcontext
@click.argument("email")
@click.option("--output", default=".", show_default=True, type=click.Path(file_okay=False), help="Folder for the JSON and PDF files.")
def subject_access_command(email, output):
    """Everything held about a person (by email), as JSON and a readable PDF. The files hold personal data."""
    import json
    import os
    from pathlib import Path

    from sqlmodel import func, select

    from app.accounts.subject_access import export_json, export_pdf
    from app.audit import record_event
    from app.models import User

    session = get_session()
    person = session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if person is None:
        raise click.ClickException(f"No account has the email address {email}")
    document = export_json(session, person, service=current_app.config["SERVICE_NAME"])
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"subject-access-{person.id}-{document['exported_at'][:10]}"
    for path, data in ((stem.with_suffix(".json"), json.dumps(document, indent=2, ensure_ascii=False).encode()),
                       (stem.with_suffix(".pdf"), export_pdf(document))):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    record_event(session, actor=None, action="subject_access.exported", obj=person, format="json+pdf", via="command")
    session.commit()
    rows = sum(len(s["rows"]) for s in document["sections"])
    click.echo(f"Wrote {stem}.json and {stem}.pdf: {rows} records in {len(document['sections'])} sections about {person.name}.")


retention_group = AppGroup("retention", help="Keep personal data no longer than needed.")


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted, and delete nothing.")
def retention_apply_command(dry_run):
    """Delete the answers of unsuccessful attempts released more than RETENTION_FAILED_RESPONSES_MONTHS ago (run daily)."""
    from app.accounts.retention import apply_retention
    from app.models.types import utcnow

    session = get_session()
    months = current_app.config["RETENTION_FAILED_RESPONSES_MONTHS"]
    result = apply_retention(session, now=utcnow(), months=months, dry_run=dry_run)
    if dry_run:
        session.rollback()
        click.echo(f"Would delete {result.responses:,} answers from {result.attempts:,} unsuccessful attempts released over {months} months ago.")
        return
    session.commit()
    click.echo(f"Deleted {result.responses:,} answers from {result.attempts:,} unsuccessful attempts released over {months} months ago; "
               "their scores and decisions are kept.")


@click.command("erase-person")
@with_appcontext
@click.argument("email")
@click.option("--yes", is_flag=True, help="Confirm: this cannot be undone.")
def erase_person_command(email, yes):
    """Erase a person at their request: anonymise the account, delete optional data, revoke their certificates."""
    from sqlmodel import func, select

    from app.accounts.retention import erase_person
    from app.models import User
    from app.models.types import utcnow

    session = get_session()
    person = session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if person is None:
        raise click.ClickException(f"No account has the email address {email}")
    if not yes:
        raise click.ClickException(f"This erases {person.name} ({person.email}) and cannot be undone: run again with --yes")
    done = erase_person(session, person=person, actor=None, now=utcnow())
    session.commit()
    click.echo("Erased: " + ", ".join(f"{kind.replace('_', ' ')} {count}" for kind, count in done.items()) + ".")
