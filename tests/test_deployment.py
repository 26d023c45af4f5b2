"""The production setup, run for real: gunicorn with its configuration file serving the app on the
suite's kind of database, ready once migrated, and rate limits shared by several workers through Redis."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app import migrate
from app.accreditation.keys import init_keys
from tests.databases import fresh_database

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_available():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the local test server)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Gunicorns:
    """gunicorn processes with the production config, their logs in `folder`; stop() ends them all."""

    def __init__(self, folder: Path):
        self.folder, self.servers = folder, []

    def start(self, **settings) -> str:
        """Serve the app on `database_url` (plus any environment settings); returns the base URL."""
        url = settings.pop("database_url")
        port = _free_port()
        environment = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "deployment-test", "KEYS_DIR": str(self.folder / "keys"),
                       "PORT": str(port), "BIND_ADDRESS": "127.0.0.1", "LOG_FORMAT": "json", **settings}
        log_path = self.folder / f"gunicorn-{port}.log"
        log = open(log_path, "w")
        server = subprocess.Popen([str(GUNICORN), "-c", "python:app.deploy.gunicorn", "wsgi:app"], cwd=ROOT, env=environment,
                                  stdout=log, stderr=subprocess.STDOUT)
        self.servers.append((server, log))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                _get(base + "/healthz")
                return base
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not start: {log_path.read_text()[-2000:]}")

    def stop(self):
        for server, log in self.servers:
            server.terminate()
            server.wait(timeout=30)
            log.close()


@pytest.fixture
def served(tmp_path):
    """Start gunicorn with the production config on a fresh, migrated database; yields start(**settings) -> base URL."""
    servers = Gunicorns(tmp_path)
    yield servers.start
    servers.stop()


def test_gunicorn_serves_the_app_and_is_ready_only_once_migrated(tmp_path, served):
    with fresh_database(tmp_path) as url:
        init_keys(str(tmp_path / "keys"), issuer="Test issuer")
        base = served(database_url=url, WEB_CONCURRENCY="2")
        status, _headers, body = _get(base + "/readyz")
        assert status == 503 and "run flask db-upgrade" in json.loads(body)["checks"]["migrations"]
        migrate.upgrade(url)
        status, headers, body = _get(base + "/readyz", {"X-Request-ID": "deploy-check-0001"})
        assert status == 200 and json.loads(body)["status"] == "ready"
        assert headers["X-Request-ID"] == "deploy-check-0001"
        assert "deploy-check-0001" in next((tmp_path).glob("gunicorn-*.log")).read_text()  # the JSON access line carries it


@pytest.mark.skipif(not _redis_available(), reason="needs Redis at 127.0.0.1:6379")
def test_rate_limits_hold_across_workers_with_redis(tmp_path, served):
    """Four workers, one limit: with Redis the count is shared (in-memory storage would allow four times as many)."""
    with fresh_database(tmp_path) as url:
        init_keys(str(tmp_path / "keys"), issuer="Test issuer")
        migrate.upgrade(url)
        base = served(database_url=url, WEB_CONCURRENCY="4", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                      API_FAILED_AUTH_LIMIT="5 per minute", RATELIMIT_KEY_PREFIX=f"test-{os.getpid()}-{time.time_ns()}")
        statuses = [_get(base + "/api/v1/accreditations", {"Authorization": "Bearer kss_nobody_x"})[0] for _ in range(12)]
        assert statuses.count(401) == 5 and statuses[5:] == [429] * 7
