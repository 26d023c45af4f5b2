"""Rasch simulation: the statistics recover what the model put in."""

import numpy as np
import pytest

from app.psychometrics import (
    ETS_A,
    ETS_B,
    ETS_C,
    KR20,
    Classification,
    analyse_items,
    classification_accuracy,
    dif_item,
    rasch_probability,
    reliability,
    simulate,
)

DIFFICULTIES = np.linspace(-2, 2, 30)
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def simulation():
    return simulate(10_000, DIFFICULTIES, seed=20240601)


def test_shapes_and_truth(simulation):
    assert simulation.responses.n_attempts == 10_000 and simulation.responses.n_items == 30
    assert simulation.abilities.shape == (10_000,)
    assert simulation.ideal_angoff == pytest.approx(1 / (1 + np.exp(DIFFICULTIES)))  # θ = 0
    assert simulation.ideal_cut_score == pytest.approx(15.0)  # difficulties symmetric about 0
    assert np.array_equal(simulation.competent, simulation.abilities >= 0)
    assert set(simulation.responses.score.tolist()) == {0.0, 1.0}


def test_facility_recovers_the_expected_facility(simulation):
    """Binomial SE of a facility from 10,000 candidates is at most 0.005, so 0.02 is 4 SE."""
    facility = np.array([item.facility for item in analyse_items(simulation.responses).items])
    assert np.all(np.abs(facility - simulation.expected_facility) < 0.02)


def test_kr20_is_what_the_model_implies(simulation):
    """The model-implied reliability is estimated from a second, independent simulation of 200,000
    candidates (sampling SE about 0.0006); the 10,000-candidate estimate has an SE near 0.0025, so
    0.02 is about 8 SE, and 0.7..0.9 is the plausible range for 30 Rasch items spread over -2..2
    with ability SD 1 (about 0.83)."""
    kr20 = reliability(simulation.responses)
    implied = reliability(simulate(200_000, DIFFICULTIES, seed=7).responses).coefficient
    assert kr20.method == KR20
    assert 0.7 < kr20.coefficient < 0.9
    assert abs(kr20.coefficient - implied) < 0.02


def test_ideal_angoff_cut_classifies_well(simulation):
    passed = simulation.responses.totals >= simulation.ideal_cut_score - TOLERANCE
    result = classification_accuracy(passed, simulation.competent)
    assert result.accuracy > 0.85
    assert result.accuracy + result.false_pass + result.false_fail == pytest.approx(1.0)


def test_no_dif_gives_class_a(simulation):
    focal = np.random.default_rng(1).random(10_000) < 0.5
    classes = [dif_item(simulation.responses, item, ~focal, focal).statistics.ets_class for item in range(30)]
    assert classes.count(ETS_A) >= 28


def test_planted_dif_is_found():
    """Item 12 is 1.0 logit harder for the focal group: α_MH ≈ e, so D-DIF ≈ -2.35."""
    focal = np.arange(6_000) % 2 == 1  # 3,000 in each group
    shift = np.zeros(30)
    shift[12] = 1.0
    simulation = simulate(6_000, DIFFICULTIES, seed=5, focal=focal, focal_shift=shift)
    result = dif_item(simulation.responses, 12, ~focal, focal).statistics
    assert result.ets_class in (ETS_B, ETS_C)
    assert result.d_dif < 0
    others = [dif_item(simulation.responses, item, ~focal, focal).statistics.ets_class for item in range(30) if item != 12]
    assert others.count(ETS_A) >= 27


def test_same_seed_same_simulation():
    first, second = simulate(50, DIFFICULTIES, seed=3), simulate(50, DIFFICULTIES, seed=3)
    assert np.array_equal(first.responses.score, second.responses.score)
    assert np.array_equal(first.responses.chosen, second.responses.chosen)
    assert not np.array_equal(first.abilities, simulate(50, DIFFICULTIES, seed=4).abilities)


def test_rasch_probability_does_not_overflow():
    assert rasch_probability(np.array([-1000.0, 0.0, 1000.0]), 0.0).tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_candidates": 0, "difficulties": [0.0]}, "n_candidates is at least 1"),
        ({"n_candidates": 5, "difficulties": []}, "difficulties"),
        ({"n_candidates": 5, "difficulties": [0.0], "ability_sd": -1}, "ability_sd"),
        ({"n_candidates": 5, "difficulties": [0.0], "focal": np.ones(5, dtype=bool)}, "come together"),
        ({"n_candidates": 5, "difficulties": [0.0], "focal": np.ones(4, dtype=bool), "focal_shift": [1.0]}, "one entry"),
    ],
)
def test_simulate_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate(seed=1, **kwargs)


@pytest.mark.parametrize(
    "passed, competent, expected",
    [
        ([True, True, False, False], [True, False, False, True], Classification(4, 0.5, 0.25, 0.25, 0.5, 0.5)),
        ([True, True], [True, True], Classification(2, 1.0, 0.0, 0.0, None, 0.0)),
        ([False, False], [False, False], Classification(2, 1.0, 0.0, 0.0, 0.0, None)),
        ([], [], Classification(0, None, None, None, None, None)),
    ],
)
def test_classification_accuracy(passed, competent, expected):
    assert classification_accuracy(np.array(passed, dtype=bool), np.array(competent, dtype=bool)) == expected


def test_classification_accuracy_validates():
    with pytest.raises(ValueError, match="boolean arrays of the same length"):
        classification_accuracy(np.array([1, 0]), np.array([True, False]))
