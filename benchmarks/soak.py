"""Soak: answer saves at a fixed offered rate for minutes, watching memory, errors and p99 over time.

The setup is knowledge_assessment.py's: a throwaway database (SQLite file, or `bench_<random>` on
PostgreSQL at 127.0.0.1:5432, dropped afterwards), `db-upgrade` and `bank import`, --candidates
candidates with an open window, a booking and prepared forms each, forged sessions; gunicorn serves
`wsgi:app` with the same settings (sync, 4 workers) and every candidate starts their attempt.

Then --clients client processes offer saves on a fixed schedule (an open loop: --rate saves a second
in all, one every 1/rate seconds, whatever the server's answers), for --minutes. Each save is
POST .../questions/<n>/save with {"answer": ["A"], ...} and a revision one above the same question's
previous one; a candidate's questions are visited in turn, so the same question comes round again
only after every owned candidate has had one. Latency runs from the time a save was due to its
answer, so time spent waiting for a free connection counts. At most --max-in-flight saves are
outstanding; a save due when that many are waiting is not sent ("shed") and counts against the
achieved rate: the report says when the server cannot keep up with the offered rate.

Every --interval seconds (30 by default) the table gets a row: saves offered and acknowledged per
second, p50/p99 of the saves answered in the interval, errors, shed saves, and the resident memory
(VmRSS) of the gunicorn master and its workers, read from /proc. At the end:

- memory flat: after the first --warmup-intervals, the last third's mean RSS is within
  --memory-tolerance (10%) of the first third's;
- no errors: every save answered 200 (nothing refused, timed out or failed);
- p99 stable: the last third's median p99 is at most --p99-factor (1.5) times the first third's;
- keeping up: acknowledged saves/s against offered (reported; the issue's target is 1,000/s);
- nothing lost: the database holds, for every question, at least the revision of its last
  acknowledged save; and the stored revisions add up to the acknowledged saves (each save raises its
  question's revision by one, so the sum counts the saves applied).

Usage: .venv/bin/python benchmarks/soak.py [--rate 1000] [--minutes 10] [--database sqlite|postgresql]
       [--candidates 1000] [--interval 30] [--clients 2] [--max-in-flight 256]
Sends traffic only to 127.0.0.1, is bounded in time, and stops its servers itself.
"""

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import queue as queues
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_assessment import (  # noqa: E402
    REQUEST_TIMEOUT,
    SAVE_TARGET_RATE,
    Gunicorn,
    Load,
    app_commands,
    gunicorn_server,
    http_request,
    load_attempts,
    make_app,
    populate,
    postgresql_database,
    read_response,
    service_environment,
    sqlite_database,
    start_requests,
    verify_session,
)
from rows import Row, ms, yes_no  # noqa: E402

KEEP_UP = 0.95  # acknowledged / offered below this: the server is not keeping up


# Memory of the server ---------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """The process and its descendants (gunicorn's master and workers), from /proc."""
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    frontier += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return found


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def server_memory(master: int) -> dict:
    pids = process_tree(master)
    sizes = {pid: rss_kib(pid) for pid in pids}
    return {"total_mib": sum(sizes.values()) / 1024, "master_mib": sizes.get(master, 0) / 1024,
            "workers_mib": sorted((size / 1024 for pid, size in sizes.items() if pid != master), reverse=True),
            "workers": len(pids) - 1}


# The open-loop client (runs in its own process) -------------------------------------------------------

def _bucket():
    return {"latencies": [], "ok": 0, "errors": 0, "offered": 0, "shed": 0, "statuses": Counter(), "examples": []}


