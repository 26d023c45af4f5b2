"""`flask backup` and `flask restore`: a consistent snapshot of every table, restored into an empty database.

The source is a database seeded the way an operator would (the question bank, `flask seed-demo`), plus a
reissued certificate (a self-reference that points forward), a share link, a verification lookup, an
account link and an audit event with non-ASCII details. Each restore goes into a new database of the
kind the suite runs on (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

import base64
import contextlib
import json
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from app import create_app, migrate
from app.accreditation.keys import init_keys, load_keys
from app.accreditation.services import create_share_link, log_lookup, reissue
from app.audit import record_event, record_event_on
from app.bank.content import check_bank
from app.bank.services import import_bank
from app.config import TestConfig
from app.models import Certificate, CertificateStatus, Organisation, OrganisationKind, User
from app.models.types import utcnow
from app.operations import backup
from tests.databases import fresh_database

QUESTION_BANK = Path(__file__).resolve().parent.parent / "question_bank"
HEAD = migrate.head_revision()


@contextlib.contextmanager
def database(tmp_path, revision: str | None = "head"):
    """An app on a new database migrated to `revision` (None: left without tables); its engine disposed afterwards."""
    with fresh_database(tmp_path) as url:
        app = create_app(TestConfig(tmp_path, environ={"TEST_DATABASE_URL": url, "KEYS_DIR": str(tmp_path / "keys")}))
        try:
            if revision:
                migrate.upgrade(url, revision=revision)
            yield app
        finally:
            app.extensions["db"].engine.dispose()


def engine_of(app):
    return app.extensions["db"].engine


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def seed(app) -> None:
    with Session(engine_of(app)) as session:
        import_bank(session, bank=check_bank(QUESTION_BANK), actor=None)
        session.commit()
    for command in (["seed-demo"], ["create-admin", "--email", "second.admin@example.org", "--name", "Second Admin"]):
        result = invoke(app, *command)
        assert result.exit_code == 0, result.output
    with Session(engine_of(app)) as session:
        admin = session.exec(select(User).where(User.email == "admin@accreditation.example.org")).one()
        valid = session.exec(select(Certificate).where(Certificate.status == CertificateStatus.VALID)
                             .order_by(Certificate.id)).first()
        holder = session.get(User, valid.candidate_id)
        create_share_link(session, certificate=valid, holder=holder, label="Northmoor HR", days=30, now=utcnow())
        log_lookup(session, certificate=valid, route="page", outcome="valid", organisation_id=None, ip="192.0.2.1",
                   secret=app.config["SECRET_KEY"], now=utcnow())
        reissue(session, certificate=valid, holder_name=f"{valid.holder_name}-Ó Súilleabháin", reason="Change of name", actor=admin,
                now=utcnow(), keys=load_keys(app.config), base_url="http://localhost", issuer=app.config["ISSUING_BODY"])
        record_event(session, actor=admin, action="test.backup", obj=valid, note="ünïcödé ✓ «quoted»", nested={"a": [1, 2.5, None]})
        session.commit()
        # A JSON column holding SQL NULL (as rows older than the column do), besides the JSON nulls the ORM writes.
        session.connection().execute(sa.text("UPDATE practice_sitting SET rule = NULL WHERE id = (SELECT MIN(id) FROM practice_sitting)"))
        session.commit()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    instance = tmp_path_factory.mktemp("backup-source")
    with database(instance) as app:
        init_keys(app.config["KEYS_DIR"], issuer=app.config["ISSUING_BODY"])
        seed(app)
        yield app


@pytest.fixture(scope="module")
def backup_file(source, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("backups")
    result = invoke(source, "backup", "--output", str(directory))
    assert result.exit_code == 0, result.output
    [path] = directory.iterdir()
    return path


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def every_row(app) -> dict[str, list]:
    """Each table's rows, as the app reads them, in key order."""
    with engine_of(app).connect() as connection:
        return {table.name: connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all() for table in backup.tables()}


def total_rows(app) -> int:
    return sum(len(rows) for rows in every_row(app).values())


def sql_nulls_in_rule(app) -> int:
    with engine_of(app).connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM practice_sitting WHERE rule IS NULL")).scalar_one()


