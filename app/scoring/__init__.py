"""The pure scoring core of the knowledge assessment: item scores, attempt totals per Knowledge and
Skills Statement, and pass decisions. Plain functions over plain values and frozen dataclasses, with
no Flask or database, so the same numbers come out wherever it is called."""

from app.scoring.attempts import (
    AREA_TO_DEVELOP,
    MIN_ITEMS_FOR_LABEL,
    STRENGTH,
    STRENGTH_AT,
    AttemptScore,
    ItemResult,
    StatementResult,
    passed,
    score_attempt,
    statement_label,
)
from app.scoring.items import ITEM_TYPES, MAX_ITEM_SCORE, MULTIPLE_RESPONSE_RULES, score_response
from app.scoring.regrading import Outcome, ScoredItem, attempt_outcome, form_cut
from app.scoring.standard_setting import (
    DISCUSS_RANGE,
    MIN_RATINGS,
    KnowledgeDecision,
    Spread,
    form_cut_score,
    knowledge_decision,
    proposed_rating,
    spread,
)

__all__ = [
    "Outcome",
    "ScoredItem",
    "attempt_outcome",
    "form_cut",
    "DISCUSS_RANGE",
    "MIN_RATINGS",
    "KnowledgeDecision",
    "Spread",
    "form_cut_score",
    "knowledge_decision",
    "proposed_rating",
    "spread",
    "AREA_TO_DEVELOP",
    "MIN_ITEMS_FOR_LABEL",
    "STRENGTH_AT",
    "ITEM_TYPES",
    "MAX_ITEM_SCORE",
    "MULTIPLE_RESPONSE_RULES",
    "STRENGTH",
    "AttemptScore",
    "ItemResult",
    "StatementResult",
    "passed",
    "score_attempt",
    "score_response",
    "statement_label",
]
