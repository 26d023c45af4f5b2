"""Agreement statistics against published values."""

import pytest

from app.practice.agreement import (
    LENIENT,
    LOW_KAPPA,
    OFTEN_MODERATED,
    SEVERE,
    adjacent_agreement,
    exact_agreement,
    rater_statistics,
    severity,
    weighted_kappa,
)

# Maple's EssayTools[QuadraticWeightedKappa] documentation, examples 1 and 2 (scale taken from the
# data: 1 to 10): 0.758620689655172 and 0.438095238095238.
ESSAY_A = [9, 7, 8, 7, 6, 8, 3, 5, 10]
ESSAY_B = [8, 8, 6, 6, 7, 6, 1, 4, 8]
ESSAY_C = [3, 5, 6, 6, 7, 6, 1, 4, 8]


def test_quadratic_weighted_kappa_matches_the_published_examples():
    assert weighted_kappa(ESSAY_A, ESSAY_B, lo=1, hi=10) == pytest.approx(0.758620689655172, abs=1e-12)
    assert weighted_kappa(ESSAY_A, ESSAY_C, lo=1, hi=10) == pytest.approx(0.438095238095238, abs=1e-12)


def test_unweighted_kappa_matches_the_textbook_two_by_two():
    # Wikipedia "Cohen's kappa", worked example: 50 proposals; both yes 20, both no 15, A yes B no 5,
    # A no B yes 10: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    first = [1] * 20 + [1] * 5 + [2] * 10 + [2] * 15
    second = [1] * 20 + [2] * 5 + [1] * 10 + [2] * 15
    assert weighted_kappa(first, second, lo=1, hi=2, weights="none") == pytest.approx(0.4)
    # With two categories every weighting is the same.
    assert weighted_kappa(first, second, lo=1, hi=2) == pytest.approx(0.4)


@pytest.mark.parametrize(("first", "second", "kappa"), [
    ([1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7], 1.0),  # perfect agreement
    ([4, 4, 4], [4, 4, 4], None),  # one mark throughout: chance agreement is certain, kappa undefined
    ([], [], None),
])
def test_kappa_edge_cases(first, second, kappa):
    assert weighted_kappa(first, second) == kappa


def test_reversed_marks_give_negative_kappa():
    assert weighted_kappa([1, 2, 6, 7], [7, 6, 2, 1]) < -0.9


def test_agreement_shares_and_severity():
    assert exact_agreement([4, 5, 3, 6], [4, 6, 5, 6]) == 0.5
    assert adjacent_agreement([4, 5, 3, 6], [4, 6, 5, 6]) == 0.75
    assert severity([3, 4, 5], [4, 4.5, 5]) == pytest.approx(-0.5)
    assert exact_agreement([], []) is None and severity([], []) is None


@pytest.mark.parametrize(("first", "second"), [([1, 2], [1]), ([0, 2], [1, 2]), ([1.5], [2])])
def test_bad_marks_are_refused(first, second):
    with pytest.raises(ValueError):
        weighted_kappa(first, second)


def test_rater_flags_need_enough_pairs():
    severe = [3] * 12
    agreed = [4.5] * 12
    co_marker = [6] * 12
    stats = rater_statistics(severe, co_marker, agreed, sittings=4, moderated=3)
    assert set(stats.flags) == {LOW_KAPPA, SEVERE, OFTEN_MODERATED} and stats.kappa == 0  # no better than chance
    lenient = rater_statistics([6, 7, 6, 7, 6, 7, 6, 7, 6, 7], [2, 3, 2, 3, 2, 3, 2, 3, 2, 3], [4] * 10, sittings=2, moderated=0)
    assert LENIENT in lenient.flags and LOW_KAPPA in lenient.flags
    few = rater_statistics([3, 3], [6, 6], [4.5, 4.5], sittings=1, moderated=1)
    assert few.flags == ()
    with pytest.raises(ValueError):
        rater_statistics([3], [3], [3], sittings=1, moderated=2)
