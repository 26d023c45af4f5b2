"""Bank statistics, table-driven over synthetic banks."""

from pathlib import Path

from app.bank.framework import check_framework
from app.bank.schema import ItemSpec, OptionSpec
from app.bank.stats import bank_stats

TIERS = {tier.code: tier for tier in check_framework(Path(__file__).resolve().parents[2] / "question_bank")[0]}
OPTIONS = [OptionSpec(text=f"Option {n}", rationale="A rationale long enough to teach something.") for n in range(4)]


def make(n, tier, kss, kind="general", scenario=None, key="A", status="live"):
    prefix = {"practitioner": "prac", "supervisor": "sup", "leader": "lead"}[tier]
    return ItemSpec(id=f"{prefix}-{n:04d}", tier=tier, kss=kss, kind=kind, scenario=scenario,
                    stage="s1" if scenario else None, type="single_best_answer", difficulty="medium", status=status,
                    stem="A stem that is long enough to be valid.", options=OPTIONS, key=[key])


def practitioner_bank(general_per_statement=4, scenarios=4, per_scenario=6):
    items, n = [], 1
    for code in [f"P{i}" for i in range(1, 11)]:
        for _ in range(general_per_statement):
            items.append(make(n, "practitioner", code, key="ABCD"[n % 4]))
            n += 1
    for s in range(scenarios):
        for j in range(per_scenario):
            items.append(make(n, "practitioner", f"P{(s * per_scenario + j) % 10 + 1}", "applied", f"prac-sc-{s:02d}"))
            n += 1
    return items


def test_disjoint_forms_come_from_the_exams_assembler_and_count_only_live_items():
    items = practitioner_bank()
    assert bank_stats(list(TIERS.values()), items)["disjoint_forms"]["practitioner"] == 2
    drafts = [i.model_copy(update={"status": "draft"}) for i in items]
    assert bank_stats(list(TIERS.values()), drafts)["disjoint_forms"]["practitioner"] == 0


def test_counts_and_key_positions():
    items = practitioner_bank()
    stats = bank_stats(list(TIERS.values()), items)
    assert stats["items"] == stats["live"] == 64
    assert stats["by_kind"] == {"applied": 24, "general": 40}
    assert stats["live_by_statement"]["P1"] == 4 + 3 and stats["live_by_statement"]["S1"] == 0
    assert stats["key_positions"]["single_best_answer"] == {"A": 34, "B": 10, "C": 10, "D": 10}
    assert stats["disjoint_forms"] == {"practitioner": 2, "supervisor": 0, "leader": 0}
    assert stats["scenarios_with_live_items"] == {"practitioner": 4}
