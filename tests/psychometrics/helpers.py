"""Building Responses for the tests from small matrices and random incomplete designs."""

import numpy as np

from app.psychometrics import MULTIPLE_RESPONSE, RANKING, SINGLE_BEST_ANSWER, Responses


def from_matrix(matrix, *, attempt_ids=None) -> Responses:
    """A complete design from a candidates × items matrix of scores. 0/1 columns become single best
    answer items keyed "A" (a wrong answer chose "B"); other columns ranking items (every option
    chosen), which accept any score in [0, 1]."""
    scores = np.asarray(matrix, dtype=np.float64)
    n_attempts, n_items = scores.shape
    dichotomous = np.all((scores == 0) | (scores == 1), axis=0)
    item_type = np.where(dichotomous, SINGLE_BEST_ANSWER, RANKING)
    key = np.where(dichotomous, 0b1, 0b1111).astype(np.uint32)
    chosen = np.where(dichotomous, np.where(scores == 1, 0b1, 0b10), 0b1111).astype(np.uint32)
    return Responses(
        attempt=np.repeat(np.arange(n_attempts), n_items), item=np.tile(np.arange(n_items), n_attempts),
        score=scores.ravel(), chosen=chosen.ravel(), key=key, item_type=item_type, option_count=np.full(n_items, 4),
        attempt_ids=tuple(attempt_ids or range(n_attempts)),
    )


def random_incomplete(n_attempts: int, n_items: int, form_length: int, seed: int, *, partial: bool = True,
                      unanswered: float = 0.1) -> Responses:
    """Each attempt a random form of `form_length` items from a bank of `n_items`: single best
    answer (5 options), multiple response (3 of 8, per-option scores) and, if `partial`, ranking
    items with scores in eighths; abilities make scores correlate."""
    rng = np.random.default_rng(seed)
    item_type = rng.choice([SINGLE_BEST_ANSWER, MULTIPLE_RESPONSE, RANKING] if partial else [SINGLE_BEST_ANSWER], n_items)
    option_count = np.where(item_type == SINGLE_BEST_ANSWER, 5, np.where(item_type == MULTIPLE_RESPONSE, 8, 4))
    key = np.where(item_type == SINGLE_BEST_ANSWER, 1 << rng.integers(0, 5, n_items),
                   np.where(item_type == MULTIPLE_RESPONSE, 0b10010100, 0b1111)).astype(np.uint32)
    forms = np.argsort(rng.random((n_attempts, n_items)), axis=1)[:, :form_length]
    attempt = np.repeat(np.arange(n_attempts), form_length)
    item = forms.ravel()
    ability = rng.normal(0, 1, n_attempts)[attempt]
    good = rng.random(item.size) < 1 / (1 + np.exp(-(ability - rng.normal(0, 1, n_items)[item])))
    row_type, row_key, width = item_type[item], key[item], option_count[item]
    random_mask = (rng.integers(0, 1 << 8, item.size) & ((1 << width) - 1)).astype(np.uint32)
    chosen = np.where(good, row_key, np.where(row_type == SINGLE_BEST_ANSWER, 1 << rng.integers(0, 5, item.size), random_mask))
    chosen = np.where(row_type == RANKING, 0b1111, chosen).astype(np.uint32)
    chosen[rng.random(item.size) < unanswered] = 0
    right = np.bitwise_count(chosen & row_key).astype(np.int64)
    wrong = np.bitwise_count(chosen & ~row_key).astype(np.int64)
    score = np.where(row_type == SINGLE_BEST_ANSWER, (chosen == row_key) * 1.0, np.maximum(0, (right - wrong) / 3))
    eighths = np.where(good, 1.0, rng.integers(0, 8, item.size) / 8)
    score = np.where(row_type == RANKING, eighths, score)
    score[chosen == 0] = 0.0
    return Responses(attempt=attempt, item=item, score=score, chosen=chosen, key=key, item_type=item_type,
                     option_count=option_count, attempt_ids=tuple(f"attempt-{a}" for a in range(n_attempts)),
                     item_ids=tuple(f"item-{i}" for i in range(n_items)))