async def _soak(spec, report):
    began = time.monotonic()
    rate, start_at, interval, intervals = spec["rate"], spec["start_at"], spec["interval"], spec["intervals"]
    owned = spec["candidates"]
    buckets = [_bucket() for _ in range(intervals + 1)]  # the last one: answers after the end (the drain)
    acknowledged = {}  # (attempt id, position) -> highest acknowledged revision
    revisions = {}
    idle = []  # open keep-alive connections (sync workers close after each answer, so usually none)
    in_flight = 0

    def bucket_at(moment):
        return buckets[min(max(int((moment - start_at) // interval), 0), intervals)]

    async def send(reader, writer, request):
        try:
            writer.write(request)
            status, _headers, body, keep_alive = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT)
        except BaseException:
            writer.close()
            raise
        if keep_alive:
            idle.append((reader, writer))
        else:
            writer.close()
        return status, body

    async def exchange(request):
        if idle:  # a kept-alive connection (gthread workers; sync workers close after each answer)
            reader, writer = idle.pop()
            try:
                return await send(reader, writer, request)
            except TimeoutError:
                raise
            except (OSError, asyncio.IncompleteReadError) as error:
                if isinstance(error, asyncio.IncompleteReadError) and error.partial:
                    raise
                # The server had closed the idle connection before reading the save: send it again on a new
                # one (a save is idempotent: the same revision and answer again is acknowledged, not doubled).
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", spec["port"]), REQUEST_TIMEOUT)
        return await send(reader, writer, request)

    async def save(due, request, key, revision):
        nonlocal in_flight
        status, body, problem = 0, b"", None
        try:
            status, body = await exchange(request)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
            problem = f"{type(error).__name__}: {error}"
        done = time.monotonic()
        in_flight -= 1
        bucket = bucket_at(done)
        bucket["latencies"].append(done - due)
        bucket["statuses"][status] += 1
        if status == 200:
            bucket["ok"] += 1
            acknowledged[key] = max(acknowledged.get(key, 0), revision)
        else:
            bucket["errors"] += 1
            if len(bucket["examples"]) < 3:
                bucket["examples"].append(problem or f"HTTP {status} {body[:160]!r}")

    def next_save(turn):
        attempt_id, cookie, csrf, positions = owned[turn % len(owned)]
        position = positions[(turn // len(owned)) % len(positions)]
        revision = revisions[attempt_id, position] = revisions.get((attempt_id, position), 0) + 1
        body = json.dumps({"answer": ["A"], "flagged": False, "revision": revision}).encode()
        request = http_request("POST", f"/candidate/attempts/{attempt_id}/questions/{position}/save", cookie=cookie, csrf=csrf,
                               body=body, content_type="application/json")
        return request, (attempt_id, position), revision

    async def reporter():
        for index in range(intervals):
            await asyncio.sleep(max(start_at + (index + 1) * interval - time.monotonic(), 0) + 0.05)
            bucket = buckets[index]
            report.put(("interval", spec["index"], index, {**bucket, "statuses": dict(bucket["statuses"])}))

    reporting = asyncio.create_task(reporter())
    tasks, turn, slot, total = set(), 0, 0, int(round(rate * interval * intervals))
    while slot < total:
        due = start_at + slot / rate
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        bucket = bucket_at(due)
        bucket["offered"] += 1
        slot += 1
        if in_flight >= spec["max_in_flight"]:
            bucket["shed"] += 1
            continue
        request, key, revision = next_save(turn)
        turn += 1
        in_flight += 1
        task = asyncio.create_task(save(due, request, key, revision))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await reporting
    if tasks:
        await asyncio.wait(set(tasks), timeout=REQUEST_TIMEOUT + 5)
    drain = buckets[intervals]
    report.put(("done", spec["index"], {"drain": {**drain, "statuses": dict(drain["statuses"])}, "acknowledged": acknowledged,
                                         "sent": turn, "began_late_s": max(began - start_at, 0.0)}))


def soak_client(spec, report):
    try:
        asyncio.run(_soak(spec, report))
    except BaseException as error:  # the parent must hear of it, or it would wait for intervals that never come
        report.put(("failed", spec["index"], f"{type(error).__name__}: {error}"))
        raise


# The soak -----------------------------------------------------------------------------------------

def combine(parts: list[dict]) -> dict:
    merged = _bucket()
    merged["statuses"] = Counter()
    for part in parts:
        for key in ("ok", "errors", "offered", "shed"):
            merged[key] += part[key]
        merged["latencies"] += part["latencies"]
        merged["statuses"].update(part["statuses"])
        merged["examples"] += part["examples"]
    merged["latencies"].sort()
    return merged


def quantile(values, q):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def stored_revisions(app, attempt_ids) -> dict:
    from sqlmodel import select

    from app.db import get_session
    from app.models import FormItem, Response

    found = {}
    with app.app_context():
        db = get_session()
        ids = sorted(attempt_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for attempt_id, position, revision in db.exec(
                    select(Response.attempt_id, FormItem.position, Response.revision)
                    .join(FormItem, FormItem.id == Response.form_item_id).where(Response.attempt_id.in_(chunk))):
                found[attempt_id, position] = revision
    return found


def drive(args, port, master, sitting, app):
    """The soak itself: returns the per-interval rows and the totals."""
    context = multiprocessing.get_context("spawn")
    report = context.Queue()
    intervals = max(int(round(args.minutes * 60 / args.interval)), 1)
    start_at = time.monotonic() + 5  # spawning the clients takes a moment
    savers = [(c.attempt_id, c.cookie, c.csrf, c.save_positions) for c in sitting]
    specs = [dict(index=i, port=port, rate=args.rate / args.clients, start_at=start_at, interval=args.interval, intervals=intervals,
                  max_in_flight=max(args.max_in_flight // args.clients, 1), candidates=savers[i::args.clients])
             for i in range(args.clients)]
    clients = [context.Process(target=soak_client, args=(spec, report), daemon=True) for spec in specs]
    for client in clients:
        client.start()
    before = server_memory(master)
    print(f"\n   offering {args.rate:,.0f} saves/s for {args.minutes:g} min from {args.clients} client processes, "
          f"{len(sitting):,} candidates, at most {args.max_in_flight} in flight; a row every {args.interval:g} s. "
          f"Server RSS before: {before['total_mib']:.0f} MiB (master {before['master_mib']:.0f}, {before['workers']} workers)", flush=True)
    header = (f"   {'interval':>8} {'time':>6} {'offered/s':>10} {'saves/s':>9} {'p50':>9} {'p99':>9} {'errors':>7} {'shed':>6} "
              f"{'RSS MiB':>8}  workers MiB")
    print(header, flush=True)
    received, rows, finals = {}, [], {}

    def take(block_until):
        while True:
            try:
                message = report.get(timeout=max(block_until - time.monotonic(), 0.05))
            except queues.Empty:
                return
            kind, index, *rest = message
            if kind == "failed":
                raise SystemExit(f"soak client {index} failed: {rest[0]}")
            if kind == "interval":
                received.setdefault(rest[0], {})[index] = rest[1]
            else:
                finals[index] = rest[0]
            if time.monotonic() >= block_until:
                return

    for k in range(intervals):
        boundary = start_at + (k + 1) * args.interval
        while time.monotonic() < boundary:
            take(boundary)
        memory = server_memory(master)
        deadline = time.monotonic() + 30
        while len(received.get(k, {})) < args.clients:
            if time.monotonic() > deadline:
                raise SystemExit(f"the soak clients did not report interval {k + 1} within 30 s")
            take(time.monotonic() + 1)
        bucket = combine(list(received.pop(k).values()))
        row = {"interval": k + 1, "end_s": (k + 1) * args.interval, "offered": bucket["offered"] / args.interval,
               "ok": bucket["ok"], "achieved": bucket["ok"] / args.interval, "answered": len(bucket["latencies"]),
               "p50": quantile(bucket["latencies"], 50), "p99": quantile(bucket["latencies"], 99), "errors": bucket["errors"],
               "shed": bucket["shed"], "statuses": dict(bucket["statuses"]), "examples": bucket["examples"][:3],
               "rss_mib": memory["total_mib"], "master_mib": memory["master_mib"], "workers_mib": memory["workers_mib"]}
        rows.append(row)
        print(format_interval(row), flush=True)
        for example in row["examples"]:
            print(f"            e.g. {example}", flush=True)
    deadline = time.monotonic() + REQUEST_TIMEOUT + 30
    while len(finals) < args.clients and time.monotonic() < deadline:
        take(time.monotonic() + 1)
    for client in clients:
        client.join(timeout=10)
    if len(finals) < args.clients:
        raise SystemExit("the soak clients did not finish")
    drain = combine([final["drain"] for final in finals.values()])
    acknowledged = {key: revision for final in finals.values() for key, revision in final["acknowledged"].items()}
    stored = stored_revisions(app, {attempt_id for attempt_id, _ in acknowledged})
    lost = sorted(key for key, revision in acknowledged.items() if stored.get(key, 0) < revision)
    totals = {
        "intervals": intervals, "rss_before_mib": before["total_mib"],
        "offered": sum(r["offered"] for r in rows) * args.interval,
        "acknowledged": sum(r["ok"] for r in rows) + drain["ok"],
        "errors": sum(r["errors"] for r in rows) + drain["errors"],
        "shed": sum(r["shed"] for r in rows), "drained": len(drain["latencies"]), "drain_errors": drain["errors"],
        "sent": sum(final["sent"] for final in finals.values()),
        "clients_began_late_s": max(final["began_late_s"] for final in finals.values()),
        "questions_acknowledged": len(acknowledged), "questions_lost": len(lost), "lost_examples": lost[:5],
        "stored_revisions": sum(stored.get(key, 0) for key in acknowledged),
        "statuses": dict(Counter(dict(drain["statuses"])) + sum((Counter(r["statuses"]) for r in rows), Counter())),
    }
    return rows, totals


def format_interval(row):
    workers = " ".join(f"{size:.0f}" for size in row["workers_mib"])
    p50, p99 = (ms(row["p50"]), ms(row["p99"])) if row["answered"] else ("none", "answered")
    return (f"   {row['interval']:>8} {row['end_s']:>5.0f}s {row['offered']:>10,.0f} {row['achieved']:>9,.1f} {p50:>9} "
            f"{p99:>9} {row['errors']:>7} {row['shed']:>6} {row['rss_mib']:>8.1f}  {workers}")


def p99_of(row):
    """An interval in which nothing was answered (a stall) counts as an infinite p99."""
    return row["p99"] if row["answered"] else math.inf


def verdict(args, rows, totals) -> dict:
    measured = rows[args.warmup_intervals:]
    third = len(measured) // 3
    result = {"rate_offered": args.rate, "minutes": args.minutes}
    seconds = len(rows) * args.interval
    result["achieved_rate"] = sum(r["achieved"] for r in rows) / len(rows) if rows else 0.0
    result["keeps_up"] = totals["shed"] == 0 and result["achieved_rate"] >= KEEP_UP * args.rate
    result["no_errors"] = totals["errors"] == 0
    result["saves_stored"] = totals["questions_lost"] == 0
    result["seconds"] = seconds
    if third == 0:
        result.update(memory_flat=None, p99_stable=None, too_short=True)
        return result
    first, last = measured[:third], measured[-third:]
    result["rss_first_mib"] = statistics.mean(r["rss_mib"] for r in first)
    result["rss_last_mib"] = statistics.mean(r["rss_mib"] for r in last)
    result["rss_change"] = result["rss_last_mib"] / result["rss_first_mib"] - 1
    result["memory_flat"] = abs(result["rss_change"]) <= args.memory_tolerance
    result["p99_first"] = statistics.median(p99_of(r) for r in first)
    result["p99_last"] = statistics.median(p99_of(r) for r in last)
    result["p99_stable"] = result["p99_last"] <= args.p99_factor * result["p99_first"]
    result["too_short"] = False
    return result


def print_verdict(args, label, totals, outcome):
    def mark(value):
        return "n/a (too few intervals)" if value is None else ("yes" if value else "NO")

    print(f"\n   -- soak verdict, {label}: {args.rate:,.0f} saves/s offered for {args.minutes:g} min "
          f"(the first {args.warmup_intervals} interval(s) are warm-up; thirds of the rest compared)")
    print(f"   offered {totals['offered']:,.0f} saves, sent {totals['sent']:,}, shed {totals['shed']:,} (not sent: {args.max_in_flight} "
          f"already waiting), acknowledged {totals['acknowledged']:,} ({totals['drained']:,} answered after the end), errors "
          f"{totals['errors']:,}; HTTP statuses {totals['statuses']}")
    if totals["clients_began_late_s"] > 0.5:
        print(f"   note: a client process began {totals['clients_began_late_s']:.1f} s late; the saves due meanwhile were sent at once")
    print(f"   keeping up:       {mark(outcome['keeps_up'])}: achieved {outcome['achieved_rate']:,.1f} saves/s of {args.rate:,.0f} offered "
          f"({outcome['achieved_rate'] / args.rate:.0%})" + ("" if outcome["keeps_up"] else ": the server cannot keep up with the offered rate"))
    if outcome["too_short"]:
        print("   memory flat:      n/a: fewer than 3 intervals after warm-up (use --minutes or --interval to have more)")
        print("   p99 stable:       n/a")
    else:
        print(f"   memory flat:      {mark(outcome['memory_flat'])}: mean RSS {outcome['rss_first_mib']:.1f} MiB in the first third, "
              f"{outcome['rss_last_mib']:.1f} MiB in the last ({outcome['rss_change']:+.1%}; tolerance ±{args.memory_tolerance:.0%})")
        print(f"   p99 stable:       {mark(outcome['p99_stable'])}: median p99 {ms(outcome['p99_first'])} in the first third, "
              f"{ms(outcome['p99_last'])} in the last (at most x{args.p99_factor:g} allowed)")
    print(f"   no errors:        {mark(outcome['no_errors'])}: {totals['errors']:,} errors")
    print(f"   nothing lost:     {mark(outcome['saves_stored'])}: {totals['questions_acknowledged']:,} questions with acknowledged saves, "
          f"{totals['questions_lost']:,} whose stored revision is older than the last acknowledged one"
          + (f" (e.g. {totals['lost_examples']})" if totals["lost_examples"] else ""))
    print(f"                     stored revisions add up to {totals['stored_revisions']:,} saves applied, against "
          f"{totals['acknowledged']:,.0f} acknowledged (more only if an errored save was applied)")


def check_time_limit(app, minutes):
    """Saves after an attempt's deadline are refused (409): the soak must end before the earliest one."""
    from datetime import timedelta

    from sqlmodel import func, select

    from app.db import get_session
    from app.models import Attempt
    from app.models.types import utcnow

    with app.app_context():
        deadline = get_session().exec(select(func.min(Attempt.deadline_at))).one()
    if deadline is not None and utcnow() + timedelta(minutes=minutes + 1) > deadline:
        raise SystemExit(f"--minutes {minutes:g} runs past the attempts' deadline ({deadline:%H:%M} UTC, the blueprint's time limit): "
                         f"saves after it are refused. Soak for less")


def collect(args):
    settings = Gunicorn(args.worker_class, args.workers, args.threads, args.max_requests)
    opener = sqlite_database if args.database == "sqlite" else postgresql_database
    with tempfile.TemporaryDirectory(prefix="kss-soak-") as tmp, opener(tmp) as (url, label):
        print(f"== soak on {label}: gunicorn {settings}; {os.cpu_count()} CPUs", flush=True)
        started = time.perf_counter()
        environment = service_environment(url)
        app = make_app(environment)
        app_commands(app, ["db-upgrade"], ["bank", "import"])
        candidates, _timings = populate(app, args.candidates)
        print(f"   schema, bank and {len(candidates):,} candidates with prepared forms: {time.perf_counter() - started:.1f} s", flush=True)
        with gunicorn_server(settings, "wsgi:app", environment, Path(tmp) / "gunicorn-soak.log") as (port, server):
            verify_session(port, candidates[0])
            with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
                starts = Load(pool, args.clients, 64).once("starts", port, start_requests(candidates), expect_status=302)
            print(f"   {starts.count:,} candidates started in {starts.seconds:.1f} s ({starts.errors} errors)", flush=True)
            load_attempts(app, candidates)
            check_time_limit(app, args.minutes)
            sitting = [c for c in candidates if c.attempt_id is not None and c.save_positions]
            if len(sitting) < args.clients:
                raise SystemExit("too few candidates have started to share between the clients")
            rows, totals = drive(args, port, server.pid, sitting, app)
        with app.app_context():
            from app.db import get_engine

            get_engine().dispose()
    outcome = verdict(args, rows, totals)
    print_verdict(args, label, totals, outcome)
    return label, rows, totals, outcome


def to_rows(args, label, intervals, totals, outcome) -> list:
    database = label.split(" (")[0]
    parts = [f"keeps up {yes_no(outcome['keeps_up'])}", f"no errors {yes_no(outcome['no_errors'])}",
             f"nothing lost {yes_no(outcome['saves_stored'])}"]
    if outcome["too_short"]:
        parts += ["memory/p99: too short to judge"]
        memory = p99 = "n/a (too short)"
    else:
        parts[1:1] = [f"memory flat {yes_no(outcome['memory_flat'])}", f"p99 stable {yes_no(outcome['p99_stable'])}"]
        memory = f"RSS {outcome['rss_first_mib']:.0f} -> {outcome['rss_last_mib']:.0f} MiB ({outcome['rss_change']:+.1%})"
        p99 = f"{ms(outcome['p99_first'])} -> {ms(outcome['p99_last'])}"
    return [Row(f"soak: answer saves offered at {args.rate:,.0f}/s for {args.minutes:g} min", database,
                f"{outcome['achieved_rate']:,.0f} saves/s achieved ({outcome['achieved_rate'] / args.rate:.0%} of offered), {memory}, "
                f"{totals['errors']:,} errors, {totals['shed']:,} shed, {totals['questions_lost']} questions lost",
                p99, "n/a (soak)", "n/a", f"{args.rate:,.0f}/s offered; memory flat (±{args.memory_tolerance:.0%}), no errors, "
                f"p99 stable (x{args.p99_factor:g}), every acknowledged save stored", ", ".join(parts),
                data={"totals": totals, "verdict": finite(outcome), "intervals": [finite(row) for row in intervals]})]


def finite(figures: dict) -> dict:
    """NaN and infinity (an interval with nothing answered) as null, for a JSON file any parser reads."""
    return {key: None if isinstance(value, float) and not math.isfinite(value) else value for key, value in figures.items()}


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=SAVE_TARGET_RATE, help="saves offered per second, in all (open loop)")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds per row of the table")
    parser.add_argument("--warmup-intervals", type=int, default=1, help="intervals left out of the memory and p99 verdicts")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2, help="client processes sharing the offered rate")
    parser.add_argument("--max-in-flight", type=int, default=256, help="saves outstanding at most (in all); more are shed")
    parser.add_argument("--memory-tolerance", type=float, default=0.10)
    parser.add_argument("--p99-factor", type=float, default=1.5)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-requests", type=int, default=0,
                        help="recycle each worker after about this many requests, as production does (app/deploy/gunicorn.py: "
                             "5000); 0 (the default, as knowledge_assessment.py): never, so a leak shows in the memory")
    return parser


def run(args) -> list:
    """For run_all.py: the soak as a row of the common table (benchmarks/rows.py)."""
    label, intervals, totals, outcome = collect(args)
    return to_rows(args, label, intervals, totals, outcome)


def main():
    args = build_parser().parse_args()
    _label, _rows, _totals, outcome = collect(args)
    passed = outcome["no_errors"] and outcome["saves_stored"] and outcome["memory_flat"] is not False \
        and outcome["p99_stable"] is not False
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
