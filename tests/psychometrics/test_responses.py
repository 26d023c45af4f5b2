"""Responses (long format), its validation, option masks, and the vectorised scorer against
app.scoring.score_response; and the package stays pure."""

import ast
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

import app.psychometrics
from app.psychometrics import (
    MULTIPLE_RESPONSE,
    RANKING,
    SINGLE_BEST_ANSWER,
    ItemInfo,
    Responses,
    choice_mask,
    mask_letters,
    rescore,
    score_choices,
)
from app.scoring import MULTIPLE_RESPONSE_RULES, score_response

ITEMS = {
    "q1": ItemInfo("single_best_answer", "B", 4),
    "q2": ItemInfo("multiple_response", "ADG", 8),
    "q3": ItemInfo("ranking", "CABD", 4),
    "unused": ItemInfo("single_best_answer", "A", 5),
}
ROWS = [
    ("alice", "q1", 1.0, "B"),
    ("alice", "q2", 0.0, "AB"),
    ("alice", "q3", 0.75, "ACBD"),
    ("bob", "q2", 1.0, ["G", "D", "A"]),
    ("bob", "q1", 0.0, ""),
    ("bob", "q3", 0.0, None),
]


def test_from_rows_maps_ids_to_indices():
    responses = Responses.from_rows(ROWS, ITEMS)
    assert responses.attempt_ids == ("alice", "bob")
    assert responses.item_ids == ("q1", "q2", "q3", "unused")
    assert responses.attempt.tolist() == [0, 0, 0, 1, 1, 1]
    assert responses.item.tolist() == [0, 1, 2, 1, 0, 2]
    assert responses.chosen.tolist() == [0b10, 0b11, 0b1111, 0b1001001, 0, 0]
    assert responses.key.tolist() == [0b10, 0b1001001, 0b1111, 0b1]
    assert responses.item_type.tolist() == [SINGLE_BEST_ANSWER, MULTIPLE_RESPONSE, RANKING, SINGLE_BEST_ANSWER]
    assert responses.option_count.tolist() == [4, 8, 4, 5]
    assert (responses.n_rows, responses.n_attempts, responses.n_items) == (6, 2, 4)
    assert responses.totals.tolist() == [1.75, 1.0]
    assert responses.marks_available.tolist() == [3.0, 3.0]
    assert responses.percent.tolist() == [58.333333333, 33.333333333]
    assert responses.item_index("q3") == 2


def test_arrays_are_read_only_copies():
    scores = np.array([1.0, 0.0])
    responses = Responses(attempt=[0, 1], item=[0, 0], score=scores, chosen=[1, 2], key=[1], item_type=[0], option_count=[4])
    scores[0] = 0.5
    assert responses.score.tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="read-only"):
        responses.score[0] = 0.5
    assert responses.attempt_ids == (0, 1) and responses.item_ids == (0,)


def test_empty_cohort_is_allowed():
    responses = Responses.from_rows([], ITEMS)
    assert (responses.n_rows, responses.n_attempts, responses.n_items) == (0, 0, 4)
    assert responses.totals.tolist() == []


@pytest.mark.parametrize(
    "rows, message",
    [
        pytest.param([("a", "q1", 1.5, "B")], r"row 0 \(attempt 'a', item 'q1'\): score 1.5 is not in \[0, 1.0\]",
                     id="score-above-1"),
        pytest.param([("a", "q1", -0.25, "B")], r"score -0.25", id="negative-score"),
        pytest.param([("a", "q1", 1.0, "B"), ("a", "q2", float("nan"), "A")], r"row 1 .*score nan", id="nan-score"),
        pytest.param([("a", "q9", 1.0, "B")], r"row 0 \(attempt 'a'\): unknown item 'q9'", id="unknown-item"),
        pytest.param([("a", "q1", 1.0, "B"), ("b", "q1", 0.0, "A"), ("a", "q1", 0.0, "C")],
                     r"rows 0 and 2 both give attempt 'a', item 'q1'", id="duplicate-attempt-item"),
        pytest.param([("a", "q1", 0.0, "E")], r"row 0 \(attempt 'a', item 'q1'\): 'E' is not an option letter",
                     id="not-an-option"),
        pytest.param([("a", "q1", 0.0, "BB")], r"option 'B' chosen twice", id="repeated-letter"),
        pytest.param([("a", "q1", 0.0, "b")], r"'b' is not an option letter", id="lowercase"),
        pytest.param([("a", "q1", 1.0, "")], r"row 0 .*unanswered but scores 1.0", id="unanswered-with-credit"),
    ],
)
def test_from_rows_rejects_bad_rows(rows, message):
    with pytest.raises(ValueError, match=message):
        Responses.from_rows(rows, ITEMS)


def test_ranking_letters_keep_only_the_set():
    responses = Responses.from_rows([("a", "q3", 0.0, "AABC")], ITEMS)  # not a full order: scored 0 upstream
    assert responses.chosen.tolist() == [0b111]


