"""Bank statistics: counts, key balance, and how many disjoint forms each tier can supply.
Pure functions over checked bank content."""

from collections import Counter
from dataclasses import dataclass

from app.bank.content import key_is_longest
from app.bank.schema import ItemSpec, TierSpec


@dataclass(frozen=True)
class FormShape:
    """The national scheme's knowledge assessment: 18 general + 12 applied items covering every
    statement of the tier. Supervisors' general items are practitioner-level; for leaders we use
    supervisor-level general items (the exams blueprint documents the reasoning)."""

    tier: str
    general_from: str
    general: int = 18
    applied: int = 12


DEFAULT_SHAPES = {
    "practitioner": FormShape("practitioner", "practitioner"),
    "supervisor": FormShape("supervisor", "practitioner"),
    "leader": FormShape("leader", "supervisor"),
}


def bank_stats(tiers: list[TierSpec], items: list[ItemSpec], shapes=DEFAULT_SHAPES) -> dict:
    live = [item for item in items if item.status == "live"]
    return {
        "items": len(items),
        "live": len(live),
        "by_tier": _count(items, lambda i: i.tier),
        "by_status": _count(items, lambda i: i.status),
        "by_kind": _count(items, lambda i: i.kind),
        "by_type": _count(items, lambda i: i.type),
        "live_by_statement": {s.code: sum(1 for i in live if i.kss == s.code) for t in tiers for s in t.statements},
        "scenarios_with_live_items": _count({(i.tier, i.scenario) for i in live if i.scenario}, lambda pair: pair[0]),
        "key_positions": {kind: dict(sorted(counter.items())) for kind, counter in _key_positions(live).items()},
        "single_best_answer_key_is_longest": sum(1 for i in live if i.type == "single_best_answer" and key_is_longest(i)),
        "disjoint_forms": {tier.code: disjoint_forms(live, tier, shapes[tier.code]) for tier in tiers if tier.code in shapes},
    }


def _count(things, key) -> dict:
    return dict(sorted(Counter(key(thing) for thing in things).items()))


def _key_positions(items) -> dict[str, Counter]:
    positions = {"single_best_answer": Counter(), "multiple_response": Counter(), "ranking_first": Counter()}
    for item in items:
        if item.type == "single_best_answer":
            positions["single_best_answer"][item.key[0]] += 1
        elif item.type == "multiple_response":
            positions["multiple_response"].update(item.key)
        else:
            positions["ranking_first"][item.key[0]] += 1
    return positions


def disjoint_forms(live: list[ItemSpec], tier: TierSpec, shape: FormShape) -> int:
    """How many forms with no item in common a greedy assembler builds from the live items
    (a lower bound: a cleverer assembler may find more)."""
    general = [i for i in live if i.kind == "general" and i.tier == shape.general_from]
    applied = [i for i in live if i.kind == "applied" and i.tier == tier.code]
    statements = [s.code for s in tier.statements]
    forms = 0
    while (form := _greedy_form(general, applied, statements, shape)) is not None:
        used = {item.id for item in form}
        general = [i for i in general if i.id not in used]
        applied = [i for i in applied if i.id not in used]
        forms += 1
    return forms


def _greedy_form(general, applied, statements, shape):
    if len(general) < shape.general or len(applied) < shape.applied:
        return None
    chosen_applied = _pick_applied(applied, statements, shape.applied)
    uncovered = set(statements) - {item.kss for item in chosen_applied}
    chosen_general = _pick_covering(general, uncovered, shape.general)
    covered = {item.kss for item in chosen_applied + chosen_general}
    return chosen_applied + chosen_general if set(statements) <= covered else None


def _pick_applied(applied, statements, count):
    """Items that cover new statements, scenario by scenario (fewest scenarios first), then more
    items taken from the chosen scenarios in turn."""
    by_scenario = {}
    for item in applied:
        by_scenario.setdefault(item.scenario, []).append(item)
    chosen, uncovered, order = [], set(statements), []
    while uncovered and len(chosen) < count:
        candidates = [code for code in by_scenario if code not in order]
        best = max(candidates, key=lambda code: len({i.kss for i in by_scenario[code]} & uncovered), default=None)
        if best is None or not {i.kss for i in by_scenario[best]} & uncovered:
            break
        order.append(best)
        for item in by_scenario[best]:
            if item.kss in uncovered and len(chosen) < count:
                chosen.append(item)
                uncovered.discard(item.kss)
    queues = [[i for i in by_scenario[code] if i not in chosen] for code in order + [c for c in by_scenario if c not in order]]
    while len(chosen) < count and any(queues):
        for queue in queues:  # one from each scenario in turn: leaves every statement some items for the next form
            if queue and len(chosen) < count:
                chosen.append(queue.pop(0))
    return chosen


def _pick_covering(pool, uncovered, count):
    """Up to `count` items, first one for each uncovered statement, then the rest in order."""
    chosen, wanted = [], set(uncovered)
    for item in pool:
        if item.kss in wanted and len(chosen) < count:
            chosen.append(item)
            wanted.discard(item.kss)
    for item in pool:
        if len(chosen) >= count:
            break
        if item not in chosen:
            chosen.append(item)
    return chosen
