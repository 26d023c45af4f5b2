"""Item analysis: how hard each item was, how well it separated stronger from weaker candidates,
and how its options behaved. Classical test theory, over the attempts that were given each item
(an item not on an attempt's form is missing for that attempt, not wrong).

facility            p_i = mean score on item i among attempts given it (the proportion correct
                    for 0/1 items). `taken` counts those attempts, `answered` those that chose
                    at least one option.
corrected point-biserial
                    r_i = Pearson correlation, over the attempts given item i, between the item
                    score x and the rest score y = attempt total - x:
                        r_i = cov(x, y) / sqrt(var(x) var(y))
                    "Corrected" because the item's own score is taken out of the total, so an item
                    is not credited for correlating with itself. For partial credit items it is the
                    same product-moment formula. Computed for every item at once from grouped sums
                    (np.bincount over the rows), in two passes: means first, then sums of centred
                    squares and products, which avoids the cancellation of the one-pass formula.
upper-lower D       D_i = p_i(upper) - p_i(lower). The whole cohort is ranked by percentage score
                    (total over that attempt's own marks available, so forms of different length
                    compare). g = round(UPPER_LOWER_SHARE × N), halves up (Kelley's 27%). Ties: the
                    upper group is every attempt scoring at least the g-th highest percentage, the
                    lower group every attempt scoring at most the g-th lowest, so a group can hold
                    more than g attempts but never depends on the order of the data. If g = 0 or
                    the groups overlap (so many ties that one attempt is in both), there are no
                    groups and D is None. p_i(upper) is over the upper-group attempts given item i.
option analysis     single best answer and multiple response items: for each option, the share of
                    those given the item who chose it, overall, in the upper group and in the
                    lower group (unanswered attempts count in the denominator), and whether it is
                    keyed. Ranking items have none: every answer uses every option.

Flags (default thresholds are the module constants; reading them alongside `taken` is the
reader's job, as a flag on ten attempts means little):
    too_easy                facility > TOO_EASY_ABOVE (0.90)
    too_hard                facility < TOO_HARD_BELOW (0.30)
    negative_discrimination corrected point-biserial < 0
    weak_discrimination     0 <= corrected point-biserial < WEAK_DISCRIMINATION_BELOW (0.15)
    distractor_beats_key    a non-keyed option chosen by more of the upper group than the
                            least-chosen keyed option (for single best answer: than the key)

A statistic that is undefined (no or one attempt given the item, no variance in the item or rest
score, an empty group) is None, never NaN, and `not_enough_data` says why, one reason per None.
"""

import math
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from app.psychometrics.responses import MULTIPLE_RESPONSE, SINGLE_BEST_ANSWER, Responses, mask_letters
from app.scoring.items import ITEM_TYPES

TOO_EASY_ABOVE = 0.90
TOO_HARD_BELOW = 0.30
WEAK_DISCRIMINATION_BELOW = 0.15
UPPER_LOWER_SHARE = 0.27

TOO_EASY = "too_easy"
TOO_HARD = "too_hard"
NEGATIVE_DISCRIMINATION = "negative_discrimination"
WEAK_DISCRIMINATION = "weak_discrimination"
DISTRACTOR_BEATS_KEY = "distractor_beats_key"

ZERO_VARIANCE = 1e-12  # a variance this small is rounding noise on constant scores (scores are in [0, 1])


@dataclass(frozen=True)
class OptionStatistics:
    option: str  # the letter
    keyed: bool
    chosen: float | None  # share of the attempts given the item that chose this option
    upper: float | None  # the same share within the upper group (None: no upper-group attempt given the item)
    lower: float | None


@dataclass(frozen=True)
class ItemStatistics:
    item_id: Hashable
    item_type: str
    taken: int  # attempts given the item
    answered: int  # of those, attempts that chose at least one option
    facility: float | None
    point_biserial: float | None  # corrected (item-rest)
    discrimination: float | None  # upper-lower D
    upper_taken: int  # upper-group attempts given the item
    lower_taken: int
    options: tuple[OptionStatistics, ...]  # () for ranking items
    flags: tuple[str, ...]
    not_enough_data: tuple[str, ...]  # why each None statistic is None

    @property
    def enough_data(self) -> bool:
        return not self.not_enough_data


