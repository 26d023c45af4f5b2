"""Scoring a form's items after corrections, and what a correction changed. Pure.

A **key correction** replaces an item's key: every answer to it is scored again against the new key.
A **void** removes an item from the assessment as if it had not been on the form: it adds nothing to
the candidate's score or to the marks available, and its agreed Angoff rating leaves the form's cut
score (the cut score is the sum of the ratings of the items that count). The candidate's statement
profile is recomputed from the items that count. Nobody loses credit because of a faulty question
that they could not have answered correctly, and nobody gains a mark for it either.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.scoring.attempts import AttemptScore, ItemResult, score_attempt
from app.scoring.items import score_response
from app.scoring.standard_setting import form_cut_score, knowledge_decision


@dataclass(frozen=True)
class ScoredItem:
    """One item on a form, as scoring sees it after any corrections."""

    kss: str  # the item's primary statement code
    item_type: str
    key: tuple[str, ...]
    option_count: int
    voided: bool = False
    rating: float | None = None  # the agreed Angoff rating it brought to the form's cut score


@dataclass(frozen=True)
class Outcome:
    score: float
    max_score: float
    cut_score: float | None
    passed: bool | None  # None when the form has no cut score
    profile: AttemptScore
    below_minimum: tuple[str, ...] = ()
    voided: int = 0  # items on the form that no longer count

    @property
    def questions(self) -> int:
        """Questions that count."""
        return sum(statement.items for statement in self.profile.by_statement)


def form_cut(items: Sequence[ScoredItem]) -> float | None:
    """The cut score of a form: the sum of the ratings of the items that count, or None when any of
    them has no recorded rating (a form prepared before ratings were kept per item) or none counts."""
    counted = [item.rating for item in items if not item.voided]
    if not counted or any(rating is None for rating in counted):
        return None
    return form_cut_score(counted)


def attempt_outcome(items: Sequence[ScoredItem], answers: Sequence[Sequence[str]], *, rule: str,
                    cut_score: float | None, statement_minimum_percent: int | None = None) -> Outcome:
    """Score the answers (one per item, in form order; an empty answer is unanswered) against the
    items that count, and decide pass or fail against `cut_score`."""
    if len(items) != len(answers):
        raise ValueError(f"{len(items)} items but {len(answers)} answers")
    profile = score_attempt(
        ItemResult(item.kss, score_response(item.item_type, answer, item.key, item.option_count, rule=rule), bool(answer))
        for item, answer in zip(items, answers, strict=True) if not item.voided)
    voided = sum(item.voided for item in items)
    if cut_score is None:
        return Outcome(profile.score, profile.max_score, None, None, profile, voided=voided)
    decision = knowledge_decision(profile.score, cut_score, profile.by_statement,
                                  statement_minimum_percent=statement_minimum_percent)
    return Outcome(profile.score, profile.max_score, cut_score, decision.passed, profile, decision.below_minimum, voided)
