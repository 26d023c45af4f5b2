"""Scoring one response to one item.

Every item is worth MAX_ITEM_SCORE, whatever its type, so that each weighs the same in a
statement's or an attempt's total. Responses and keys are option letters ("A", "B", ...).

A response is the candidate's input: anything that is not a valid answer (empty, a letter that is
not an option, a letter given twice where the type does not allow it) earns no credit for that
part and never raises. A malformed key, an unknown item type or an unknown rule is a bug in the
bank or the caller, so those raise ValueError rather than quietly mis-scoring every candidate.
"""

from collections.abc import Sequence
from string import ascii_uppercase

MAX_ITEM_SCORE = 1.0
ITEM_TYPES = ("single_best_answer", "multiple_response", "ranking")
MULTIPLE_RESPONSE_RULES = ("all_or_nothing", "per_option")


def score_response(
    item_type: str, response: Sequence[str], key: Sequence[str], option_count: int, *, rule: str = "all_or_nothing"
) -> float:
    """The score in [0, MAX_ITEM_SCORE] for `response` to an item of `item_type` keyed `key`.

    `rule` only affects multiple response items ("all_or_nothing" or "per_option"), but it is
    checked for every item so that a mistyped rule is caught on the first item scored.
    """
    if item_type not in ITEM_TYPES:
        raise ValueError(f"unknown item type {item_type!r} (known: {', '.join(ITEM_TYPES)})")
    if rule not in MULTIPLE_RESPONSE_RULES:
        raise ValueError(f"unknown multiple response rule {rule!r} (known: {', '.join(MULTIPLE_RESPONSE_RULES)})")
    response, key = tuple(response), tuple(key)
    letters = _check_key(item_type, key, option_count)
    if item_type == "single_best_answer":
        return MAX_ITEM_SCORE if response == key else 0.0
    if item_type == "multiple_response":
        return _multiple_response(response, key, rule)
    return _ranking(response, key, letters)


def _check_key(item_type: str, key: tuple[str, ...], option_count: int) -> tuple[str, ...]:
    """The option letters, after checking that `key` has the shape its type requires: 1 letter for
    single best answer, 3 for multiple response, every letter once for ranking."""
    if not 2 <= option_count <= len(ascii_uppercase):
        raise ValueError(f"an item has 2 to {len(ascii_uppercase)} options, not {option_count}")
    letters = tuple(ascii_uppercase[:option_count])
    size = {"single_best_answer": 1, "multiple_response": 3, "ranking": option_count}[item_type]
    if len(key) != size or len(set(key)) != len(key) or not set(key) <= set(letters):
        wanted = f"{size} distinct letters of {''.join(letters)}"
        raise ValueError(f"malformed {item_type} key {list(key)} for {option_count} options: wanted {wanted}")
    return letters


def _multiple_response(response: tuple[str, ...], key: tuple[str, ...], rule: str) -> float:
    """The chosen letters are a set: a letter sent twice is one choice, so it cannot earn twice.

    all_or_nothing: full marks only for exactly the keyed set.
    per_option: (keyed chosen - non-keyed chosen) / keyed count, floored at 0, so choosing every
    option cannot beat choosing none, and a wrong choice costs what a right one earns.
    """
    chosen, keyed = set(response), set(key)
    if rule == "all_or_nothing":
        return MAX_ITEM_SCORE if chosen == keyed else 0.0
    right, wrong = len(chosen & keyed), len(chosen - keyed)
    return max(0.0, MAX_ITEM_SCORE * (right - wrong) / len(keyed))


def _ranking(response: tuple[str, ...], key: tuple[str, ...], letters: tuple[str, ...]) -> float:
    """Partial credit by how far each option sits from its keyed position:

        score = 1 - (sum over options of |candidate position - keyed position|) / floor(n² / 2)

    floor(n² / 2) is the largest that sum can be for n options (reached by the reversed order), so
    the score runs from 1 (the keyed order) to 0 (as far from it as possible): 8 for n = 4, 12 for
    n = 5.

    Worked example, n = 4, key A B C D, candidate B A C D: A is 1 place out, B is 1, C and D are 0;
    the sum is 2, so the score is 1 - 2/8 = 0.75. The reversed order D C B A sums 3+1+1+3 = 8: 0.

    A response that is not a full order of the options (empty, missing or repeated letters, a
    letter that is not an option) has no defined distance and scores 0.
    """
    if sorted(response) != sorted(letters):
        return 0.0
    position = {letter: index for index, letter in enumerate(response)}
    distance = sum(abs(position[letter] - keyed) for keyed, letter in enumerate(key))
    n = len(letters)
    return MAX_ITEM_SCORE * (1 - distance / (n * n // 2))
