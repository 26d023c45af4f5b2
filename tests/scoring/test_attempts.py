"""score_attempt and passed; and the package stays pure."""

import ast
import dataclasses
import math
import sys
from pathlib import Path

import pytest

import app.scoring
from app.scoring import (
    AREA_TO_DEVELOP,
    STRENGTH,
    AttemptScore,
    ItemResult,
    StatementResult,
    passed,
    score_attempt,
)


def item(kss: str = "P1", score: float = 1.0, answered: bool = True) -> ItemResult:
    return ItemResult(kss=kss, score=score, answered=answered)


def statement(code: str, *scores: float) -> list[ItemResult]:
    return [item(code, score) for score in scores]


def test_empty_attempt():
    result = score_attempt([])
    assert result == AttemptScore(score=0.0, max_score=0.0, answered=0, by_statement=())
    assert result.percent == 0.0


def test_totals_and_breakdown():
    results = [item("P2", 5 / 6), item("P2", 0.75), item("P10", 1.0), item("P10", 0.0, answered=False), item("P2", 1 / 3)]
    result = score_attempt(results)
    assert (result.score, result.max_score, result.answered, result.percent) == (2.92, 5.0, 4, 58.4)
    assert result.by_statement == (
        StatementResult(code="P2", score=1.92, max_score=3.0, items=3, label=AREA_TO_DEVELOP),
        StatementResult(code="P10", score=1.0, max_score=2.0, items=2, label=None),
    )
    assert [s.percent for s in result.by_statement] == [64.0, 50.0]


def test_total_is_the_rounded_sum_of_items_not_of_rounded_statements():
    results = [item("P1", 0.005), item("P2", 0.005), item("P3", 0.005)]  # each statement rounds to 0.0 or 0.01
    assert score_attempt(results).score == 0.01  # 0.015 rounded, whatever the statements show


def test_order_of_results_does_not_matter():
    results = [item(code, score) for code, score in [("S3", 1 / 3), ("P1", 0.1), ("P10", 5 / 6), ("P1", 0.2), ("S3", 0.7)]]
    assert score_attempt(results) == score_attempt(reversed(results)) == score_attempt(sorted(results, key=lambda r: r.score))


def test_accepts_any_iterable():
    assert score_attempt(item("P1") for _ in range(3)).score == 3.0


@pytest.mark.parametrize(
    "codes, expected",
    [
        pytest.param(["P10", "P2", "P1"], ["P1", "P2", "P10"], id="number-as-number"),
        pytest.param(["S10", "P10", "S2", "P2", "S3"], ["P2", "P10", "S2", "S3", "S10"], id="prefix-then-number"),
        pytest.param(["P5", "P5", "P3", "P5"], ["P3", "P5"], id="one-row-per-code"),
        pytest.param(["P11", "P1", "P100", "P9"], ["P1", "P9", "P11", "P100"], id="many-digits"),
    ],
)
def test_statements_in_natural_order(codes, expected):
    assert [s.code for s in score_attempt(item(code) for code in codes).by_statement] == expected


