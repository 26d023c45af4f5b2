"""`flask backup` and `flask restore`: see app.operations.backup for the file and what is checked."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.db import get_engine
from app.models.types import utcnow
from app.operations.backup import BackupRefused, restore_backup, write_backup


@click.command("backup")
@click.option("--output", default=".", show_default=True, type=click.Path(path_type=Path),
              help="The file to write, or a directory to write backup-YYYYMMDD-HHMMSS.kssbackup in.")
@with_appcontext
def backup_command(output):
    """Write every table to one file, read as one consistent snapshot (the service can keep running).

    The backup holds personal data (names, email addresses, results, audit log): it is written with
    mode 0600; keep it as safe as the database itself."""
    try:
        path, manifest = write_backup(get_engine(), output, now=utcnow(), service_version=_service_version())
    except BackupRefused as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"The backup could not be written ({error}); no backup file was left behind") from None
    entries = manifest["tables"].values()
    click.echo(f"Backed up {len(entries)} tables, {sum(entry['rows'] for entry in entries):,} rows (schema revision "
               f"{manifest['alembic_revision']}) to {path}.")
    click.echo("It holds personal data: keep it as safe as the database (it is readable by its owner only).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file):
    """Restore a backup into an empty database migrated to the backup's revision (run flask db-upgrade first).

    Every check (the file is a backup, no data file altered, the schema revision, an empty database) is
    made before a row is written; the restore is one transaction."""
    try:
        manifest, counts = restore_backup(get_engine(), file)
    except BackupRefused as error:
        raise click.ClickException(str(error)) from None
    for table, rows in counts.items():
        if rows:
            click.echo(f"  {table:<28} {rows:>10,}")
    click.echo(f"Restored {len(counts)} tables, {sum(counts.values()):,} rows from {file} (taken {manifest['created_at']}, "
               f"schema revision {manifest['alembic_revision']}).")


def _service_version() -> str | None:
    """The service's version, from its installed metadata or the pyproject.toml it runs from."""
    import tomllib
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kss-accreditation")
    except PackageNotFoundError:
        pass
    pyproject = Path(current_app.root_path).parent / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None
