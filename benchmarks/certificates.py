"""Certificate issuance: the documents in process on one core, then the real bulk issuance on SQLite
and PostgreSQL.

1. documents (no database): render the PDF with its QR code, build and sign the credential
   (VC-JWT, Ed25519), embed it and sign the PDF (PAdES B-B, ECDSA P-256), --certificates times;
2. issuance (per database in --database): a throwaway database (as knowledge_assessment.py: a SQLite
   file, or `bench_<random>` on PostgreSQL at 127.0.0.1:5432, dropped afterwards), `keys init`,
   `db-upgrade`, `bank import` and `seed-demo` through the app's CLI in this process, then --issued
   accredited candidates (an endorsement and released passes of both components each, as the demo
   holders have) booked into one window, and `issue_for_window` on that window, as
   `flask certificates issue --window ID` and the administrator's button do: evidence for the whole
   window, then per candidate the checks, the documents, the row and its audit event; one commit.

The time per certificate comes from the function's progress callback (the first one includes the
window's evidence queries); the rate is certificates / (the call + the commit). The baseline for the
issuance rows is (1) in the same run: what the database, the checks and the audit trail add to the
documents. Target: under 50 ms per certificate.

Usage: .venv/bin/python benchmarks/certificates.py [--certificates 200] [--issued 100]
       [--database sqlite|postgresql|both|none]
Keys are made in temporary folders.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_assessment import app_commands, make_app, postgresql_database, sqlite_database  # noqa: E402
from rows import IN_PROCESS, NO_BARE, Row, ms, ratio, yes_no  # noqa: E402

from app.accreditation.certificate_pdf import CertificateFacts, render_certificate, sign_certificate  # noqa: E402
from app.accreditation.credential import CredentialFacts, credential, okp_key, sign  # noqa: E402
from app.accreditation.ids import new_certificate_id  # noqa: E402
from app.accreditation.keys import init_keys, load_keys  # noqa: E402

BASE = "https://accreditation.example.org"
TARGET = 0.050  # seconds per certificate


def one(keys, key, index: int) -> bytes:
    now = datetime(2027, 6, 1, tzinfo=UTC)
    code = new_certificate_id()
    facts = CredentialFacts(code, f"Candidate {index}", f"SW{100000 + index}", "practitioner", "Child and family practitioner",
                            "Post-qualifying standard: knowledge and skills statement for child and family practitioners", now,
                            now + timedelta(days=3 * 365), index, BASE, "Child and Family Practice Accreditation Board")
    token = sign(credential(facts), key, subject=facts.registration_number, not_before=now, expires=facts.expires_at)
    pdf = render_certificate(CertificateFacts(code, facts.holder_name, facts.registration_number, facts.tier_name, facts.standard,
                                              now, facts.expires_at, facts.issuer_name, f"{BASE}/verify/{code}?token=x" + "y" * 31,
                                              f"{BASE}/verify"))
    return sign_certificate(pdf, credential_jwt=token, certificate_id=code, keys=keys, reason=f"Certificate {code}")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[max(int(round(q / 100 * len(ordered))) - 1, 0)] if ordered else float("nan")


def documents(count: int) -> dict:
    """Seconds per certificate for the documents alone (no database), and the whole loop's rate."""
    with tempfile.TemporaryDirectory() as folder:
        init_keys(folder, issuer="Child and Family Practice Accreditation Board")
        keys = load_keys({"KEYS_DIR": folder})
        key = okp_key(keys.credential_key, f"{BASE}/issuer")
        one(keys, key, 0)  # warm up (imports, first signature)
        times = []
        started = time.perf_counter()
        for index in range(1, count + 1):
            t = time.perf_counter()
            one(keys, key, index)
            times.append(time.perf_counter() - t)
        total = time.perf_counter() - started
    return {"count": count, "times": times, "seconds": total}


def accredited_window(db, count: int):
    """`count` candidates, each endorsed with released passes of both components (app.accreditation.demo's
    way), booked into one window of the practitioner tier: the window `issue_for_window` is given."""
    from sqlmodel import select

    from app.accreditation.demo import _passes
    from app.models import AssessmentMode, AssessmentWindow, Booking, Role, RoleMembership, Tier, User
    from app.models.types import utcnow

    tier = db.exec(select(Tier).where(Tier.code == "practitioner")).one()
    employer = db.exec(select(User).where(User.email == "employer@northmoor.example.org")).one()
    now = utcnow()
    candidates = [User(name=f"Bench Holder {n}", email=f"holder{n:05d}@bench.invalid", swe_number=f"SW9{n:05d}",
                       organisation_id=employer.organisation_id, password_hash="!benchmark-no-password",
                       memberships=[RoleMembership(role=Role.CANDIDATE)]) for n in range(count)]
    db.add_all(candidates)
    db.flush()
    for candidate in candidates:
        _passes(db, candidate, tier, employer, now - timedelta(days=1))
    window = AssessmentWindow(tier_id=tier.id, opens_at=now - timedelta(hours=3), closes_at=now - timedelta(hours=1), capacity=count,
                              mode=AssessmentMode.REMOTE, location="Benchmark: issuing window", change_cutoff_hours=0)
    db.add(window)
    db.flush()
    db.add_all(Booking(candidate_id=candidate.id, window_id=window.id) for candidate in candidates)
    db.commit()
    return window


