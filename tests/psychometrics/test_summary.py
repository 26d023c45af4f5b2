"""summarise and reliability: published examples, the incomplete-design formula, and the cases
with too little data."""

import math

import numpy as np
import pytest

from app.psychometrics import (
    ALPHA,
    COMPLETE,
    KR20,
    RANDOMLY_PARALLEL,
    Reliability,
    analyse_items,
    distribution_percentages,
    pass_rate,
    reliability,
    score_distribution,
    standard_error_of_measurement,
    summarise,
)
from tests.psychometrics.helpers import from_matrix, random_incomplete
from tests.psychometrics.test_item_analysis import WUENSCH, WUENSCH_P, wuensch


def test_kr20_wuensch_worked_example():
    """Wuensch, "The Kuder-Richardson 20" (https://core.ecu.edu/wuenschk/StatHelp/KR20.txt) publishes
    the working: p·q per item .21 .21 .24 .21 .24 .16 .21 .21 .25 .24 (sum 2.18) and the variance
    of the totals 5.84 (population: Σ(X - 6.6)² / 10 = 58.4 / 10). The page leaves the last step to
    the reader: KR-20 = 10/9 · (1 - 2.18 / 5.84) = 0.69635..."""
    summary = summarise(wuensch())
    assert (summary.n, summary.mean, summary.minimum, summary.maximum) == (10, 6.6, 2.0, 9.0)
    assert summary.sd ** 2 == pytest.approx(5.84, abs=1e-12)
    assert sum(p * (1 - p) for p in WUENSCH_P) == pytest.approx(2.18, abs=1e-12)
    kr20 = 10 / 9 * (1 - 2.18 / 5.84)
    assert summary.reliability == Reliability(pytest.approx(kr20, abs=1e-12), KR20, COMPLETE, 10, None)
    assert summary.reliability.coefficient == pytest.approx(0.69635, abs=5e-6)
    assert summary.sem == pytest.approx(math.sqrt(5.84) * math.sqrt(1 - kr20), abs=1e-12)
    assert summary.percent_mean == pytest.approx(66.0, abs=1e-12)
    assert summary.marks_available == 10.0
    assert summary.distribution == (0, 0, 2, 0, 0, 0, 0, 4, 2, 2, 0)


def test_alpha_statology_pingouin_example():
    """Statology, "How to Calculate Cronbach's Alpha in Python" (statology.org; the same page is copied at
    https://legaltree.in/cronbachs-alpha-in-python): ten customers rate three questions 1-3, and
    pingouin.cronbach_alpha prints (0.7734375, array([0.336, 0.939])).
    Our items score in [0, 1], so the ratings are mapped by (x - 1) / 2 to 0, 0.5, 1: one linear
    map for every item multiplies every variance (items and total) by 1/4, which alpha's ratio cancels."""
    q1 = [1, 2, 2, 3, 2, 2, 3, 3, 2, 3]
    q2 = [1, 1, 1, 2, 3, 3, 2, 3, 3, 3]
    q3 = [1, 1, 2, 1, 2, 3, 3, 3, 2, 3]
    matrix = (np.array([q1, q2, q3]).T - 1) / 2
    result = reliability(from_matrix(matrix))
    assert (result.method, result.design, result.items_per_form) == (ALPHA, COMPLETE, 3)
    assert result.coefficient == pytest.approx(0.7734375, abs=1e-12)


def textbook_alpha(matrix: np.ndarray) -> float:
    """k/(k-1) · (1 - Σ item variances / variance of totals), population variances."""
    k = matrix.shape[1]
    return k / (k - 1) * (1 - matrix.var(axis=0).sum() / matrix.sum(axis=1).var())


@pytest.mark.parametrize("seed", range(5))
def test_the_incomplete_formula_is_the_textbook_one_for_a_complete_design(seed):
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(60, 1))
    matrix = np.clip(np.round((ability + rng.normal(size=(60, 8))) * 2) / 8 + 0.5, 0, 1)  # eighths, correlated
    result = reliability(from_matrix(matrix))
    assert result.design == COMPLETE
    assert result.coefficient == pytest.approx(textbook_alpha(matrix), abs=1e-12)


def test_row_order_does_not_matter():
    responses = from_matrix(WUENSCH)
    order = np.random.default_rng(0).permutation(responses.n_rows)
    shuffled = type(responses)(attempt=responses.attempt[order], item=responses.item[order], score=responses.score[order],
                               chosen=responses.chosen[order], key=responses.key, item_type=responses.item_type,
                               option_count=responses.option_count)
    assert reliability(shuffled).coefficient == pytest.approx(reliability(responses).coefficient, abs=1e-12)


@pytest.mark.parametrize("seed", [21, 22])
def test_randomly_parallel_forms_by_brute_force(seed):
    """α = k/(k-1) (1 - mean over attempts of Σ_{i on its form} s_i² / s_X²), with a Python loop."""
    responses = random_incomplete(n_attempts=300, n_items=30, form_length=10, seed=seed)
    rows = list(zip(responses.attempt.tolist(), responses.item.tolist(), responses.score.tolist(), strict=True))
    by_item: dict[int, list[float]] = {}
    forms: dict[int, list[int]] = {}
    totals: dict[int, float] = {}
    for a, i, s in rows:
        by_item.setdefault(i, []).append(s)
        forms.setdefault(a, []).append(i)
        totals[a] = totals.get(a, 0.0) + s
    variance = {i: float(np.var(scores)) for i, scores in by_item.items()}
    mean_sum = sum(sum(variance[i] for i in form) for form in forms.values()) / len(forms)
    expected = 10 / 9 * (1 - mean_sum / float(np.var(list(totals.values()))))
    result = reliability(responses)
    assert (result.design, result.method, result.items_per_form) == (RANDOMLY_PARALLEL, ALPHA, 10)
    assert result.coefficient == pytest.approx(expected, abs=1e-12)


