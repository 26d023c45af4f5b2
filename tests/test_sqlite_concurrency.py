"""SQLite, the default deployment, under concurrent writers: requests that write, sent from many
threads at once, all succeed; none sees "database is locked" (WAL, BEGIN IMMEDIATE and a busy
timeout queue the writers)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from app import create_app, migrate
from app.config import TestConfig
from tests.databases import server_url

pytestmark = pytest.mark.skipif(server_url() is not None, reason="about SQLite; the PostgreSQL run has its own locking tests")


def test_concurrent_writers_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(TestConfig(tmp_path, environ={"TEST_DATABASE_URL": url, "VERIFY_RATE_LIMIT": "100000 per minute",
                                                   "ACCESS_LOG": "0"}))
    try:
        def writer(worker):
            client = app.test_client()
            # Each check is logged and committed at once: a write per request.
            return [client.get(f"/verify/NO-SUCH-{worker}-{n}?token=x").status_code for n in range(25)]

        with ThreadPoolExecutor(16) as pool:
            statuses = [status for result in pool.map(writer, range(16)) for status in result]
        assert statuses == [404] * 400  # "not found" is the right answer: no 500 from a locked database
        with app.extensions["db"].engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM verification_lookup")).scalar_one() == 400
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        app.extensions["db"].engine.dispose()
