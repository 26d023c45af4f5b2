"""Simulated candidates under the Rasch model, to check that the statistics recover what was put in.

Each candidate has an ability θ ~ N(ability_mean, ability_sd²) and answers item i (difficulty b_i,
in logits) right with probability
    P_i(θ) = 1 / (1 + exp(-(θ - b_i)))
(computed as (1 + tanh((θ - b)/2)) / 2, the same function without overflow). Every candidate sits
the same form: a complete design of single best answer items with four options, "A" keyed; a wrong
answer picks one of B, C, D at random so option analysis has something to count.

What a perfect analysis would know:
    expected facility  E[P_i] over the simulated abilities (what facility should recover)
    ideal Angoff       P_i(borderline_ability): what a perfect standard-setting panel would say
                       the borderline candidate scores on item i; their sum is the ideal cut score
    competent          θ >= borderline_ability: who truly should pass

A focal group can be made to find chosen items harder: `focal` marks candidates and `focal_shift`
adds logits to each item's difficulty for them (planted DIF, to check the Mantel-Haenszel code).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.psychometrics.responses import SINGLE_BEST_ANSWER, Responses

SIMULATED_OPTIONS = 4


@dataclass(frozen=True, eq=False)
class Simulation:
    responses: Responses  # attempt j is candidate j, item i is difficulties[i]
    abilities: np.ndarray  # θ per candidate
    expected_facility: np.ndarray  # per item
    ideal_angoff: np.ndarray  # per item: P(right | borderline_ability), without any focal shift
    competent: np.ndarray  # per candidate: θ >= borderline_ability

    @property
    def ideal_cut_score(self) -> float:
        return float(self.ideal_angoff.sum())


@dataclass(frozen=True)
class Classification:
    n: int
    accuracy: float | None  # share whose pass/fail agrees with their true competence
    false_pass: float | None  # share of all candidates who passed but are not competent
    false_fail: float | None  # share of all candidates who failed but are competent (the three sum to 1)
    false_pass_rate: float | None  # of those not competent, the share who passed (None: nobody not competent)
    false_fail_rate: float | None  # of those competent, the share who failed (None: nobody competent)


def rasch_probability(ability: np.ndarray | float, difficulty: np.ndarray | float) -> np.ndarray:
    """P(right) = 1 / (1 + exp(-(θ - b))), broadcasting."""
    return (1 + np.tanh((np.asarray(ability, dtype=np.float64) - np.asarray(difficulty, dtype=np.float64)) / 2)) / 2


def simulate(n_candidates: int, difficulties: Sequence[float], *, ability_mean: float = 0.0, ability_sd: float = 1.0,
             borderline_ability: float = 0.0, seed: int, focal: np.ndarray | None = None,
             focal_shift: Sequence[float] | None = None) -> Simulation:
    """Rasch responses of `n_candidates` to one form of items with these `difficulties`."""
    difficulties = np.asarray(difficulties, dtype=np.float64)
    if n_candidates < 1:
        raise ValueError(f"n_candidates is at least 1, not {n_candidates}")
    if difficulties.ndim != 1 or not difficulties.size or not np.all(np.isfinite(difficulties)):
        raise ValueError("difficulties is a non-empty list of finite logits")
    if not ability_sd >= 0:
        raise ValueError(f"ability_sd is at least 0, not {ability_sd}")
    if (focal is None) != (focal_shift is None):
        raise ValueError("focal and focal_shift come together")
    rng = np.random.default_rng(seed)
    abilities = rng.normal(ability_mean, ability_sd, n_candidates)
    item_difficulty = np.broadcast_to(difficulties, (n_candidates, difficulties.size))
    if focal is not None:
        focal = np.asarray(focal, dtype=bool)
        shift = np.asarray(focal_shift, dtype=np.float64)
        if focal.shape != (n_candidates,) or shift.shape != difficulties.shape:
            raise ValueError("focal has one entry per candidate and focal_shift one per item")
        item_difficulty = item_difficulty + np.where(focal[:, np.newaxis], shift, 0.0)
    probability = rasch_probability(abilities[:, np.newaxis], item_difficulty)
    right = rng.random(probability.shape) < probability
    distractor = np.left_shift(np.uint32(1), rng.integers(1, SIMULATED_OPTIONS, probability.shape, dtype=np.uint32))
    n_items = difficulties.size
    responses = Responses(
        attempt=np.repeat(np.arange(n_candidates), n_items), item=np.tile(np.arange(n_items), n_candidates),
        score=right.ravel().astype(np.float64), chosen=np.where(right, np.uint32(1), distractor).ravel(),
        key=np.ones(n_items, dtype=np.uint32), item_type=np.full(n_items, SINGLE_BEST_ANSWER),
        option_count=np.full(n_items, SIMULATED_OPTIONS), attempt_ids=tuple(range(n_candidates)),
        item_ids=tuple(range(n_items)),
    )
    return Simulation(
        responses=responses, abilities=abilities,
        expected_facility=probability.mean(axis=0),
        ideal_angoff=rasch_probability(borderline_ability, difficulties), competent=abilities >= borderline_ability,
    )


def classification_accuracy(passed: np.ndarray, competent: np.ndarray) -> Classification:
    """How well pass/fail decisions match true competence."""
    passed, competent = np.asarray(passed), np.asarray(competent)
    if passed.dtype != bool or competent.dtype != bool or passed.shape != competent.shape or passed.ndim != 1:
        raise ValueError("passed and competent are boolean arrays of the same length")
    n = passed.size
    if n == 0:
        return Classification(0, None, None, None, None, None)
    false_pass = int(np.count_nonzero(passed & ~competent))
    false_fail = int(np.count_nonzero(~passed & competent))
    competent_n = int(np.count_nonzero(competent))
    return Classification(
        n=n, accuracy=1 - (false_pass + false_fail) / n, false_pass=false_pass / n, false_fail=false_fail / n,
        false_pass_rate=false_pass / (n - competent_n) if n - competent_n else None,
        false_fail_rate=false_fail / competent_n if competent_n else None,
    )
