"""`flask --app wsgi bank check [PATH]` and `flask --app wsgi bank import` (names are fixed:
other tools script against them)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.db import get_session

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "question_bank"


bank_group = AppGroup("bank", help="The question bank: check and import the authored files.")


def _check(root: Path):
    from app.bank.content import check_bank

    bank = check_bank(root)
    for problem in bank.problems:
        click.echo(str(problem), err=True)
    return bank


@bank_group.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_command(path):
    """Validate every file under PATH (default: question_bank/). Prints file:line: field: message."""
    root = (path or DEFAULT_ROOT).resolve()
    bank = _check(root)
    if bank.errors:
        raise click.ClickException(f"{len(bank.errors)} error(s) in {root}")
    statements = sum(len(tier.statements) for tier in bank.tiers)
    warnings = len(bank.problems)
    click.echo(f"OK: {len(bank.tiers)} tiers, {statements} statements, {len(bank.scenarios)} scenarios, "
               f"{len(bank.items)} items, {len(bank.station_sets)} observed-practice station sets "
               f"({warnings} warning{'' if warnings == 1 else 's'}).")


@bank_group.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(path):
    """Load the files into the database in one transaction (all or nothing); safe to repeat."""
    from app.bank.services import import_bank

    root = (path or DEFAULT_ROOT).resolve()
    bank = _check(root)
    if bank.errors:
        raise click.ClickException(f"{len(bank.errors)} error(s): nothing was imported")
    session = get_session()
    summary = import_bank(session, bank=bank, actor=None)
    session.commit()
    for line in summary.lines():
        click.echo(line)


@bank_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def stats_command(as_json, path):
    """Counts by tier, statement, kind, type and status; disjoint forms per tier; key balance."""
    import json

    from app.bank.content import check_bank
    from app.bank.stats import bank_stats

    bank = check_bank((path or DEFAULT_ROOT).resolve())
    stats = bank_stats(bank.tiers, bank.items, bank.scenarios)
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"{stats['items']} items, {stats['live']} live; {len(bank.errors)} error(s) in the files (see bank check).")
    for title in ("by_tier", "by_status", "by_kind", "by_type", "scenarios_with_live_items", "disjoint_forms"):
        click.echo(f"{title.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in stats[title].items()))
    click.echo("live items by statement: " + ", ".join(f"{k} {v}" for k, v in stats["live_by_statement"].items()))
    single = stats["by_type"].get("single_best_answer", 0)
    click.echo(f"single best answer items whose key is the longest option: {stats['single_best_answer_key_is_longest']} of {single}")
    for kind, counts in stats["key_positions"].items():
        click.echo(f"key positions ({kind.replace('_', ' ')}): " + ", ".join(f"{k} {v}" for k, v in counts.items()))


FORMATS = click.Choice(["qti3", "moodle-xml"])


@bank_group.command("export")
@click.option("--format", "fmt", type=FORMATS, required=True, help="qti3: a QTI 3.0 content package (.zip); moodle-xml: Moodle XML.")
@click.option("--status", default="live", show_default=True, help="Export items with this status (or 'all').")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(fmt, status, out):
    """Write the bank's items (current versions, from the database) to OUT in another system's format."""
    from sqlmodel import select

    from app.bank.interchange import moodle, qti
    from app.bank.queries import scenario_specs, spec_of
    from app.models import Item

    session = get_session()
    stored = session.exec(select(Item).order_by(Item.code)).all()
    items = [spec_of(session, item) for item in stored if status == "all" or item.status.value == status]
    if not items:
        raise click.ClickException(f"there are no {'' if status == 'all' else status + ' '}items to export (run bank import first?)")
    if fmt == "qti3":
        data, skipped = qti.export_package(items, scenario_specs(session)), []
    else:
        data, skipped = moodle.export_xml(items, scenario_specs(session))
    out.write_bytes(data)
    for message in skipped:
        click.echo(message, err=True)
    click.echo(f"Wrote {len(items) - len(skipped)} item(s) to {out}" + (f"; {len(skipped)} not written." if skipped else "."))


@bank_group.command("import-file")
@click.option("--format", "fmt", type=FORMATS, required=True)
@click.option("--kss", help="KSS code for items whose file does not give one.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file_command(fmt, kss, file):
    """Add the items in FILE to the bank as drafts, in one transaction."""
    from app.bank.interchange import InterchangeError, moodle, qti
    from app.bank.interchange.services import import_external

    try:
        reader = qti.read_package if fmt == "qti3" else moodle.read_xml
        items, skipped = reader(file.read_bytes())
    except InterchangeError as error:
        raise click.ClickException(f"{file}: {error}. Nothing was imported.") from None
    session = get_session()
    created, refused = import_external(session, items=items, actor=None, default_kss=kss)
    session.commit()
    for message in skipped + refused:
        click.echo(f"skipped: {message}", err=True)
    click.echo(f"Imported {len(created)} item(s) as drafts: {', '.join(created) or 'none'}. "
               f"{len(skipped) + len(refused)} skipped.")