def test_forms_of_different_length_have_no_reliability():
    responses = from_matrix(WUENSCH)
    shorter = type(responses)(attempt=responses.attempt[1:], item=responses.item[1:], score=responses.score[1:],
                              chosen=responses.chosen[1:], key=responses.key, item_type=responses.item_type,
                              option_count=responses.option_count)
    summary = summarise(shorter)
    assert summary.reliability == Reliability(None, KR20, None, None, "forms differ in length (9 to 10 items): no single k")
    assert summary.sem is None and summary.marks_available is None
    assert summary.percent_mean == pytest.approx(np.mean(100 * shorter.totals / shorter.marks_available))
    assert len(summary.distribution) == 11


@pytest.mark.parametrize(
    "matrix, reason",
    [
        pytest.param(np.zeros((0, 3)), "0 attempts: reliability needs at least 2", id="empty"),
        pytest.param([[1, 0, 1]], "1 attempt: reliability needs at least 2", id="one-candidate"),
        pytest.param([[1, 0], [0, 1], [1, 0]], "every attempt has the same total: no variance", id="no-spread"),
        pytest.param([[1], [0], [1]], "one item per form: reliability needs at least 2", id="one-item"),
    ],
)
def test_too_little_data_gives_none_and_a_reason(matrix, reason):
    responses = from_matrix(np.array(matrix, dtype=float).reshape(-1, np.shape(matrix)[1]))
    summary = summarise(responses)
    assert summary.reliability.coefficient is None and summary.reliability.reason == reason
    assert summary.sem is None
    values = [summary.mean, summary.sd, summary.minimum, summary.maximum, summary.percent_mean]
    assert all(value is None or math.isfinite(value) for value in values)


def test_empty_cohort_summary():
    summary = summarise(from_matrix(np.zeros((0, 3))), passed=np.array([], dtype=bool))
    assert (summary.n, summary.mean, summary.sd, summary.distribution, summary.pass_rate, summary.reason) == (
        0, None, None, (), None, "no attempts")


def test_one_candidate_summary():
    summary = summarise(from_matrix([[1, 0, 1]]))
    assert (summary.n, summary.mean, summary.sd, summary.minimum, summary.maximum) == (1, 2.0, 0.0, 2.0, 2.0)


def test_item_given_to_one_attempt_only():
    responses = random_incomplete(n_attempts=3, n_items=30, form_length=2, seed=5)
    assert reliability(responses).reason == "an item was given to only 1 attempt: no variance for it"


@pytest.mark.parametrize(
    "sd, coefficient, sem",
    [(4.0, 0.75, 2.0), (4.0, 1.0, 0.0), (4.0, 0.0, 4.0), (4.0, -0.2, None), (4.0, None, None), (None, 0.8, None),
     (4.0, 1.5, None)],
)
def test_standard_error_of_measurement(sd, coefficient, sem):
    assert standard_error_of_measurement(sd, coefficient) == sem


@pytest.mark.parametrize(
    "totals, max_marks, counts",
    [
        ([], 3, (0, 0, 0, 0)),
        ([0, 3, 3], 3, (1, 0, 0, 2)),
        ([0.5, 0.9999999999999, 1.0, 2.75], 3, (1, 2, 1, 0)),  # a hair under 1 is float noise on 1
        ([29.999999999999996, 12.5], 30, (0,) * 12 + (1,) + (0,) * 17 + (1,)),
    ],
)
def test_score_distribution(totals, max_marks, counts):
    assert score_distribution(np.array(totals, dtype=float), max_marks) == counts


def test_score_distribution_rejects_totals_out_of_range():
    with pytest.raises(ValueError, match=r"totals lie in \[0, 3\]"):
        score_distribution(np.array([4.0]), 3)


def test_distribution_percentages_and_pass_rate():
    assert distribution_percentages((1, 0, 3)) == (25.0, 0.0, 75.0)
    assert distribution_percentages((0, 0)) is None
    assert pass_rate(np.array([True, False, True, True])) == 0.75
    assert pass_rate(np.array([], dtype=bool)) is None
    with pytest.raises(ValueError, match="boolean"):
        pass_rate(np.array([1, 0]))


def test_summary_per_form_and_pass_rate():
    responses = wuensch()
    summary = summarise(responses, passed=responses.totals >= 7)
    assert summary.pass_rate == 0.8
    first_five = summarise(responses.select(np.arange(10) < 5))
    assert (first_five.n, first_five.mean) == (5, pytest.approx(26 / 5))
    with pytest.raises(ValueError, match="one boolean per attempt"):
        summarise(responses, passed=np.array([True]))


def test_item_analysis_and_summary_agree_on_kr20_ingredients():
    items = analyse_items(wuensch()).items
    assert sum(item.facility * (1 - item.facility) for item in items) == pytest.approx(2.18, abs=1e-12)
