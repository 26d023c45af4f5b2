"""Test statistics for a group of attempts (a form, a window): the score distribution, its
reliability and the standard error of measurement.

Spread is the population SD (divide by n, not n - 1): these numbers describe the cohort that sat,
not an estimate for some wider population, and KR-20 itself is written with population variances
(p·q is the population variance of a 0/1 item). The same n is used in every variance below, so the
choice cancels in the reliability ratio.

Reliability is coefficient alpha (Cronbach 1951); when every score is 0 or 1 it is KR-20 (Kuder &
Richardson 1937), the same formula with p·q for the item variance, and `method` says which.

Complete design (every attempt sat the same k items): the textbook formula,
    α = k/(k-1) · (1 - Σ_i s_i² / s_X²)
with s_i² the variance of item i's scores and s_X² the variance of the totals.

Incomplete design with equal form length k: each attempt sat its own k items from the bank,
assembled to one blueprint, so the forms are treated as randomly parallel. Then
    α = k/(k-1) · (1 - mean over attempts a of Σ_{i on a's form} s_i² / s_X²)
with s_i² the variance of item i among the attempts given it. The mean replaces Σ_i s_i², the sum
of item variances on "the" form, by its average over the forms actually sat. For a complete
design every attempt's form is all k items, so each attempt's sum is the same Σ_{i=1..k} s_i², their
mean is that sum, and the formula is the textbook one exactly (tests/psychometrics check this).
Forms of different lengths give no single k, so reliability is None with a reason rather than
an error: it is a property of the data, not a bug in the caller. An item given to fewer than 2
attempts has no variance estimate, so it too makes reliability None.

SEM = SD · sqrt(1 - reliability), in marks. None when reliability is None, negative (the items
do not hang together; sqrt(1 - α) > 1 would claim more error than total spread) or above 1.

Nothing here returns NaN: an empty cohort, one attempt or no spread gives None and a reason.
"""

import math
from dataclasses import dataclass

import numpy as np

from app.psychometrics.item_analysis import ZERO_VARIANCE
from app.psychometrics.responses import Responses

KR20 = "KR-20"
ALPHA = "Cronbach's alpha"
COMPLETE = "complete"
RANDOMLY_PARALLEL = "randomly parallel forms"
TOLERANCE = 1e-9  # float slack when putting a total into its integer-mark bin


@dataclass(frozen=True)
class Reliability:
    coefficient: float | None
    method: str | None  # KR20 or ALPHA
    design: str | None  # COMPLETE or RANDOMLY_PARALLEL
    items_per_form: int | None  # k
    reason: str | None  # why coefficient is None


@dataclass(frozen=True)
class ScoreSummary:
    n: int  # attempts
    marks_available: float | None  # per attempt, when every form has the same length
    mean: float | None
    sd: float | None  # population SD (divide by n)
    minimum: float | None
    maximum: float | None
    percent_mean: float | None  # mean over attempts of 100 × total / that attempt's marks available
    distribution: tuple[int, ...]  # attempts per integer-mark bin 0..max (bin m holds totals in [m, m+1))
    pass_rate: float | None  # share passing, when `passed` was given
    reliability: Reliability
    sem: float | None  # standard error of measurement, in marks
    reason: str | None  # why the descriptive statistics are None, if they are


def summarise(responses: Responses, *, passed: np.ndarray | None = None) -> ScoreSummary:
    """Descriptive statistics, distribution, pass rate and reliability for all of `responses`
    (use responses.select(mask) for one form or window)."""
    totals, marks = responses.totals, responses.marks_available
    n = totals.size
    if passed is not None and np.asarray(passed).shape != (n,):
        raise ValueError(f"passed has one boolean per attempt ({n}), not shape {np.asarray(passed).shape}")
    rate = pass_rate(passed) if passed is not None else None
    rel = reliability(responses)
    if n == 0:
        return ScoreSummary(n=0, marks_available=None, mean=None, sd=None, minimum=None, maximum=None, percent_mean=None,
                            distribution=(), pass_rate=rate, reliability=rel, sem=None, reason="no attempts")
    same_length = bool(np.all(marks == marks[0]))
    sd = float(np.std(totals))
    return ScoreSummary(
        n=n, marks_available=float(marks[0]) if same_length else None, mean=float(np.mean(totals)), sd=sd,
        minimum=float(totals.min()), maximum=float(totals.max()), percent_mean=float(np.mean(100 * totals / marks)),
        distribution=score_distribution(totals, float(marks.max())), pass_rate=rate, reliability=rel,
        sem=standard_error_of_measurement(sd, rel.coefficient), reason=None,
    )


