"""Fuzzing the two ways files come in (the API is fuzzed by schemathesis in tests/api): whatever
bytes arrive, the question-bank checker and the bulk-verification CSV reader answer with problems
or refusals that say where and why, never an exception, and checking a file writes nothing."""

import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.accreditation.bulk import BulkRefused, check_rows, read_rows
from app.bank.content import check_bank
from app.models.types import utcnow

BANK = Path(__file__).resolve().parent.parent / "question_bank"
REAL_ITEMS = (BANK / "items" / "practitioner").glob("*.yaml")
SAMPLE = next(iter(sorted(REAL_ITEMS))).read_text()
FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _mutated(seed: int, text: str) -> str:
    """A real items file with some lines deleted, duplicated, swapped or cut short: near-misses."""
    rng = random.Random(seed)
    lines = text.splitlines()
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "swap", "cut", "indent", "garble"])
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "cut":
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif action == "indent":
            lines[i] = " " * rng.randint(1, 5) + lines[i]
        else:
            lines[i] = lines[i].replace(":", rng.choice(["", "::", ": [", ": {", ": &x", ": *y", ": !!python/object"]), 1)
        if not lines:
            break
    return "\n".join(lines)


def _bank_with(tmp_path: Path, content: str) -> Path:
    root = tmp_path / "bank"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BANK / "framework", root / "framework")
    (root / "items" / "practitioner").mkdir(parents=True)
    (root / "items" / "practitioner" / "fuzz.yaml").write_text(content)
    return root


@FUZZ
@given(content=st.one_of(st.text(max_size=400), st.integers(0, 10**9).map(lambda seed: _mutated(seed, SAMPLE))))
def test_the_bank_checker_reports_problems_for_any_file(tmp_path_factory, content):
    root = _bank_with(tmp_path_factory.mktemp("fuzz"), content)
    bank = check_bank(root)  # never raises
    for problem in bank.problems:
        assert problem.file and problem.line >= 1 and problem.message


@FUZZ
@given(data=st.one_of(st.binary(max_size=300),
                      st.lists(st.lists(st.text(max_size=25), min_size=1, max_size=4), max_size=8).map(
                          lambda rows: "\n".join(",".join(row) for row in [["certificate_id", "surname"], *rows]).encode("utf-8", "surrogatepass"))))
def test_the_bulk_csv_reader_refuses_or_checks_every_row(app, session, data):
    try:
        rows = read_rows(data)
    except BulkRefused as refused:
        assert str(refused)
        return
    except UnicodeEncodeError:
        return
    results = check_rows(session, rows, utcnow())
    assert [r.line for r in results] == [line for line, _ in rows]
    assert all(r.status in {"valid", "expired", "suspended", "revoked", "superseded", "not_found", "error"} and r.message is not None
               for r in results)
