"""Bank statistics: counts, key balance, and how many disjoint forms each tier can supply (by the
exams' own form assembler with the default blueprints). Pure functions over checked bank content."""

from collections import Counter

from app.bank.content import key_is_longest
from app.bank.schema import ItemSpec, TierSpec
from app.exams.assembly import Candidate, count_disjoint_forms
from app.exams.blueprints import default_blueprints


def bank_stats(tiers: list[TierSpec], items: list[ItemSpec], scenarios: dict | None = None) -> dict:
    live = [item for item in items if item.status == "live"]
    blueprints = default_blueprints({tier.code: [s.code for s in tier.statements] for tier in tiers})
    pool = candidates(live, scenarios or {})
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
        "disjoint_forms": {tier.code: count_disjoint_forms(blueprints[tier.code], pool) for tier in tiers if tier.code in blueprints},
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


def candidates(items: list[ItemSpec], scenarios: dict) -> list[Candidate]:
    """The assembler's view of checked items."""
    def stage_order(item):
        scenario = scenarios.get(item.scenario)
        stages = [stage.id for stage in scenario.stages] if scenario else []
        return stages.index(item.stage) if item.stage in stages else 0

    return [Candidate(item.id, item.tier, item.kss, item.kind, item.scenario, stage_order(item)) for item in items]
