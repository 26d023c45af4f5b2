"""`flask --app wsgi bank check [PATH]` and `flask --app wsgi bank import` (names are fixed:
other tools script against them)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.db import get_session

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "question_bank"


bank_group = AppGroup("bank", help="The question bank: check and import the authored files.")


def _check(root: Path):
    from app.bank.framework import check_framework

    tiers, problems = check_framework(root)
    for problem in problems:
        click.echo(str(problem), err=True)
    return tiers, [p for p in problems if p.severity == "error"]


@bank_group.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_command(path):
    """Validate every file under PATH (default: question_bank/). Prints file:line: field: message."""
    root = (path or DEFAULT_ROOT).resolve()
    tiers, errors = _check(root)
    if errors:
        raise click.ClickException(f"{len(errors)} error(s) in {root}")
    statements = sum(len(tier.statements) for tier in tiers)
    click.echo(f"OK: {len(tiers)} tiers, {statements} statements.")


@bank_group.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(path):
    """Load the files into the database in one transaction (all or nothing); safe to repeat."""
    from app.bank.services import import_framework

    root = (path or DEFAULT_ROOT).resolve()
    tiers, errors = _check(root)
    if errors:
        raise click.ClickException(f"{len(errors)} error(s): nothing was imported")
    session = get_session()
    summary = import_framework(session, tiers=tiers, actor=None)
    session.commit()
    click.echo(f"Framework: {len(summary.created)} created, {len(summary.updated)} updated, {summary.unchanged} unchanged.")
