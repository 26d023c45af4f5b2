"""Importing the bank: one transaction, idempotent, and a change of content is a new version."""

from sqlmodel import select

from app.bank.content import check_bank
from app.bank.services import import_bank
from app.models import Item, ItemStatus, Scenario
from tests.conftest import audit_actions


def load(session, root):
    result = check_bank(root)
    assert result.errors == []
    summary = import_bank(session, bank=result, actor=None)
    session.commit()
    return summary


def item(session, code):
    return session.exec(select(Item).where(Item.code == code)).one()


def edit(root, relative, old, new):
    path = root / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_first_import_creates_items_with_version_one(session, bank):
    summary = load(session, bank)
    assert summary.items.created == ["prac-9001", "prac-9002"]
    applied = item(session, "prac-9001")
    assert applied.status is ItemStatus.LIVE and [v.number for v in applied.versions] == [1]
    version = applied.current
    assert version.key == ["A"] and version.stage == "visit" and version.also_kss == ["P6"]
    assert version.scenario_version.scenario.code == "prac-sc-90" and version.scenario_version.number == 1
    assert version.options[0]["rationale"].startswith("Meets the immediate need")
    assert audit_actions(session, applied) == ["item.version_created"]


def test_importing_again_changes_nothing(session, bank):
    load(session, bank)
    again = load(session, bank)
    assert (again.items.created, again.items.updated, again.items.unchanged) == ([], [], 2)
    assert (again.scenarios.created, again.scenarios.updated, again.scenarios.unchanged) == ([], [], 1)


def test_a_changed_item_gets_a_new_version_and_the_old_one_is_kept(session, bank):
    load(session, bank)
    first = item(session, "prac-9002").current
    edit(bank, "items/practitioner/test.yaml", "key: [A, B, C]", "key: [A, B, D]")
    edit(bank, "items/practitioner/test.yaml", "      - text: The family's postcode", "      - text: Whether an adult relative can offer a home")
    summary = load(session, bank)
    assert summary.items.updated == ["prac-9002"] and summary.items.unchanged == 1
    versions = item(session, "prac-9002").versions
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].id == first.id and versions[0].key == ["A", "B", "C"]  # untouched
    assert versions[1].key == ["A", "B", "D"]


def test_a_changed_scenario_gives_its_items_new_versions(session, bank):
    load(session, bank)
    edit(bank, "scenarios/practitioner/prac-sc-90.yaml", "has arrived hungry", "has arrived hungry and tired")
    summary = load(session, bank)
    assert summary.scenarios.updated == ["prac-sc-90"]
    assert summary.items.updated == ["prac-9001"]  # the general item does not depend on the scenario
    scenario = session.exec(select(Scenario).where(Scenario.code == "prac-sc-90")).one()
    assert [v.number for v in scenario.versions] == [1, 2]
    assert item(session, "prac-9001").current.scenario_version.number == 2
    assert item(session, "prac-9001").versions[0].scenario_version.number == 1


def test_a_status_change_is_audited_without_a_new_version(session, bank):
    load(session, bank)
    edit(bank, "items/practitioner/test.yaml", "    status: live\n    stem: A 15", "    status: retired\n    stem: A 15")
    summary = load(session, bank)
    assert summary.status_changes == ["prac-9002"] and summary.items.unchanged == 2
    retired = item(session, "prac-9002")
    assert retired.status is ItemStatus.RETIRED and len(retired.versions) == 1
    assert audit_actions(session, retired)[-1] == "item.status_changed"


def test_enemies_are_stored_on_the_item_without_a_new_version(session, bank):
    load(session, bank)
    edit(bank, "items/practitioner/test.yaml", "    status: live\n    stem: A 15", "    status: live\n    enemies: [prac-9001]\n    stem: A 15")
    load(session, bank)
    changed = item(session, "prac-9002")
    assert changed.enemies == ["prac-9001"] and len(changed.versions) == 1
    assert audit_actions(session, changed)[-1] == "item.enemies_changed"


def test_cli_import_refuses_a_bank_with_errors_and_imports_nothing(app, session, bank):
    edit(bank, "items/practitioner/test.yaml", "kss: P8", "kss: P99")
    result = app.test_cli_runner().invoke(args=["bank", "import", str(bank)])
    assert result.exit_code == 1
    assert "question_bank/items/practitioner/test.yaml:25: items[1].kss: 'P99' is not a KSS code" in result.output
    assert "1 error(s): nothing was imported" in result.output
    assert session.exec(select(Item)).all() == []


def test_cli_import_reports_what_it_did(app, session, bank):
    result = app.test_cli_runner().invoke(args=["bank", "import", str(bank)])
    assert result.exit_code == 0, result.output
    assert "Items: 2 created, 0 new versions, 0 unchanged, 0 status changes." in result.output


def test_a_bank_without_an_items_folder_still_checks(bank):
    import shutil

    shutil.rmtree(bank / "items")
    assert check_bank(bank).errors == []


def test_items_whose_scenario_folder_is_missing_are_errors(bank):
    import shutil

    shutil.rmtree(bank / "scenarios")
    assert [str(p) for p in check_bank(bank).errors] == [
        "question_bank/items/practitioner/test.yaml:7: items[0].scenario: there is no scenario 'prac-sc-90' (or it has errors)"]


def test_cli_stats_as_json_and_text(app, bank):
    import json

    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "stats", "--json", str(bank)])
    assert result.exit_code == 0
    stats = json.loads(result.output)
    assert stats["live"] == 2 and stats["by_type"] == {"multiple_response": 1, "single_best_answer": 1}
    assert stats["live_by_statement"]["P5"] == 1 and stats["disjoint_forms"]["practitioner"] == 0
    text = runner.invoke(args=["bank", "stats", str(bank)]).output
    assert "2 items, 2 live; 0 error(s) in the files" in text and "disjoint forms: practitioner 0, supervisor 0, leader 0" in text


def test_changes_made_in_the_browser_survive_importing_unchanged_files(session, bank):
    from app.bank.services import change_status

    load(session, bank)
    retired = item(session, "prac-9002")
    change_status(session, item=retired, to=ItemStatus.RETIRED, actor=None, reason="Out of date")
    session.commit()
    again = load(session, bank)  # what make run does at every start
    assert again.status_changes == [] and item(session, "prac-9002").status is ItemStatus.RETIRED


def test_a_file_edited_after_a_browser_change_wins_and_is_audited(session, bank):
    from app.bank.services import change_status

    load(session, bank)
    change_status(session, item=item(session, "prac-9002"), to=ItemStatus.RETIRED, actor=None, reason="Out of date")
    session.commit()
    edit(bank, "items/practitioner/test.yaml", "key: [A, B, C]", "key: [A, B, D]")
    summary = load(session, bank)
    assert summary.status_changes == ["prac-9002"] and summary.items.updated == ["prac-9002"]
    assert item(session, "prac-9002").status is ItemStatus.LIVE
