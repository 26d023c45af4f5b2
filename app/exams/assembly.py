"""Form assembly: choose the items for one candidate's knowledge assessment. Pure.

A form satisfies its blueprint (how many general and applied items, the statements it must cover,
at most so many scenarios), never repeats an item the candidate has seen, and keeps each scenario's
items together in stage order. Two items that are enemies (one names the other, or names the
other's scenario, because they overlap or one cues the other's answer) never share a form. Among the forms that satisfy the blueprint it prefers, in order:
the least-exposed items; items on statements the bank has plenty of (so scarce items are left for
later forms); then a seeded random tie-break, so candidates sitting at the same time get different
forms. When the bank cannot satisfy the blueprint it raises AssemblyError saying why.
"""

import random
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable

from app.exams.blueprints import Blueprint


@dataclass(frozen=True)
class Candidate:
    """A live item as the assembler sees it."""

    id: str
    tier: str
    kss: str
    kind: str  # general | applied
    scenario: str | None = None
    stage_order: int = 0  # position of the item's stage in its scenario
    exposure: int = 0  # forms it has already appeared on
    enemies: frozenset[str] = frozenset()  # item or scenario ids it must not share a form with


@dataclass(frozen=True)
class Form:
    general: tuple[str, ...]
    applied: tuple[str, ...]  # grouped by scenario, each scenario's items in stage order

    @property
    def items(self) -> tuple[str, ...]:
        return self.general + self.applied


class AssemblyError(Exception):
    pass


def assemble_form(blueprint: Blueprint, pool: Iterable[Candidate], *, seen: Iterable[str] = (), seed: int = 0) -> Form:
    seen = set(seen)
    available = sorted((c for c in pool if c.id not in seen), key=lambda c: c.id)
    general = [c for c in available if c.kind == "general" and c.tier == blueprint.general_from]
    applied = [c for c in available if c.kind == "applied" and c.tier == blueprint.tier]
    _check_supply(blueprint, general, applied)
    rng = random.Random(seed)
    tiebreak = {c.id: rng.random() for c in available}
    plenty = Counter(c.kss for c in general + applied)
    clashes = _clashes(available)

    def rank(c):
        return (c.exposure, 1 / plenty[c.kss], tiebreak[c.id])

    best, closest, enemy_bound = None, None, None
    for scenarios in _scenario_choices(applied, blueprint):
        needs = Counter(blueprint.minimum_per_statement)
        chosen_applied = _choose([c for c in applied if c.scenario in scenarios], blueprint.applied, needs, rank, clashes)
        chosen_general = _choose(general, blueprint.general, needs, rank, clashes, chosen_applied)
        if len(chosen_applied) < blueprint.applied or len(chosen_general) < blueprint.general:
            enemy_bound = enemy_bound or scenarios
            continue
        missing = sorted(code for code, count in needs.items() if count > 0)
        if missing:
            if closest is None or len(missing) < len(closest[1]):
                closest = (scenarios, missing)
            continue
        ranks = [rank(c) for c in chosen_applied + chosen_general]
        score = tuple(sum(parts) for parts in zip(*ranks, strict=True))  # exposure, scarcity, tie-break
        if best is None or score < best[0]:
            best = (score, chosen_general, chosen_applied)
    if best is None:
        raise AssemblyError(_why_not(blueprint, closest, enemy_bound))
    _score, chosen_general, chosen_applied = best
    return Form(general=tuple(sorted(c.id for c in chosen_general)),
                applied=tuple(c.id for c in sorted(chosen_applied, key=lambda c: (c.scenario, c.stage_order, c.id))))


def _check_supply(blueprint, general, applied):
    if len(general) < blueprint.general:
        raise AssemblyError(f"the bank has {len(general)} unseen live general item(s) on {blueprint.general_from} "
                            f"statements for {blueprint.general} places")
    if len(applied) < blueprint.applied:
        raise AssemblyError(f"the bank has {len(applied)} unseen live applied {blueprint.tier} item(s) for {blueprint.applied} places")
    supply = Counter(c.kss for c in general + applied)
    for code, needed in sorted(blueprint.minimum_per_statement.items()):
        if supply[code] < needed:
            raise AssemblyError(f"statement {code} needs {needed} item(s) on every form, but the bank has "
                                f"{supply[code]} unseen live item(s) mapped to it")


def _scenario_choices(applied, blueprint):
    """Every set of at most max_scenarios scenarios holding enough items, smallest sets first."""
    sizes = Counter(c.scenario for c in applied)
    names = sorted(sizes)
    for count in range(1, blueprint.max_scenarios + 1):
        for chosen in combinations(names, count):
            if sum(sizes[name] for name in chosen) >= blueprint.applied:
                yield set(chosen)


def _clashes(items) -> dict[str, set[str]]:
    """For each item, the ids of the items it may not share a form with. Enmity is symmetric, and
    naming a scenario makes an item the enemy of every item on that scenario."""
    by_scenario: dict[str, set[str]] = {}
    for c in items:
        if c.scenario:
            by_scenario.setdefault(c.scenario, set()).add(c.id)
    clashes: dict[str, set[str]] = {c.id: set() for c in items}
    for c in items:
        for enemy in c.enemies:
            for other in by_scenario.get(enemy, {enemy} if enemy in clashes else set()):
                clashes[c.id].add(other)
                clashes[other].add(c.id)
    return clashes


def _choose(items, count, needs: Counter, rank, clashes, already=()):
    """Up to `count` items, none an enemy of another or of `already`: first the best-ranked ones
    that meet outstanding statement needs, then the best-ranked of the rest. Updates `needs`."""
    ranked = sorted(items, key=rank)
    chosen, barred = [], set().union(*(clashes[c.id] for c in already))

    def take(item):
        chosen.append(item)
        barred.update(clashes[item.id])

    for item in ranked:
        if len(chosen) < count and needs.get(item.kss, 0) > 0 and item.id not in barred:
            take(item)
            needs[item.kss] -= 1
    for item in ranked:
        if len(chosen) >= count:
            break
        if item not in chosen and item.id not in barred:
            take(item)
    return chosen


def _why_not(blueprint, closest, enemy_bound):
    if closest is None and enemy_bound is not None:
        return (f"enemy rules leave too few items: with scenario(s) {', '.join(sorted(enemy_bound))}, the items that may share "
                f"a form number fewer than {blueprint.general} general and {blueprint.applied} applied")
    if closest is None:
        return (f"no set of up to {blueprint.max_scenarios} scenario(s) has {blueprint.applied} unseen live applied "
                f"{blueprint.tier} items")
    scenarios, missing = closest
    return (f"no set of up to {blueprint.max_scenarios} scenario(s) with the general items covers every required "
            f"statement; the closest ({', '.join(sorted(scenarios))}) leaves {', '.join(missing)} uncovered")


def count_disjoint_forms(blueprint: Blueprint, pool: list[Candidate]) -> int:
    """How many forms with no item in common the assembler builds, one after another."""
    used, forms = set(), 0
    while True:
        try:
            form = assemble_form(blueprint, pool, seen=used)
        except AssemblyError:
            return forms
        used.update(form.items)
        forms += 1
