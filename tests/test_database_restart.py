"""Faults: PostgreSQL stops in the middle of an attempt and comes back. The app recovers by itself (the
pool's pre-ping replaces broken connections), the candidate's queued answers are saved once it is
back, and /healthz reports the outage (503) and the recovery (200).

The test runs its own PostgreSQL server (initdb into a temporary folder, on a free port), so that
stopping it cannot disturb the suite's database. It runs in the PostgreSQL pass of the suite.
Real gunicorn with the production configuration, real HTTP, candidates with real prepared forms and
started attempts (set up with the benchmark's helpers, which forge sign-in sessions with the app's
own serializer). The client behaves like the assessment page's answer queue (app/static/js/attempt.mjs):
one entry per question holding the newest answer, sent again while the server answers 5xx or not at all."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.databases import server_url
from tests.sittings import booked_candidates
from tests.test_deployment import _free_port, _get, served  # noqa: F401  (gunicorn with the production configuration)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.skipif(server_url() is None, reason="a PostgreSQL fault: runs in the suite's PostgreSQL pass")

CANDIDATES = 3
RECOVERY_SECONDS = 10  # the app must answer again within this long of the database being back


def _postgres_bin() -> Path | None:
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found = ""
    for folder in [found, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PrivateServer:
    """A PostgreSQL server of our own. PostgreSQL refuses to run as root, so as root it runs as `postgres`."""

    def __init__(self, folder: Path):
        self.bin = _postgres_bin()
        if self.bin is None:
            pytest.fail("PostgreSQL's server programs (initdb, pg_ctl) are not installed; the PostgreSQL pass needs them")
        self.folder, self.port = folder, _free_port()
        self.data, self.log = folder / "data", folder / "server.log"
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
            os.chmod(folder, 0o700)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def _run(self, program, *arguments):
        command = [str(self.bin / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode:
            pytest.fail(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}")

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run("pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-l", str(self.log), "-o", options)

    def stop(self, mode="immediate"):
        """`immediate` is a crash as far as clients can tell: every connection is cut, and the server
        recovers from its write-ahead log when it starts."""
        self._run("pg_ctl", "stop", "-w", "-t", "30", "-D", str(self.data), "-m", mode)

    def url(self, database="postgres"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def private_server():
    # Not under pytest's tmp_path: as root that is private to root, and the server runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="kss-postgresql-"))
    server = PrivateServer(folder)
    server.start()
    yield server
    if (server.data / "postmaster.pid").exists():
        server.stop("fast")
    shutil.rmtree(folder, ignore_errors=True)


def test_database_restart_mid_attempt_loses_no_answer_and_health_reports_it(tmp_path, private_server, served):  # noqa: F811
    from knowledge_assessment import USER_AGENT, load_attempts

    admin = create_engine(private_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('CREATE DATABASE "restart"'))
    admin.dispose()
    url = private_server.url("restart")
    app, candidates = booked_candidates(url, tmp_path, CANDIDATES, secret="restart-test")
    try:
        app.extensions["db"].engine.dispose()
        # One worker process, so that the health checks during and after the outage reach the same process
        # (each process logs its own outage and recovery). The pre-ping and error handling are per process.
        base = served(database_url=url, WEB_CONCURRENCY="1", SECRET_KEY="restart-test", SESSION_COOKIE_SECURE="0",
                      RATELIMIT_STORAGE_URI="memory://", ACCESS_LOG="0")

        def post(path, body, candidate, content_type):
            request = urllib.request.Request(base + path, data=body, method="POST", headers={
                "Cookie": candidate.cookie, "X-CSRFToken": candidate.csrf, "User-Agent": USER_AGENT, "Content-Type": content_type})
            try:
                with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (the local test server)
                    return response.status, dict(response.headers)
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return None, {}

        for candidate in candidates:
            status, _ = post(f"/candidate/bookings/{candidate.booking_id}/start", f"csrf_token={candidate.csrf}&ready=y".encode(),
                             candidate, "application/x-www-form-urlencoded")
            assert status in (200, 302), status
        load_attempts(app, candidates)
        assert all(c.attempt_id and len(c.save_positions) >= 4 for c in candidates)
        assert _get(base + "/healthz")[0] == 200

        # The candidates answer question after question; each keeps a queue like the page's (the newest
        # answer per question) and sends it again every 0.2 s while the server cannot take it.
        acknowledged, refusals, lock = {}, [], threading.Lock()
        outage = {"stopped": threading.Event(), "restarted": threading.Event()}

        def answer(candidate):
            revision = 0
            for round_ in range(3):
                for position in candidate.save_positions[:4]:
                    revision += 1
                    body = json.dumps({"answer": ["A"], "flagged": round_ == 1, "revision": revision}).encode()
                    deadline = time.monotonic() + 90
                    while time.monotonic() < deadline:
                        status, headers = post(f"/candidate/attempts/{candidate.attempt_id}/questions/{position}/save", body,
                                               candidate, "application/json")
                        if status == 200:
                            with lock:
                                acknowledged[candidate.attempt_id, position] = revision
                            break
                        with lock:
                            refusals.append((status, headers.get("Retry-After")))
                        time.sleep(0.2)
                    else:
                        raise AssertionError(f"answer {revision} of attempt {candidate.attempt_id} never saved")
                    if round_ == 0 and position == candidate.save_positions[3]:
                        outage["restarted"].wait(timeout=120)  # the rest are answered during and after the outage
                    time.sleep(0.05)

        threads = [threading.Thread(target=answer, args=(c,)) for c in candidates]
        for thread in threads:
            thread.start()
        while len(acknowledged) < CANDIDATES * 2:  # in the middle of the first round
            time.sleep(0.02)

        private_server.stop("immediate")
        stopped_at = time.monotonic()
        healths = []
        for _ in range(3):
            status, _headers, body = _get(base + "/healthz")
            healths.append((status, json.loads(body)))
            time.sleep(0.3)
        assert all(status == 503 and body == {"status": "unavailable", "database": "unreachable"} for status, body in healths), healths
        time.sleep(2)  # the queues keep trying while the database is down
        outage["restarted"].set()
        time.sleep(1)

        private_server.start()
        back_at = time.monotonic()
        while _get(base + "/healthz")[0] != 200:
            assert time.monotonic() - back_at < RECOVERY_SECONDS, "the app did not recover by itself"
            time.sleep(0.1)
        recovered_in = time.monotonic() - back_at
        for thread in threads:
            thread.join(timeout=120)
            assert not thread.is_alive()

        check = create_engine(url)
        try:
            with check.connect() as connection:
                stored = {(a, p): r for a, p, r in connection.execute(text(
                    "SELECT r.attempt_id, f.position, r.revision FROM attempt_response r JOIN form_item f ON f.id = r.form_item_id"))}
        finally:
            check.dispose()
        lost = [(key, revision, stored.get(key)) for key, revision in acknowledged.items() if stored.get(key) != revision]
        log = "".join(path.read_text() for path in tmp_path.glob("gunicorn-*.log"))
        print(f"\nanswers saved: {len(acknowledged)} questions at their final revision; refused during the outage: {len(refusals)} "
              f"(statuses {sorted({s for s, _ in refusals}, key=str)}); outage {back_at - stopped_at:.1f} s; "
              f"healthy again {recovered_in:.2f} s after the database was back; lost: {len(lost)}")
        assert len(acknowledged) == CANDIDATES * 4 and all(revision == 8 + p_index + 1 for p_index, revision in
                                                           _final_revisions(acknowledged, candidates))
        assert lost == []
        assert refusals, "no save was refused: the outage did not happen during the attempt"
        # While the database was down the server said so plainly: 503 with Retry-After, never a 500.
        assert {status for status, _ in refusals} <= {503}, log[-4000:]
        assert {retry for _, retry in refusals} == {"5"}
        assert "the database is unreachable" in log and "the database answers again after" in log
        assert "database unavailable" in log
    finally:
        app.extensions["db"].engine.dispose()


def _final_revisions(acknowledged, candidates):
    """(index of the question among the four answered, its last acknowledged revision) for each."""
    for candidate in candidates:
        for index, position in enumerate(candidate.save_positions[:4]):
            yield index, acknowledged[candidate.attempt_id, position]
