"""The KSS framework files: strict checking with file:line: field messages, and import."""

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from app.bank.framework import check_framework
from app.bank.services import import_framework
from app.models import Statement, Tier
from tests.conftest import audit_actions, page_text

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank"

GOOD = """\
code: supervisor
position: 2
name: Practice supervisor
standard: A published standard
statutory: true
statement_prefix: S
statements:
  - code: S1
    title: Promote and govern excellent practice
    summary: A child-centred team culture with high standards.
  - code: S2
    title: Developing excellent practitioners
    summary: Recruit, develop and assess staff.
"""


@pytest.fixture
def bank(tmp_path):
    """A copy of the shipped bank to break in one place."""
    root = tmp_path / "question_bank"
    shutil.copytree(SHIPPED / "framework", root / "framework")
    return root


def write(bank, name, text):
    (bank / "framework" / name).write_text(text, encoding="utf-8")


def problems_for(bank):
    return [str(problem) for problem in check_framework(bank)[1]]


def test_the_shipped_framework_is_valid_and_complete():
    tiers, problems = check_framework(SHIPPED)
    assert problems == []
    codes = {tier.code: [s.code for s in tier.statements] for tier in tiers}
    assert codes == {
        "practitioner": [f"P{n}" for n in range(1, 11)],
        "supervisor": [f"S{n}" for n in range(1, 9)],
        "leader": [f"L{n}" for n in range(1, 7)],
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        (GOOD.replace("  - code: S2\n", "  - code: S3\n"),
         "question_bank/framework/supervisor.yaml:11: statements[1].code: expected S2 here, found S3: number the statements in order"),
        (GOOD.replace("  - code: S2\n", "  - code: P2\n"),
         "question_bank/framework/supervisor.yaml:11: statements[1].code: 'P2' is not a code of this tier; its codes look like S1, S2, ..."),
        (GOOD.replace("    title: Developing excellent practitioners\n", ""),
         "question_bank/framework/supervisor.yaml:11: statements[1].title: is missing"),
        (GOOD.replace("statutory: true\n", "statutory: true\nstatuary: false\n"),
         "question_bank/framework/supervisor.yaml:6: statuary: is not a known field (check the spelling)"),
        (GOOD.replace("statutory: true", "statutory: perhaps"),
         "question_bank/framework/supervisor.yaml:5: statutory: Input should be a valid boolean"),
        (GOOD.replace("    summary: Recruit, develop and assess staff.\n", "    summary: Short\n"),
         "question_bank/framework/supervisor.yaml:13: statements[1].summary: String should have at least 10 characters"),
        (GOOD.replace("name: Practice supervisor\n", "name: Practice supervisor\nname: Again\n"),
         "question_bank/framework/supervisor.yaml:4: (file): the key 'name' appears twice"),
        (GOOD.replace("statements:\n", "statements: [\n"),
         "question_bank/framework/supervisor.yaml:8: (file): not valid YAML: "),
        ("- just\n- a list\n",
         "question_bank/framework/supervisor.yaml:1: (file): a tier file must be a mapping of fields, starting with code: and name:"),
        (GOOD.replace("code: supervisor", "code: manager"),
         "question_bank/framework/supervisor.yaml:1: code: the file for tier 'manager' must be named manager.yaml"),
    ],
    ids=["out-of-order", "wrong-prefix", "missing-field", "unknown-field", "bad-boolean", "too-short",
         "duplicate-key", "broken-yaml", "not-a-mapping", "file-name"],
)
def test_each_problem_names_the_file_line_and_field(bank, text, expected):
    write(bank, "supervisor.yaml", text)
    found = problems_for(bank)
    assert any(problem.startswith(expected) for problem in found), found


def test_two_tiers_cannot_share_a_prefix(bank):
    write(bank, "leader.yaml", (bank / "framework" / "leader.yaml").read_text().replace("statement_prefix: L", "statement_prefix: S")
          .replace("code: L", "code: S").replace("position: 3", "position: 4"))
    assert any("statement prefix 'S' is already used by question_bank/framework/" in p for p in problems_for(bank))


def test_a_file_that_is_not_utf8_is_reported(bank):
    (bank / "framework" / "leader.yaml").write_bytes(b"code: leader\nname: \xff\xfe\n")
    assert problems_for(bank) == ["question_bank/framework/leader.yaml:1: (file): the file is not UTF-8 text (invalid start byte at byte 19)"]


def test_an_empty_framework_folder_is_reported(tmp_path):
    (tmp_path / "framework").mkdir()
    assert [str(p) for p in check_framework(tmp_path)[1]] == ["framework:1: (file): no tier files (*.yaml) found"]


def test_import_is_idempotent_and_audited(session):
    tiers, _ = check_framework(SHIPPED)
    first = import_framework(session, tiers=tiers, actor=None)
    session.commit()
    assert len(first.created) == 3 + 24 and first.updated == []
    again = import_framework(session, tiers=tiers, actor=None)
    assert again.created == [] and again.updated == [] and again.unchanged == 27
    p7 = session.exec(select(Statement).where(Statement.code == "P7")).one()
    assert p7.title == "Analysis, decision-making, planning and review" and p7.tier.code == "practitioner"
    assert audit_actions(session, p7) == ["framework.statement_created"]


def test_a_corrected_title_updates_the_statement(session, bank):
    tiers, _ = check_framework(SHIPPED)
    import_framework(session, tiers=tiers, actor=None)
    session.commit()
    path = bank / "framework" / "leader.yaml"
    path.write_text(path.read_text().replace("title: Support effective decision-making", "title: Supporting effective decision-making"))
    summary = import_framework(session, tiers=check_framework(bank)[0], actor=None)
    assert summary.updated == ["statement L5"]
    l5 = session.exec(select(Statement).where(Statement.code == "L5")).one()
    assert l5.title == "Supporting effective decision-making"
    assert audit_actions(session, l5) == ["framework.statement_created", "framework.statement_updated"]


def test_cli_check_and_import(app, bank, session):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["bank", "check", str(bank)])
    assert ok.exit_code == 0 and ok.output.strip() == "OK: 3 tiers, 24 statements, 0 scenarios, 0 items, 0 observed-practice station sets (0 warnings)."
    write(bank, "supervisor.yaml", GOOD.replace("  - code: S2\n", "  - code: S9\n"))
    broken = runner.invoke(args=["bank", "check", str(bank)])
    assert broken.exit_code == 1
    assert "supervisor.yaml:11: statements[1].code: expected S2 here, found S9" in broken.output
    refused = runner.invoke(args=["bank", "import", str(bank)])
    assert refused.exit_code == 1 and "nothing was imported" in refused.output
    assert session.exec(select(Tier)).all() == []
    write(bank, "supervisor.yaml", (SHIPPED / "framework" / "supervisor.yaml").read_text())
    imported = runner.invoke(args=["bank", "import", str(bank)])
    assert imported.exit_code == 0, imported.output + repr(imported.exception)
    assert "Framework: 27 created, 0 updated, 0 unchanged." in imported.output
    assert [tier.code for tier in session.exec(select(Tier).order_by(Tier.position))] == ["practitioner", "supervisor", "leader"]


def test_standards_page_shows_the_framework_from_the_database(client, session):
    import_framework(session, tiers=check_framework(SHIPPED)[0], actor=None)
    session.commit()
    text = page_text(client.get("/standards"))
    assert "Child and family practitioner" in text and "P9 The role of supervision and research" in text
    assert "L6 Quality assurance and improvement" in text
