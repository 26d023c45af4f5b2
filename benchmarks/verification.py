"""Verification under load: the certificate page the QR code opens and the JSON API, on SQLite and
PostgreSQL, each beside the bare Flask endpoint (benchmarks/bare_app.py) served by the same gunicorn.

For each database: a throwaway database, then `keys init`, `db-upgrade`, `bank import` and
`seed-demo` (without the simulated cohort) through the app's CLI in this process, which issues the
demo certificates and the demo API key. gunicorn then serves `wsgi:app` on 127.0.0.1 and client processes (asyncio, raw HTTP/1.1, the
load generator of knowledge_assessment.py) measure, sustained for --seconds after a warm-up:

1. page: GET /verify/<certificate id>?token=... (what the QR code opens: a query, a rendered page,
   and a logged lookup, committed);
2. API: POST /api/v1/verifications with {"certificate_id", "surname"} and the demo API key (key
   check, request and response validated by pydantic, a logged lookup, committed);

against GET and POST /bare. The target (issue 8): at least half the bare endpoint's requests/s, p99
under 20 ms, at 50 concurrent clients. Each is measured twice: 50 connections in a closed loop
(every client sends its next request as soon as it has an answer: the most the server can do), and
50 clients each sending one request every --interval seconds (a steady load, far above what
employers generate, where latency is service time, not queueing).

`run(args)` returns the figures as rows of benchmarks/rows.py for benchmarks/run_all.py.

Usage: .venv/bin/python benchmarks/verification.py [--database sqlite|postgresql|both] [--seconds 10]
Sends traffic only to 127.0.0.1, is bounded in requests and time, and stops its servers itself.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_assessment import (  # noqa: E402
    REQUEST_TIMEOUT,
    ROOT,
    Gunicorn,
    Load,
    Result,
    app_commands,
    gunicorn,
    make_app,
    ms,
    postgresql_database,
    print_row,
    read_response,
    sqlite_database,
)

CLIENTS = 50
TARGET_RATIO, TARGET_P99 = 0.5, 0.020


def request(method: str, path: str, *, headers: dict | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "User-Agent: kss-benchmark/1", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# Paced clients: each sends one request every `interval` seconds (open loop) -------------------------

async def _paced_client(index, spec, results):
    interval, requests = spec["interval"], spec["requests"]
    next_at = spec["start_at"] + interval * index / spec["clients"]  # spread the clients over one interval
    reader = writer = None
    turn = 0
    while next_at < spec["start_at"] + spec["bound"]:
        await asyncio.sleep(max(next_at - time.monotonic(), 0))
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", spec["port"]), REQUEST_TIMEOUT)
            writer.write(requests[turn % len(requests)])
            status, _headers, _body, keep_alive = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT)
            results.append((started, time.monotonic(), status == spec["expect_status"]))
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            results.append((started, time.monotonic(), False))
            keep_alive = False
        if not keep_alive and writer is not None:
            writer.close()
            reader = writer = None
        turn += 1
        next_at += interval
    if writer is not None:
        writer.close()


def paced_process(spec):
    async def run():
        results = []
        await asyncio.gather(*(_paced_client(spec["first"] + i, spec, results) for i in range(spec["count"])))
        return results

    return asyncio.run(run())


def paced(pool, processes, name, port, requests, *, interval, seconds, warmup, expect_status):
    start_at = time.monotonic() + 0.5
    share = [CLIENTS // processes + (1 if i < CLIENTS % processes else 0) for i in range(processes)]
    specs = [dict(port=port, requests=requests, interval=interval, bound=warmup + seconds, start_at=start_at, clients=CLIENTS,
                  first=sum(share[:i]), count=share[i], expect_status=expect_status) for i in range(processes)]
    results = [r for part in pool.map(paced_process, specs) for r in part]
    begin, end = start_at + warmup, start_at + warmup + seconds
    measured = [r for r in results if begin <= r[0] < end]
    return Result(name, len(measured), seconds, sorted(e - s for s, e, _ in measured), sum(1 for r in measured if not r[2]))


# The service ------------------------------------------------------------------------------------

def prepare(environment):
    app = make_app(environment)
    app_commands(app, ["keys", "init"], ["db-upgrade"], ["bank", "import"], ["seed-demo"])
    with app.app_context():
        from sqlmodel import select

        from app.api.keys import demo_key
        from app.db import get_session
        from app.models import Certificate, CertificateStatus

        certificate = get_session().exec(select(Certificate).where(Certificate.status == CertificateStatus.VALID)
                                         .order_by(Certificate.expires_at.desc())).first()
        facts = certificate.code, certificate.token, certificate.holder_name.split()[-1], demo_key(environment["SECRET_KEY"])
        app.extensions["db"].engine.dispose()
    return facts


def measure(kind, args, settings, load, pool, tmp, bare):
    database = sqlite_database if kind == "sqlite" else postgresql_database
    with database(tmp) as (url, label):
        print(f"\n== {label}", flush=True)
        environment = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "benchmark-secret", "KEYS_DIR": f"{tmp}/keys-{kind}",
                       "DEMO_SIMULATED_CANDIDATES": "0", "VERIFY_RATE_LIMIT": "1000000 per minute",
                       "API_RATE_LIMIT": "1000000 per minute", "SESSION_COOKIE_SECURE": "0"}
        code, token, surname, key = prepare(environment)
        page = request("GET", f"/verify/{code}?token={token}")
        api = request("POST", "/api/v1/verifications", headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                      body=json.dumps({"certificate_id": code, "surname": surname}).encode())
        with gunicorn(settings, "wsgi:app", environment, Path(tmp) / f"gunicorn-{kind}.log") as port:
            load.once("warm-up", port, [page, api] * 200, expect_status=200)
            results = {
                "page": load.sustained("page: GET /verify/<id>?token=", port, seconds=args.seconds, warmup=args.warmup,
                                       expect_status=200, requests=[page] * 64),
                "api": load.sustained("API: POST /api/v1/verifications", port, seconds=args.seconds, warmup=args.warmup,
                                      expect_status=200, requests=[api] * 64),
                "page_paced": paced(pool, args.clients, f"page, {CLIENTS} clients x 1 per {args.interval:g} s", port, [page],
                                    interval=args.interval, seconds=args.seconds, warmup=args.warmup, expect_status=200),
                "api_paced": paced(pool, args.clients, f"API, {CLIENTS} clients x 1 per {args.interval:g} s", port, [api],
                                   interval=args.interval, seconds=args.seconds, warmup=args.warmup, expect_status=200),
            }
        for result in results.values():
            print_row(result)
        return label, results


def measure_bare(args, settings, load, pool, tmp):
    print("\n== bare Flask endpoint (benchmarks/bare_app.py)", flush=True)
    body = json.dumps({"certificate_id": "7KQ2-M9XD-4T0B-HN3F", "surname": "Ellis"}).encode()
    get, post = request("GET", "/bare"), request("POST", "/bare", headers={"Content-Type": "application/json"}, body=body)
    with gunicorn(settings, "bare_app:app", dict(os.environ), Path(tmp) / "gunicorn-bare.log", chdir=ROOT / "benchmarks") as port:
        load.once("warm-up", port, [get] * 400, expect_status=200)
        bare = {
            "get": load.sustained("bare GET", port, seconds=args.seconds, warmup=args.warmup, expect_status=200, requests=[get] * 64),
            "post": load.sustained("bare POST (JSON)", port, seconds=args.seconds, warmup=args.warmup, expect_status=200,
                                   requests=[post] * 64),
            "get_paced": paced(pool, args.clients, f"bare GET, {CLIENTS} clients x 1 per {args.interval:g} s", port, [get],
                               interval=args.interval, seconds=args.seconds, warmup=args.warmup, expect_status=200),
            "post_paced": paced(pool, args.clients, f"bare POST, {CLIENTS} clients x 1 per {args.interval:g} s", port, [post],
                                interval=args.interval, seconds=args.seconds, warmup=args.warmup, expect_status=200),
        }
    for result in bare.values():
        print_row(result)
    return bare


def summary(rows, bare, args, settings) -> str:
    lines = [f"gunicorn {settings}; {CLIENTS} concurrent clients from {args.clients} client processes; {os.cpu_count()} CPUs; "
             f"{args.seconds:g} s measured after {args.warmup:g} s warm-up.", "",
             "| route | database | closed loop: req/s (ratio to bare) | p99 | paced: p50 / p99 | target met |",
             "|---|---|---|---|---|---|"]
    for label, r in rows:
        for name, key, bare_key in (("page `GET /verify/<id>?token=`", "page", "get"), ("API `POST /api/v1/verifications`", "api", "post")):
            loop, steady, floor = r[key], r[f"{key}_paced"], bare[bare_key]
            ratio = loop.rate / floor.rate
            met = ratio >= TARGET_RATIO and loop.p99 < TARGET_P99
            lines.append(f"| {name} | {label.split(' (')[0]} | {loop.rate:,.0f} ({ratio:.2f}) | {ms(loop.p99)} | "
                         f"{ms(steady.p50)} / {ms(steady.p99)} ({steady.rate:,.0f} req/s, {steady.errors} errors) | "
                         f"{'yes' if met else 'no'}: ratio {'>=' if ratio >= TARGET_RATIO else '<'} {TARGET_RATIO}, "
                         f"p99 {'<' if loop.p99 < TARGET_P99 else '>='} {TARGET_P99 * 1000:.0f} ms |")
    for name, key in (("bare GET", "get"), ("bare POST", "post")):
        lines.append(f"| {name} | none | {bare[key].rate:,.0f} (1.00) | {ms(bare[key].p99)} | "
                     f"{ms(bare[key + '_paced'].p50)} / {ms(bare[key + '_paced'].p99)} | floor |")
    return "\n".join(lines)


def to_rows(rows, bare, args) -> list:
    from rows import Row, ratio, yes_no

    table = []
    for label, r in rows:
        database = label.split(" (")[0]
        for name, key, bare_key, verb in (("verification page `GET /verify/<id>?token=`", "page", "get", "GET"),
                                          ("verification API `POST /api/v1/verifications`", "api", "post", "POST")):
            loop, steady, floor, floor_steady = r[key], r[f"{key}_paced"], bare[bare_key], bare[f"{bare_key}_paced"]
            rate_met, p99_met = loop.rate >= TARGET_RATIO * floor.rate, loop.p99 < TARGET_P99
            met = "yes" if rate_met and p99_met and loop.errors == 0 else \
                f"ratio {yes_no(rate_met)}, p99 {yes_no(p99_met)}" + (f", **{loop.errors} errors**" if loop.errors else "")
            table.append(Row(f"{name}, {CLIENTS} clients closed loop", database,
                             f"{loop.rate:,.0f} req/s (p50 {ms(loop.p50)}, {loop.errors} errors)", ms(loop.p99),
                             f"{verb} {floor.rate:,.0f} req/s, p99 {ms(floor.p99)}", ratio(loop.rate, floor.rate),
                             f">= {TARGET_RATIO} x bare, p99 < {TARGET_P99 * 1000:.0f} ms", met,
                             data={"service": loop.summary(), "bare": floor.summary()}))
            paced_met = steady.p99 < TARGET_P99 and steady.errors == 0
            table.append(Row(f"{name}, {CLIENTS} clients x 1 per {args.interval:g} s (paced)", database,
                             f"{steady.rate:,.0f} req/s, p50 {ms(steady.p50)} ({steady.errors} errors)", ms(steady.p99),
                             f"{verb} p50 {ms(floor_steady.p50)}, p99 {ms(floor_steady.p99)}", "n/a (same offered rate)",
                             f"p99 < {TARGET_P99 * 1000:.0f} ms", yes_no(paced_met),
                             data={"service": steady.summary(), "bare": floor_steady.summary()}))
    return table


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--interval", type=float, default=0.25, help="paced runs: seconds between one client's requests")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    return parser


def collect(args):
    settings = Gunicorn(args.worker_class, args.workers, args.threads)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory(prefix="kss-verify-bench-") as tmp, \
            multiprocessing.get_context("spawn").Pool(args.clients) as pool:
        load = Load(pool, args.clients, CLIENTS)
        bare = measure_bare(args, settings, load, pool, tmp)
        rows = [measure(kind, args, settings, load, pool, tmp, bare) for kind in databases]
    print()
    print(summary(rows, bare, args, settings))
    return rows, bare


def run(args) -> list:
    """For run_all.py: the measurements as rows of the common table (benchmarks/rows.py)."""
    rows, bare = collect(args)
    return to_rows(rows, bare, args)


def main():
    collect(build_parser().parse_args())
    return 0


if __name__ == "__main__":
    sys.exit(main())