def reliability(responses: Responses) -> Reliability:
    """KR-20 or coefficient alpha; see the module docstring for the incomplete-design formula."""
    r = responses
    n = r.n_attempts
    dichotomous = bool(np.all((r.score == 0) | (r.score == 1)))
    method = KR20 if dichotomous else ALPHA
    per_attempt = np.bincount(r.attempt, minlength=n)
    if n < 2:
        return Reliability(None, method, None, None, f"{n} attempt{'s' * (n != 1)}: reliability needs at least 2")
    if np.any(per_attempt != per_attempt[0]):
        return Reliability(None, method, None, None,
                           f"forms differ in length ({per_attempt.min()} to {per_attempt.max()} items): no single k")
    k = int(per_attempt[0])
    taken = np.bincount(r.item, minlength=r.n_items)
    design = COMPLETE if np.count_nonzero(taken) == k else RANDOMLY_PARALLEL
    if k < 2:
        return Reliability(None, method, design, k, "one item per form: reliability needs at least 2")
    if np.any((taken > 0) & (taken < 2)):
        return Reliability(None, method, design, k, "an item was given to only 1 attempt: no variance for it")
    totals = r.totals
    total_variance = float(np.var(totals))
    if total_variance <= ZERO_VARIANCE:
        return Reliability(None, method, design, k, "every attempt has the same total: no variance")
    with np.errstate(invalid="ignore", divide="ignore"):  # items nobody took are never indexed below
        means = np.bincount(r.item, weights=r.score, minlength=r.n_items) / taken
        deviation = r.score - means[r.item]
        item_variance = np.bincount(r.item, weights=deviation * deviation, minlength=r.n_items) / taken
    mean_sum = float(np.mean(np.bincount(r.attempt, weights=item_variance[r.item], minlength=n)))
    return Reliability(k / (k - 1) * (1 - mean_sum / total_variance), method, design, k, None)


def standard_error_of_measurement(sd: float | None, coefficient: float | None) -> float | None:
    """SD · sqrt(1 - reliability); None when either is None or reliability is outside [0, 1]."""
    if sd is None or coefficient is None or not 0 <= coefficient <= 1:
        return None
    return sd * math.sqrt(1 - coefficient)


def score_distribution(totals: np.ndarray, max_marks: float) -> tuple[int, ...]:
    """Counts of totals per integer-mark bin 0..floor(max_marks): bin m holds totals in [m, m + 1),
    so a full-marks total has a bin of its own."""
    if not (math.isfinite(max_marks) and max_marks >= 0):
        raise ValueError(f"max_marks is a finite number at least 0, not {max_marks}")
    totals = np.asarray(totals, dtype=np.float64)
    if totals.size and (not np.all(np.isfinite(totals)) or totals.min() < 0 or totals.max() > max_marks + TOLERANCE):
        raise ValueError(f"totals lie in [0, {max_marks}]")
    bins = np.floor(totals + TOLERANCE).astype(np.int64)
    return tuple(np.bincount(bins, minlength=math.floor(max_marks + TOLERANCE) + 1).tolist())


def distribution_percentages(counts: tuple[int, ...]) -> tuple[float, ...] | None:
    """Each bin as a percentage of all attempts (None when there are none)."""
    total = sum(counts)
    return tuple(100 * count / total for count in counts) if total else None


def pass_rate(passed: np.ndarray) -> float | None:
    """The share of True in `passed` (None for no attempts)."""
    passed = np.asarray(passed)
    if passed.dtype != bool:
        raise ValueError(f"passed is a boolean array, not {passed.dtype}")
    return float(passed.mean()) if passed.size else None