def valid_arrays(**changes):
    arrays = dict(attempt=[0, 0, 1], item=[0, 1, 0], score=[1.0, 0.5, 0.0], chosen=[0b10, 0b101, 0b1],
                  key=[0b10, 0b1111], item_type=[SINGLE_BEST_ANSWER, RANKING], option_count=[4, 4])
    return {**arrays, **changes}


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"attempt": [0, 0, 3], "attempt_ids": ("x", "y")},
                     r"row 2 \(attempt 3, item 0\): attempt index 3 is not one of the attempts",
                     id="attempt-out-of-range"),
        pytest.param({"attempt": [0, 0, 1], "attempt_ids": ("x", "y", "z")}, r"attempt 'z' has no responses",
                     id="attempt-without-rows"),
        pytest.param({"item": [0, 1, 2]}, r"row 2 .*item index 2 is not one of the items", id="item-out-of-range"),
        pytest.param({"item": [0, 0, 0]}, r"rows 0 and 1 both give attempt 0, item 0", id="duplicate"),
        pytest.param({"attempt": [1, 0, 1], "item": [0, 1, 0]}, r"rows 0 and 2 both give attempt 1, item 0",
                     id="duplicate-unsorted"),
        pytest.param({"score": [1.0, 0.5, np.nan]}, r"row 2 .*score nan", id="nan"),
        pytest.param({"chosen": [0b10, 0b10000, 1]}, r"row 1 .*chosen mask 16 is not options of the item",
                     id="chosen-beyond-options"),
        pytest.param({"chosen": [-1, 1, 1]}, r"chosen holds integers that fit uint32, not -1", id="negative-mask"),
        pytest.param({"item": [0.0, 1.5, 0.0]}, r"item holds integers that fit int64, not 1.5",
                     id="fractional-index"),
        pytest.param({"score": [1.0, 0.5]}, r"row arrays differ in length", id="ragged-rows"),
        pytest.param({"key": [0b10]}, r"key, item_type and option_count differ in length", id="ragged-items"),
        pytest.param({"item_type": [0, 7]}, r"item 1: unknown item type code 7", id="unknown-type"),
        pytest.param({"option_count": [4, 27]}, r"item 1: option count 27 not in 2..26", id="too-many-options"),
        pytest.param({"key": [0b11, 0b1111]}, r"item 0: malformed key mask 3", id="two-keys-on-sba"),
        pytest.param({"key": [0b10, 0b111]}, r"item 1: malformed key mask 7", id="ranking-key-not-all-options"),
        pytest.param({"key": [0b100000, 0b1111]}, r"item 0: malformed key mask 32", id="key-beyond-options"),
        pytest.param({"item_ids": ("only-one",)}, r"1 item ids for 2 items", id="ids-length"),
        pytest.param({"item_ids": ("q", "q")}, r"item ids repeat: \['q'\]", id="repeated-item-id"),
        pytest.param({"attempt_ids": ("a", "a")}, r"attempt ids repeat: \['a'\]", id="repeated-attempt-id"),
        pytest.param({"attempt": [[0, 0, 1]]}, r"attempt is a 1-d array", id="2-d"),
    ],
)
def test_arrays_are_validated(changes, message):
    with pytest.raises(ValueError, match=message):
        Responses(**valid_arrays(**changes))


def test_select_keeps_items_and_renumbers_attempts():
    responses = Responses.from_rows(ROWS, ITEMS)
    bob = responses.select(np.array([False, True]))
    assert bob.attempt_ids == ("bob",) and bob.item_ids == responses.item_ids
    assert bob.attempt.tolist() == [0, 0, 0] and bob.item.tolist() == [1, 0, 2]
    assert bob.totals.tolist() == [1.0]
    with pytest.raises(ValueError, match="one boolean per attempt"):
        responses.select(np.array([True]))


@pytest.mark.parametrize(
    "letters, option_count, mask",
    [("", 4, 0), ("A", 4, 1), ("CA", 4, 0b101), ("H", 8, 0b10000000), ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26, (1 << 26) - 1)],
)
def test_choice_mask_and_back(letters, option_count, mask):
    assert choice_mask(letters, option_count) == mask
    assert mask_letters(mask, option_count) == "".join(sorted(letters))


@pytest.mark.parametrize(
    "item_type, key, option_count",
    [("single_best_answer", "AB", 4), ("ranking", "ABC", 4), ("multiple_response", "", 8),
     ("multiple_response", "ABCD", 4), ("essay", "A", 4), ("single_best_answer", "E", 4), ("single_best_answer", "A", 1)],
)
def test_item_info_rejects_malformed_keys(item_type, key, option_count):
    with pytest.raises(ValueError):
        ItemInfo(item_type, key, option_count)


# --- the vectorised scorer agrees exactly with score_response ----------------------------------