@dataclass(frozen=True)
class ItemAnalysis:
    attempts: int
    upper_size: int  # attempts in the upper group (0 when there are no groups)
    lower_size: int
    groups_reason: str | None  # why there are no upper and lower groups, if there are none
    items: tuple[ItemStatistics, ...]  # in the order of responses.item_ids

    def by_id(self, item_id: Hashable) -> ItemStatistics:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise ValueError(f"unknown item {item_id!r}")


def upper_lower_groups(percent: np.ndarray, share: float = UPPER_LOWER_SHARE) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Boolean masks (per attempt) of the upper and lower groups, and why they are empty if they are."""
    if not 0 < share <= 0.5:
        raise ValueError(f"the upper and lower share is in (0, 0.5], not {share}")
    n = percent.size
    size = math.floor(share * n + 0.5)
    empty = np.zeros(n, dtype=bool)
    if size == 0:
        return empty, empty, f"{n} attempts: too few to form upper and lower groups"
    ordered = np.sort(percent)
    upper, lower = percent >= ordered[n - size], percent <= ordered[size - 1]
    if np.any(upper & lower):
        return empty, empty, "upper and lower groups overlap: too many tied scores"
    return upper, lower, None


def analyse_items(responses: Responses, *, too_easy_above: float = TOO_EASY_ABOVE, too_hard_below: float = TOO_HARD_BELOW,
                  weak_below: float = WEAK_DISCRIMINATION_BELOW, upper_lower_share: float = UPPER_LOWER_SHARE) -> ItemAnalysis:
    """Facility, corrected point-biserial, upper-lower D, option analysis and flags for every item."""
    r = responses
    n_items, item, score = r.n_items, r.item, r.score
    taken = np.bincount(item, minlength=n_items)
    answered = np.bincount(item, weights=r.chosen != 0, minlength=n_items)
    rest = r.totals[r.attempt] - score
    with np.errstate(invalid="ignore", divide="ignore"):  # items nobody took: 0/0, replaced by None below
        facility = np.bincount(item, weights=score, minlength=n_items) / taken
        rest_mean = np.bincount(item, weights=rest, minlength=n_items) / taken
        dx, dy = score - facility[item], rest - rest_mean[item]
        var_x = np.bincount(item, weights=dx * dx, minlength=n_items) / taken
        var_y = np.bincount(item, weights=dy * dy, minlength=n_items) / taken
        cov = np.bincount(item, weights=dx * dy, minlength=n_items) / taken
        rpbis = np.clip(cov / np.sqrt(var_x * var_y), -1.0, 1.0)

    upper, lower, groups_reason = upper_lower_groups(r.percent, upper_lower_share)
    in_upper, in_lower = upper[r.attempt], lower[r.attempt]
    upper_taken = np.bincount(item, weights=in_upper, minlength=n_items)
    lower_taken = np.bincount(item, weights=in_lower, minlength=n_items)
    with np.errstate(invalid="ignore", divide="ignore"):
        discrimination = (np.bincount(item, weights=score * in_upper, minlength=n_items) / upper_taken
                          - np.bincount(item, weights=score * in_lower, minlength=n_items) / lower_taken)
    options = _option_counts(r, in_upper, in_lower)

    items = []
    columns = zip(taken.tolist(), answered.tolist(), facility.tolist(), rpbis.tolist(), var_x.tolist(), var_y.tolist(),
                  discrimination.tolist(), upper_taken.tolist(), lower_taken.tolist(), strict=True)
    for index, (n, n_answered, p, rpb, vx, vy, d, n_upper, n_lower) in enumerate(columns):
        reasons = []
        if n == 0:
            reasons.append("not given to any attempt")
            p = rpb = d = None
        else:
            if n < 2:
                reasons.append("point_biserial: fewer than 2 attempts given the item")
                rpb = None
            elif vx <= ZERO_VARIANCE or vy <= ZERO_VARIANCE:
                reasons.append(f"point_biserial: no variance in the {'item' if vx <= ZERO_VARIANCE else 'rest'} scores")
                rpb = None
            if groups_reason or not (n_upper and n_lower):
                reasons.append(f"discrimination: {groups_reason or 'no attempt in the upper or lower group was given the item'}")
                d = None
        option_stats, beats_key = _options(r, index, n, int(n_upper), int(n_lower), options)
        flags = item_flags(p, rpb, beats_key, too_easy_above=too_easy_above, too_hard_below=too_hard_below,
                           weak_below=weak_below)
        items.append(ItemStatistics(
            item_id=r.item_ids[index], item_type=ITEM_TYPES[int(r.item_type[index])], taken=n, answered=int(n_answered),
            facility=p, point_biserial=rpb, discrimination=d, upper_taken=int(n_upper), lower_taken=int(n_lower),
            options=option_stats, flags=flags, not_enough_data=tuple(reasons),
        ))
    return ItemAnalysis(attempts=r.n_attempts, upper_size=int(upper.sum()), lower_size=int(lower.sum()),
                        groups_reason=groups_reason, items=tuple(items))


def item_flags(facility: float | None, point_biserial: float | None, distractor_beats_key: bool, *,
               too_easy_above: float = TOO_EASY_ABOVE, too_hard_below: float = TOO_HARD_BELOW,
               weak_below: float = WEAK_DISCRIMINATION_BELOW) -> tuple[str, ...]:
    """The flags an item earns (see the module docstring); a None statistic raises no flag."""
    return tuple(name for name, on in [
        (TOO_EASY, facility is not None and facility > too_easy_above),
        (TOO_HARD, facility is not None and facility < too_hard_below),
        (NEGATIVE_DISCRIMINATION, point_biserial is not None and point_biserial < 0),
        (WEAK_DISCRIMINATION, point_biserial is not None and 0 <= point_biserial < weak_below),
        (DISTRACTOR_BEATS_KEY, distractor_beats_key),
    ] if on)


def _option_counts(r: Responses, in_upper: np.ndarray, in_lower: np.ndarray) -> np.ndarray | None:
    """Counts of attempts choosing each option, shape (3, n_items, options): overall, upper, lower.
    One pass of bincounts per option letter (at most 26), none per row."""
    with_options = (r.item_type == SINGLE_BEST_ANSWER) | (r.item_type == MULTIPLE_RESPONSE)
    if not with_options.any():
        return None
    width = int(r.option_count[with_options].max())
    counts = np.zeros((3, r.n_items, width))
    for bit in range(width):
        chose = (r.chosen >> np.uint32(bit)) & np.uint32(1)
        for group, weights in enumerate((chose, chose * in_upper, chose * in_lower)):
            counts[group, :, bit] = np.bincount(r.item, weights=weights, minlength=r.n_items)
    return counts


def _options(r: Responses, index: int, n: int, n_upper: int, n_lower: int,
             counts: np.ndarray | None) -> tuple[tuple[OptionStatistics, ...], bool]:
    """One item's option statistics, and whether a distractor beats the key in the upper group."""
    if counts is None or int(r.item_type[index]) not in (SINGLE_BEST_ANSWER, MULTIPLE_RESPONSE):
        return (), False
    option_count, key = int(r.option_count[index]), int(r.key[index])
    overall, upper, lower = (counts[group, index, :option_count].tolist() for group in range(3))
    keyed = [bool(key >> bit & 1) for bit in range(option_count)]
    stats = tuple(
        OptionStatistics(option=mask_letters(1 << bit), keyed=keyed[bit], chosen=_share(overall[bit], n),
                         upper=_share(upper[bit], n_upper), lower=_share(lower[bit], n_lower))
        for bit in range(option_count)
    )
    beats_key = n_upper > 0 and (max(c for c, k in zip(upper, keyed, strict=True) if not k)
                                 > min(c for c, k in zip(upper, keyed, strict=True) if k))
    return stats, beats_key


def _share(count: float, total: int) -> float | None:
    return count / total if total else None
