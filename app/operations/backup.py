"""Backups: every table in one file, read as one consistent snapshot, and its restore into an empty database.

The file (`backup-YYYYMMDD-HHMMSS.kssbackup`) is a zip archive of
- `manifest.json`: the format and its version, when it was made (UTC), the database's schema (Alembic)
  revision, the service's version, and for each table its columns, its row count and the SHA-256 of
  its data file;
- `tables/<table>.jsonl`: one JSON object a row, in primary-key order, with every column: timestamps in
  ISO 8601 with their offset, bytes in base64, enums by value, JSON columns as JSON, the rest as is.
  A JSON column can hold SQL NULL or the JSON `null`; a row lists its JSON columns that are SQL NULL
  under "$sql_null", so that a restore keeps the difference.

Consistent: every table is read in one read-only transaction. On PostgreSQL that is REPEATABLE READ,
READ ONLY: one snapshot across all the tables. On SQLite it is a plain (deferred) BEGIN on a connection
of its own rather than the app's BEGIN IMMEDIATE: in WAL mode the first read fixes the snapshot, and
the service's writers carry on meanwhile. Rows are streamed a chunk at a time.

A restore goes into an empty database migrated to the backup's revision: one transaction, tables in
foreign-key order, Core inserts (so the audit log's stored hash chain is kept exactly rather than
chained again by the ORM). A file or a database that is not right is refused before a row is written.
"""

import base64
import contextlib
import datetime
import decimal
import enum
import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
import zlib
from pathlib import Path
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from app import models  # noqa: F401  (fills SQLModel.metadata)
from app.migrate import schema_state

FORMAT = "kss-accreditation-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUFFIX = ".kssbackup"
SQL_NULL = "$sql_null"
CHUNK = 1000


class BackupRefused(Exception):
    """A backup or a restore that cannot go ahead; the message says why. Nothing was changed."""


def tables() -> list[sa.Table]:
    """Every table, parents before children."""
    return SQLModel.metadata.sorted_tables


# Encoding: a column's value to JSON and back.

def encode(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def _decoder(column: sa.Column):
    """What turns the column's JSON value back into a value its type binds (None: the value as is)."""
    column_type = column.type.impl_instance if isinstance(column.type, sa.TypeDecorator) else column.type
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return None
    if kind in (datetime.datetime, datetime.date, datetime.time):
        return kind.fromisoformat
    if kind is bytes:
        return lambda text: base64.b64decode(text, validate=True)
    if issubclass(kind, enum.Enum) or kind in (decimal.Decimal, uuid.UUID):
        return kind
    return None


def _nullable_json(table: sa.Table) -> list[sa.Column]:
    return [column for column in table.columns if isinstance(column.type, sa.JSON) and column.nullable]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Backup.

def write_backup(engine: Engine, output: Path, *, now: datetime.datetime, service_version: str | None = None) -> tuple[Path, dict]:
    """Write a backup to `output` (a file, or a directory to name one in); its path and its manifest.
    Written to a temporary file, mode 0600 (it holds personal data), renamed once complete."""
    path = _backup_path(Path(output), now)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            manifest = _write_archive(engine, handle, now=now, service_version=service_version)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return path, manifest


def _backup_path(output: Path, now: datetime.datetime) -> Path:
    path = output / f"backup-{now.astimezone(datetime.timezone.utc):%Y%m%d-%H%M%S}{SUFFIX}" if output.is_dir() else output
    if path.exists():
        raise BackupRefused(f"{path} already exists: choose another --output")
    if not path.parent.is_dir():
        raise BackupRefused(f"There is no directory {path.parent} to write the backup in")
    return path


def _write_archive(engine: Engine, handle, *, now: datetime.datetime, service_version: str | None) -> dict:
    with snapshot(engine) as connection, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        revision, head = schema_state(connection)
        if revision is None:
            raise BackupRefused("The database has no tables yet (flask db-upgrade makes them): there is nothing to back up")
        if revision != head:
            raise BackupRefused(f"The database is at schema revision {revision} but this version of the service expects {head}: "
                                "back it up with the version of the service that matches it, or migrate it first (flask db-upgrade)")
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                    "created_at": now.astimezone(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "alembic_revision": revision, "service_version": service_version, "database": connection.dialect.name,
                    "tables": {table.name: _write_table(archive, _member(f"tables/{table.name}.jsonl", now), connection, table)
                               for table in tables()}}
        archive.writestr(_member(MANIFEST, now), json.dumps(manifest, indent=2) + "\n")
    return manifest


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection in one read-only transaction: every query in it sees the database as at one instant."""
    if engine.dialect.name == "sqlite":
        reader = _sqlite_reader(engine.url)
        try:
            with reader.begin() as connection:
                yield connection
        finally:
            reader.dispose()
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def _sqlite_reader(url) -> Engine:
    """Connections that begin with a plain BEGIN (no write lock) and cannot write."""
    reader = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})
    sa.event.listen(reader, "connect", _sqlite_read_only)
    sa.event.listen(reader, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return reader


def _sqlite_read_only(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # SQLAlchemy issues BEGIN itself (above)
    dbapi_connection.execute("PRAGMA query_only = ON")


def _member(name: str, now: datetime.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=now.astimezone(datetime.timezone.utc).timetuple()[:6])
    info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16  # extracted, readable by its owner only
    return info


def _write_table(archive: zipfile.ZipFile, info: zipfile.ZipInfo, connection: Connection, table: sa.Table) -> dict:
    """Write the table's data file; its entry in the manifest."""
    digest, rows = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as member:
        for chunk in _chunks(_encoded_rows(connection, table), CHUNK):
            data = "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in chunk).encode()
            digest.update(data)
            member.write(data)
            rows += len(chunk)
    return {"file": info.filename, "rows": rows, "sha256": digest.hexdigest(), "columns": [column.name for column in table.columns]}


def _encoded_rows(connection: Connection, table: sa.Table) -> Iterator[dict]:
    """The table's rows in key order, as JSON objects, streamed (a server-side cursor on PostgreSQL)."""
    columns, json_columns = list(table.columns), _nullable_json(table)
    query = sa.select(*columns, *(column.is_(None) for column in json_columns)).order_by(*table.primary_key.columns)
    for row in connection.execute(query.execution_options(yield_per=CHUNK)):
        encoded = {column.name: encode(value) for column, value in zip(columns, row[:len(columns)], strict=True)}
        sql_nulls = [column.name for column, is_null in zip(json_columns, row[len(columns):], strict=True) if is_null]
        if sql_nulls:
            encoded[SQL_NULL] = sql_nulls
        yield encoded


# Restore.

def restore_backup(engine: Engine, path: Path) -> tuple[dict, dict[str, int]]:
    """Restore the backup at `path` into the empty database behind `engine`, in one transaction: its
    manifest and the rows restored per table. Refused (BackupRefused), changing nothing, unless all is well."""
    with _open_backup(Path(path)) as archive:
        manifest = _read_manifest(archive, path)
        _verify_checksums(archive, manifest)
        with engine.begin() as connection:
            _check_target(connection, manifest)
            counts = {table.name: _restore_table(connection, archive, table, manifest["tables"][table.name]) for table in tables()}
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection)
    return manifest, counts