def test_the_backup_is_one_private_file_describing_every_table(source, backup_file):
    assert re.fullmatch(r"backup-\d{8}-\d{6}\.kssbackup", backup_file.name)
    assert stat.S_IMODE(os.stat(backup_file).st_mode) == 0o600
    manifest = manifest_of(backup_file)
    assert (manifest["format"], manifest["format_version"], manifest["alembic_revision"]) == ("kss-accreditation-backup", 1, HEAD)
    assert manifest["created_at"].endswith("+00:00") and manifest["service_version"]
    rows = every_row(source)
    assert {name: entry["rows"] for name, entry in manifest["tables"].items()} == {name: len(found) for name, found in rows.items()}
    with zipfile.ZipFile(backup_file) as archive:
        certificates = [json.loads(line) for line in archive.read("tables/certificate.jsonl").splitlines()]
    first = next(c for c in certificates if c["id"] == rows["certificate"][0].id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", first["issued_at"])
    assert first["status"] == "superseded" and first["superseded_by_id"] > first["id"]
    assert base64.b64decode(first["pdf"]) == rows["certificate"][0].pdf and first["pdf"] != ""


def test_restore_into_an_empty_database_finds_every_record(source, backup_file, tmp_path):
    expected = every_row(source)
    assert sum(1 for rows in expected.values() if rows) >= 35, "the source should exercise most tables"
    with database(tmp_path) as target:
        result = invoke(target, "restore", str(backup_file))
        assert result.exit_code == 0, result.output
        assert f"Restored {len(expected)} tables, {sum(map(len, expected.values())):,} rows" in result.output
        restored = every_row(target)
        for name, rows in expected.items():
            assert restored[name] == rows, f"{name} differs after the restore"
        assert sql_nulls_in_rule(target) == sql_nulls_in_rule(source) == 1
        with Session(engine_of(target)) as session:
            pdfs = {c.code: c.pdf for c in session.exec(select(Certificate))}
            superseded = session.exec(select(Certificate).where(Certificate.status == CertificateStatus.SUPERSEDED)).one()
            assert session.get(Certificate, superseded.superseded_by_id).holder_name.endswith("Ó Súilleabháin")
        with Session(engine_of(source)) as session:
            assert pdfs == {c.code: c.pdf for c in session.exec(select(Certificate))} and all(pdfs.values())
        verified = invoke(target, "audit", "verify")
        assert verified.exit_code == 0 and f"{len(expected['audit_event']):,} events" in verified.output
        _new_rows_get_fresh_ids(target, expected)
        assert invoke(target, "audit", "verify").exit_code == 0


def _new_rows_get_fresh_ids(app, before):
    with Session(engine_of(app)) as session:
        organisation = Organisation(name="Set up after the restore", kind=OrganisationKind.LOCAL_AUTHORITY)
        session.add(organisation)
        session.flush()
        event = record_event(session, actor=None, action="organisation.created", obj=organisation)
        session.commit()
        assert organisation.id > max(row.id for row in before["organisation"])
        assert event.id > max(row.id for row in before["audit_event"])


def test_the_backup_is_one_snapshot_and_writers_carry_on(tmp_path, monkeypatch):
    """A write committed while the backup runs is not in it (even in a table read after the write),
    and it is not held up by the backup."""
    with database(tmp_path) as app:
        engine = engine_of(app)
        write_table = backup._write_table

        def write_midway(archive, info, connection, table):
            entry = write_table(archive, info, connection, table)
            if table.name == "organisation":  # user_account and audit_event are read later
                with Session(engine) as session:
                    user = User(name="Written midway", email="midway@example.org")
                    session.add(user)
                    session.flush()
                    record_event(session, actor=None, action="user.created", obj=user)
                    session.commit()
            return entry

        monkeypatch.setattr(backup, "_write_table", write_midway)
        result = invoke(app, "backup", "--output", str(tmp_path / "midway.kssbackup"))
        assert result.exit_code == 0, result.output
        tables = manifest_of(tmp_path / "midway.kssbackup")["tables"]
        assert tables["user_account"]["rows"] == tables["audit_event"]["rows"] == 0
        with Session(engine) as session:  # and the service writes as before once the backup is done
            session.add(User(name="Written afterwards", email="afterwards@example.org"))
            session.commit()
        assert [user.name for user in every_row(app)["user_account"]] == ["Written midway", "Written afterwards"]


def test_backup_refuses_to_overwrite_a_file_or_back_up_a_database_without_tables(source, backup_file, tmp_path):
    again = invoke(source, "backup", "--output", str(backup_file))
    assert again.exit_code == 1 and f"{backup_file} already exists" in again.output
    with database(tmp_path, revision=None) as empty:
        result = invoke(empty, "backup", "--output", str(tmp_path))
        assert result.exit_code == 1 and "The database has no tables yet" in result.output
        assert not list(tmp_path.glob("*.kssbackup")) and not list(tmp_path.glob(".*partial"))


@pytest.fixture(scope="module")
def empty_target(tmp_path_factory):
    """An empty database at the latest revision, for restores that must be refused (and change nothing)."""
    with database(tmp_path_factory.mktemp("empty-target")) as app:
        yield app
        assert total_rows(app) == 0


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(backup_file, tmp_path):
    with database(tmp_path) as target:
        with Session(engine_of(target)) as session:
            record_event_on(session, actor=None, action="test.already_here", object_type="nothing", object_id=1)
            session.commit()
        result = invoke(target, "restore", str(backup_file))
        assert result.exit_code == 1
        assert "The database is not empty: audit_event has rows. Restore only into an empty database" in result.output
        assert total_rows(target) == 1  # the tables before audit_event were not filled either


@pytest.mark.parametrize("revision", ["previous", None])
def test_restore_refuses_a_database_at_another_revision(backup_file, tmp_path, revision):
    from alembic.script import ScriptDirectory

    previous = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(HEAD).down_revision
    with database(tmp_path, revision=previous if revision else None) as target:
        result = invoke(target, "restore", str(backup_file))
        assert result.exit_code == 1
        found = previous if revision else "none (it has no tables)"
        assert f"The database is at schema revision {found}, but the backup is of revision {HEAD}: migrate an empty database " \
               "(flask db-upgrade), then restore into it" in result.output
        with engine_of(target).connect() as connection:
            assert migrate.schema_state(connection)[0] == (previous if revision else None)
            if revision:
                assert connection.execute(sa.text("SELECT count(*) FROM organisation")).scalar_one() == 0


def rewrite(source: Path, destination: Path, change) -> Path:
    """A copy of the archive with `change(name, data)` applied to each member."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info.filename, change(info.filename, original.read(info)))
    return destination


def test_restore_refuses_an_altered_data_file(backup_file, empty_target, tmp_path):
    def rename_holder(name, data):
        return data.replace(b'"holder_name":"', b'"holder_name":"Someone Else ', 1) if name == "tables/certificate.jsonl" else data

    altered = rewrite(backup_file, tmp_path / "altered.kssbackup", rename_holder)
    result = invoke(empty_target, "restore", str(altered))
    assert result.exit_code == 1
    assert "The data file tables/certificate.jsonl does not match its SHA-256 checksum in the manifest: " \
           "the backup is corrupt or was altered. Nothing was restored" in result.output
    assert total_rows(empty_target) == 0


def damaged(path: Path, tmp_path: Path) -> Path:
    """The backup with one byte of a data file's compressed bytes flipped."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = max(archive.infolist(), key=lambda i: i.compress_size)
    header = info.header_offset
    start = header + 30 + int.from_bytes(data[header + 26:header + 28], "little") + int.from_bytes(data[header + 28:header + 30], "little")
    data[start + info.compress_size // 2] ^= 0xFF
    (tmp_path / "damaged.kssbackup").write_bytes(bytes(data))
    return tmp_path / "damaged.kssbackup"


def not_a_backup(kind: str, backup_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / f"{kind}.kssbackup"
    if kind == "text":
        path.write_text("id,name\n1,Someone\n")
    elif kind == "cut-short":
        path.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size // 2])
    elif kind == "no-manifest":
        with zipfile.ZipFile(backup_file) as original, zipfile.ZipFile(path, "w") as copy:
            copy.writestr("tables/organisation.jsonl", original.read("tables/organisation.jsonl"))
    elif kind == "other-manifest":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("manifest.json", json.dumps({"name": "something else", "version": "1.0"}))
    elif kind == "newer-format":
        rewrite(backup_file, path, lambda name, data: data.replace(b'"format_version": 1', b'"format_version": 2')
                if name == "manifest.json" else data)
    elif kind == "damaged":
        return damaged(backup_file, tmp_path)
    return path


@pytest.mark.parametrize("kind, message", [
    ("text", "is not a backup file: it is not a zip archive (or it was cut short)"),
    ("cut-short", "is not a backup file: it is not a zip archive (or it was cut short)"),
    ("no-manifest", "is not a backup made by flask backup: it has no manifest.json"),
    ("other-manifest", "is not a backup made by flask backup: its manifest.json is not a backup manifest"),
    ("newer-format", "is in backup format 2; this version of the service reads format 1"),
    ("damaged", "is corrupt ("),
])
def test_restore_refuses_a_file_that_is_not_a_sound_backup(backup_file, empty_target, tmp_path, kind, message):
    path = not_a_backup(kind, backup_file, tmp_path)
    result = invoke(empty_target, "restore", str(path))
    assert result.exit_code == 1 and message in result.output, result.output
    assert total_rows(empty_target) == 0
