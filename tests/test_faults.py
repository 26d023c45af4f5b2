"""Faults: a gunicorn worker killed with SIGKILL in the middle of a burst of answer saves. Every save the
server acknowledged is in the database afterwards, and the clients' retries complete the rest.

Real gunicorn (the production configuration, 4 workers) on the suite's kind of database (SQLite or
PostgreSQL), real HTTP, candidates with real prepared forms and started attempts (set up with the
benchmark's helpers, which forge sign-in sessions with the app's own serializer)."""

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.databases import fresh_database
from tests.sittings import booked_candidates
from tests.test_deployment import served  # noqa: F401  (gunicorn with the production configuration)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

CANDIDATES = 12
SAVES_EACH = 60


def _workers(master_pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master_pid:
                children.append(int(entry.name))
    return children


def _master_pid(port: int) -> int:
    """The gunicorn master listening on `port` (the one whose command line names our configuration)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"python:app.deploy.gunicorn" in command and f"PORT={port}".encode() in environ:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if b"python:app.deploy.gunicorn" not in (Path("/proc") / str(parent) / "cmdline").read_bytes():
                    return int(entry.name)
    raise AssertionError("gunicorn master not found")


def test_killing_a_worker_mid_burst_loses_no_acknowledged_save(tmp_path, served):  # noqa: F811
    from knowledge_assessment import USER_AGENT, load_attempts

    with fresh_database(tmp_path) as url:
        app, candidates = booked_candidates(url, tmp_path, CANDIDATES, secret="fault-test")
        try:
            base = served(database_url=url, WEB_CONCURRENCY="4", SECRET_KEY="fault-test", SESSION_COOKIE_SECURE="0")

            def post(path, body, candidate, content_type):
                request = urllib.request.Request(base + path, data=body, method="POST", headers={
                    "Cookie": candidate.cookie, "X-CSRFToken": candidate.csrf, "User-Agent": USER_AGENT, "Content-Type": content_type})
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the local test server)
                    return response.status

            for candidate in candidates:
                post(f"/candidate/bookings/{candidate.booking_id}/start", f"csrf_token={candidate.csrf}&ready=y".encode(), candidate,
                     "application/x-www-form-urlencoded")
            load_attempts(app, candidates)
            assert all(c.attempt_id and c.save_positions for c in candidates)

            acknowledged, retried, done, lock = {}, [0], [0], threading.Lock()

            def burst(candidate):
                for n in range(SAVES_EACH):
                    position = candidate.save_positions[n % len(candidate.save_positions)]
                    revision = n + 1
                    body = json.dumps({"answer": ["A"], "flagged": n % 2 == 0, "revision": revision}).encode()
                    for attempt in range(30):  # a client retries until the server acknowledges
                        try:
                            status = post(f"/candidate/attempts/{candidate.attempt_id}/questions/{position}/save", body, candidate,
                                          "application/json")
                        except (urllib.error.URLError, ConnectionError, TimeoutError):
                            status = None
                        if status == 200:
                            with lock:
                                acknowledged[candidate.attempt_id, position] = revision
                                retried[0] += attempt > 0
                                done[0] += 1
                            break
                        time.sleep(0.05)
                    else:
                        raise AssertionError(f"save {revision} of attempt {candidate.attempt_id} never acknowledged")

            threads = [threading.Thread(target=burst, args=(c,)) for c in candidates]
            for thread in threads:
                thread.start()
            master = _master_pid(int(base.rsplit(":", 1)[1]))
            total = CANDIDATES * SAVES_EACH
            while done[0] < total // 4:  # a quarter of the way through the burst
                time.sleep(0.01)
            victim = _workers(master)[0]
            os.kill(victim, signal.SIGKILL)
            at_kill = done[0]
            for thread in threads:
                thread.join(timeout=120)
            assert at_kill < total * 3 // 4, "the worker was killed too late to be mid-burst"
            assert done[0] == total
            assert victim not in _workers(master) and len(_workers(master)) == 4  # the master replaced it

            with app.extensions["db"].engine.connect() as connection:
                stored = {(a, p): r for a, p, r in connection.execute(text(
                    "SELECT r.attempt_id, f.position, r.revision FROM attempt_response r JOIN form_item f ON f.id = r.form_item_id"))}
            lost = [(key, revision, stored.get(key)) for key, revision in acknowledged.items() if (stored.get(key) or 0) < revision]
            print(f"\nsaves acknowledged: {done[0]} (worker killed after {at_kill}), questions checked: {len(acknowledged)}, "
                  f"saves that needed a retry: {retried[0]}, lost: {len(lost)}")
            assert lost == []
            assert len(acknowledged) == sum(min(SAVES_EACH, len(c.save_positions)) for c in candidates)
        finally:
            app.extensions["db"].engine.dispose()


@pytest.fixture(autouse=True)
def _quiet_access_log(monkeypatch):
    monkeypatch.setenv("ACCESS_LOG", "0")
