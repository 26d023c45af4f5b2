"""Scenarios and items: every class of problem gets a precise file:line: field message."""

import pytest

from app.bank.content import check_bank
from tests.bank.conftest import ITEMS


def errors(root):
    return [str(problem) for problem in check_bank(root).errors]


def test_the_small_bank_is_valid(bank):
    result = check_bank(bank)
    assert result.errors == []
    assert [item.id for item in result.items] == ["prac-9001", "prac-9002"]
    assert list(result.scenarios) == ["prac-sc-90"]


ITEM_FILE = "question_bank/items/practitioner/test.yaml"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("kss: P5", "kss: P11", f"{ITEM_FILE}:4: items[0].kss: 'P11' is not a KSS code (codes are P1-P10, S1-S8, L1-L6)"),
        ("kss: P5", "kss: S5", f"{ITEM_FILE}:4: items[0].kss: S5 is a supervisor statement, not a practitioner one"),
        ("also_kss: [P6]", "also_kss: [Q6]", f"{ITEM_FILE}:5: items[0].also_kss[0]: 'Q6' is not a KSS code"),
        ("scenario: prac-sc-90", "scenario: prac-sc-91", f"{ITEM_FILE}:7: items[0].scenario: there is no scenario 'prac-sc-91' (or it has errors)"),
        ("stage: visit", "stage: court", f"{ITEM_FILE}:8: items[0].stage: prac-sc-90 has no stage 'court' (its stages are referral, visit)"),
        ("    key: [A]\n", "    key: [E]\n", f"{ITEM_FILE}:22: items[0].key: E is not an option letter (options are A-D)"),
        ("    key: [A]\n", "    key: [A, B]\n", f"{ITEM_FILE}:22: items[0].key: a single best answer item has exactly 1 key letter, not 2"),
        ("key: [A, B, C]", "key: [A, B]", f"{ITEM_FILE}:48: items[1].key: a multiple response item keys exactly 3 options (choose 3 of 8), not 2"),
        ("key: [A, B, C]", "key: [A, A, C]", f"{ITEM_FILE}:48: items[1].key: a letter appears more than once in the key"),
        ("    type: single_best_answer\n", "    type: ranking\n", None),  # 4 options and 1 letter: a ranking key needs all 4
        ("    type: multiple_response\n", "    type: single_best_answer\n", f"{ITEM_FILE}:31: items[1].options: a single best answer item has 4 options, not 8"),
        ("    type: single_best_answer\n", "    type: true_false\n", f"{ITEM_FILE}:9: items[0].type: Input should be 'single_best_answer', 'multiple_response' or 'ranking'"),
        ("  - id: prac-9002", "  - id: prac-9001", f"{ITEM_FILE}:23: items[1].id: prac-9001 is already used at {ITEM_FILE}:2"),
        ("  - id: prac-9002", "  - id: item-two", f"{ITEM_FILE}:23: items[1].id: String should match pattern"),
        ("    kind: general\n", "    kind: general\n    scenario: prac-sc-90\n", f"{ITEM_FILE}:27: items[1].scenario: a general item has no scenario (only applied items belong to a scenario)"),
        ("    stage: visit\n", "", f"{ITEM_FILE}:6: items[0].kind: an applied item needs both scenario and stage"),
        ("    tier: practitioner\n    kss: P8", "    tier: supervisor\n    kss: P8", f"{ITEM_FILE}:24: items[1].tier: 'supervisor' does not match the folder 'practitioner'"),
        ("rationale: This delays help for a child who is hungry now.", "rationale: Too late.", f"{ITEM_FILE}:21: items[0].options[3].rationale: String should have at least 20 characters"),
        ("      - text: Close the case because the father was cooperative", "      - text: Ask the nursery to monitor and report back in a month",
         f"{ITEM_FILE}:16: items[0].options[1].text: two options have the same text"),
        ("    difficulty: medium\n", "    difficulty: medium\n    dificulty: easy\n", f"{ITEM_FILE}:11: items[0].dificulty: is not a known field (check the spelling)"),
        ("    status: live\n    stem: After", "    stem: After", f"{ITEM_FILE}:2: items[0].status: is missing"),
        ("    difficulty: medium\n", "    difficulty: medium\n    enemies: [prac-9003]\n", f"{ITEM_FILE}:11: items[0].enemies[0]: there is no item or scenario 'prac-9003'"),
        ("    difficulty: medium\n", "    difficulty: medium\n    enemies: [prac-9001]\n", f"{ITEM_FILE}:11: items[0].enemies[0]: an item cannot be its own enemy"),
        ("    difficulty: medium\n", "    difficulty: medium\n    enemies: [prac-9002, prac-sc-90]\n", f"{ITEM_FILE}:11: items[0].enemies[1]: prac-sc-90 is this item's own scenario"),
    ],
)
def test_each_item_problem_is_reported_precisely(bank, old, new, expected):
    path = bank / "items" / "practitioner" / "test.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    found = errors(bank)
    if expected is None:
        assert any("a ranking key lists every option once" in problem for problem in found), found
    else:
        assert any(problem.startswith(expected) for problem in found), found


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("tier: practitioner", "tier: supervisor", "question_bank/scenarios/practitioner/prac-sc-90.yaml:2: tier: 'supervisor' does not match the folder 'practitioner'"),
        ("  - id: visit", "  - id: referral", "question_bank/scenarios/practitioner/prac-sc-90.yaml:9: stages[1].id: stage id 'referral' is used more than once"),
        ("kind: case", "kind: story", "question_bank/scenarios/practitioner/prac-sc-90.yaml:3: kind: Input should be 'case', 'supervision', 'passage' or 'service'"),
        ("id: prac-sc-90", "id: prac-sc-91", "question_bank/scenarios/practitioner/prac-sc-90.yaml:1: id: scenario prac-sc-91 must be in a file named prac-sc-91.yaml"),
    ],
)
def test_each_scenario_problem_is_reported_precisely(bank, old, new, expected):
    path = bank / "scenarios" / "practitioner" / "prac-sc-90.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    found = errors(bank)
    assert any(problem.startswith(expected) for problem in found), found


