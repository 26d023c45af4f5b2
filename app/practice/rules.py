"""The pure rules of observed-practice marking: criterion scores on the 1-7 scale, when a station and
the practice component pass, when two markers agree closely enough, the agreed mark, and the
practice profile per statement. Plain functions over plain values; no Flask, no database.

The scale (the national pilot's): 1-2 well below the standard, 3 below it, 4-5 meets it, 6-7 exceeds
it. A score of 3 or below is a fail on that criterion.

Station rule (configurable, `StationRule`): a station passes when no criterion's mark is below
`lowest_allowed` (default 3) and the mean of its criteria's marks is at least `mean_at_least`
(default 4). The practice component passes when every station passes.

Double marking: two assessors mark every criterion independently. They **agree** when no criterion
differs by `moderate_at` (default 2) or more and both reach the same pass or fail on every station;
otherwise a moderator decides. The **agreed mark** of a criterion when they agree is the mean of the
two marks, kept as it is (a half mark is possible), so that neither marker's judgement is rounded
away; the station decision then uses the agreed marks. A moderator's agreed marks are whole numbers.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

LOWEST, HIGHEST = 1, 7
FAIL_AT_OR_BELOW = 3
STRENGTH, MEETS, AREA_TO_DEVELOP = "strength", "meets", "area_to_develop"
STRENGTH_FROM = 5.5  # a statement's mean agreed mark from which it is a strength (6-7 is "exceeds")
MIN_CRITERIA_FOR_LABEL = 2  # fewer criteria on a statement and it gets no label
TOLERANCE = 1e-9

Key = tuple[str, str]  # (station code, criterion id)


def check_score(score: float, *, whole: bool = True) -> float:
    if isinstance(score, bool) or not isinstance(score, int | float) or math.isnan(score) or not LOWEST <= score <= HIGHEST:
        raise ValueError(f"a mark is from {LOWEST} to {HIGHEST}, not {score!r}")
    if whole and score != int(score):
        raise ValueError(f"a marker's mark is a whole number from {LOWEST} to {HIGHEST}, not {score!r}")
    return score


@dataclass(frozen=True)
class StationRule:
    lowest_allowed: int = 3  # no criterion below this
    mean_at_least: float = 4.0
    moderate_at: int = 2  # markers differing by this much on any criterion go to moderation

    def __post_init__(self):
        if not LOWEST <= self.lowest_allowed <= HIGHEST:
            raise ValueError(f"the lowest mark allowed is from {LOWEST} to {HIGHEST}, not {self.lowest_allowed}")
        if not LOWEST <= self.mean_at_least <= HIGHEST:
            raise ValueError(f"the station mean needed is from {LOWEST} to {HIGHEST}, not {self.mean_at_least}")
        if not 1 <= self.moderate_at <= HIGHEST - LOWEST:
            raise ValueError(f"the moderation difference is from 1 to {HIGHEST - LOWEST}, not {self.moderate_at}")


@dataclass(frozen=True)
class StationResult:
    station: str
    mean: float
    lowest: float
    passed: bool
    below_lowest: tuple[str, ...]  # criteria under the lowest mark allowed


def station_result(station: str, marks: Mapping[str, float], rule: StationRule = StationRule()) -> StationResult:
    """Pass or fail for one station from its criteria's marks (criterion id -> mark)."""
    if not marks:
        raise ValueError(f"station {station} has no marks")
    for score in marks.values():
        check_score(score, whole=False)
    mean = math.fsum(marks.values()) / len(marks)
    below = tuple(sorted(c for c, s in marks.items() if s < rule.lowest_allowed - TOLERANCE))
    return StationResult(station, round(mean, 2), min(marks.values()), not below and mean >= rule.mean_at_least - TOLERANCE, below)


def by_station(marks: Mapping[Key, float]) -> dict[str, dict[str, float]]:
    stations: dict[str, dict[str, float]] = {}
    for (station, criterion), score in marks.items():
        stations.setdefault(station, {})[criterion] = score
    return stations


def practice_result(marks: Mapping[Key, float], rule: StationRule = StationRule()) -> tuple[bool, tuple[StationResult, ...]]:
    """The practice component passes when every station passes."""
    results = tuple(station_result(station, criteria, rule) for station, criteria in by_station(marks).items())
    return bool(results) and all(r.passed for r in results), results


@dataclass(frozen=True)
class Comparison:
    agree: bool
    far_apart: tuple[Key, ...]  # criteria whose marks differ by rule.moderate_at or more
    split_stations: tuple[str, ...]  # stations one marker passes and the other fails
    agreed: dict[Key, float] | None  # the agreed marks, when they agree


def compare_markers(first: Mapping[Key, int], second: Mapping[Key, int], rule: StationRule = StationRule()) -> Comparison:
    """Whether two complete, independent markings agree within tolerance, and the agreed marks if so."""
    if set(first) != set(second):
        raise ValueError("both markers mark the same criteria")
    for score in (*first.values(), *second.values()):
        check_score(score)
    far = tuple(sorted(key for key in first if abs(first[key] - second[key]) >= rule.moderate_at))
    _, first_stations = practice_result(first, rule)
    _, second_stations = practice_result(second, rule)
    second_passed = {r.station: r.passed for r in second_stations}
    split = tuple(sorted(r.station for r in first_stations if r.passed != second_passed[r.station]))
    agree = not far and not split
    return Comparison(agree, far, split, {key: (first[key] + second[key]) / 2 for key in first} if agree else None)


@dataclass(frozen=True)
class StatementProfile:
    code: str
    mean: float
    criteria: int
    label: str | None  # STRENGTH, MEETS, AREA_TO_DEVELOP, or None when too few criteria


def practice_profile(marks: Mapping[Key, float], kss: Mapping[Key, Sequence[str]], *,
                     min_criteria: int = MIN_CRITERIA_FOR_LABEL) -> tuple[StatementProfile, ...]:
    """Per statement, the mean agreed mark of the criteria mapped to it, labelled: a strength from
    STRENGTH_FROM, an area to develop when the mean is at or below FAIL_AT_OR_BELOW (below the
    standard), otherwise meets the standard; no label with fewer than `min_criteria` criteria."""
    scores: dict[str, list[float]] = {}
    for key, score in marks.items():
        for code in kss[key]:
            scores.setdefault(code, []).append(check_score(score, whole=False))
    profile = []
    for code in sorted(scores, key=_natural):
        mean = math.fsum(scores[code]) / len(scores[code])
        if len(scores[code]) < min_criteria:
            label = None
        elif mean >= STRENGTH_FROM - TOLERANCE:
            label = STRENGTH
        elif mean <= FAIL_AT_OR_BELOW + TOLERANCE:
            label = AREA_TO_DEVELOP
        else:
            label = MEETS
        profile.append(StatementProfile(code, round(mean, 2), len(scores[code]), label))
    return tuple(profile)


def _natural(code: str) -> tuple[str, int]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (code.rstrip("0123456789"), int(digits) if digits else -1)


def complete(marks: Iterable[Key], criteria: Iterable[Key]) -> list[Key]:
    """Criteria of the station set that `marks` has not scored yet."""
    marked = set(marks)
    return [key for key in criteria if key not in marked]
