"""Throughput of the foundation's pages under gunicorn, on loopback only, beside the bare Flask endpoint.

For each database (a throwaway SQLite file, or `bench_<random>` on PostgreSQL at 127.0.0.1:5432,
dropped afterwards): `db-upgrade` and `seed-demo` through the app's CLI in this process, gunicorn
(sync, 2 workers) serving `wsgi:app`; then a bounded number of requests from a thread pool
(urllib, a new connection per request), with requests per second and p50/p95/p99 latency per page.
The bare endpoint (benchmarks/bare_app.py: GET and POST /bare) is served by the same gunicorn
settings and measured by the same thread pool in the same run. `run(args)` returns the figures as
rows of benchmarks/rows.py for benchmarks/run_all.py.

Usage: .venv/bin/python benchmarks/http_pages.py [--requests 400] [--threads 8] [--database sqlite|postgresql|both]
"""

import argparse
import os
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_assessment import (  # noqa: E402
    ROOT,
    Gunicorn,
    Result,
    app_commands,
    gunicorn,
    make_app,
    postgresql_database,
    sqlite_database,
)
from rows import Row, ms, ratio  # noqa: E402

SETTINGS = Gunicorn("sync", 2, 1)


def timed_get(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
    return time.perf_counter() - start


def timed_post(url, body: bytes):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    return time.perf_counter() - start


def sign_in_once(base, password):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/sign-in", timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "assessor@accreditation.example.org", "password": password})
    start = time.perf_counter()
    opener.open(base + "/account/sign-in", data=data.encode(), timeout=10).read()
    return time.perf_counter() - start


def measure(name, task, count, threads) -> Result:
    def attempt(_):
        try:
            return task(), None
        except Exception as error:  # noqa: BLE001 - counted and shown, the run goes on
            return None, f"{type(error).__name__}: {error}"

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(attempt, range(count)))
    elapsed = time.perf_counter() - start
    latencies = sorted(latency for latency, _ in outcomes if latency is not None)
    errors = [error for _, error in outcomes if error]
    result = Result(name, len(latencies), elapsed, latencies, len(errors), errors[:5])
    print(f"   {name:<26} {result.rate:8.1f} req/s   p50 {ms(result.p50):>9}   p95 {ms(result.p95):>9}   p99 {ms(result.p99):>9}"
          f"   errors {result.errors}", flush=True)
    return result


def measure_bare(args, tmp):
    print(f"\n== bare Flask endpoint (benchmarks/bare_app.py), gunicorn {SETTINGS}", flush=True)
    with gunicorn(SETTINGS, "bare_app:app", dict(os.environ), Path(tmp) / "gunicorn-bare-pages.log", chdir=ROOT / "benchmarks") as port:
        base = f"http://127.0.0.1:{port}"
        body = b'{"answer": ["A"], "flagged": false, "revision": 1}'
        return {"get": measure("bare GET", lambda: timed_get(base + "/bare"), args.requests, args.threads),
                "post": measure("bare POST", lambda: timed_post(base + "/bare", body), max(args.requests // 10, 20), args.threads)}


def measure_database(kind, args, tmp):
    opener = sqlite_database if kind == "sqlite" else postgresql_database
    with opener(tmp) as (url, label):
        print(f"\n== {label}, gunicorn {SETTINGS}", flush=True)
        environment = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "benchmark", "SESSION_COOKIE_SECURE": "0",
                       "SIGN_IN_RATE_LIMIT": "100000 per minute", "RATELIMIT_STORAGE_URI": "memory://", "DEMO_SIMULATED_CANDIDATES": "0",
                       "KEYS_DIR": f"{tmp}/keys-pages-{kind}", "MAIL_SERVER": ""}
        app = make_app(environment)
        app_commands(app, ["keys", "init"], ["db-upgrade"], ["seed-demo"])
        app.extensions["db"].engine.dispose()
        with gunicorn(SETTINGS, "wsgi:app", environment, Path(tmp) / f"gunicorn-pages-{kind}.log") as port:
            base = f"http://127.0.0.1:{port}"
            password = environment.get("DEMO_PASSWORD", "kss-demo-accreditation")
            results = {
                "healthz": measure("GET /healthz", lambda: timed_get(base + "/healthz"), args.requests, args.threads),
                "start": measure("GET / (start page)", lambda: timed_get(base + "/"), args.requests, args.threads),
                "sign_in_page": measure("GET /account/sign-in", lambda: timed_get(base + "/account/sign-in"), args.requests, args.threads),
                "sign_in": measure("POST sign-in (argon2id)", lambda: sign_in_once(base, password), max(args.requests // 10, 20),
                                   args.threads),
            }
        return label, results


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    return parser


def collect(args):
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory(prefix="kss-pages-bench-") as tmp:
        bare = measure_bare(args, tmp)
        return [measure_database(kind, args, tmp) for kind in databases], bare


def to_rows(measured, bare, args) -> list:
    rows = []
    for label, results in measured:
        database = label.split(" (")[0]
        for key, name, floor in (("healthz", "GET /healthz", bare["get"]), ("start", "GET / (start page)", bare["get"]),
                                 ("sign_in_page", "GET /account/sign-in", bare["get"]),
                                 ("sign_in", "POST sign-in (argon2id: the hash is meant to dominate)", bare["post"])):
            result = results[key]
            verb = "GET" if floor is bare["get"] else "POST"
            rows.append(Row(f"{name}, {args.threads} threads", database,
                            f"{result.rate:,.1f} req/s (p50 {ms(result.p50)}, {result.errors} errors)", ms(result.p99),
                            f"{verb} {floor.rate:,.0f} req/s, p99 {ms(floor.p99)}", ratio(result.rate, floor.rate), "none set",
                            "no target" if result.errors == 0 else f"**{result.errors} errors**",
                            data={"service": result.summary(), "bare": floor.summary()}))
    return rows


def run(args) -> list:
    """For run_all.py: the measurements as rows of the common table (benchmarks/rows.py)."""
    measured, bare = collect(args)
    return to_rows(measured, bare, args)


def main():
    collect(build_parser().parse_args())
    return 0


if __name__ == "__main__":
    sys.exit(main())
