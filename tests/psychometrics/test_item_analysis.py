"""analyse_items: facility, corrected point-biserial, upper-lower D, options and flags; worked
examples by hand and a slow reference implementation on incomplete designs."""

import math
import statistics

import numpy as np
import pytest

from app.psychometrics import (
    DISTRACTOR_BEATS_KEY,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    WEAK_DISCRIMINATION,
    ItemInfo,
    OptionStatistics,
    Responses,
    analyse_items,
    item_flags,
    upper_lower_groups,
)
from tests.psychometrics.helpers import from_matrix, random_incomplete

# Wuensch, K. L., "The Kuder-Richardson 20", East Carolina University StatHelp,
# https://core.ecu.edu/wuenschk/StatHelp/KR20.txt: ten students (A-J), a ten-item quiz scored 0/1.
# Published there: p per item .7 .7 .6 .7 .6 .8 .7 .7 .5 .6 and totals 8 7 7 2 2 9 8 9 7 7.
WUENSCH = [
    [1, 1, 1, 1, 1, 1, 0, 1, 1, 0],  # A
    [1, 0, 1, 1, 0, 1, 1, 1, 0, 1],  # B
    [1, 1, 1, 1, 0, 1, 1, 0, 0, 1],  # C
    [0, 0, 1, 0, 0, 0, 1, 0, 0, 0],  # D
    [0, 0, 0, 0, 0, 1, 0, 0, 1, 0],  # E
    [1, 1, 1, 0, 1, 1, 1, 1, 1, 1],  # F
    [1, 1, 0, 1, 1, 1, 0, 1, 1, 1],  # G
    [1, 1, 1, 1, 1, 1, 1, 1, 0, 1],  # H
    [0, 1, 0, 1, 1, 1, 1, 1, 0, 1],  # I
    [1, 1, 0, 1, 1, 0, 1, 1, 1, 0],  # J
]
WUENSCH_P = [0.7, 0.7, 0.6, 0.7, 0.6, 0.8, 0.7, 0.7, 0.5, 0.6]
WUENSCH_TOTALS = [8, 7, 7, 2, 2, 9, 8, 9, 7, 7]


def wuensch() -> Responses:
    return from_matrix(WUENSCH, attempt_ids="ABCDEFGHIJ")


def test_facility_matches_the_published_p_values():
    responses = wuensch()
    assert responses.totals.tolist() == WUENSCH_TOTALS
    analysis = analyse_items(responses)
    assert [item.facility for item in analysis.items] == pytest.approx(WUENSCH_P, abs=1e-12)
    assert [(item.taken, item.answered) for item in analysis.items] == [(10, 10)] * 10


def test_corrected_point_biserial_worked_by_hand():
    """Item 1 of the Wuensch data. Rest score = total - item 1:
        right (A B C F G H J): rest 7 6 6 8 7 8 6, sum 48, mean 48/7
        wrong (D E I):         rest 2 2 7,         sum 11, mean 11/3
    rest mean 59/10 = 5.9; Σ rest² = 391, so the population variance is 39.1 - 5.9² = 4.29.
    For a 0/1 item, Pearson's r = (M_right - M_wrong) · sqrt(p q) / s_rest
        = (48/7 - 11/3) · sqrt(0.7 · 0.3) / sqrt(4.29) = (67/21) · sqrt(0.21) / sqrt(4.29) = 0.70589...
    """
    by_hand = (67 / 21) * math.sqrt(0.21) / math.sqrt(4.29)
    assert by_hand == pytest.approx(0.70589, abs=5e-6)
    assert analyse_items(wuensch()).items[0].point_biserial == pytest.approx(by_hand, abs=1e-12)


def test_corrected_point_biserial_is_pearson_with_the_rest_score():
    matrix = np.array(WUENSCH, dtype=float)
    totals = matrix.sum(axis=1)
    expected = [statistics.correlation(matrix[:, i].tolist(), (totals - matrix[:, i]).tolist()) for i in range(10)]
    got = [item.point_biserial for item in analyse_items(wuensch()).items]
    assert got == pytest.approx(expected, abs=1e-12)