@contextlib.contextmanager
def _open_backup(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BackupRefused(f"{path} is not a backup file: it is not a zip archive (or it was cut short)") from None
    except OSError as error:
        raise BackupRefused(f"{path} cannot be read ({error.strerror or error})") from None
    with archive:
        try:
            yield archive
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise BackupRefused(f"{path} is corrupt ({error}): nothing was restored") from None


def _read_manifest(archive: zipfile.ZipFile, path) -> dict:
    not_backup = f"{path} is not a backup made by flask backup"
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupRefused(f"{not_backup}: it has no {MANIFEST}") from None
    except ValueError:
        raise BackupRefused(f"{not_backup}: its {MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{not_backup}: its {MANIFEST} is not a backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(f"{path} is in backup format {manifest.get('format_version')!r}; "
                            f"this version of the service reads format {FORMAT_VERSION}")
    entries = manifest.get("tables")
    if not isinstance(manifest.get("alembic_revision"), str) or not isinstance(entries, dict) or not all(
            isinstance(entry, dict) and {"file", "rows", "sha256", "columns"} <= entry.keys() for entry in entries.values()):
        raise BackupRefused(f"{path} has an incomplete {MANIFEST}: the backup is corrupt or was altered")
    return manifest


def _verify_checksums(archive: zipfile.ZipFile, manifest: dict) -> None:
    for table, entry in manifest["tables"].items():
        digest = hashlib.sha256()
        try:
            with archive.open(entry["file"]) as member:
                while block := member.read(1 << 20):
                    digest.update(block)
        except KeyError:
            raise BackupRefused(f"The backup has no data file {entry['file']} for the table {table}: "
                                "it is incomplete or was altered. Nothing was restored") from None
        if digest.hexdigest() != entry["sha256"]:
            raise BackupRefused(f"The data file {entry['file']} does not match its SHA-256 checksum in the manifest: "
                                "the backup is corrupt or was altered. Nothing was restored")


def _check_target(connection: Connection, manifest: dict) -> None:
    found, head = schema_state(connection)
    expected = manifest["alembic_revision"]
    if expected != head:
        raise BackupRefused(f"The backup is of schema revision {expected}, but this version of the service is at {head}: "
                            "restore it with the version of the service that made it (then upgrade). Nothing was restored")
    if found != expected:
        raise BackupRefused(f"The database is at schema revision {found or 'none (it has no tables)'}, but the backup is of "
                            f"revision {expected}: migrate an empty database (flask db-upgrade), then restore into it. Nothing was restored")
    _check_columns(manifest)
    _lock(connection)
    occupied = [table.name for table in tables() if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()]
    if occupied:
        raise BackupRefused(f"The database is not empty: {_some(occupied)} {'has' if len(occupied) == 1 else 'have'} rows. "
                            "Restore only into an empty database (nothing was changed)")


def _some(names: list[str], shown: int = 6) -> str:
    return ", ".join(names) if len(names) <= shown else f"{', '.join(names[:shown])} and {len(names) - shown} more tables"


def _check_columns(manifest: dict) -> None:
    expected = {table.name: [column.name for column in table.columns] for table in tables()}
    found = {name: entry["columns"] for name, entry in manifest["tables"].items()}
    differ = sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))
    if differ:
        raise BackupRefused(f"The backup's tables differ from this schema ({', '.join(differ)}) although the revisions match: "
                            "it was altered. Nothing was restored")


