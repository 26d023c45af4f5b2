"""The modified Angoff method, and the knowledge pass decision it leads to.

Each panellist judges, for each item, the probability that a borderline candidate (one who is
just competent at the tier) answers it correctly. The panel sees the spread of its first-round
ratings, discusses the items it disagrees on, rates again, and agrees one rating per item
(by default the mean of the final round).

A form's cut score is the sum of its items' agreed ratings (each item is worth MAX_ITEM_SCORE): it
is the score a borderline candidate is expected to get on that form. A form of harder items gets
a lower cut score than a form of easier ones, so no candidate is advantaged by the form they drew.
The cut is rounded up to 2 decimal places, because scores are reported to 2 dp: rounding down
could pass a candidate below it.

The knowledge component is passed when the score reaches the form's cut score and, only if an
administrator has set one, every statement on the form reaches the minimum percentage.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from app.scoring.attempts import TOLERANCE, StatementResult, passed
from app.scoring.items import MAX_ITEM_SCORE

MIN_RATINGS = 3  # an agreed rating needs at least this many panellists' ratings in the final round
DISCUSS_RANGE = 0.30  # ratings this far apart (highest - lowest) put the item on the discussion list


@dataclass(frozen=True)
class Spread:
    """The panel's ratings of one item in one round (all proportions, 0 to 1)."""

    n: int
    mean: float
    sd: float  # population SD: the panel is the whole population of its own judgements
    low: float
    high: float

    @property
    def range(self) -> float:
        return self.high - self.low

    @property
    def needs_discussion(self) -> bool:
        return self.n >= 2 and self.range >= DISCUSS_RANGE - TOLERANCE


def check_rating(value: float) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1):
        raise ValueError(f"an Angoff rating is a probability from 0 to 1, not {value!r}")
    return float(value)


def spread(ratings: Iterable[float]) -> Spread | None:
    """The spread of one item's ratings in a round; None when nobody has rated it yet."""
    values = [check_rating(value) for value in ratings]
    if not values:
        return None
    mean = math.fsum(values) / len(values)
    sd = math.sqrt(math.fsum((value - mean) ** 2 for value in values) / len(values))
    return Spread(n=len(values), mean=mean, sd=sd, low=min(values), high=max(values))


def proposed_rating(ratings: Sequence[float], *, min_ratings: int = MIN_RATINGS) -> float:
    """The rating to agree by default: the mean of the final round, to 2 dp. Raises ValueError
    when fewer than `min_ratings` panellists rated the item (one judge is not a panel)."""
    summary = spread(ratings)
    if summary is None or summary.n < min_ratings:
        raise ValueError(f"{summary.n if summary else 0} rating(s): an agreed rating needs at least {min_ratings}")
    return round(summary.mean, 2)


def form_cut_score(agreed_ratings: Iterable[float]) -> float:
    """The cut score of a form: the sum of its items' agreed ratings, in marks, rounded up to 2 dp.
    Summed in decimal on the ratings as stored (2 dp), so float noise never moves the cut by 0.01."""
    ratings = [check_rating(value) for value in agreed_ratings]
    if not ratings:
        raise ValueError("a form with no items has no cut score")
    exact = sum((Decimal(str(value)) for value in ratings), Decimal(0)) * Decimal(str(MAX_ITEM_SCORE))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_CEILING))


@dataclass(frozen=True)
class KnowledgeDecision:
    passed: bool
    reached_cut_score: bool
    below_minimum: tuple[str, ...]  # statement codes below the minimum percentage (if one is set)


def knowledge_decision(score: float, cut_score: float, statements: Iterable[StatementResult], *,
                       statement_minimum_percent: int | None = None) -> KnowledgeDecision:
    """Pass when the score reaches the form's cut score and, if a minimum is set, every statement
    on the form reaches it (as a percentage of that statement's marks, compared unrounded)."""
    if statement_minimum_percent is not None and not 0 < statement_minimum_percent <= 100:
        raise ValueError(f"a statement minimum is a percentage in (0, 100], not {statement_minimum_percent}")
    reached = passed(score, cut_score)
    below = ()
    if statement_minimum_percent is not None:
        below = tuple(s.code for s in statements
                      if s.max_score > 0 and 100 * s.score / s.max_score < statement_minimum_percent - TOLERANCE)
    return KnowledgeDecision(passed=reached and not below, reached_cut_score=reached, below_minimum=below)