def test_upper_and_lower_groups_include_ties_at_the_boundary():
    """N = 10, g = round(2.7) = 3. Sorted totals 2 2 7 7 7 7 8 8 9 9: the 3rd highest is 8, so the
    upper group is everyone with at least 8 (A F G H: 4, the tie at 8 kept whole); the 3rd lowest is
    7, so the lower group is everyone with at most 7 (B C D E I J: 6).
    Item 1: upper 4/4 right, lower B C J right of 6, so D = 1 - 3/6 = 0.5."""
    responses = wuensch()
    upper, lower, reason = upper_lower_groups(responses.percent)
    assert reason is None
    assert [name for name, on in zip("ABCDEFGHIJ", upper, strict=True) if on] == list("AFGH")
    assert [name for name, on in zip("ABCDEFGHIJ", lower, strict=True) if on] == list("BCDEIJ")
    analysis = analyse_items(responses)
    assert (analysis.upper_size, analysis.lower_size) == (4, 6)
    assert analysis.items[0].discrimination == pytest.approx(0.5, abs=1e-12)
    assert (analysis.items[0].upper_taken, analysis.items[0].lower_taken) == (4, 6)


@pytest.mark.parametrize(
    "percent, upper, lower, reason",
    [
        pytest.param([50.0], [], [], "1 attempts: too few to form upper and lower groups", id="one-attempt"),
        pytest.param([10.0, 90.0], [1], [0], None, id="two-attempts"),
        pytest.param([70.0, 70.0, 70.0, 70.0], [], [], "upper and lower groups overlap: too many tied scores", id="all-tied"),
        pytest.param([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [6, 7], [0, 1], None, id="eight-g-2"),
        pytest.param([1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0, 6.0], [4, 5, 6, 7], [0, 1, 2], None, id="ties-widen-both"),
    ],
)
def test_upper_lower_table(percent, upper, lower, reason):
    got_upper, got_lower, got_reason = upper_lower_groups(np.array(percent))
    assert (np.flatnonzero(got_upper).tolist(), np.flatnonzero(got_lower).tolist(), got_reason) == (upper, lower, reason)


def option_example(item: ItemInfo, upper_choice: str) -> Responses:
    """Four attempts on item "x" and two filler ranking items that fix the totals, so that the
    attempt choosing `upper_choice` is the upper group (g = round(0.27 × 4) = 1):
        top     x: upper_choice (scored 0), fillers 1 + 1
        second  x: the key (scored 1), fillers 0.5 + 0
        third   x: the key (scored 1), fillers 0 + 0
        bottom  x: unanswered, fillers 0 + 0
    """
    items = {"x": item, "f1": ItemInfo("ranking", "ABCD", 4), "f2": ItemInfo("ranking", "ABCD", 4)}
    key = "".join(item.key)
    rows = [("top", "x", 0.0, upper_choice), ("top", "f1", 1.0, "ABCD"), ("top", "f2", 1.0, "ABCD"),
            ("second", "x", 1.0, key), ("second", "f1", 0.5, "ABCD"), ("second", "f2", 0.0, "ABCD"),
            ("third", "x", 1.0, key), ("third", "f1", 0.0, "ABCD"), ("third", "f2", 0.0, "ABCD"),
            ("bottom", "x", 0.0, ""), ("bottom", "f1", 0.0, "ABCD"), ("bottom", "f2", 0.0, "ABCD")]
    return Responses.from_rows(rows, items)


def test_option_analysis_single_best_answer():
    x = analyse_items(option_example(ItemInfo("single_best_answer", "A", 3), "B")).by_id("x")
    assert x.options == (
        OptionStatistics(option="A", keyed=True, chosen=0.5, upper=0.0, lower=0.0),
        OptionStatistics(option="B", keyed=False, chosen=0.25, upper=1.0, lower=0.0),
        OptionStatistics(option="C", keyed=False, chosen=0.0, upper=0.0, lower=0.0),
    )
    assert (x.taken, x.answered, x.facility, x.discrimination) == (4, 3, 0.5, 0.0)
    assert DISTRACTOR_BEATS_KEY in x.flags


@pytest.mark.parametrize(
    "item, upper_choice, beats",
    [
        pytest.param(ItemInfo("single_best_answer", "A", 4), "B", True, id="sba-distractor"),
        pytest.param(ItemInfo("single_best_answer", "A", 4), "", False, id="sba-unanswered"),
        pytest.param(ItemInfo("multiple_response", "ADG", 8), "ADB", True, id="mr-distractor-beats-unchosen-key-G"),
        pytest.param(ItemInfo("multiple_response", "ADG", 8), "ADGB", False, id="mr-distractor-only-ties-least-key"),
        pytest.param(ItemInfo("multiple_response", "ADG", 8), "AD", False, id="mr-no-distractor"),
        pytest.param(ItemInfo("ranking", "ABCD", 4), "DCBA", False, id="ranking-has-no-options"),
    ],
)
def test_distractor_beats_key_in_upper_group(item, upper_choice, beats):
    x = analyse_items(option_example(item, upper_choice)).by_id("x")
    assert (DISTRACTOR_BEATS_KEY in x.flags) is beats
    assert len(x.options) == (0 if item.item_type == "ranking" else item.option_count)


@pytest.mark.parametrize(
    "facility, rpbis, beats, flags",
    [
        pytest.param(0.95, 0.30, False, (TOO_EASY,), id="too-easy"),
        pytest.param(0.90, 0.30, False, (), id="0.90-is-not-too-easy"),
        pytest.param(0.25, 0.30, False, (TOO_HARD,), id="too-hard"),
        pytest.param(0.30, 0.30, False, (), id="0.30-is-not-too-hard"),
        pytest.param(0.60, -0.01, False, (NEGATIVE_DISCRIMINATION,), id="negative"),
        pytest.param(0.60, 0.0, False, (WEAK_DISCRIMINATION,), id="zero-is-weak"),
        pytest.param(0.60, 0.149, False, (WEAK_DISCRIMINATION,), id="weak"),
        pytest.param(0.60, 0.15, False, (), id="0.15-is-not-weak"),
        pytest.param(0.95, -0.2, True, (TOO_EASY, NEGATIVE_DISCRIMINATION, DISTRACTOR_BEATS_KEY), id="several"),
        pytest.param(None, None, False, (), id="undefined-raises-nothing"),
    ],
)
def test_flags(facility, rpbis, beats, flags):
    assert item_flags(facility, rpbis, beats) == flags


def test_thresholds_can_be_changed():
    assert item_flags(0.85, 0.2, False, too_easy_above=0.8, weak_below=0.25) == (TOO_EASY, WEAK_DISCRIMINATION)


def small(rows, items=None) -> Responses:
    items = items or {name: ItemInfo("single_best_answer", "A", 4) for name in ("p", "q", "r", "s")}
    return Responses.from_rows([(a, i, s, "A" if s == 1 else "B") for a, i, s in rows], items)


@pytest.mark.parametrize(
    "rows, item, none, reason",
    [
        pytest.param([("a", "p", 1), ("b", "p", 0)], "s", ("facility", "point_biserial", "discrimination"),
                     "not given to any attempt", id="item-not-given"),
        pytest.param([("a", "p", 1), ("a", "q", 1), ("b", "p", 0)], "q", ("point_biserial", "discrimination"),
                     "point_biserial: fewer than 2 attempts given the item", id="one-attempt-given-it"),
        pytest.param([("a", "p", 1), ("a", "q", 1), ("b", "p", 1), ("b", "q", 0)], "p", ("point_biserial",),
                     "point_biserial: no variance in the item scores", id="everyone-right"),
        pytest.param([("a", "p", 1), ("a", "q", 0), ("b", "p", 0), ("b", "q", 0)], "p", ("point_biserial",),
                     "point_biserial: no variance in the rest scores", id="rest-constant"),
        pytest.param([("a", "p", 1)], "p", ("point_biserial", "discrimination"),
                     "discrimination: 1 attempts: too few to form upper and lower groups", id="one-attempt"),
        pytest.param([("a", "p", 1), ("a", "q", 0), ("b", "p", 0), ("b", "q", 1)], "p", ("discrimination",),
                     "discrimination: upper and lower groups overlap: too many tied scores", id="all-tied"),
    ],
)
def test_undefined_statistics_are_none_with_a_reason(rows, item, none, reason):
    stats = analyse_items(small(rows)).by_id(item)
    assert {name for name in ("facility", "point_biserial", "discrimination") if getattr(stats, name) is None} == set(none)
    assert reason in stats.not_enough_data
    assert not stats.enough_data


def test_empty_cohort():
    analysis = analyse_items(small([]))
    assert analysis.attempts == 0 and analysis.groups_reason is not None
    assert all(item.facility is None and item.options[0].chosen is None for item in analysis.items)


def reference_analysis(responses: Responses):
    """The same statistics the slow way: a Python loop over attempts and items."""
    by_attempt: dict[int, dict[int, tuple[float, int]]] = {}
    for a, i, s, c in zip(responses.attempt.tolist(), responses.item.tolist(), responses.score.tolist(),
                          responses.chosen.tolist(), strict=True):
        by_attempt.setdefault(a, {})[i] = (s, c)
    totals = {a: math.fsum(s for s, _ in items.values()) for a, items in by_attempt.items()}
    percent = sorted(round(100 * totals[a] / len(by_attempt[a]), 9) for a in by_attempt)
    g = math.floor(0.27 * len(percent) + 0.5)
    upper = {a for a in by_attempt if round(100 * totals[a] / len(by_attempt[a]), 9) >= percent[-g]}
    lower = {a for a in by_attempt if round(100 * totals[a] / len(by_attempt[a]), 9) <= percent[g - 1]}
    assert not upper & lower
    result = []
    for i in range(responses.n_items):
        given = [a for a in by_attempt if i in by_attempt[a]]
        x = [by_attempt[a][i][0] for a in given]
        rest = [totals[a] - by_attempt[a][i][0] for a in given]
        up = [by_attempt[a][i][0] for a in given if a in upper]
        low = [by_attempt[a][i][0] for a in given if a in lower]
        chose = [sum(by_attempt[a][i][1] >> b & 1 for a in given) / len(given) for b in range(int(responses.option_count[i]))]
        result.append((statistics.fmean(x), statistics.correlation(x, rest), statistics.fmean(up) - statistics.fmean(low), chose))
    return result


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_incomplete_design_agrees_with_a_slow_reference(seed):
    responses = random_incomplete(n_attempts=400, n_items=40, form_length=12, seed=seed)
    analysis = analyse_items(responses)
    for stats, (facility, rpbis, d, chose) in zip(analysis.items, reference_analysis(responses), strict=True):
        assert stats.facility == pytest.approx(facility, abs=1e-12)
        assert stats.point_biserial == pytest.approx(rpbis, abs=1e-9)
        assert stats.discrimination == pytest.approx(d, abs=1e-12)
        if stats.item_type != "ranking":
            assert [option.chosen for option in stats.options] == pytest.approx(chose, abs=1e-12)


@pytest.mark.parametrize("n_attempts", [0, 1, 2, 3, 5, 30])
def test_never_nan(n_attempts):
    responses = random_incomplete(n_attempts=n_attempts, n_items=25, form_length=3, seed=n_attempts, unanswered=0.3)
    for item in analyse_items(responses).items:
        values = [item.facility, item.point_biserial, item.discrimination]
        values += [share for option in item.options for share in (option.chosen, option.upper, option.lower)]
        assert all(value is None or math.isfinite(value) for value in values)
        assert item.point_biserial is None or -1 <= item.point_biserial <= 1


def test_by_id_rejects_unknown_items():
    with pytest.raises(ValueError, match="unknown item 'nope'"):
        analyse_items(wuensch()).by_id("nope")
