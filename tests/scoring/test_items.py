"""score_response: each item type's rule, table by table."""

from itertools import permutations

import pytest

from app.scoring import MAX_ITEM_SCORE, score_response


def letters(text: str) -> list[str]:
    return list(text.replace(" ", ""))


@pytest.mark.parametrize(
    "response, expected",
    [
        pytest.param("B", 1.0, id="the-keyed-letter"),
        pytest.param("A", 0.0, id="another-letter"),
        pytest.param("", 0.0, id="empty"),
        pytest.param("BB", 0.0, id="keyed-letter-twice"),
        pytest.param("BC", 0.0, id="keyed-letter-and-another"),
        pytest.param("b", 0.0, id="lowercase-is-not-a-letter-of-the-key"),
        pytest.param("Z", 0.0, id="not-an-option"),
    ],
)
def test_single_best_answer(response, expected):
    assert score_response("single_best_answer", letters(response), ["B"], 4) == expected


MR_KEY = letters("ADG")


@pytest.mark.parametrize(
    "response, expected",
    [
        pytest.param("ADG", 1.0, id="exactly-the-key"),
        pytest.param("GAD", 1.0, id="order-irrelevant"),
        pytest.param("AADG", 1.0, id="duplicated-letter-is-one-choice"),
        pytest.param("AD", 0.0, id="two-of-three"),
        pytest.param("ADB", 0.0, id="two-right-one-wrong"),
        pytest.param("ADGB", 0.0, id="key-plus-one"),
        pytest.param("ABCDEFGH", 0.0, id="everything"),
        pytest.param("", 0.0, id="empty"),
    ],
)
def test_multiple_response_all_or_nothing_is_the_default(response, expected):
    assert score_response("multiple_response", letters(response), MR_KEY, 8) == expected
    assert score_response("multiple_response", letters(response), MR_KEY, 8, rule="all_or_nothing") == expected


@pytest.mark.parametrize(
    "response, expected",
    [
        pytest.param("ADG", 1.0, id="all-three"),
        pytest.param("DA", 2 / 3, id="two-right"),
        pytest.param("A", 1 / 3, id="one-right"),
        pytest.param("ADB", 1 / 3, id="two-right-one-wrong"),
        pytest.param("ADGB", 2 / 3, id="all-three-plus-one-wrong"),
        pytest.param("ABC", 0.0, id="one-right-two-wrong-floored"),
        pytest.param("BCE", 0.0, id="three-wrong-floored"),
        pytest.param("ABCDEFGH", 0.0, id="everything-floored"),
        pytest.param("", 0.0, id="empty"),
        pytest.param("AAA", 1 / 3, id="keyed-letter-thrice-counts-once"),
        pytest.param("ADBB", 1 / 3, id="wrong-letter-twice-costs-once"),
        pytest.param("ADZ", 1 / 3, id="not-an-option-counts-as-wrong"),
    ],
)
def test_multiple_response_per_option(response, expected):
    assert score_response("multiple_response", letters(response), MR_KEY, 8, rule="per_option") == pytest.approx(expected)


@pytest.mark.parametrize("size", range(9))
def test_per_option_is_never_negative(size):
    for response in permutations("ABCDEFGH", size):
        assert 0.0 <= score_response("multiple_response", response, MR_KEY, 8, rule="per_option") <= MAX_ITEM_SCORE


