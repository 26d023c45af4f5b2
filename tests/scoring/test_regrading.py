"""The pure rules of regrading: voided items count for nothing, and their ratings leave the cut score."""

import pytest

from app.scoring import ScoredItem, attempt_outcome, form_cut


def sba(kss="P1", key="A", voided=False, rating=0.6):
    return ScoredItem(kss, "single_best_answer", (key,), 4, voided, rating)


@pytest.mark.parametrize(("items", "answers", "cut", "expected"), [
    # (score, max_score, passed, voided, questions)
    ([sba(), sba(), sba()], [["A"], ["A"], ["B"]], 1.8, (2, 3, True, 0, 3)),
    ([sba(), sba(), sba(voided=True)], [["A"], ["A"], ["A"]], 1.2, (2, 2, True, 1, 2)),  # the voided right answer earns nothing
    ([sba(), sba(key="B"), sba()], [["A"], ["A"], []], 2.0, (1, 3, False, 0, 3)),
    ([sba(voided=True)], [["A"]], 0.0, (0, 0, True, 1, 0)),  # nothing counts: nothing to fail
])
def test_attempt_outcome(items, answers, cut, expected):
    outcome = attempt_outcome(items, answers, rule="all_or_nothing", cut_score=cut)
    assert (outcome.score, outcome.max_score, outcome.passed, outcome.voided, outcome.questions) == expected


def test_without_a_cut_score_there_is_no_decision():
    outcome = attempt_outcome([sba()], [["A"]], rule="all_or_nothing", cut_score=None)
    assert (outcome.score, outcome.cut_score, outcome.passed) == (1, None, None)


def test_a_statement_minimum_is_judged_on_the_items_that_count():
    items = [sba("P1"), sba("P1"), sba("P2"), sba("P2", voided=True)]
    outcome = attempt_outcome(items, [["A"], ["A"], ["B"], ["A"]], rule="all_or_nothing", cut_score=1.0, statement_minimum_percent=50)
    assert outcome.passed is False and outcome.below_minimum == ("P2",)


@pytest.mark.parametrize(("items", "expected"), [
    ([sba(rating=0.6), sba(rating=0.55)], 1.15),
    ([sba(rating=0.6), sba(rating=0.55, voided=True)], 0.6),
    ([sba(rating=None, voided=True), sba(rating=0.7)], 0.7),  # a voided item's missing rating does not matter
    ([sba(rating=None), sba(rating=0.7)], None),  # a counted item without a rating: the cut cannot be recomputed
    ([sba(voided=True)], None),  # nothing counts: no cut score
])
def test_form_cut(items, expected):
    assert form_cut(items) == expected


def test_answers_must_match_items():
    with pytest.raises(ValueError, match="2 items but 1 answers"):
        attempt_outcome([sba(), sba()], [["A"]], rule="all_or_nothing", cut_score=1)
