"""The online knowledge assessment under load: answer saves, starts and question pages, on SQLite
and PostgreSQL, each beside a bare Flask endpoint served by the same gunicorn settings.

For each database: a throwaway database (SQLite file in a temporary folder, or `bench_<random>` on
the PostgreSQL server at 127.0.0.1:5432, dropped afterwards), then in this process: `db-upgrade` and
`bank import` through the app's own CLI, N candidates (a dummy password hash: nobody signs in by password),
an open practitioner window, one booking each and the real `prepare_forms`. Sessions are forged
with the app's own session serializer (Flask-Login's `_user_id` and strong-protection `_id`,
Flask-WTF's CSRF secret), so no argon2 sign-in is needed. gunicorn then serves `wsgi:app` on
127.0.0.1 and client processes (asyncio, raw HTTP/1.1, keep-alive, a closed loop with a fixed
number of requests in flight) measure:

1. answer save: POST .../questions/<n>/save with JSON {"answer": ["A"], ...}, sustained for --seconds
   after a warm-up, on questions where ["A"] is a valid answer (not ranking items), the revision
   rising per candidate and question (target: >= 1,000 saves/s with p99 < 100 ms); then the same
   one request at a time, for the latency without queueing;
2. start: N candidates POST /candidate/bookings/<id>/start as fast as possible
   (target: all N within 10 s, p99 < 500 ms);
3. question page: GET /candidate/attempts/<id>/questions/<n>, sustained (no target).

The bare endpoint (benchmarks/bare_app.py) is measured the same way in the same run (GET, POST
sustained, a burst of N POSTs like the starts, and POSTs one at a time). `run(args)` returns the
figures as rows of benchmarks/rows.py for benchmarks/run_all.py.

Usage: .venv/bin/python benchmarks/knowledge_assessment.py [--candidates 5000] [--seconds 10]
       [--database sqlite|postgresql|both] [--concurrency 64] [--clients 2]
       [--worker-class sync] [--workers 4] [--threads 1]
Sends traffic only to 127.0.0.1, is bounded in requests and time, and stops its servers itself.
"""

import argparse
import asyncio
import getpass
import json
import logging
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
USER_AGENT = "kss-benchmark/1"
SAVE_TARGET_RATE, SAVE_TARGET_P99 = 1000, 0.100
START_TARGET_SECONDS, START_TARGET_P99 = 10.0, 0.500
REQUEST_TIMEOUT = 30
LIGHT_CONCURRENCY = 1


