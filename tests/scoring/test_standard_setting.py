"""The modified Angoff method: spread of ratings, the proposed agreed rating, a form's cut score,
and the knowledge pass decision with its optional per-statement minimum."""

import math

import pytest

from app.scoring import (
    DISCUSS_RANGE,
    MIN_RATINGS,
    StatementResult,
    form_cut_score,
    knowledge_decision,
    passed,
    proposed_rating,
    spread,
)


@pytest.mark.parametrize(
    "ratings, n, mean, sd, low, high, discuss",
    [
        pytest.param([0.6], 1, 0.6, 0.0, 0.6, 0.6, False, id="one-judge-nothing-to-discuss"),
        pytest.param([0.5, 0.7], 2, 0.6, 0.1, 0.5, 0.7, False, id="two-close"),
        pytest.param([0.4, 0.6, 0.8], 3, 0.6, math.sqrt(0.08 / 3), 0.4, 0.8, True, id="range-0.4"),
        pytest.param([0.5, 0.8], 2, 0.65, 0.15, 0.5, 0.8, True, id="range-exactly-the-threshold"),
        pytest.param([0, 1], 2, 0.5, 0.5, 0.0, 1.0, True, id="extremes"),
        pytest.param([0.7, 0.7, 0.7, 0.7], 4, 0.7, 0.0, 0.7, 0.7, False, id="unanimous"),
    ],
)
def test_spread(ratings, n, mean, sd, low, high, discuss):
    result = spread(ratings)
    assert (result.n, result.low, result.high, result.needs_discussion) == (n, low, high, discuss)
    assert result.mean == pytest.approx(mean) and result.sd == pytest.approx(sd)


def test_discussion_threshold_is_documented_at_30_points():
    assert DISCUSS_RANGE == 0.30


def test_no_ratings_no_spread():
    assert spread([]) is None


@pytest.mark.parametrize("bad", [-0.01, 1.01, math.nan, math.inf, "0.5", None])
def test_a_rating_is_a_probability(bad):
    with pytest.raises(ValueError, match="probability from 0 to 1"):
        spread([0.5, bad])


@pytest.mark.parametrize(
    "ratings, expected",
    [
        pytest.param([0.5, 0.6, 0.7], 0.6, id="mean"),
        pytest.param([0.55, 0.6, 0.6], 0.58, id="rounded-to-2dp"),
        pytest.param([0.3, 0.4, 0.5, 0.95], 0.54, id="four-panellists"),
    ],
)
def test_proposed_rating_is_the_final_round_mean(ratings, expected):
    assert proposed_rating(ratings) == expected


@pytest.mark.parametrize("ratings", [[], [0.5], [0.5, 0.6]])
def test_an_agreed_rating_needs_a_panel(ratings):
    assert MIN_RATINGS == 3
    with pytest.raises(ValueError, match="needs at least 3"):
        proposed_rating(ratings)


@pytest.mark.parametrize(
    "ratings, expected",
    [
        pytest.param([0.6] * 30, 18.0, id="thirty-at-0.6"),
        pytest.param([0.1] * 3, 0.3, id="not-0.31-from-float-noise"),  # 0.1 + 0.1 + 0.1 = 0.30000000000000004 in floats
        pytest.param([0.55, 0.72, 0.4, 0.81], 2.48, id="sum"),
        pytest.param([1.0, 0.0], 1.0, id="extremes"),
        pytest.param([0.333, 0.333], 0.67, id="rounded-up-from-0.666"),
    ],
)
def test_form_cut_score_is_the_sum_of_agreed_ratings(ratings, expected):
    assert form_cut_score(ratings) == expected


def test_harder_forms_get_lower_cut_scores():
    easy, hard = [0.8] * 10 + [0.6] * 20, [0.5] * 10 + [0.6] * 20
    assert form_cut_score(hard) < form_cut_score(easy)


@pytest.mark.parametrize("bad", [[], [0.5, 1.5], [math.nan]])
def test_form_cut_score_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        form_cut_score(bad)


def test_the_cut_never_passes_a_candidate_below_it():
    cut = form_cut_score([0.333, 0.333])  # 0.666 marks, rounded up
    assert not passed(0.66, cut) and passed(0.67, cut)


def statements(*pairs):
    return [StatementResult(code, score, max_score, int(max_score), None) for code, score, max_score in pairs]


@pytest.mark.parametrize(
    "score, cut, by_statement, minimum, expected_pass, reached, below",
    [
        pytest.param(18.0, 17.5, statements(("P1", 1, 4)), None, True, True, (), id="off-by-default"),
        pytest.param(17.49, 17.5, statements(("P1", 4, 4)), None, False, False, (), id="below-cut"),
        pytest.param(18.0, 17.5, statements(("P1", 2, 4), ("P2", 3, 4)), 50, True, True, (), id="every-statement-at-minimum"),
        pytest.param(18.0, 17.5, statements(("P1", 1, 4), ("P2", 3, 4), ("P3", 0.5, 3)), 50, False, True, ("P1", "P3"),
                     id="statements-below-minimum"),
        pytest.param(10.0, 17.5, statements(("P1", 1, 4)), 50, False, False, ("P1",), id="both-fail"),
        pytest.param(18.0, 17.5, statements(("P1", 1 / 3 * 3, 3)), 33, True, True, (), id="unrounded-percent"),
    ],
)
def test_knowledge_decision(score, cut, by_statement, minimum, expected_pass, reached, below):
    decision = knowledge_decision(score, cut, by_statement, statement_minimum_percent=minimum)
    assert (decision.passed, decision.reached_cut_score, decision.below_minimum) == (expected_pass, reached, below)


@pytest.mark.parametrize("minimum", [0, -10, 101])
def test_knowledge_decision_rejects_a_bad_minimum(minimum):
    with pytest.raises(ValueError, match="percentage"):
        knowledge_decision(20, 18, [], statement_minimum_percent=minimum)