def issuance(kind: str, count: int, tmp: str) -> dict:
    from app.accreditation.keys import load_keys as load_app_keys
    from app.accreditation.services import issue_for_window
    from app.db import get_engine, get_session
    from app.models.types import utcnow

    opener = sqlite_database if kind == "sqlite" else postgresql_database
    with opener(tmp) as (url, label):
        print(f"\n== certificate issuance on {label}", flush=True)
        environment = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "benchmark-not-secret", "KEYS_DIR": f"{tmp}/keys-{kind}",
                       "DEMO_SIMULATED_CANDIDATES": "0", "MAIL_SERVER": ""}
        started = time.perf_counter()
        app = make_app(environment)
        app_commands(app, ["keys", "init"], ["db-upgrade"], ["bank", "import"], ["seed-demo"])
        with app.app_context():
            db = get_session()
            window = accredited_window(db, count)
            print(f"   keys, schema, bank, demo data and {count} accredited candidates: {time.perf_counter() - started:.1f} s", flush=True)
            keys, base, issuer = load_app_keys(app.config), app.config.get("BASE_URL") or "http://127.0.0.1:5000", app.config["ISSUING_BODY"]
            marks = []
            started = time.perf_counter()
            issued, held, not_yet = issue_for_window(db, window=window, now=utcnow(), actor=None, keys=keys, base_url=base, issuer=issuer,
                                                     progress=lambda _step: marks.append(time.perf_counter()))
            db.commit()
            total = time.perf_counter() - started
            get_engine().dispose()
        if issued != count:
            raise SystemExit(f"issue_for_window issued {issued} of {count} ({held} held; not yet accredited: {not_yet[:3]})")
        times = [b - a for a, b in zip([started, *marks[:-1]], marks, strict=True)]
        return {"label": label, "count": issued, "times": times, "seconds": total}


def describe(name, figures):
    times = figures["times"]
    print(f"   {name}: {figures['count']} certificates, median {ms(statistics.median(times))}, p95 {ms(percentile(times, 95))}, "
          f"p99 {ms(percentile(times, 99))}, {figures['count'] / figures['seconds']:.1f} certificates/s on one core", flush=True)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=200, help="documents made in process, without a database")
    parser.add_argument("--issued", type=int, default=100, help="certificates issued through issue_for_window per database")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both", "none"), default="both")
    return parser


def collect(args):
    print("\n== certificate documents in process (no database)", flush=True)
    alone = documents(args.certificates)
    describe("documents", alone)
    databases = {"both": ["sqlite", "postgresql"], "none": []}.get(args.database, [args.database])
    issued = []
    with tempfile.TemporaryDirectory(prefix="kss-cert-bench-") as tmp:
        for kind in databases:
            figures = issuance(kind, args.issued, tmp)
            describe(f"issue_for_window on {figures['label'].split(' (')[0]}", figures)
            issued.append(figures)
    return alone, issued


def to_rows(alone, issued) -> list:
    def facts(figures):
        times = figures["times"]
        return {"count": figures["count"], "seconds": round(figures["seconds"], 3), "rate": round(figures["count"] / figures["seconds"], 2),
                "median_ms": round(statistics.median(times) * 1000, 2), "p95_ms": round(percentile(times, 95) * 1000, 2),
                "p99_ms": round(percentile(times, 99) * 1000, 2), "max_ms": round(max(times) * 1000, 2)}

    base = facts(alone)
    target = f"< {TARGET * 1000:.0f} ms each (judged on p99)"
    rows = [Row(f"certificate documents, {alone['count']} (PDF + QR, VC-JWT, PAdES), one core", IN_PROCESS,
                f"median {ms(statistics.median(alone['times']))}, {base['rate']:.1f} certificates/s", ms(percentile(alone["times"], 99)),
                NO_BARE, "n/a", target, yes_no(percentile(alone["times"], 99) < TARGET), data={"documents": base})]
    for figures in issued:
        mine = facts(figures)
        rows.append(Row(f"certificate issuance, `issue_for_window`, {figures['count']} candidates, one core",
                        figures["label"].split(" (")[0],
                        f"median {ms(statistics.median(figures['times']))}, {mine['rate']:.1f} certificates/s (with the commit)",
                        ms(percentile(figures["times"], 99)),
                        f"not HTTP: the documents alone, no database, same run: median {ms(statistics.median(alone['times']))}, "
                        f"{base['rate']:.1f}/s", ratio(mine["rate"], base["rate"]), target,
                        yes_no(percentile(figures["times"], 99) < TARGET), data={"issuance": mine, "documents": base}))
    return rows


def run(args) -> list:
    """For run_all.py: the measurements as rows of the common table (benchmarks/rows.py)."""
    return to_rows(*collect(args))


def main():
    args = build_parser().parse_args()
    alone, issued = collect(args)
    times = sorted(alone["times"])
    print(f"\n{alone['count']} certificates: median {statistics.median(times) * 1000:.1f} ms, p95 {percentile(times, 95) * 1000:.1f} ms, "
          f"{alone['count'] / alone['seconds']:.1f} certificates/s on one core (target: under 50 ms each)")
    for figures in issued:
        print(f"issue_for_window on {figures['label']}: {figures['count']} certificates in {figures['seconds']:.2f} s, median "
              f"{statistics.median(figures['times']) * 1000:.1f} ms, p99 {percentile(figures['times'], 99) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
