"""Mantel-Haenszel DIF: R's published example, the ETS classes, the tables built from responses,
and suppression of small groups."""

import dataclasses
import math

import numpy as np
import pytest

from app.psychometrics import (
    ETS_A,
    ETS_B,
    ETS_C,
    MIN_DIF_GROUP,
    NOT_ENOUGH_CANDIDATES,
    dif_all,
    dif_item,
    ets_class,
    mantel_haenszel,
    simulate,
)
from tests.psychometrics.helpers import random_incomplete

# R, stats::mantelhaen.test, help page example "Penicillin and Rabbits" (dataset Rabbits): five
# penicillin levels; rows Delay None / 1.5h, columns Cured / Died. The help page's data, as its
# printout shows them (the same tables are in statsmodels' test_contingency_tables.py, which
# records R's output). Rows here: reference = no delay, focal = 1.5h delay; columns right = cured.
RABBITS = np.array([
    [[0, 6], [0, 5]],  # 1/8
    [[3, 3], [0, 6]],  # 1/4
    [[6, 0], [2, 4]],  # 1/2
    [[5, 1], [6, 0]],  # 1
    [[2, 0], [5, 0]],  # 4
])


def test_rabbits_published_values():
    """R prints: Mantel-Haenszel X-squared = 3.9286, df = 1, p-value = 0.04747; common odds ratio 7;
    95 percent confidence interval 1.026713 47.725133. R's interval is exp(ln α ± z_.975 · SE) with
    the Robins-Breslow-Greenland SE, so it checks our SE. (7 by hand: Σ AD/N = 18/12 + 24/12 = 3.5,
    Σ BC/N = 6/12 = 0.5.)"""
    result = mantel_haenszel(RABBITS)
    assert result.odds_ratio == pytest.approx(7.0, abs=1e-12)
    assert round(result.chi_square, 4) == 3.9286
    assert round(result.p_value, 5) == 0.04747
    z = 1.959963984540054  # qnorm(0.975)
    lower = math.exp(math.log(result.odds_ratio) - z * result.log_odds_ratio_se)
    upper = math.exp(math.log(result.odds_ratio) + z * result.log_odds_ratio_se)
    assert (round(lower, 6), round(upper, 6)) == (1.026713, 47.725133)
    assert result.d_dif == pytest.approx(-2.35 * math.log(7), abs=1e-12)
    assert result.d_dif_se == pytest.approx(2.35 * result.log_odds_ratio_se, abs=1e-12)
    assert result.strata == 5 and result.reason is None
    assert result.ets_class == ETS_B  # |D| = 4.57 but SE(D) = 2.30: (4.57 - 1) / 2.30 = 1.55, not > 1.645


def test_no_continuity_correction_below_half():
    """As R: the ½ is subtracted only when |Σ A - Σ E| >= ½, so a perfect balance gives χ² = 0, p = 1."""
    result = mantel_haenszel(np.array([[[2, 1], [2, 1]], [[1, 3], [1, 3]]]))
    assert (result.chi_square, result.p_value, result.odds_ratio, result.ets_class) == (0.0, 1.0, 1.0, ETS_A)


def test_strata_with_one_group_absent_contribute_nothing():
    extra = np.concatenate([RABBITS, [[[4, 1], [0, 0]], [[0, 0], [3, 2]], [[0, 0], [0, 0]]]])
    assert mantel_haenszel(extra) == mantel_haenszel(RABBITS)


def test_swapping_groups_flips_the_sign():
    swapped = mantel_haenszel(RABBITS[:, ::-1, :])
    assert swapped.odds_ratio == pytest.approx(1 / 7, abs=1e-12)
    assert swapped.d_dif == pytest.approx(-mantel_haenszel(RABBITS).d_dif, abs=1e-12)
    assert swapped.chi_square == pytest.approx(mantel_haenszel(RABBITS).chi_square, abs=1e-12)