def subsets(letters: str):
    return ["".join(chosen) for size in range(len(letters) + 1) for chosen in combinations(letters, size)]


def cases_every_subset():
    """Every response a mask can hold, against every single best answer key for 2..6 options and
    every 3-of-8 multiple response key."""
    for option_count in range(2, 7):
        letters = "ABCDEFGH"[:option_count]
        for key in letters:
            yield from (("single_best_answer", response, key, option_count) for response in subsets(letters))
    for key in combinations("ABCDEFGH", 3):
        yield from (("multiple_response", response, "".join(key), 8) for response in subsets("ABCDEFGH"))


def random_cases(count: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        option_count = int(rng.integers(4, 9))
        letters = "ABCDEFGH"[:option_count]
        item_type = ("single_best_answer", "multiple_response")[int(rng.integers(0, 2))]
        key = "".join(rng.choice(list(letters), 1 if item_type == "single_best_answer" else 3, replace=False))
        response = "".join(rng.choice(list(letters), int(rng.integers(0, option_count + 1)), replace=False))  # any order
        yield item_type, response, key, option_count


def assert_agrees(cases, rule):
    cases = list(cases)
    expected = [score_response(item_type, list(response), list(key), option_count, rule=rule)
                for item_type, response, key, option_count in cases]
    chosen = np.array([choice_mask(response, option_count) for _, response, _, option_count in cases], dtype=np.uint32)
    key = np.array([choice_mask(key, option_count) for _, _, key, option_count in cases], dtype=np.uint32)
    codes = np.array([SINGLE_BEST_ANSWER if case[0] == "single_best_answer" else MULTIPLE_RESPONSE for case in cases])
    assert score_choices(chosen, key, codes, rule=rule).tolist() == expected  # exactly, not approximately


@pytest.mark.parametrize("rule", MULTIPLE_RESPONSE_RULES)
def test_scorer_agrees_on_every_subset(rule):
    assert_agrees(cases_every_subset(), rule)


@pytest.mark.parametrize("rule", MULTIPLE_RESPONSE_RULES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scorer_agrees_on_random_cases(rule, seed):
    assert_agrees(random_cases(2000, seed), rule)


@pytest.mark.parametrize(
    "item_type, response, key, rule, expected",
    [
        pytest.param(SINGLE_BEST_ANSWER, "B", "B", "per_option", 1.0, id="sba-right"),
        pytest.param(SINGLE_BEST_ANSWER, "BC", "B", "per_option", 0.0, id="sba-two-letters"),
        pytest.param(MULTIPLE_RESPONSE, "AD", "ADG", "per_option", 2 / 3, id="mr-two-of-three"),
        pytest.param(MULTIPLE_RESPONSE, "ADB", "ADG", "per_option", 1 / 3, id="mr-two-right-one-wrong"),
        pytest.param(MULTIPLE_RESPONSE, "ABCDEFGH", "ADG", "per_option", 0.0, id="mr-everything-floored"),
        pytest.param(MULTIPLE_RESPONSE, "AD", "ADG", "all_or_nothing", 0.0, id="mr-all-or-nothing"),
        pytest.param(MULTIPLE_RESPONSE, "", "ADG", "per_option", 0.0, id="mr-unanswered"),
    ],
)
def test_scorer_table(item_type, response, key, rule, expected):
    assert score_choices(np.array([choice_mask(response, 8)]), np.array([choice_mask(key, 8)]), np.array([item_type]),
                         rule=rule).tolist() == [expected]


def test_scorer_rejects_ranking_and_unknown_rules():
    with pytest.raises(ValueError, match="ranking score depends on the order"):
        score_choices(np.array([1]), np.array([15]), np.array([RANKING]))
    with pytest.raises(ValueError, match="unknown multiple response rule"):
        score_choices(np.array([1]), np.array([1]), np.array([SINGLE_BEST_ANSWER]), rule="half")


def test_rescore_keeps_ranking_scores():
    rows = [("a", "q1", 0.0, "B"), ("a", "q2", 0.0, "AD"), ("a", "q3", 0.75, "ACBD")]  # q1, q2 scores stale
    responses = Responses.from_rows(rows, ITEMS)
    assert rescore(responses, rule="per_option").tolist() == [1.0, 2 / 3, 0.75]
    assert rescore(responses).tolist() == [1.0, 0.0, 0.75]
    assert responses.with_scores(rescore(responses, rule="per_option")).totals.tolist() == [1.0 + 2 / 3 + 0.75]
    original = Responses.from_rows(ROWS, ITEMS)
    assert rescore(original).tolist() == original.score.tolist()


def test_the_package_is_pure():
    """No Flask, no database, nothing from the app but app.scoring: only the stdlib and numpy."""
    for path in Path(app.psychometrics.__file__).parent.glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        outside = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
        assert {name for name in outside if not name.startswith(("app.psychometrics", "app.scoring"))} <= {"numpy"}, path
