"""The workforce heat map's pure core: the combining rule, shares, shading and suppression."""

import ast
import sys
from itertools import pairwise
from pathlib import Path

import pytest

import app.employers.heatmap as heatmap_module
from app.employers.heatmap import BANDS, MIN_GROUP, Cell, Evidence, band, combined_label, heat_map, percent
from app.practice import rules as practice_rules
from app.scoring import AREA_TO_DEVELOP, STRENGTH

MEETS = practice_rules.MEETS
TIERS = {"practitioner": ["P1", "P2"], "supervisor": ["S1"]}


def test_the_practice_labels_are_the_knowledge_labels():
    assert (practice_rules.STRENGTH, practice_rules.AREA_TO_DEVELOP) == (STRENGTH, AREA_TO_DEVELOP)


@pytest.mark.parametrize(("knowledge", "practice", "expected"), [
    (STRENGTH, None, STRENGTH),
    (None, STRENGTH, STRENGTH),
    (STRENGTH, STRENGTH, STRENGTH),
    (AREA_TO_DEVELOP, None, AREA_TO_DEVELOP),
    (None, AREA_TO_DEVELOP, AREA_TO_DEVELOP),
    pytest.param(STRENGTH, AREA_TO_DEVELOP, AREA_TO_DEVELOP, id="a gap in practice is not hidden by knowledge"),
    pytest.param(AREA_TO_DEVELOP, STRENGTH, AREA_TO_DEVELOP, id="a gap in knowledge is not hidden by practice"),
    (AREA_TO_DEVELOP, MEETS, AREA_TO_DEVELOP),
    (STRENGTH, MEETS, STRENGTH),
    (None, MEETS, None),
    (None, None, None),
])
def test_combined_label(knowledge, practice, expected):
    assert combined_label(knowledge, practice) == expected


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (0, 5, 0), (5, 5, 100), (1, 8, 13), (2, 8, 25), (1, 3, 33), (2, 3, 67), (1, 200, 1), (1, 201, 0),
])
def test_percent_rounds_halves_up(part, whole, expected):
    assert percent(part, whole) == expected


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (19, 0), (20, 1), (39, 1), (40, 2), (79, 3), (80, 4), (100, 4)])
def test_band(value, expected):
    assert band(value) == expected


@pytest.mark.parametrize("value", [-1, 101])
def test_band_refuses_what_is_not_a_percentage(value):
    with pytest.raises(ValueError, match="from 0 to 100"):
        band(value)


def test_the_bands_cover_every_percentage_once():
    assert BANDS[0][0] == 0 and BANDS[-1][1] == 100
    assert all(high + 1 == low for (_, high), (low, _) in pairwise(BANDS))
    assert [band(low) for low, _ in BANDS] == [band(high) for _, high in BANDS] == list(range(len(BANDS)))


def people(n, tier="practitioner", start=0, knowledge=None, practice=None):
    return [Evidence(start + i, tier, knowledge or {}, practice or {}) for i in range(n)]


def cells(maps, tier="practitioner"):
    return {cell.statement: cell for cell in next(m for m in maps if m.tier == tier).cells}


@pytest.mark.parametrize(("evidence", "p1"), [
    pytest.param(people(5, knowledge={"P1": STRENGTH}), Cell("P1", 5, 5, 0), id="five strengths"),
    pytest.param(people(3, knowledge={"P1": STRENGTH}) + people(2, start=3, knowledge={"P1": AREA_TO_DEVELOP}),
                 Cell("P1", 5, 3, 2), id="mixed"),
    pytest.param(people(4, knowledge={"P1": STRENGTH}) + people(4, start=4, knowledge={"P1": None}), Cell("P1", 8, 4, 0),
                 id="too few items counts as evidence, neither"),
    pytest.param(people(5, practice={"P1": MEETS}), Cell("P1", 5, 0, 0), id="meets is neither"),
    pytest.param(people(5, knowledge={"P1": STRENGTH}, practice={"P1": AREA_TO_DEVELOP}), Cell("P1", 5, 0, 5),
                 id="combined per person"),
    pytest.param(people(3, knowledge={"P1": STRENGTH}) + people(2, start=3, practice={"P1": STRENGTH}), Cell("P1", 5, 5, 0),
                 id="either component is evidence"),
    pytest.param(people(4, knowledge={"P1": STRENGTH}), Cell("P1"), id="four people: suppressed"),
    pytest.param(people(4, knowledge={"P1": STRENGTH}) + people(1, tier="supervisor", start=4, knowledge={"P1": STRENGTH}),
                 Cell("P1"), id="another tier's evidence does not count"),
    pytest.param(people(9, knowledge={"P2": STRENGTH}), Cell("P1"), id="no evidence: suppressed"),
])
def test_cells(evidence, p1):
    assert cells(heat_map(evidence, TIERS))["P1"] == p1


