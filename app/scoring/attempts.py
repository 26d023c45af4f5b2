"""Totals for an attempt: overall, and per Knowledge and Skills Statement with a feedback label.

Item scores are summed with math.fsum, which is exact before its one rounding, so a total does not
depend on the order the items were answered in; totals are then rounded to 2 dp for reporting.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.scoring.items import MAX_ITEM_SCORE

STRENGTH = "strength"
AREA_TO_DEVELOP = "area_to_develop"
TOLERANCE = 1e-9  # float rounding slack when comparing a score with a threshold
STRENGTH_AT = 0.7  # share of a statement's marks at or above which it is a strength
MIN_ITEMS_FOR_LABEL = 3  # fewer items on a statement and it gets no label


@dataclass(frozen=True)
class ItemResult:
    """One scored item of an attempt. An unanswered item must score 0: anything else means the
    response and the answered flag disagree, which is a bug upstream."""

    kss: str  # the item's primary statement code
    score: float  # 0..MAX_ITEM_SCORE, from score_response
    answered: bool

    def __post_init__(self) -> None:
        if not 0 <= self.score <= MAX_ITEM_SCORE:  # also rejects NaN
            raise ValueError(f"an item score is between 0 and {MAX_ITEM_SCORE}, not {self.score}")
        if not self.answered and self.score != 0:
            raise ValueError(f"an unanswered item scores 0, not {self.score}")


@dataclass(frozen=True)
class StatementResult:
    code: str
    score: float  # sum of item scores, rounded to 2 dp
    max_score: float  # number of items on the statement (each worth MAX_ITEM_SCORE)
    items: int
    label: str | None  # STRENGTH, AREA_TO_DEVELOP, or None when too few items to say

    @property
    def percent(self) -> float:
        return _percent(self.score, self.max_score)


@dataclass(frozen=True)
class AttemptScore:
    score: float  # sum of all item scores, rounded to 2 dp (not the sum of the rounded statement scores)
    max_score: float
    answered: int
    by_statement: tuple[StatementResult, ...]  # in natural order of code: P2 before P10

    @property
    def percent(self) -> float:
        return _percent(self.score, self.max_score)


def score_attempt(results: Iterable[ItemResult], *, strength_at: float = STRENGTH_AT,
                  min_items_for_label: int = MIN_ITEMS_FOR_LABEL) -> AttemptScore:
    """The attempt's total and its per-statement breakdown.

    A statement with at least `min_items_for_label` items is labelled a strength when its score is
    at least `strength_at` of its maximum, else an area to develop; with fewer items one lucky or
    unlucky answer would decide the label, so it gets none. The label is judged on the rounded
    score, the one reported beside it, so the two never disagree.
    """
    if not 0 < strength_at <= 1:
        raise ValueError(f"strength_at is a proportion in (0, 1], not {strength_at}")
    if min_items_for_label < 1:
        raise ValueError(f"min_items_for_label is at least 1, not {min_items_for_label}")
    results = tuple(results)
    scores_by_code: dict[str, list[float]] = {}
    for result in results:
        scores_by_code.setdefault(result.kss, []).append(result.score)
    statements = tuple(
        _statement(code, scores_by_code[code], strength_at, min_items_for_label)
        for code in sorted(scores_by_code, key=_natural_key)
    )
    return AttemptScore(
        score=round(math.fsum(result.score for result in results), 2),
        max_score=len(results) * MAX_ITEM_SCORE,
        answered=sum(1 for result in results if result.answered),
        by_statement=statements,
    )


def passed(score: float, cut_score: float) -> bool:
    """Whether `score` reaches `cut_score`; a score a hair below it only through float rounding passes."""
    return score >= cut_score - TOLERANCE


def statement_label(score: float, max_score: float, items: int, *, strength_at: float = STRENGTH_AT,
                    min_items_for_label: int = MIN_ITEMS_FOR_LABEL) -> str | None:
    """Strength, area to develop, or None when too few items support a label."""
    if items < min_items_for_label or max_score <= 0:
        return None
    return STRENGTH if score / max_score >= strength_at - TOLERANCE else AREA_TO_DEVELOP


def _statement(code: str, scores: list[float], strength_at: float, min_items_for_label: int) -> StatementResult:
    score, max_score = round(math.fsum(scores), 2), len(scores) * MAX_ITEM_SCORE
    label = statement_label(score, max_score, len(scores), strength_at=strength_at, min_items_for_label=min_items_for_label)
    return StatementResult(code=code, score=score, max_score=max_score, items=len(scores), label=label)


def _natural_key(code: str) -> tuple[str, int, str]:
    """Sort key for statement codes: letter prefix, then number as a number (P2 before P10); the code
    itself breaks ties (P05 / P5) and orders any code without a trailing number first in its prefix."""
    match = re.fullmatch(r"(\D*)(\d+)", code)
    return (match[1], int(match[2]), code) if match else (code, -1, code)


def _percent(score: float, max_score: float) -> float:
    return 0.0 if max_score == 0 else round(100 * score / max_score, 1)