def _lock(connection: Connection) -> None:
    """On PostgreSQL, keep other writers out until the restore commits (on SQLite, BEGIN IMMEDIATE already does)."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(connection.dialect.identifier_preparer.format_table(table) for table in tables())
        connection.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def _restore_table(connection: Connection, archive: zipfile.ZipFile, table: sa.Table, entry: dict) -> int:
    """Insert the table's rows in batches; self-references (which may point forward) and SQL NULLs in
    JSON columns are set once all its rows are in."""
    later, rows = [], 0
    with archive.open(entry["file"]) as member:
        for batch in _chunks(_decoded_rows(member, table, entry["file"]), CHUNK):
            _execute(connection, table, sa.insert(table), [row for row, _ in batch])
            later += [change for _, changes in batch for change in changes]
            rows += len(batch)
    if later:
        _set_later(connection, table, later)
    if rows != entry["rows"]:
        raise BackupRefused(f"{entry['file']} holds {rows} rows but the manifest says {entry['rows']}: the backup was altered")
    return rows


def _decoded_rows(member, table: sa.Table, file: str) -> Iterator[tuple[dict, list]]:
    """Each row, ready to insert, with the changes to make once the table is in: (column, key, value)."""
    decoders = [(column.name, _decoder(column)) for column in table.columns]
    self_references = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    key = _key(table).name if self_references or _nullable_json(table) else None
    for number, line in enumerate(io.TextIOWrapper(member, encoding="utf-8"), start=1):
        try:
            decoded = _decode_row(json.loads(line), decoders, self_references, key)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupRefused(f"Line {number} of {file} cannot be read ({error!r}): the backup was altered") from None
        yield decoded


def _decode_row(data: dict, decoders, self_references: list[str], key: str | None) -> tuple[dict, list]:
    sql_nulls = data.pop(SQL_NULL, [])
    row = {name: data[name] if decode is None or data[name] is None else decode(data[name]) for name, decode in decoders}
    later = [(name, row[key], row[name]) for name in self_references if row[name] is not None]
    later += [(name, row[key], None) for name in sql_nulls]
    for name, _key_value, _value in later:
        row[name] = None
    return row, later


def _set_later(connection: Connection, table: sa.Table, later: list[tuple]) -> None:
    key = _key(table)
    for name in dict.fromkeys(name for name, _, _ in later):
        values = [{"_key": k, "_value": v} for n, k, v in later if n == name and v is not None]
        if values:
            statement = sa.update(table).where(key == sa.bindparam("_key")).values({name: sa.bindparam("_value")})
            _execute(connection, table, statement, values)
        for chunk in _chunks((k for n, k, v in later if n == name and v is None), CHUNK):
            _execute(connection, table, sa.update(table).where(key.in_(chunk)).values({name: sa.null()}), None)


def _key(table: sa.Table) -> sa.Column:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise BackupRefused(f"{table.name} has no single-column primary key: its self-references cannot be restored")
    return columns[0]


def _execute(connection: Connection, table: sa.Table, statement, parameters) -> None:
    try:
        connection.execute(statement, parameters)
    except sa.exc.StatementError as error:
        raise BackupRefused(f"The database refused the rows of {table.name} ({error.orig}). Nothing was restored") from None


def _reset_sequences(connection: Connection) -> None:
    """Each id sequence carries on after the largest id restored, so that new rows get fresh ids."""
    for table in tables():
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = sa.func.pg_get_serial_sequence(connection.dialect.identifier_preparer.format_table(table), column.name)
        connection.execute(sa.select(sa.func.setval(sequence, sa.func.coalesce(sa.func.max(column), 0) + 1, False)))
