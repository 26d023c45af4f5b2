"""Bank statistics, table-driven over synthetic banks."""

from pathlib import Path

import pytest

from app.bank.framework import check_framework
from app.bank.schema import ItemSpec, OptionSpec
from app.bank.stats import DEFAULT_SHAPES, bank_stats, disjoint_forms

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


@pytest.mark.parametrize(
    "items, forms",
    [
        (practitioner_bank(), 2),  # 40 general, 24 applied in 4 scenarios
        (practitioner_bank(general_per_statement=2), 1),  # 20 general: one form's worth
        (practitioner_bank(scenarios=1), 0),  # only 6 applied items
        ([i for i in practitioner_bank() if not (i.kss == "P8" and i.kind == "general")], 2),  # P8 on two scenarios
        ([i for i in practitioner_bank() if i.kss != "P8"], 0),  # a statement with no items: no form covers it
        ([i for i in practitioner_bank() if i.kss != "P8" or i.kind == "general"][:0], 0),  # empty bank
        ([i.model_copy(update={"status": "draft"}) for i in practitioner_bank()], 0),  # drafts do not count
    ],
    ids=["two-forms", "one-form", "too-few-applied", "statement-only-applied", "statement-missing", "empty", "drafts"],
)
def test_disjoint_practitioner_forms(items, forms):
    live = [item for item in items if item.status == "live"]
    assert disjoint_forms(live, TIERS["practitioner"], DEFAULT_SHAPES["practitioner"]) == forms


def test_supervisor_forms_draw_general_items_from_practitioner_statements():
    general = [make(n, "practitioner", f"P{n % 10 + 1}") for n in range(1, 37)]
    applied = [make(100 + n, "supervisor", f"S{n % 8 + 1}", "applied", f"sup-sc-{n % 4:02d}") for n in range(24)]
    assert disjoint_forms(general + applied, TIERS["supervisor"], DEFAULT_SHAPES["supervisor"]) == 2
    assert disjoint_forms(general[:17] + applied, TIERS["supervisor"], DEFAULT_SHAPES["supervisor"]) == 0


def test_counts_and_key_positions():
    items = practitioner_bank()
    stats = bank_stats(list(TIERS.values()), items)
    assert stats["items"] == stats["live"] == 64
    assert stats["by_kind"] == {"applied": 24, "general": 40}
    assert stats["live_by_statement"]["P1"] == 4 + 3 and stats["live_by_statement"]["S1"] == 0
    assert stats["key_positions"]["single_best_answer"] == {"A": 34, "B": 10, "C": 10, "D": 10}
    assert stats["disjoint_forms"] == {"practitioner": 2, "supervisor": 0, "leader": 0}
    assert stats["scenarios_with_live_items"] == {"practitioner": 4}