@pytest.mark.parametrize(
    "tables, reason",
    [
        pytest.param([[[5, 0], [4, 0]], [[3, 0], [2, 0]]], "the odds ratio is 0 or infinite", id="everyone-right"),
        pytest.param([[[5, 0], [0, 4]]], "the odds ratio is 0 or infinite", id="separated"),
        pytest.param([[[5, 2], [0, 0]], [[0, 0], [1, 1]]], "no score level has both groups", id="no-common-stratum"),
        pytest.param(np.zeros((0, 2, 2)), "no score level has both groups", id="no-strata"),
    ],
)
def test_undefined_odds_ratio_gives_none_and_a_reason(tables, reason):
    result = mantel_haenszel(np.array(tables))
    assert (result.odds_ratio, result.d_dif, result.ets_class) == (None, None, None)
    assert result.reason.startswith(reason)


@pytest.mark.parametrize("tables", [np.zeros((2, 2)), np.zeros((1, 2, 3)), -np.ones((1, 2, 2)), np.full((1, 2, 2), np.nan)])
def test_malformed_tables(tables):
    with pytest.raises(ValueError):
        mantel_haenszel(tables)


@pytest.mark.parametrize(
    "d_dif, se, p_value, expected",
    [
        pytest.param(-0.5, 0.2, 0.001, ETS_A, id="small"),
        pytest.param(-1.2, 0.2, 0.06, ETS_A, id="not-significant"),
        pytest.param(-1.2, 0.2, None, ETS_A, id="no-test"),
        pytest.param(-1.0, 0.1, 0.001, ETS_B, id="exactly-1-is-not-small"),
        pytest.param(-1.2, 0.2, 0.01, ETS_B, id="moderate"),
        pytest.param(-1.6, 0.5, 0.001, ETS_B, id="large-but-not-surely-above-1"),
        pytest.param(-1.6, 0.2, 0.001, ETS_C, id="large"),
        pytest.param(1.6, 0.2, 0.001, ETS_C, id="large-favouring-focal"),
        pytest.param(-1.5, 0.3, 0.001, ETS_C, id="1.5-with-z-1.667"),
        pytest.param(-1.5, 0.31, 0.001, ETS_B, id="1.5-with-z-1.613"),
        pytest.param(-1.49, 0.01, 0.001, ETS_B, id="just-under-1.5"),
    ],
)
def test_ets_classes(d_dif, se, p_value, expected):
    assert ets_class(d_dif, se, p_value) == expected


def assert_same(got, expected):
    """Equal up to float summation order (the fast path also sums the empty strata)."""
    for field in dataclasses.fields(expected):
        value, wanted = getattr(got, field.name), getattr(expected, field.name)
        if isinstance(wanted, float):
            assert value == pytest.approx(wanted, rel=1e-12), field.name
        else:
            assert value == wanted, field.name


def manual_tables(responses, item, reference, focal):
    """The 2×2×K tables the slow way: stratum = total rounded half up, right only at full credit."""
    totals = responses.totals
    tables: dict[int, list[list[int]]] = {}
    for a, i, s in zip(responses.attempt.tolist(), responses.item.tolist(), responses.score.tolist(), strict=True):
        if i != item or not (reference[a] or focal[a]):
            continue
        stratum = math.floor(totals[a] + 0.5)
        tables.setdefault(stratum, [[0, 0], [0, 0]])[0 if reference[a] else 1][0 if s == 1.0 else 1] += 1
    return np.array([tables[k] for k in sorted(tables)]).reshape(-1, 2, 2)


