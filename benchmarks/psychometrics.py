"""Speed of the psychometrics core (app.psychometrics) on a window-sized cohort and a large one.

Generates N attempts × 30 items (20 single best answer with 4 options, 6 multiple response with
3 keyed of 8, 4 ranking of 4 options) drawn from a bank of 300 items (each attempt its own form),
with chosen bitmasks and Rasch-like right answers; ranking scores come from app.scoring's
score_response, computed once per possible order. Then times, best of 3 (time.perf_counter):

    build      Responses(...) from the arrays, with its validation
    score      rescore (bitmasks; ranking scores kept) + with_scores + attempt totals
    items      analyse_items: facility, corrected point-biserial, upper-lower D, options, flags
    summary    summarise: descriptive statistics, distribution, pass rate, reliability, SEM
    DIF        dif_all over two group variables (sex: 2 groups, age band: 4), reported apart

Target: 10,000 × 30 through score + items + summary in under 1 second on a 2-core machine.
In process, no database and no HTTP: there is no bare Flask counterpart. `run(args)` returns the
figures as rows of benchmarks/rows.py for benchmarks/run_all.py.
Usage: .venv/bin/python benchmarks/psychometrics.py [--attempts 10000 100000]
"""

import argparse
import sys
import time
from itertools import permutations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rows import IN_PROCESS, NO_BARE, Row, yes_no  # noqa: E402

from app.psychometrics import (  # noqa: E402
    MULTIPLE_RESPONSE,
    RANKING,
    SINGLE_BEST_ANSWER,
    Responses,
    analyse_items,
    dif_all,
    rescore,
    summarise,
)
from app.scoring import score_response  # noqa: E402

TARGET_ATTEMPTS, TARGET_SECONDS = 10_000, 1.0

BANK = {SINGLE_BEST_ANSWER: 200, MULTIPLE_RESPONSE: 60, RANKING: 40}
FORM = {SINGLE_BEST_ANSWER: 20, MULTIPLE_RESPONSE: 6, RANKING: 4}
OPTIONS = {SINGLE_BEST_ANSWER: 4, MULTIPLE_RESPONSE: 8, RANKING: 4}


def generate(n_attempts: int, seed: int = 2024) -> tuple[dict, dict]:
    """Array arguments for Responses and group labels per attempt."""
    rng = np.random.default_rng(seed)
    item_type = np.concatenate([np.full(count, code, dtype=np.int8) for code, count in BANK.items()])
    option_count = np.array([OPTIONS[int(code)] for code in item_type], dtype=np.int8)
    key = np.where(item_type == SINGLE_BEST_ANSWER, 1 << rng.integers(0, 4, item_type.size),
                   np.where(item_type == MULTIPLE_RESPONSE, 0b00100101, 0b1111)).astype(np.uint32)
    starts = np.cumsum([0, *BANK.values()])
    # each attempt: a random 20/6/4 draw from each part of the bank, sorted (rows in attempt, item order)
    forms = np.concatenate([start + np.argsort(rng.random((n_attempts, bank)), axis=1)[:, :FORM[code]]
                            for start, (code, bank) in zip(starts, BANK.items(), strict=False)], axis=1)
    forms.sort(axis=1)
    item = forms.ravel()
    attempt = np.repeat(np.arange(n_attempts), forms.shape[1])
    ability = rng.normal(0, 1, n_attempts)[attempt]
    difficulty = rng.uniform(-2, 2, item_type.size)[item]
    right = rng.random(item.size) < 1 / (1 + np.exp(-(ability - difficulty)))
    row_type = item_type[item]
    distractor = np.uint32(1) << rng.integers(0, 8, item.size).astype(np.uint32)
    chosen = np.where(right, key[item], (key[item] ^ distractor) & np.uint32(0xFF)).astype(np.uint32)
    chosen = np.where(row_type == SINGLE_BEST_ANSWER, np.where(right, key[item], np.uint32(1) << rng.integers(
        0, 4, item.size).astype(np.uint32)), chosen).astype(np.uint32)
    chosen = np.where(row_type == RANKING, np.uint32(0b1111), chosen)
    chosen[rng.random(item.size) < 0.01] = 0  # a few left unanswered
    orders = list(permutations("ABCD"))
    ranking_scores = np.array([score_response("ranking", order, "ABCD", 4) for order in orders])
    order = np.where(right, 0, rng.integers(0, len(orders), item.size))
    score = np.where(row_type == RANKING, ranking_scores[order], 0.0)
    score[chosen == 0] = 0.0
    arrays = dict(attempt=attempt, item=item, score=score, chosen=chosen, key=key, item_type=item_type,
                  option_count=option_count)
    groups = {"sex": rng.choice(["female", "male"], n_attempts, p=[0.8, 0.2]).tolist(),
              "age_band": rng.choice(["<30", "30-39", "40-49", "50+"], n_attempts).tolist()}
    return arrays, groups


