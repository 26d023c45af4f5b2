"""The simulation study behind `flask --app wsgi psychometrics simulate`: a Rasch cohort with known
item difficulties and abilities goes through the real scoring, cut score and analysis, and the
recovered figures are set beside the true ones.

Steps: simulate responses (app.psychometrics.simulation); score them with the bitmask scorer that
the tests prove equal to app.scoring.score_response; set the cut score as a perfect Angoff panel
would (each item's ideal rating is P(right | borderline ability), rounded to 2 dp as agreed
ratings are stored, summed by app.scoring.form_cut_score); decide pass/fail with
app.scoring.passed; then run item analysis and the score summary, and compare:
facility recovered against expected, KR-20, and each candidate's pass/fail against their true
competence (ability at or above the borderline).
"""

from dataclasses import dataclass

import numpy as np

from app.psychometrics.item_analysis import analyse_items
from app.psychometrics.responses import rescore
from app.psychometrics.simulation import Classification, classification_accuracy, simulate
from app.psychometrics.summary import ScoreSummary, summarise
from app.scoring import form_cut_score, passed


@dataclass(frozen=True)
class StudyResult:
    candidates: int
    items: int
    cut_score: float
    facility_max_error: float  # largest |recovered - expected| over items
    facility_mean_error: float
    summary: ScoreSummary
    classification: Classification
    flagged_items: int


def difficulties_for(items: int, spread: float = 2.0) -> np.ndarray:
    """Evenly spread item difficulties from -spread to +spread logits."""
    if items < 1:
        raise ValueError(f"a form has at least 1 item, not {items}")
    return np.linspace(-spread, spread, items) if items > 1 else np.zeros(1)


def run_study(candidates: int, items: int = 30, *, seed: int = 1, ability_mean: float = 0.0, ability_sd: float = 1.0,
              borderline_ability: float = 0.0) -> StudyResult:
    simulation = simulate(candidates, difficulties_for(items), ability_mean=ability_mean, ability_sd=ability_sd,
                          borderline_ability=borderline_ability, seed=seed)
    responses = simulation.responses.with_scores(rescore(simulation.responses))
    cut = form_cut_score(round(float(rating), 2) for rating in simulation.ideal_angoff)
    decisions = np.array([passed(float(total), cut) for total in responses.totals])
    analysis = analyse_items(responses)
    recovered = np.array([item.facility for item in analysis.items], dtype=np.float64)
    errors = np.abs(recovered - simulation.expected_facility)
    return StudyResult(candidates=candidates, items=items, cut_score=cut, facility_max_error=float(errors.max()),
                       facility_mean_error=float(errors.mean()), summary=summarise(responses, passed=decisions),
                       classification=classification_accuracy(decisions, simulation.competent),
                       flagged_items=sum(1 for item in analysis.items if item.flags))