def test_items_of_a_broken_scenario_are_not_loaded_either(bank):
    path = bank / "scenarios" / "practitioner" / "prac-sc-90.yaml"
    path.write_text(path.read_text().replace("kind: case", "kind: story"))
    result = check_bank(bank)
    assert [item.id for item in result.items] == ["prac-9002"]


def test_unknown_tier_folder_and_broken_yaml_are_reported(bank):
    (bank / "items" / "manager").mkdir()
    (bank / "items" / "practitioner" / "broken.yaml").write_text("items:\n  - id: prac-9100\n    stem: [unclosed\n")
    found = errors(bank)
    assert "question_bank/items/manager:1: (file): 'manager' is not a tier (folders are named leader, practitioner, supervisor)" in found
    assert any(p.startswith("question_bank/items/practitioner/broken.yaml:4: (file): not valid YAML") for p in found), found


@pytest.mark.parametrize(
    "old, new, warning",
    [
        ("      - text: Close the case because the father was cooperative", "      - text: None of the above",
         f"{ITEM_FILE}:16: items[0].options[1].text: warning: avoid 'all/none of the above' options"),
        ("stem: After the visit, what should the social worker do first?", "stem: After the visit, which action should the social worker not take?",
         f"{ITEM_FILE}:12: items[0].stem: warning: negative question: emphasise the word in capitals"),
    ],
)
def test_item_writing_flaws_are_warnings_not_errors(bank, old, new, warning):
    path = bank / "items" / "practitioner" / "test.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    result = check_bank(bank)
    assert result.errors == []
    assert any(str(problem).startswith(warning) for problem in result.problems), [str(p) for p in result.problems]


@pytest.mark.parametrize("stem", [
    "The father did not attend. Which action should the social worker NOT take?",
    "The father did not attend. Rank these actions from most to least appropriate.",
])
def test_emphasised_negatives_ranking_instructions_and_negatives_in_the_vignette_are_fine(bank, stem):
    path = bank / "items" / "practitioner" / "test.yaml"
    path.write_text(path.read_text().replace("stem: After the visit, what should the social worker do first?", f"stem: {stem}"))
    assert [p for p in check_bank(bank).problems if p.field.endswith("stem")] == []


def test_key_position_and_longest_option_bias_are_flagged(bank):
    path = bank / "items" / "practitioner" / "test.yaml"
    first = ITEMS.split("  - id: prac-9002")[0].replace("items:\n", "")
    copies = "".join(first.replace("prac-9001", f"prac-{9100 + n}") for n in range(12))
    path.write_text("items:\n" + copies)
    warnings = [str(p) for p in check_bank(bank).problems if p.severity == "warning"]
    assert any("single best answer keys are unevenly spread over positions (A: 12, B: 0, C: 0, D: 0" in w for w in warnings), warnings
    assert any("the key is the longest option in 12 of 12 single best answer items (chance is about 3): make distractors"
               in w for w in warnings), warnings


def test_a_key_that_is_almost_never_the_longest_is_flagged_too(bank):
    path = bank / "items" / "practitioner" / "test.yaml"
    first = ITEMS.split("  - id: prac-9002")[0].replace("items:\n", "")
    first = first.replace("text: Agree a plan with the father to get food and heating today", "text: Agree a plan for food today")
    first = first.replace("text: Ask the nursery to monitor and report back in a month", "text: Ask the nursery to keep an eye on him")
    copies = "".join(first.replace("prac-9001", f"prac-{9100 + n}").replace("key: [A]", f"key: [{'ABCD'[n % 4]}]") for n in range(16))
    path.write_text("items:\n" + copies)
    warnings = [str(p) for p in check_bank(bank).problems if p.severity == "warning"]
    assert any("the key is the longest option in 0 of 16 single best answer items (chance is about 4): the key is rarely"
               in w for w in warnings), warnings  # options B and C tie for longest: no key is ever the longest