@pytest.mark.parametrize(
    "key, response, expected",
    [
        pytest.param("ABCD", "ABCD", 1.0, id="n4-the-keyed-order"),
        pytest.param("ABCD", "BACD", 0.75, id="n4-top-two-swapped"),
        pytest.param("ABCD", "ABDC", 0.75, id="n4-bottom-two-swapped"),
        pytest.param("ABCD", "DBCA", 0.25, id="n4-first-and-last-swapped"),
        pytest.param("ABCD", "BCDA", 0.25, id="n4-first-moved-to-last"),
        pytest.param("ABCD", "DCBA", 0.0, id="n4-reversed"),
        pytest.param("ABCD", "", 0.0, id="n4-empty"),
        pytest.param("ABCD", "ABC", 0.0, id="n4-incomplete"),
        pytest.param("ABCD", "AABC", 0.0, id="n4-duplicated-letter"),
        pytest.param("ABCD", "ABCE", 0.0, id="n4-not-an-option"),
        pytest.param("ABCD", "ABCDE", 0.0, id="n4-extra-letter"),
        pytest.param("CAEBD", "CAEBD", 1.0, id="n5-the-keyed-order"),
        pytest.param("CAEBD", "ACEBD", 1 - 2 / 12, id="n5-top-two-swapped"),
        pytest.param("CAEBD", "CAEDB", 1 - 2 / 12, id="n5-bottom-two-swapped"),
        pytest.param("CAEBD", "DAEBC", 1 - 8 / 12, id="n5-first-and-last-swapped"),
        pytest.param("CAEBD", "DBEAC", 0.0, id="n5-reversed"),
        pytest.param("CAEBD", "ABCDE", 1 - 8 / 12, id="n5-alphabetical-is-not-the-key"),
        pytest.param("CAEBD", "", 0.0, id="n5-empty"),
        pytest.param("CAEBD", "CAEB", 0.0, id="n5-incomplete"),
    ],
)
def test_ranking(key, response, expected):
    assert score_response("ranking", letters(response), letters(key), len(key)) == pytest.approx(expected)


@pytest.mark.parametrize("n", [4, 5])
def test_ranking_scores_every_order_in_range_and_only_the_key_full(n):
    key = "ABCDE"[:n]
    scores = {order: score_response("ranking", order, key, n) for order in permutations(key)}
    assert min(scores.values()) == 0.0
    assert all(0.0 <= score <= MAX_ITEM_SCORE for score in scores.values())
    assert [order for order, score in scores.items() if score == MAX_ITEM_SCORE] == [tuple(key)]


@pytest.mark.parametrize(
    "item_type, key, option_count",
    [
        pytest.param("single_best_answer", "B", 4, id="single-best-answer"),
        pytest.param("multiple_response", "ADG", 8, id="multiple-response"),
        pytest.param("ranking", "ABCD", 4, id="ranking"),
    ],
)
def test_scores_are_floats(item_type, key, option_count):
    for response in ("", key):
        assert type(score_response(item_type, letters(response), letters(key), option_count)) is float


@pytest.mark.parametrize(
    "item_type, key, option_count, rule, message",
    [
        pytest.param("true_false", "A", 2, "all_or_nothing", "true_false", id="unknown-type-named"),
        pytest.param("multiple_response", "ADG", 8, "negative_marking", "negative_marking", id="unknown-rule-named"),
        pytest.param("single_best_answer", "B", 4, "per-option", "per-option", id="unknown-rule-on-any-type"),
        pytest.param("single_best_answer", "AB", 4, "all_or_nothing", "malformed", id="single-best-answer-two-letters"),
        pytest.param("single_best_answer", "", 4, "all_or_nothing", "malformed", id="single-best-answer-empty-key"),
        pytest.param("single_best_answer", "E", 4, "all_or_nothing", "malformed", id="key-letter-not-an-option"),
        pytest.param("multiple_response", "AD", 8, "all_or_nothing", "malformed", id="multiple-response-two-letters"),
        pytest.param("multiple_response", "AAD", 8, "per_option", "malformed", id="multiple-response-repeated-key-letter"),
        pytest.param("ranking", "ABC", 4, "all_or_nothing", "malformed", id="ranking-key-incomplete"),
        pytest.param("ranking", "ABCE", 4, "all_or_nothing", "malformed", id="ranking-key-not-an-option"),
        pytest.param("ranking", "AABC", 4, "all_or_nothing", "malformed", id="ranking-key-repeated-letter"),
        pytest.param("ranking", "A", 1, "all_or_nothing", "options", id="one-option"),
    ],
)
def test_errors(item_type, key, option_count, rule, message):
    with pytest.raises(ValueError, match=message):
        score_response(item_type, letters(key), letters(key), option_count, rule=rule)
