"""Throwaway databases for tests: a temporary SQLite file, or a new PostgreSQL database
created next to TEST_DATABASE_URL's and dropped afterwards."""

import contextlib
import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


@contextlib.contextmanager
def fresh_database(tmp_path):
    """Yield the URL of a new, empty database of the kind the suite is running on."""
    base = server_url()
    if base is None:
        yield f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite3'}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