def best_of(runs: int, function):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, nargs="+", default=[10_000, 100_000])
    return parser


def collect(args) -> list[dict]:
    """Per cohort size: the seconds of each step (best of 3) and what the analysis found."""
    columns = ("rows", "build", "score", "items", "summary", "total", "DIF")
    print(f"{'attempts':>9} {columns[0]:>10} " + " ".join(f"{name:>8}" for name in columns[1:]) + "  (seconds, best of 3)")
    figures = []
    for n_attempts in args.attempts:
        arrays, groups = generate(n_attempts)
        build, responses = best_of(3, lambda: Responses(**arrays))  # noqa: B023

        def score(responses=responses):
            scored = responses.with_scores(rescore(responses, rule="per_option"))
            scored.totals  # noqa: B018 - computed and cached
            return scored

        scoring, scored = best_of(3, score)
        items, analysis = best_of(3, lambda: analyse_items(scored))  # noqa: B023
        summary_time, summary = best_of(3, lambda: summarise(scored, passed=scored.percent >= 60))  # noqa: B023
        dif_time, dif = best_of(3, lambda: dif_all(scored, groups))  # noqa: B023
        total = scoring + items + summary_time
        print(f"{n_attempts:>9,} {scored.n_rows:>10,} {build:>8.3f} {scoring:>8.3f} {items:>8.3f} {summary_time:>8.3f} "
              f"{total:>8.3f} {dif_time:>8.3f}")
        flagged = sum(1 for item in analysis.items if item.flags)
        shown = sum(1 for result in dif if not result.suppressed)
        print(f"{'':>9} reliability {summary.reliability.coefficient:.3f} ({summary.reliability.method}, "
              f"{summary.reliability.design}), mean {summary.mean:.2f}/{summary.marks_available:.0f}, "
              f"{flagged} of {len(analysis.items)} items flagged, {shown} of {len(dif)} DIF comparisons shown")
        figures.append({"attempts": n_attempts, "rows": scored.n_rows, "build": build, "score": scoring, "items": items,
                        "summary": summary_time, "total": total, "dif": dif_time, "dif_comparisons": len(dif)})
    return figures


def to_rows(figures) -> list:
    rows = []
    for f in figures:
        targeted = f["attempts"] == TARGET_ATTEMPTS
        rows.append(Row(f"scoring + item analysis + summary, {f['attempts']:,} attempts x 30 items", IN_PROCESS,
                        f"{f['total']:.3f} s (score {f['score']:.3f}, items {f['items']:.3f}, summary {f['summary']:.3f}; "
                        f"DIF {f['dif_comparisons']:,} comparisons {f['dif']:.3f} s more)", "n/a (best of 3)", NO_BARE, "n/a",
                        f"< {TARGET_SECONDS:g} s" if targeted else "none set",
                        yes_no(f["total"] < TARGET_SECONDS) if targeted else "no target",
                        data={key: round(value, 4) if isinstance(value, float) else value for key, value in f.items()}))
    return rows


def run(args) -> list:
    """For run_all.py: the measurements as rows of the common table (benchmarks/rows.py)."""
    return to_rows(collect(args))


def main() -> None:
    collect(build_parser().parse_args())


if __name__ == "__main__":
    main()
