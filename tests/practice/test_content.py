"""The shipped station sets, and the checker's messages for broken ones."""

from pathlib import Path

import yaml

from app.bank.content import check_bank
from tests.exams.conftest import SHIPPED


def test_the_shipped_station_sets_are_complete():
    bank = check_bank(SHIPPED)
    assert bank.errors == [] and [p for p in bank.problems if "practice" in p.file] == []
    by_tier = {}
    for spec in bank.station_sets:
        by_tier.setdefault(spec.tier, []).append(spec)
        kinds = [station.kind for station in spec.stations]
        assert kinds.count("simulation") >= 2 and kinds.count("written") == 1 and kinds.count("reflective") == 1
    assert {tier: len(sets) for tier, sets in by_tier.items()} == {"practitioner": 2, "supervisor": 2, "leader": 2}


def broken(tmp_path: Path, change) -> list[str]:
    """Copy the shipped framework and one station set, break the set, and check."""
    root = tmp_path / "question_bank"
    (root / "framework").mkdir(parents=True)
    for path in (SHIPPED / "framework").glob("*.yaml"):
        (root / "framework" / path.name).write_text(path.read_text())
    data = yaml.safe_load((SHIPPED / "practice" / "practitioner" / "prac-set-a.yaml").read_text())
    change(data)
    (root / "practice" / "practitioner").mkdir(parents=True)
    (root / "practice" / "practitioner" / "prac-set-a.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return [str(p) for p in check_bank(root).problems]


def test_broken_station_sets_get_precise_messages(tmp_path):
    def no_actor(data):
        del data["stations"][0]["actor_brief"]

    def wrong_statement(data):
        data["stations"][0]["rubric"][0]["kss"] = ["S1"]

    def written_without_simulation(data):
        written = next(s for s in data["stations"] if s["kind"] == "written")
        written["based_on"] = "prac-a-nothing"

    def one_simulation(data):
        data["stations"] = [s for s in data["stations"] if s["kind"] != "simulation"][:2] + [
            next(s for s in data["stations"] if s["kind"] == "simulation")] + [
            s for s in data["stations"] if s["kind"] == "written"]

    assert any("a simulation needs an actor_brief" in p and "stations[0]" in p for p in broken(tmp_path / "1", no_actor))
    assert any("S1 is a supervisor statement; this is a practitioner set" in p for p in broken(tmp_path / "2", wrong_statement))
    assert any("'prac-a-nothing' is not a simulation in this set" in p for p in broken(tmp_path / "3", written_without_simulation))
    problems = broken(tmp_path / "4", one_simulation)
    assert any("at least 2 simulations, not 1" in p for p in problems)
    assert all(p.startswith("question_bank/practice/practitioner/prac-set-a.yaml:") for p in problems if "practice" in p)