@pytest.mark.parametrize("seed", [31, 32])
def test_tables_from_responses_match_the_slow_way(seed):
    """An incomplete design with partial credit items: each item over the attempts given it."""
    responses = random_incomplete(n_attempts=600, n_items=20, form_length=8, seed=seed)
    group = np.random.default_rng(seed).integers(0, 3, responses.n_attempts)  # 2: in neither group
    reference, focal = group == 0, group == 1
    for item in range(responses.n_items):
        result = dif_item(responses, f"item-{item}", reference, focal, min_group=1)
        expected = mantel_haenszel(manual_tables(responses, item, reference, focal))
        assert_same(result.statistics, expected)
        assert (result.reference_n, result.focal_n) == (
            int(np.sum(reference[responses.attempt[responses.item == item]])),
            int(np.sum(focal[responses.attempt[responses.item == item]])))


def two_groups(n_reference: int, n_focal: int):
    simulation = simulate(n_reference + n_focal, np.linspace(-1.5, 1.5, 10), seed=3)
    focal = np.arange(n_reference + n_focal) >= n_reference
    return simulation.responses, ~focal, focal


def test_small_groups_are_suppressed():
    responses, reference, focal = two_groups(150, MIN_DIF_GROUP - 1)
    result = dif_item(responses, 0, reference, focal)
    assert result.suppressed and result.statistics is None
    assert (result.reference_n, result.focal_n) == (None, None)  # the counts are withheld too
    assert result.reason == f"{NOT_ENOUGH_CANDIDATES}: fewer than {MIN_DIF_GROUP} given the item in the focal group"
    shown = dif_item(responses, 0, reference, focal, min_group=MIN_DIF_GROUP - 1)
    assert not shown.suppressed and (shown.reference_n, shown.focal_n) == (150, 99)


def test_dif_item_validates_groups():
    responses, reference, focal = two_groups(10, 10)
    with pytest.raises(ValueError, match="both the reference and the focal group"):
        dif_item(responses, 0, reference, reference)
    with pytest.raises(ValueError, match="boolean array with one entry per attempt"):
        dif_item(responses, 0, reference[:5], focal[:5])
    with pytest.raises(ValueError, match="unknown item 99"):
        dif_item(responses, 99, reference, focal)


def test_dif_all_compares_each_focal_group_with_the_reference():
    responses, _, _ = two_groups(700, 0)
    rng = np.random.default_rng(8)
    sex = rng.choice(["female", "male"], 700, p=[0.7, 0.3]).tolist()
    age = rng.choice(["<30", "30-49", "50+"], 700, p=[0.4, 0.5, 0.1]).tolist()
    sex[:5] = [None] * 5  # unknown: left out
    results = dif_all(responses, {"sex": sex, "age_band": age}, reference={"age_band": "<30"})
    comparisons = sorted({(r.variable, r.reference, r.focal) for r in results})
    assert comparisons == [("age_band", "<30", "30-49"), ("age_band", "<30", "50+"), ("sex", "female", "male")]
    assert len(results) == 3 * responses.n_items
    by = {(r.variable, r.focal): r for r in results if r.item_id == 0}
    assert by[("sex", "male")].reference_n == sex.count("female")  # the largest group by default
    assert by[("age_band", "50+")].suppressed  # about 70 in the focal group
    assert not by[("age_band", "30-49")].suppressed
    assert_same(by[("age_band", "30-49")].statistics,
                dif_item(responses, 0, np.array(age) == "<30", np.array(age) == "30-49").statistics)


def test_dif_all_with_an_absent_reference_suppresses_everything():
    responses, _, _ = two_groups(300, 0)
    results = dif_all(responses, {"sex": ["female"] * 300}, reference={"sex": "male"})
    assert results and all(result.suppressed for result in results)


@pytest.mark.parametrize(
    "groups, reference, message",
    [
        ({"sex": ["f"] * 3}, None, "sex: 3 labels for 300 attempts"),
        ({"sex": ["f"] * 300}, {"ethnicity": "x"}, "unknown variables"),
    ],
)
def test_dif_all_validates(groups, reference, message):
    responses, _, _ = two_groups(300, 0)
    with pytest.raises(ValueError, match=message):
        dif_all(responses, groups, reference=reference)