def test_a_suppressed_cell_reveals_nothing():
    suppressed = cells(heat_map(people(4, knowledge={"P1": AREA_TO_DEVELOP}), TIERS))["P1"]
    assert suppressed.suppressed
    assert (suppressed.people, suppressed.strengths, suppressed.areas) == (None, None, None)
    assert (suppressed.strength_percent, suppressed.area_percent, suppressed.strength_band, suppressed.area_band) == (None,) * 4


def test_shares_and_shading_of_a_shown_cell():
    shown = Cell("P1", 8, 5, 2)
    assert (shown.strength_percent, shown.area_percent, shown.strength_band, shown.area_band) == (63, 25, 3, 1)


def test_min_group_can_be_set_and_must_be_positive():
    evidence = people(3, knowledge={"P1": STRENGTH})
    assert cells(heat_map(evidence, TIERS, min_group=3))["P1"] == Cell("P1", 3, 3, 0)
    with pytest.raises(ValueError, match="min_group"):
        heat_map(evidence, TIERS, min_group=0)
    assert MIN_GROUP == 5


def test_rows_are_the_tiers_own_statements_then_others_in_the_given_order():
    evidence = people(5, tier="supervisor", knowledge={"S1": STRENGTH, "P10": None, "P2": AREA_TO_DEVELOP})
    maps = heat_map(evidence, TIERS, order=["P1", "P2", "P10", "S1"])
    supervisor = next(m for m in maps if m.tier == "supervisor")
    assert [cell.statement for cell in supervisor.cells] == ["S1", "P2", "P10"]
    assert [m.tier for m in maps] == ["practitioner", "supervisor"]
    assert [cell.statement for cell in maps[0].cells] == ["P1", "P2"]  # shown even without evidence


def test_codes_missing_from_the_order_follow_in_natural_order():
    evidence = people(5, tier="supervisor", knowledge={"P10": None, "P2": None, "S1": None})
    (supervisor,) = heat_map(evidence, {"supervisor": ["S1"]})
    assert [cell.statement for cell in supervisor.cells] == ["S1", "P2", "P10"]


@pytest.mark.parametrize(("count", "expected"), [(0, 0), (1, None), (4, None), (5, 5), (12, 12)])
def test_people_per_tier_are_suppressed_below_the_minimum(count, expected):
    (practitioner, _) = heat_map(people(count, knowledge={"P1": STRENGTH}) + people(2, start=100), TIERS)
    assert practitioner.people == expected  # evidence with no statements at all is nobody
    assert practitioner.empty is (count == 0) and practitioner.suppressed is (expected is None)


def test_evidence_for_an_unknown_tier_is_ignored_and_a_person_counts_once_per_tier():
    maps = heat_map(people(5, tier="leader", knowledge={"L1": STRENGTH}), TIERS)
    assert all(m.empty for m in maps)
    with pytest.raises(ValueError, match="more than one Evidence"):
        heat_map([Evidence(1, "practitioner", {"P1": STRENGTH}), Evidence(1, "practitioner", {"P2": STRENGTH})], TIERS)


def test_the_heat_map_imports_nothing_but_the_standard_library_and_the_scoring_core():
    imported = set()
    for node in ast.walk(ast.parse(Path(heatmap_module.__file__).read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    outside = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
    assert {name for name in outside if not name.startswith("app.scoring")} == set()
