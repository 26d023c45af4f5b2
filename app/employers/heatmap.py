"""Workforce insight: per Knowledge and Skills Statement, the share of a group of people showing a
strength or an area to develop. Pure: plain values in, frozen dataclasses out; no Flask, no database.

**Input.** One `Evidence` per person and tier: the label each statement got in the person's latest
released knowledge profile and in their latest released practice profile for that tier (either may
be missing). Labels are those of the two profiles: "strength", "meets" (practice only),
"area_to_develop", or None when too few questions or criteria covered the statement to say.

**Combining rule.** For one person and statement: an *area to develop* if either component labels
it an area to develop; otherwise a *strength* if either labels it a strength; otherwise neither (it
meets the standard, or too few questions or criteria covered it to say). The cautious reading wins:
a strength in one component does not hide a gap found in the other.

**Output.** Per tier, a row per statement: the number of people with evidence on it (it appeared in
their knowledge or practice profile), and the shares of them with a strength and with an area to
develop; the rest are neither. A group of fewer than `min_group` (MIN_GROUP = 5) people is
**suppressed**: the row carries no counts and no shares at all, so nothing about a small group, or
the one person in it, can be read or worked back from it.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.scoring.attempts import AREA_TO_DEVELOP, STRENGTH

MIN_GROUP = 5  # fewer people than this and a figure is not shown
BAND_WIDTH = 20  # percentage points per shade
BANDS = tuple((low, 100 if low + BAND_WIDTH >= 100 else low + BAND_WIDTH - 1)
              for low in range(0, 100, BAND_WIDTH))  # the shades' ranges: (0, 19), (20, 39), ... (80, 100)


def combined_label(knowledge: str | None, practice: str | None) -> str | None:
    """AREA_TO_DEVELOP if either component says so, else STRENGTH if either says so, else None."""
    labels = {knowledge, practice}
    if AREA_TO_DEVELOP in labels:
        return AREA_TO_DEVELOP
    if STRENGTH in labels:
        return STRENGTH
    return None


@dataclass(frozen=True)
class Evidence:
    """One person's released results for one tier: statement code -> label, per component."""

    person: int
    tier: str
    knowledge: Mapping[str, str | None] = field(default_factory=dict)
    practice: Mapping[str, str | None] = field(default_factory=dict)

    def labels(self) -> dict[str, str | None]:
        """The combined label of every statement either component covers."""
        codes = set(self.knowledge) | set(self.practice)
        return {code: combined_label(self.knowledge.get(code), self.practice.get(code)) for code in codes}


def percent(part: int, whole: int) -> int:
    """A share as a whole percentage, halves rounded up (so 2 of 8 is 25%, 1 of 8 is 13%)."""
    return (200 * part + whole) // (2 * whole)


def band(value: int) -> int:
    """The shade (0 to len(BANDS) - 1) of a whole percentage: 0-19% is 0, ..., 80-100% is 4."""
    if not 0 <= value <= 100:
        raise ValueError(f"a percentage is from 0 to 100, not {value}")
    return min(value // BAND_WIDTH, len(BANDS) - 1)


@dataclass(frozen=True)
class Cell:
    """One statement's figures for a group. All None when the group is suppressed."""

    statement: str
    people: int | None = None
    strengths: int | None = None
    areas: int | None = None

    @classmethod
    def of(cls, statement: str, people: int, strengths: int, areas: int, min_group: int) -> "Cell":
        if people < min_group:
            return cls(statement)
        return cls(statement, people, strengths, areas)

    @property
    def suppressed(self) -> bool:
        return self.people is None

    @property
    def strength_percent(self) -> int | None:
        return None if self.suppressed else percent(self.strengths, self.people)

    @property
    def area_percent(self) -> int | None:
        return None if self.suppressed else percent(self.areas, self.people)

    @property
    def strength_band(self) -> int | None:
        return None if self.suppressed else band(self.strength_percent)

    @property
    def area_band(self) -> int | None:
        return None if self.suppressed else band(self.area_percent)


@dataclass(frozen=True)
class TierMap:
    tier: str
    people: int | None  # people with any evidence for the tier; None when fewer than min_group
    cells: tuple[Cell, ...]

    @property
    def suppressed(self) -> bool:
        return self.people is None

    @property
    def empty(self) -> bool:
        """Nobody has any evidence for the tier (a suppressed tier may still have some)."""
        return self.people == 0


def heat_map(evidence: Iterable[Evidence], statements: Mapping[str, Sequence[str]], *, order: Sequence[str] = (),
             min_group: int = MIN_GROUP) -> tuple[TierMap, ...]:
    """A TierMap per tier of `statements` (tier code -> its statement codes, in the order shown).

    Each tier has a row for every one of its own statements, evidence or not, then a row for any other
    statement its assessments covered (a supervisor's form also tests practitioner statements), in
    the order of `order` (then by code). Evidence for a tier not in `statements` is ignored.
    """
    if min_group < 1:
        raise ValueError(f"min_group is at least 1, not {min_group}")
    tallies: dict[str, dict[str, list[int]]] = {tier: {} for tier in statements}
    people: dict[str, int] = {tier: 0 for tier in statements}
    seen: set[tuple[int, str]] = set()
    for item in evidence:
        if (item.person, item.tier) in seen:
            raise ValueError(f"person {item.person} has more than one Evidence for tier {item.tier}")
        seen.add((item.person, item.tier))
        if item.tier not in tallies:
            continue
        labels = item.labels()
        people[item.tier] += bool(labels)
        for code, label in labels.items():
            tally = tallies[item.tier].setdefault(code, [0, 0, 0])  # people, strengths, areas
            tally[0] += 1
            tally[1] += label == STRENGTH
            tally[2] += label == AREA_TO_DEVELOP
    position = {code: index for index, code in enumerate(order)}
    maps = []
    for tier, own in statements.items():
        others = sorted(set(tallies[tier]) - set(own), key=lambda code: (position.get(code, len(position)), _natural(code)))
        cells = tuple(Cell.of(code, *tallies[tier].get(code, (0, 0, 0)), min_group) for code in (*own, *others))
        count = people[tier]
        maps.append(TierMap(tier, count if count >= min_group or count == 0 else None, cells))
    return tuple(maps)


def _natural(code: str) -> tuple[str, int, str]:
    match = re.fullmatch(r"(\D*)(\d+)", code)
    return (match[1], int(match[2]), code) if match else (code, -1, code)
