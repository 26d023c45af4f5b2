"""The pure psychometrics core: item analysis, test statistics and reliability, Mantel-Haenszel
DIF and Rasch simulation, over responses held in long format (one row per attempt and item
presented) as numpy arrays. Plain functions over plain values, numpy arrays and frozen dataclasses,
with no Flask or database, like app.scoring, whose item scores it analyses.

Vectorised throughout: grouped sums with np.bincount, never a Python loop over response rows.
"""

from app.psychometrics.dif import (
    ETS_A,
    ETS_B,
    ETS_C,
    MIN_DIF_GROUP,
    NOT_ENOUGH_CANDIDATES,
    DifResult,
    MantelHaenszel,
    dif_all,
    dif_item,
    ets_class,
    mantel_haenszel,
)
from app.psychometrics.item_analysis import (
    DISTRACTOR_BEATS_KEY,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_EASY_ABOVE,
    TOO_HARD,
    TOO_HARD_BELOW,
    UPPER_LOWER_SHARE,
    WEAK_DISCRIMINATION,
    WEAK_DISCRIMINATION_BELOW,
    ItemAnalysis,
    ItemStatistics,
    OptionStatistics,
    analyse_items,
    item_flags,
    upper_lower_groups,
)
from app.psychometrics.responses import (
    MULTIPLE_RESPONSE,
    RANKING,
    SINGLE_BEST_ANSWER,
    ItemInfo,
    Responses,
    choice_mask,
    mask_letters,
    rescore,
    score_choices,
)
from app.psychometrics.simulation import (
    Classification,
    Simulation,
    classification_accuracy,
    rasch_probability,
    simulate,
)
from app.psychometrics.summary import (
    ALPHA,
    COMPLETE,
    KR20,
    RANDOMLY_PARALLEL,
    Reliability,
    ScoreSummary,
    distribution_percentages,
    pass_rate,
    reliability,
    score_distribution,
    standard_error_of_measurement,
    summarise,
)

__all__ = [
    "ALPHA", "COMPLETE", "DISTRACTOR_BEATS_KEY", "ETS_A", "ETS_B", "ETS_C", "KR20", "MIN_DIF_GROUP", "MULTIPLE_RESPONSE",
    "NEGATIVE_DISCRIMINATION", "NOT_ENOUGH_CANDIDATES", "RANDOMLY_PARALLEL", "RANKING", "SINGLE_BEST_ANSWER", "TOO_EASY",
    "TOO_EASY_ABOVE", "TOO_HARD", "TOO_HARD_BELOW", "UPPER_LOWER_SHARE", "WEAK_DISCRIMINATION", "WEAK_DISCRIMINATION_BELOW",
    "Classification", "DifResult", "ItemAnalysis", "ItemInfo", "ItemStatistics", "MantelHaenszel", "OptionStatistics",
    "Reliability", "Responses", "ScoreSummary", "Simulation",
    "analyse_items", "choice_mask", "item_flags", "classification_accuracy", "dif_all", "dif_item", "distribution_percentages",
    "ets_class", "mantel_haenszel", "mask_letters", "pass_rate", "rasch_probability", "reliability", "rescore",
    "score_choices", "score_distribution", "simulate", "standard_error_of_measurement", "summarise", "upper_lower_groups",
]
