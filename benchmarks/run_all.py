"""Every benchmark, one command, one table.

    .venv/bin/python benchmarks/run_all.py [--quick] [--database sqlite|postgresql|both] [--only NAME ...]
                                           [--soak] [--soak-rate 1000] [--soak-minutes 10]

Runs, in this order, each through its `run(args) -> list[Row]` (the same code as its own command line):

    http_pages            public pages and sign-in, beside bare GET/POST             (SQLite, PostgreSQL)
    knowledge_assessment  answer saves, synchronised starts, question pages, beside
                          the bare endpoint                                            (SQLite, PostgreSQL)
    verification          the verification page and the API, beside the bare endpoint (SQLite, PostgreSQL)
    certificates          certificate documents in process; issuance through
                          issue_for_window, beside the documents alone                (in process; SQLite, PostgreSQL)
    psychometrics         scoring, item analysis and summary, in process              (no database)
    soak (with --soak)    answer saves at a fixed rate for minutes                    (SQLite, PostgreSQL)

then prints one Markdown table (measurement | database | result | p99 | bare Flask (same run) | ratio |
target | met?) and writes it, with the run's settings, to benchmarks/results/latest.md and the raw
figures to benchmarks/results/latest.json (latest-quick.* for --quick runs, which git ignores).

--quick: small sizes and short durations, a smoke run of a few minutes; the default is the full run.
PostgreSQL must be at 127.0.0.1:5432 with trust auth (a throwaway `bench_<random>` database is created
and dropped by each benchmark); with --database sqlite it is not needed. A benchmark that fails gets a
"failed" row and the others still run.
"""

import argparse
import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from rows import failed_row, markdown_table  # noqa: E402

# name: (arguments for --quick, arguments for the full run); --database is added where it applies.
PLAN = {
    "http_pages": (["--requests", "100"], []),
    "knowledge_assessment": (["--candidates", "300", "--seconds", "3", "--warmup", "1"], []),
    "verification": (["--seconds", "3", "--warmup", "1"], []),
    "certificates": (["--certificates", "20", "--issued", "20"], []),
    "psychometrics": (["--attempts", "10000"], []),
}
WITH_DATABASE = {"http_pages", "knowledge_assessment", "verification", "certificates"}
SOAK_QUICK = ["--minutes", "1", "--interval", "10", "--candidates", "300"]

NOTES = """\
- **bare Flask (same run)**: `benchmarks/bare_app.py` (no database, session, CSRF or templates) served by the
  same gunicorn settings and measured by the same client, in the same benchmark run, just before the service.
  **ratio** = the measurement's rate / that baseline's rate (1.00 would mean the service costs nothing more).
- **In-process rows** (database `none (in-process)`): certificate documents and scoring run in this process,
  not over HTTP, so there is no bare Flask counterpart: the column says `n/a (in-process)`.
- **Certificate issuance** on SQLite and PostgreSQL is `issue_for_window` in this process, one core; its baseline
  column is the in-process documents row of the same run (not Flask): the ratio is what the database queries,
  the checks and the audit event cost on top of rendering and signing.
- **Paced verification rows**: 50 clients each sending one request every 0.25 s; the same offered rate for the
  service and the bare endpoint, so the ratio is n/a and the comparison is the latency.
- **Soak**: an open loop at the offered rate; `keeps up` compares acknowledged saves/s with the offered rate.
  Its p99 column is the median interval p99 of the first third -> the last third (after warm-up)."""


def git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE, capture_output=True,
                               text=True).stdout.strip()
        return commit + (" (with uncommitted changes in the checkout)" if dirty else "")
    except OSError:
        return "unknown"


def run_one(name, argv, databases_label):
    """Import the benchmark only now (client processes are spawned and re-import this file: keep it light)."""
    print(f"\n######## {name} {' '.join(argv)}", flush=True)
    try:
        module = importlib.import_module(name)
        return module.run(module.build_parser().parse_args(argv))
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit included: the scripts exit on setup failures (no PostgreSQL...)
        print(f"!! {name} failed: {type(error).__name__}: {error}", flush=True)
        return [failed_row(name, databases_label, error)]


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short durations: a smoke run of a few minutes")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--only", nargs="+", choices=list(PLAN), help="run only these benchmarks")
    parser.add_argument("--soak", action="store_true", help="also run benchmarks/soak.py on each database (10 min each; 1 with --quick)")
    parser.add_argument("--soak-rate", type=float, help="saves/s offered in the soak (default: the target, 1,000)")
    parser.add_argument("--soak-minutes", type=float, help="minutes per soak (default 10, or 1 with --quick)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="folder for latest.md and latest.json")
    return parser


def main():
    args = build_parser().parse_args()
    mode = "quick" if args.quick else "full"
    began, started_at = time.monotonic(), datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    rows, durations = [], {}
    databases_label = {"both": "SQLite, PostgreSQL", "sqlite": "SQLite", "postgresql": "PostgreSQL"}[args.database]
    for name in args.only or list(PLAN):
        quick, full = PLAN[name]
        argv = (quick if args.quick else full) + (["--database", args.database] if name in WITH_DATABASE else [])
        t = time.monotonic()
        rows += run_one(name, argv, databases_label if name in WITH_DATABASE else "none")
        durations[name] = time.monotonic() - t
    if args.soak:
        for database in (["sqlite", "postgresql"] if args.database == "both" else [args.database]):
            argv = (SOAK_QUICK if args.quick else []) + ["--database", database]
            if args.soak_rate:
                argv += ["--rate", f"{args.soak_rate:g}"]
            if args.soak_minutes:
                argv += ["--minutes", f"{args.soak_minutes:g}"]
            t = time.monotonic()
            rows += run_one("soak", argv, database)
            durations[f"soak ({database})"] = time.monotonic() - t
    total = time.monotonic() - began
    load_after = os.getloadavg()

    command = " ".join(["benchmarks/run_all.py", *sys.argv[1:]])
    header = (f"Run: {mode} (`.venv/bin/python {command}`), {started_at:%Y-%m-%d %H:%M} UTC, commit {git_commit()}; "
              f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), shared by the load generator, gunicorn and "
              f"PostgreSQL; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.\n"
              f"Took {total / 60:.1f} min: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in durations.items()) + ".")
    table = markdown_table(rows)
    text = f"{header}\n\n{table}\n\n{NOTES}\n"
    args.output.mkdir(parents=True, exist_ok=True)
    stem = "latest-quick" if args.quick else "latest"
    (args.output / f"{stem}.md").write_text(text)
    (args.output / f"{stem}.json").write_text(json.dumps(
        {"mode": mode, "command": command, "started_at": started_at.isoformat(), "commit": git_commit(), "cpus": os.cpu_count(),
         "load_average_before": load_before, "load_average_after": load_after, "seconds": round(total, 1),
         "durations_s": {name: round(seconds, 1) for name, seconds in durations.items()},
         "rows": [row.as_dict() for row in rows]}, indent=2, default=str) + "\n")
    print(f"\n\n{text}\nWritten to {args.output / f'{stem}.md'} and {stem}.json")
    return 1 if any(row.result.startswith("failed") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