# Servers ------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Gunicorn:
    worker_class: str
    workers: int
    threads: int
    max_requests: int = 0  # 0: workers are never recycled (production recycles them: app/deploy/gunicorn.py)

    def arguments(self):
        recycle = ["--max-requests", str(self.max_requests), "--max-requests-jitter", str(self.max_requests // 10)] \
            if self.max_requests else []
        return ["--worker-class", self.worker_class, "--workers", str(self.workers), "--threads", str(self.threads),
                "--keep-alive", "10", "--backlog", "2048", "--timeout", "120", *recycle]

    def __str__(self):
        text = f"--worker-class {self.worker_class} --workers {self.workers} --threads {self.threads} --keep-alive 10"
        if self.max_requests:
            text += f" --max-requests {self.max_requests} --max-requests-jitter {self.max_requests // 10}"
        return text + (" (sync workers close the connection after each response)" if self.worker_class == "sync" else "")


def with_bytecode_cache(environment: dict) -> dict:
    """Where PYTHONDONTWRITEBYTECODE is set, every gunicorn worker compiles the app and its libraries from
    source when it starts (seconds each, on 2 CPUs). Keep their bytecode in a folder of the temporary
    directory instead (nothing is written into the checkout or .venv). Start-up only: the measurements
    begin after /healthz answers and a warm-up."""
    if not environment.get("PYTHONDONTWRITEBYTECODE"):
        return environment
    environment = {key: value for key, value in environment.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**environment, "PYTHONPYCACHEPREFIX": environment.get("PYTHONPYCACHEPREFIX") or
            os.path.join(tempfile.gettempdir(), f"kss-bench-pycache-{os.getuid()}")}


@contextmanager
def gunicorn(settings: Gunicorn, app_spec: str, environment: dict, log_path: Path, chdir: Path = ROOT):
    """gunicorn serving `app_spec` on 127.0.0.1: yields the port once /healthz answers."""
    with gunicorn_server(settings, app_spec, environment, log_path, chdir) as (port, _server):
        yield port


@contextmanager
def gunicorn_server(settings: Gunicorn, app_spec: str, environment: dict, log_path: Path, chdir: Path = ROOT):
    """As gunicorn(), yielding (port, the master's Popen) for callers that watch the processes (soak.py)."""
    port = free_port()
    log = open(log_path, "w")
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--no-control-socket", "--bind", f"127.0.0.1:{port}", *settings.arguments(),
         "--chdir", str(chdir), app_spec],
        cwd=ROOT, env=with_bytecode_cache(environment), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn ({app_spec}) did not start; see {log_path}:\n{log_path.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield port, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


# Load generation (runs in client processes) -------------------------------------------------------

def http_request(method: str, path: str, *, cookie: str | None = None, csrf: str | None = None,
                 body: bytes = b"", content_type: str | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"User-Agent: {USER_AGENT}", "Accept: */*"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if csrf:
        lines.append(f"X-CSRFToken: {csrf}")
    if method != "GET":
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        body = await reader.read()
        headers["connection"] = "close"
    keep_alive = status_line.startswith("HTTP/1.1") and headers.get("connection", "").lower() != "close"
    return status, headers, body, keep_alive


def _check(spec, status, headers):
    if status != spec["expect_status"]:
        return False
    prefix, suffix = spec.get("expect_location", (None, None))
    if prefix is not None:
        location = headers.get("location", "")
        return prefix in location and location.endswith(suffix)
    return True


async def _connection(index, spec, next_request, results, errors):
    reader = writer = None
    until = spec["start_at"] + spec["bound"]
    while time.monotonic() < until:
        request = next_request(index)
        if request is None:
            break
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", spec["port"]), REQUEST_TIMEOUT)
            writer.write(request)
            status, headers, body, keep_alive = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
            results.append((started, time.monotonic(), False))
            if len(errors) < 5:
                errors.append(f"{type(error).__name__}: {error}")
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        ok = _check(spec, status, headers)
        results.append((started, time.monotonic(), ok))
        if not ok and len(errors) < 5:
            errors.append(f"HTTP {status} {headers.get('location', '')} {body[:160]!r}")
        if not keep_alive:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _client(spec):
    """One client process: spec["connections"] connections, each in a closed loop."""
    mode, connections = spec["mode"], spec["connections"]
    if mode == "once":  # each request sent once, shared by the connections: as fast as possible
        queue = deque(spec["requests"])

        def next_request(_index):
            return queue.popleft() if queue else None
    elif mode == "cycle":  # sustained: each connection cycles through the requests from its own offset
        requests = spec["requests"]
        cursors = [index * max(len(requests) // connections, 1) for index in range(connections)]

        def next_request(index):
            cursors[index] += 1
            return requests[cursors[index] % len(requests)]
    else:  # "save", sustained: each connection owns some candidates, so revisions rise in order per question
        owned = [spec["candidates"][index::connections] for index in range(connections)]
        turns = [0] * connections
        revisions, base = {}, spec.get("revision_base", 0)

        def next_request(index):
            mine = owned[index]
            turn = turns[index]
            turns[index] += 1
            attempt_id, cookie, csrf, positions = mine[turn % len(mine)]
            position = positions[(turn // len(mine)) % len(positions)]
            revision = revisions[attempt_id, position] = revisions.get((attempt_id, position), base) + 1
            body = json.dumps({"answer": ["A"], "flagged": False, "revision": revision}).encode()
            return http_request("POST", f"/candidate/attempts/{attempt_id}/questions/{position}/save", cookie=cookie,
                                csrf=csrf, body=body, content_type="application/json")
    while time.monotonic() < spec["start_at"]:
        await asyncio.sleep(min(0.01, max(spec["start_at"] - time.monotonic(), 0)))
    results, errors = [], []
    await asyncio.gather(*(_connection(index, spec, next_request, results, errors) for index in range(connections)))
    unsent = len(queue) if mode == "once" else 0
    return results, errors, unsent


def client_process(spec):
    return asyncio.run(_client(spec))


# Measurements -------------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    count: int  # requests that completed (in the measured interval, for sustained runs)
    seconds: float
    latencies: list[float]
    errors: int
    examples: list[str] = field(default_factory=list)

    @property
    def rate(self):
        return self.count / self.seconds if self.seconds else 0.0

    def quantile(self, q):
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]

    @property
    def p50(self):
        return self.quantile(50)

    @property
    def p95(self):
        return self.quantile(95)

    @property
    def p99(self):
        return self.quantile(99)

    def summary(self):
        """The raw figures, for run_all.py's JSON file."""
        return {"name": self.name, "count": self.count, "seconds": round(self.seconds, 3), "rate": round(self.rate, 1),
                "p50_ms": round(self.p50 * 1000, 2), "p95_ms": round(self.p95 * 1000, 2), "p99_ms": round(self.p99 * 1000, 2),
                "max_ms": round(max(self.latencies, default=0) * 1000, 2), "errors": self.errors, "examples": self.examples[:3]}


class Load:
    def __init__(self, pool, clients, concurrency):
        self.pool, self.clients, self.concurrency = pool, clients, concurrency

    def _run(self, specs):
        start_at = time.monotonic() + 0.5
        for spec in specs:
            spec["start_at"] = start_at
        outcomes = self.pool.map(client_process, specs)
        results = [r for rows, _, _ in outcomes for r in rows]
        examples = [e for _, errors, _ in outcomes for e in errors]
        return start_at, results, examples, sum(unsent for _, _, unsent in outcomes)

    def _split(self, items):
        return [items[index::self.clients] for index in range(self.clients)]

    def _connections(self, index, concurrency=None):
        concurrency = concurrency or self.concurrency
        return concurrency // self.clients + (1 if index < concurrency % self.clients else 0)

    def once(self, name, port, requests, *, expect_status, expect_location=(None, None), bound=120.0):
        """Every request once, as fast as the closed loop goes: total time from the first send to the last answer."""
        specs = [dict(mode="once", port=port, requests=part, connections=self._connections(i), expect_status=expect_status,
                      expect_location=expect_location, bound=bound) for i, part in enumerate(self._split(requests))]
        _, results, examples, unsent = self._run(specs)
        ok = [r for r in results if r[2]]
        elapsed = max(r[1] for r in results) - min(r[0] for r in results) if results else bound
        return Result(name, len(results), elapsed, sorted(end - start for start, end, _ in results),
                      len(results) - len(ok) + unsent, examples)

    def sustained(self, name, port, *, seconds, warmup, expect_status, requests=None, candidates=None, concurrency=None,
                  revision_base=0):
        """A closed loop for warmup + seconds; counts what completes within the last `seconds`."""
        mode = "save" if candidates is not None else "cycle"
        parts = self._split(candidates if candidates is not None else requests)
        specs = [dict(mode=mode, port=port, connections=self._connections(i, concurrency), expect_status=expect_status,
                      bound=warmup + seconds, revision_base=revision_base,
                      **({"candidates": part} if mode == "save" else {"requests": part}))
                 for i, part in enumerate(parts)]
        start_at, results, examples, _ = self._run(specs)
        begin, end = start_at + warmup, start_at + warmup + seconds
        measured = [r for r in results if begin <= r[1] <= end]
        return Result(name, len(measured), seconds, sorted(e - s for s, e, _ in measured),
                      sum(1 for r in measured if not r[2]), examples)


# Databases --------------------------------------------------------------------------------------

@contextmanager
def sqlite_database(tmp):
    yield f"sqlite:///{tmp}/bench.sqlite3", "SQLite (file, WAL)"


def _postgres_admin():
    import psycopg

    for user in ("postgres", getpass.getuser()):
        try:
            return psycopg.connect(host="127.0.0.1", port=5432, user=user, dbname="postgres", autocommit=True, connect_timeout=5), user
        except psycopg.OperationalError:
            continue
    raise SystemExit("PostgreSQL is not reachable at 127.0.0.1:5432 as postgres or the current user (trust auth expected)")


@contextmanager
def postgresql_database(_tmp):
    admin, user = _postgres_admin()
    name = f"bench_{secrets.token_hex(6)}"
    version = admin.execute("SHOW server_version").fetchone()[0]
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@127.0.0.1:5432/{name}", f"PostgreSQL {version} (127.0.0.1, database {name})"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# Setting up a window full of candidates -------------------------------------------------------------

@dataclass
class Candidate:
    user_id: int
    booking_id: int
    cookie: str
    csrf: str
    attempt_id: int | None = None
    save_positions: tuple[int, ...] = ()
    questions: int = 0


def flask_cli(environment, *command):
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=environment,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def app_commands(app, *commands):
    """Run flask commands in this process, through the app's own CLI (as `flask --app wsgi ...` would, without
    paying the app's import for each command): each command a list of arguments, e.g. ["bank", "import"]."""
    runner = app.test_cli_runner()
    for command in commands:
        outcome = runner.invoke(args=list(command))
        if outcome.exit_code != 0:
            detail = "".join(traceback.format_exception(outcome.exc_info[1])) if outcome.exc_info else ""
            raise SystemExit(f"flask {' '.join(command)} failed (exit {outcome.exit_code}):\n{outcome.output[-2000:]}{detail[-2000:]}")


def service_environment(url, **extra):
    """The environment the service runs with in these benchmarks: rate limits out of the way, no mail, plain HTTP."""
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "benchmark-not-secret", "SESSION_COOKIE_SECURE": "0",
            "SIGN_IN_RATE_LIMIT": "1000000 per minute", "RATELIMIT_STORAGE_URI": "memory://", "MAIL_SERVER": "", **extra}


def make_app(environment):
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugins and each migration would log a line in this process
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from app import create_app
    from app.config import Config

    return create_app(Config(str(ROOT / "instance"), environ=environment))


def populate(app, count):
    """Candidates with the candidate role, an open practitioner window, a booking each, prepared forms."""
    from datetime import timedelta

    from sqlmodel import select

    from app.db import get_session
    from app.exams.forms_preparation import prepare_forms
    from app.models import AssessmentMode, AssessmentWindow, Booking, Role, RoleMembership, Tier, User
    from app.models.types import utcnow

    timings = {}
    with app.app_context():
        db = get_session()
        started = time.perf_counter()
        tier = db.exec(select(Tier).where(Tier.code == "practitioner")).one()
        window = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(hours=5),
                                  capacity=count * 2, mode=AssessmentMode.REMOTE, change_cutoff_hours=48)
        db.add(window)
        # Not a real hash: these candidates never sign in with a password (their sessions are forged below).
        users = [User(email=f"candidate{n:05d}@bench.invalid", name=f"Bench Candidate {n}", password_hash="!benchmark-no-password",
                      memberships=[RoleMembership(role=Role.CANDIDATE)]) for n in range(count)]
        db.add_all(users)
        db.flush()
        bookings = [Booking(candidate_id=user.id, window_id=window.id) for user in users]
        db.add_all(bookings)
        db.commit()
        agree_every_item(db, tier, users[0])
        timings["candidates and bookings"] = time.perf_counter() - started
        started = time.perf_counter()
        preparation = prepare_forms(db, window=window, actor=None)
        db.commit()
        timings["prepare_forms (real, every booking)"] = time.perf_counter() - started
        if preparation.failed or preparation.prepared != count:
            raise SystemExit(f"prepare_forms: {preparation.prepared} prepared, failures: {preparation.failed[:3]}")
    # Outside that app context: each test request context then gets its own `g`, where Flask-WTF caches the token.
    return forge_sessions(app, users, bookings), timings


def agree_every_item(db, tier, someone):
    """Forms are made only of items with an agreed standard-setting rating: agree 0.6 for every
    live item the tier's forms can use, as a closed panel would (the panel itself is not measured)."""
    from app.models import AgreedRating, PanelStatus, StandardSettingPanel
    from app.standards.services import eligible_versions

    panel = StandardSettingPanel(tier_id=tier.id, title="Benchmark panel", status=PanelStatus.CLOSED, opened_by_id=someone.id)
    db.add(panel)
    db.flush()
    db.add_all(AgreedRating(tier_id=tier.id, item_version_id=version.id, value=0.6, panel_id=panel.id, agreed_by_id=someone.id)
               for version in eligible_versions(db, tier))
    db.commit()


def forge_sessions(app, users, bookings):
    """A signed session cookie per candidate, as after sign-in, and the CSRF token that goes with it."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from app.extensions import login_manager

    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    candidates = []
    for user, booking in zip(users, bookings, strict=True):
        # The same remote address and User-Agent as the load clients, for strong session protection.
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = login_manager._session_identifier_generator()
            session.permanent = True  # as the sign-in view does
            token = generate_csrf()  # stores Flask-WTF's secret in the session
            cookie = serializer.dumps(dict(session))
        candidates.append(Candidate(user.id, booking.id, f"{cookie_name}={cookie}", token))
    return candidates


def load_attempts(app, candidates):
    """Attempt ids after the starts, and per attempt the positions where ["A"] is a valid answer."""
    from sqlmodel import select

    from app.db import get_session
    from app.models import Attempt, FormItem, ItemVersion

    with app.app_context():
        db = get_session()
        attempts = {booking_id: (attempt_id, form_id) for booking_id, attempt_id, form_id
                    in db.exec(select(Attempt.booking_id, Attempt.id, Attempt.form_id))}
        positions, counts = {}, {}
        for form_id, position, kind in db.exec(select(FormItem.form_id, FormItem.position, ItemVersion.type)
                                               .join(ItemVersion, ItemVersion.id == FormItem.item_version_id)):
            counts[form_id] = max(counts.get(form_id, 0), position)
            if kind != "ranking":  # a ranking answer must rank every option, so ["A"] is refused there
                positions.setdefault(form_id, []).append(position)
    for candidate in candidates:
        if candidate.booking_id in attempts:
            attempt_id, form_id = attempts[candidate.booking_id]
            candidate.attempt_id, candidate.save_positions = attempt_id, tuple(sorted(positions.get(form_id, ())))
            candidate.questions = counts.get(form_id, 0)


def statements_per_request(app, probe: Candidate):
    """SQL statements one request runs, counted in-process with the test client (the probe candidate only)."""
    from sqlalchemy import event

    from app.db import get_engine

    counts, statements = {}, []
    with app.app_context():
        engine = get_engine()

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT=USER_AGENT)
        cookie_name, cookie_value = probe.cookie.split("=", 1)
        client.set_cookie(cookie_name, cookie_value, domain="localhost")

        def run(name, method, path, **kwargs):
            statements.clear()
            response = client.open(path, method=method, **kwargs)
            counts[name] = (response.status_code, len(statements))
            return response

        response = run("start (POST)", "POST", f"/candidate/bookings/{probe.booking_id}/start",
                       data={"csrf_token": probe.csrf, "ready": "y"})
        attempt_id = int(response.headers["Location"].split("/attempts/")[1].split("/")[0])
        run("question page (GET)", "GET", f"/candidate/attempts/{attempt_id}/questions/1")
        load_attempts(app, [probe])
        run("answer save (POST)", "POST", f"/candidate/attempts/{attempt_id}/questions/{probe.save_positions[0]}/save",
            json={"answer": ["A"], "flagged": False, "revision": 1}, headers={"X-CSRFToken": probe.csrf})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


# One database ------------------------------------------------------------------------------------

def verify_session(port, candidate):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/candidate",
                                     headers={"Cookie": candidate.cookie, "User-Agent": USER_AGENT})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"a forged session got HTTP {status} on /candidate, not 200: the session cookie is not accepted")


def start_requests(candidates):
    return [http_request("POST", f"/candidate/bookings/{c.booking_id}/start", cookie=c.cookie,
                         body=f"csrf_token={c.csrf}&ready=y".encode(), content_type="application/x-www-form-urlencoded")
            for c in candidates]


def run_database(kind, args, settings, load, tmp):
    opener = sqlite_database if kind == "sqlite" else postgresql_database
    with opener(tmp) as (url, label):
        environment = service_environment(url)
        print(f"\n== {label}", flush=True)
        started = time.perf_counter()
        app = make_app(environment)
        app_commands(app, ["db-upgrade"], ["bank", "import"])
        print(f"   schema and shipped bank: {time.perf_counter() - started:.1f} s", flush=True)
        warm = min(args.concurrency * 2, 256)
        candidates, timings = populate(app, args.candidates + warm + 1)
        for what, seconds in timings.items():
            print(f"   {what} ({len(candidates)}): {seconds:.1f} s", flush=True)
        probe, warmers, measured = candidates[0], candidates[1:warm + 1], candidates[warm + 1:]
        queries = statements_per_request(app, probe)
        pragmas = sqlite_pragmas(app) if kind == "sqlite" else None
        results = {}
        with gunicorn(settings, "wsgi:app", environment, Path(tmp) / f"gunicorn-{kind}.log") as port:
            verify_session(port, measured[0])
            # Warm-up: workers import templates and fill their connection pools.
            load.once("warm-up starts", port, start_requests(warmers), expect_status=302)
            results["start"] = load.once(
                f"start: {len(measured)} candidates", port, start_requests(measured), expect_status=302,
                expect_location=("/candidate/attempts/", "/questions/1"))
            print_row(results["start"])
            load_attempts(app, candidates)
            sitting = [c for c in candidates[1:] if c.attempt_id is not None and c.save_positions]
            if not sitting:
                raise SystemExit("no candidate has started: nothing to measure the question page and saves with")
            shuffle = random.Random(1)
            pages = [http_request("GET", f"/candidate/attempts/{c.attempt_id}/questions/{shuffle.randint(1, c.questions)}",
                                  cookie=c.cookie) for c in shuffle.sample(sitting, len(sitting)) for _ in range(2)]
            results["question"] = load.sustained("question page (GET)", port, seconds=args.seconds, warmup=args.warmup,
                                                 expect_status=200, requests=pages)
            print_row(results["question"])
            savers = [(c.attempt_id, c.cookie, c.csrf, c.save_positions) for c in sitting]
            results["save"] = load.sustained("answer save (POST JSON)", port, seconds=args.seconds, warmup=args.warmup,
                                              expect_status=200, candidates=savers)
            print_row(results["save"])
            # The same saves one at a time: how long one request takes without queueing.
            # Revisions start above the sustained run's, so every save is newer than the stored one.
            results["save_light"] = load.sustained(f"answer save, {LIGHT_CONCURRENCY} in flight", port, seconds=min(args.seconds, 5),
                                                    warmup=1, expect_status=200, candidates=savers,
                                                    concurrency=LIGHT_CONCURRENCY, revision_base=1_000_000)
        with app.app_context():
            from app.db import get_engine

            get_engine().dispose()
        print_database_table(label, results, queries, pragmas)
        return label, results


def sqlite_pragmas(app):
    from app.db import get_engine

    with app.app_context():
        with get_engine().connect() as connection:
            return {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}


# Reporting ---------------------------------------------------------------------------------------

def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def print_row(result: Result):
    print(f"   {result.name:<34} {result.count:7d} req in {result.seconds:6.2f} s {result.rate:8.1f}/s   p50 {ms(result.p50):>9}"
          f"   p95 {ms(result.p95):>9}   p99 {ms(result.p99):>9}   max {ms(max(result.latencies, default=0)):>9}   errors {result.errors}")
    for example in result.examples[:3]:
        print(f"      e.g. {example}")


def print_database_table(label, results, queries, pragmas):
    print(f"\n   -- {label}: all measurements")
    for result in results.values():
        print_row(result)
    print("   SQL statements per request (counted in-process with the test client; on SQLite this includes BEGIN IMMEDIATE, "
          "on PostgreSQL the pool's pre-ping SELECT 1 is not counted): "
          + ", ".join(f"{name} {n} (HTTP {status})" for name, (status, n) in queries.items()))
    if pragmas:
        print(f"   SQLite connection settings seen by the app: {pragmas}; every transaction begins with BEGIN IMMEDIATE (app/db.py)")


def markdown_summary(rows, bare, args, settings):
    lines = [
        f"Run: {args.candidates} candidates, {args.seconds:g} s sustained after {args.warmup:g} s warm-up, "
        f"{args.concurrency} requests in flight from {args.clients} client processes, "
        f"gunicorn `{settings}` on 127.0.0.1, {os.cpu_count()} CPUs (clients and server share them).",
        "",
        "| measurement | database | result | p99 | bare endpoint result | bare p99 | ratio | target met? |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, results in rows:
        database = label.split(" (")[0]
        save, start, question = results["save"], results["start"], results["question"]
        bare_save, bare_start, bare_get = bare["post"], bare["burst"], bare["get"]
        save_met = save.rate >= SAVE_TARGET_RATE and save.p99 < SAVE_TARGET_P99 and save.errors == 0
        start_met = start.seconds <= START_TARGET_SECONDS and start.p99 < START_TARGET_P99 and start.errors == 0
        lines += [
            f"| answer save | {database} | {save.rate:,.0f} saves/s (p50 {ms(save.p50)}, p95 {ms(save.p95)}, {save.errors} errors) "
            f"| {ms(save.p99)} | POST {bare_save.rate:,.0f} req/s | {ms(bare_save.p99)} | {save.rate / bare_save.rate:.2f} "
            f"| {'yes' if save_met else 'no'} (>= {SAVE_TARGET_RATE:,}/s, p99 < {SAVE_TARGET_P99 * 1000:.0f} ms) |",
            f"| start | {database} | {start.count:,} in {start.seconds:.1f} s = {start.rate:,.0f}/s (p50 {ms(start.p50)}, {start.errors} errors) "
            f"| {ms(start.p99)} | {bare_start.count:,} POSTs in {bare_start.seconds:.1f} s = {bare_start.rate:,.0f}/s | {ms(bare_start.p99)} "
            f"| {start.rate / bare_start.rate:.2f} | {'yes' if start_met else 'no'} (all within {START_TARGET_SECONDS:.0f} s, p99 < {START_TARGET_P99 * 1000:.0f} ms) |",
            f"| question page | {database} | {question.rate:,.0f} req/s (p50 {ms(question.p50)}, {question.errors} errors) | {ms(question.p99)} "
            f"| GET {bare_get.rate:,.0f} req/s | {ms(bare_get.p99)} | {question.rate / bare_get.rate:.2f} | no target |",
        ]
    lines.append("")
    lines.append("ratio = the service's rate / the bare endpoint's rate (1.00 would mean the service costs nothing over bare Flask).")
    lines.append(f"With {args.concurrency} requests in flight, latency is mostly queueing (p50 is about in-flight / rate). "
                 f"The same saves with {LIGHT_CONCURRENCY} in flight: "
                 + "; ".join(f"{label.split(' (')[0]} {r['save_light'].rate:,.0f} saves/s, p50 {ms(r['save_light'].p50)}, "
                             f"p99 {ms(r['save_light'].p99)}" for label, r in rows) + ".")
    return "\n".join(lines)


# Rows for run_all.py ---------------------------------------------------------------------------------

def to_rows(rows, bare, args) -> list:
    from rows import Row, ratio, yes_no

    table = []
    save_target = f">= {SAVE_TARGET_RATE:,}/s, p99 < {SAVE_TARGET_P99 * 1000:.0f} ms"
    start_target = f"all within {START_TARGET_SECONDS:.0f} s, p99 < {START_TARGET_P99 * 1000:.0f} ms"
    bare_save, bare_start, bare_get, bare_light = bare["post"], bare["burst"], bare["get"], bare["post_light"]
    for label, results in rows:
        database = label.split(" (")[0]
        save, start, question, light = results["save"], results["start"], results["question"], results["save_light"]
        save_met = save.rate >= SAVE_TARGET_RATE and save.p99 < SAVE_TARGET_P99 and save.errors == 0
        total_met = start.seconds <= START_TARGET_SECONDS and start.errors == 0
        p99_met = start.p99 < START_TARGET_P99
        table += [
            Row(f"answer save, {args.concurrency} in flight", database,
                f"{save.rate:,.0f} saves/s (p50 {ms(save.p50)}, {save.errors} errors)", ms(save.p99),
                f"POST {bare_save.rate:,.0f} req/s, p99 {ms(bare_save.p99)}", ratio(save.rate, bare_save.rate), save_target,
                yes_no(save_met), data={"service": save.summary(), "bare": bare_save.summary()}),
            Row(f"answer save, {LIGHT_CONCURRENCY} in flight", database,
                f"{light.rate:,.0f} saves/s, p50 {ms(light.p50)} ({light.errors} errors)", ms(light.p99),
                f"POST {bare_light.rate:,.0f} req/s, p50 {ms(bare_light.p50)}, p99 {ms(bare_light.p99)}",
                ratio(light.rate, bare_light.rate), "none (latency without queueing)", "no target",
                data={"service": light.summary(), "bare": bare_light.summary()}),
            Row(f"synchronised start, {start.count:,} candidates", database,
                f"all in {start.seconds:.1f} s = {start.rate:,.0f}/s (p50 {ms(start.p50)}, {start.errors} errors)", ms(start.p99),
                f"{bare_start.count:,} POSTs in {bare_start.seconds:.1f} s = {bare_start.rate:,.0f}/s, p99 {ms(bare_start.p99)}",
                ratio(start.rate, bare_start.rate), start_target,
                "yes" if total_met and p99_met else f"total {yes_no(total_met)}, p99 {yes_no(p99_met)}",
                data={"service": start.summary(), "bare": bare_start.summary()}),
            Row("question page", database, f"{question.rate:,.0f} req/s (p50 {ms(question.p50)}, {question.errors} errors)",
                ms(question.p99), f"GET {bare_get.rate:,.0f} req/s, p99 {ms(bare_get.p99)}", ratio(question.rate, bare_get.rate),
                "none set", "no target" if question.errors == 0 else f"**{question.errors} errors**",
                data={"service": question.summary(), "bare": bare_get.summary()}),
        ]
    return table


# Main ----------------------------------------------------------------------------------------------

def measure_bare(args, settings, load, tmp):
    print("\n== bare Flask endpoint (benchmarks/bare_app.py)", flush=True)
    post_body = json.dumps({"answer": ["A"], "flagged": False, "revision": 1}).encode()
    post = http_request("POST", "/bare", body=post_body, content_type="application/json")
    with gunicorn(settings, "bare_app:app", dict(os.environ), Path(tmp) / "gunicorn-bare.log", chdir=ROOT / "benchmarks") as port:
        load.once("warm-up", port, [post] * (args.concurrency * 4), expect_status=200)
        bare = {
            "get": load.sustained("bare GET", port, seconds=args.seconds, warmup=args.warmup, expect_status=200,
                                  requests=[http_request("GET", "/bare")] * 64),
            "post": load.sustained("bare POST (JSON)", port, seconds=args.seconds, warmup=args.warmup, expect_status=200,
                                   requests=[post] * 64),
            "burst": load.once(f"bare POST x {args.candidates}", port, [post] * args.candidates, expect_status=200),
            # The counterpart of the saves one at a time.
            "post_light": load.sustained(f"bare POST, {LIGHT_CONCURRENCY} in flight", port, seconds=min(args.seconds, 5), warmup=1,
                                         expect_status=200, requests=[post] * 64, concurrency=LIGHT_CONCURRENCY),
        }
    for result in bare.values():
        print_row(result)
    return bare


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds for the sustained runs")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before a sustained run is measured")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight (closed loop)")
    parser.add_argument("--clients", type=int, default=2, help="client processes sharing the connections")
    # Chosen after trying sync 4 and 5, gthread 2x4, 2x8 and 4x4: the same throughput for the service
    # (it is CPU- or lock-bound), and sync workers gave the tightest p99.
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    return parser


def collect(args):
    """Every measurement: ([(database label, {name: Result})], {bare name: Result}, gunicorn settings)."""
    settings = Gunicorn(args.worker_class, args.workers, args.threads)
    print(f"gunicorn {settings}; {args.concurrency} in flight from {args.clients} client processes; {os.cpu_count()} CPUs")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kss-bench-") as tmp, \
            multiprocessing.get_context("spawn").Pool(args.clients) as pool:
        load = Load(pool, args.clients, args.concurrency)
        bare = measure_bare(args, settings, load, tmp)
        rows = [run_database(kind, args, settings, load, tmp) for kind in databases]
    print(f"\nWhole run: {time.monotonic() - began:.0f} s\n")
    return rows, bare, settings


def run(args) -> list:
    """For run_all.py: the measurements as rows of the common table (benchmarks/rows.py)."""
    rows, bare, settings = collect(args)
    print(markdown_summary(rows, bare, args, settings))
    return to_rows(rows, bare, args)


def main():
    args = build_parser().parse_args()
    rows, bare, settings = collect(args)
    print(markdown_summary(rows, bare, args, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