@pytest.mark.parametrize(
    "scores, options, expected",
    [
        pytest.param([1, 1, 1], {}, STRENGTH, id="all-right"),
        pytest.param([1, 1, 0], {}, AREA_TO_DEVELOP, id="two-of-three-below-0.7"),
        pytest.param([1, 1, 0.1], {}, STRENGTH, id="exactly-0.7-in-floats-2.1/3"),
        pytest.param([1, 1, 0.09], {}, AREA_TO_DEVELOP, id="just-below-0.7"),
        pytest.param([1] * 7 + [0] * 3, {}, STRENGTH, id="exactly-7-of-10"),
        pytest.param([1] * 6 + [0.99] + [0] * 3, {}, AREA_TO_DEVELOP, id="6.99-of-10"),
        pytest.param([0, 0, 0], {}, AREA_TO_DEVELOP, id="none-right"),
        pytest.param([1, 1], {}, None, id="too-few-items"),
        pytest.param([0, 0], {}, None, id="too-few-items-even-if-all-wrong"),
        pytest.param([1, 1], {"min_items_for_label": 2}, STRENGTH, id="min-items-lowered"),
        pytest.param([1], {"min_items_for_label": 1}, STRENGTH, id="one-item-enough"),
        pytest.param([1, 1, 1], {"min_items_for_label": 4}, None, id="min-items-raised"),
        pytest.param([1, 0.5, 0], {"strength_at": 0.5}, STRENGTH, id="exactly-custom-threshold"),
        pytest.param([1, 1, 0.4], {"strength_at": 0.8}, STRENGTH, id="exactly-0.8-though-2.4/3-is-0.7999999999999999"),
        pytest.param([1, 1, 1], {"strength_at": 1.0}, STRENGTH, id="threshold-1-all-right"),
        pytest.param([1, 1, 0.99], {"strength_at": 1.0}, AREA_TO_DEVELOP, id="threshold-1-not-quite"),
        pytest.param([1, 1, 0.9999], {"strength_at": 1.0}, STRENGTH, id="judged-on-the-rounded-score-shown"),
    ],
)
def test_labels(scores, options, expected):
    (result,) = score_attempt(statement("P1", *scores), **options).by_statement
    assert result.label == expected


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"strength_at": 0}, id="strength-at-0"),
        pytest.param({"strength_at": -0.1}, id="strength-at-negative"),
        pytest.param({"strength_at": 1.01}, id="strength-at-above-1"),
        pytest.param({"strength_at": 70}, id="strength-at-as-percent"),
        pytest.param({"strength_at": math.nan}, id="strength-at-nan"),
        pytest.param({"min_items_for_label": 0}, id="min-items-0"),
        pytest.param({"min_items_for_label": -1}, id="min-items-negative"),
    ],
)
def test_score_attempt_rejects_bad_arguments(options):
    with pytest.raises(ValueError):
        score_attempt([item()], **options)


@pytest.mark.parametrize(
    "score, answered",
    [
        pytest.param(-0.1, True, id="negative"),
        pytest.param(1.01, True, id="above-max"),
        pytest.param(math.nan, True, id="nan"),
        pytest.param(0.5, False, id="unanswered-with-credit"),
    ],
)
def test_item_result_rejects_impossible_scores(score, answered):
    with pytest.raises(ValueError):
        ItemResult(kss="P1", score=score, answered=answered)


def test_results_are_frozen():
    result = score_attempt([item()])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 2.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.by_statement[0].label = None  # type: ignore[misc]


@pytest.mark.parametrize(
    "scores, expected",
    [
        pytest.param([], 0.0, id="zero-items"),
        pytest.param([0.0], 0.0, id="nothing-right"),
        pytest.param([1, 1, 0], 66.7, id="two-thirds"),
        pytest.param([1, 0, 0], 33.3, id="one-third"),
        pytest.param([1, 1, 1], 100.0, id="all-right"),
        pytest.param([1] * 7 + [0] * 3, 70.0, id="seven-of-ten"),
    ],
)
def test_percent(scores, expected):
    assert score_attempt(statement("P1", *scores)).percent == expected


@pytest.mark.parametrize(
    "score, cut_score, expected",
    [
        pytest.param(42.0, 42.0, True, id="exactly-the-cut"),
        pytest.param(42.01, 42.0, True, id="above"),
        pytest.param(41.99, 42.0, False, id="0.01-below"),
        pytest.param(0.1 + 0.2, 0.3, True, id="float-noise-above"),
        pytest.param(0.7 + 0.2, 0.9, True, id="float-noise-below-within-tolerance"),  # 0.8999999999999999
        pytest.param(0.3 - 1e-8, 0.3, False, id="below-beyond-tolerance"),
        pytest.param(0.0, 0.0, True, id="zero-cut"),
    ],
)
def test_passed(score, cut_score, expected):
    assert passed(score, cut_score) is expected


@pytest.mark.parametrize("path", sorted(Path(app.scoring.__file__).parent.glob("*.py")), ids=lambda path: path.name)
def test_scoring_imports_nothing_but_the_standard_library_and_itself(path):
    """The core stays pure: no Flask, no database, nothing else from the app."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    outside = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
    assert {name for name in outside if not name.startswith("app.scoring")} == set()

