"""Item responses in long format, and scoring them from option bitmasks.

One row per (attempt, item presented), not a candidates × items matrix: in a window each candidate
may sit a different 30-item form drawn from a bank of a few hundred items, so most cells of such a
matrix would be empty ("an incomplete design"). Every statistic in this package works on the rows
that exist and so never has to guess a missing score.

Attempts and items are integer indices (0..n-1) into `attempt_ids` and `item_ids`, the ids the
caller used, so results can be reported by id. Options are bitmasks: bit 0 is "A", bit 1 "B", and so
on, so the set of letters a candidate chose is one uint32 and comparing it with the key is bitwise
arithmetic over the whole array at once. A chosen mask of 0 means the item was not answered.

Per item: `key` is the keyed options as a mask (for a ranking item, the mask of all its options:
its key is an order, which a mask cannot hold; option analysis is only for single best answer and
multiple response), `item_type` a code (the index of the type in app.scoring's ITEM_TYPES) and
`option_count` the number of options.

Malformed data (a score outside [0, 1] or NaN, an unknown item, the same item twice in an
attempt, a choice that is not an option of its item) is a bug upstream and raises ValueError naming
the first offending row, as app.scoring does for a malformed key.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from string import ascii_uppercase

import numpy as np

from app.scoring.items import ITEM_TYPES, MAX_ITEM_SCORE, MULTIPLE_RESPONSE_RULES

SINGLE_BEST_ANSWER, MULTIPLE_RESPONSE, RANKING = (ITEM_TYPES.index(name) for name in
                                                  ("single_best_answer", "multiple_response", "ranking"))
MAX_OPTIONS = len(ascii_uppercase)  # app.scoring allows 2..26 options; a uint32 mask holds them all


def choice_mask(letters: Iterable[str], option_count: int, *, allow_repeats: bool = False) -> int:
    """The bitmask of `letters` ("A" is bit 0). A letter that is not one of the item's options, or
    a repeated letter unless `allow_repeats`, cannot be represented and raises ValueError: a set of
    bits cannot remember that "B" was sent twice, which app.scoring scores differently."""
    if not 2 <= option_count <= MAX_OPTIONS:
        raise ValueError(f"an item has 2 to {MAX_OPTIONS} options, not {option_count}")
    mask = 0
    for letter in letters:
        position = ascii_uppercase.find(letter) if len(letter) == 1 else -1
        if not 0 <= position < option_count:
            raise ValueError(f"{letter!r} is not an option letter of an item with {option_count} options")
        bit = 1 << position
        if mask & bit and not allow_repeats:
            raise ValueError(f"option {letter!r} chosen twice")
        mask |= bit
    return mask


def mask_letters(mask: int, option_count: int = MAX_OPTIONS) -> str:
    """The letters of `mask` in alphabetical order: mask_letters(0b101) == "AC"."""
    return "".join(letter for bit, letter in enumerate(ascii_uppercase[:option_count]) if mask >> bit & 1)


@dataclass(frozen=True)
class ItemInfo:
    """What the analysis needs to know of an item: as in app.scoring, `key` is the keyed letter
    (single best answer), the keyed set (multiple response) or the keyed order (ranking)."""

    item_type: str
    key: Sequence[str]
    option_count: int

    def __post_init__(self) -> None:
        if self.item_type not in ITEM_TYPES:
            raise ValueError(f"unknown item type {self.item_type!r} (known: {', '.join(ITEM_TYPES)})")
        object.__setattr__(self, "key", tuple(self.key))
        mask = choice_mask(self.key, self.option_count)  # letters are options, each once
        full = (1 << self.option_count) - 1
        size = len(self.key)
        if (self.item_type == "single_best_answer" and size != 1 or self.item_type == "ranking" and mask != full
                or self.item_type == "multiple_response" and not 0 < size < self.option_count):
            raise ValueError(f"malformed {self.item_type} key {list(self.key)} for {self.option_count} options")

    @property
    def key_mask(self) -> int:
        """The keyed options as a mask; for a ranking item every option."""
        return choice_mask(self.key, self.option_count)


@dataclass(frozen=True, eq=False)
class Responses:
    """Scored responses, one row per (attempt, item presented); see the module docstring.

    Row arrays (equal length): `attempt`, `item` (indices), `score` (float in [0, 1]), `chosen`
    (uint32 mask, 0 = unanswered). Item arrays (one entry per item in `item_ids`): `key`,
    `item_type`, `option_count`. `attempt_ids` and `item_ids` default to the indices. Every attempt
    has at least one row; an item may have none (a bank item no form used). An unanswered row
    scores 0, as in app.scoring's ItemResult. The arrays are copied and made read-only.
    """

    attempt: np.ndarray
    item: np.ndarray
    score: np.ndarray
    chosen: np.ndarray
    key: np.ndarray
    item_type: np.ndarray
    option_count: np.ndarray
    attempt_ids: tuple[Hashable, ...] = field(default=())
    item_ids: tuple[Hashable, ...] = field(default=())

    def __post_init__(self) -> None:
        rows = {"attempt": np.int64, "item": np.int64, "score": np.float64, "chosen": np.uint32}
        items = {"key": np.uint32, "item_type": np.int8, "option_count": np.int8}
        for name, dtype in {**rows, **items}.items():
            values = np.asarray(getattr(self, name))
            if values.ndim != 1:
                raise ValueError(f"{name} is a 1-d array, not {values.ndim}-d")
            if name == "score":
                values = np.array(values, dtype=dtype)
            else:
                try:
                    with np.errstate(all="ignore"):  # NaN or out of range: caught by the comparison below
                        cast = np.array(values, dtype=dtype) if values.dtype.kind in "biuf" else None
                except (TypeError, ValueError):
                    cast = None
                if cast is None or not np.array_equal(cast, values):
                    first = (values if cast is None else values[cast != values]).ravel()[0]
                    first = first.item() if isinstance(first, np.generic) else first
                    raise ValueError(f"{name} holds integers that fit {np.dtype(dtype).name}, not {first!r}")
                values = cast
            values.setflags(write=False)
            object.__setattr__(self, name, values)
        lengths = {name: getattr(self, name).size for name in rows}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"row arrays differ in length: {lengths}")
        n_items = self.key.size
        if self.item_type.size != n_items or self.option_count.size != n_items:
            raise ValueError("key, item_type and option_count differ in length")
        object.__setattr__(self, "item_ids", tuple(self.item_ids) or tuple(range(n_items)))
        object.__setattr__(self, "attempt_ids", tuple(self.attempt_ids)
                           or tuple(range(int(self.attempt.max()) + 1 if self.attempt.size else 0)))
        if len(self.item_ids) != n_items:
            raise ValueError(f"{len(self.item_ids)} item ids for {n_items} items")
        for kind, ids in (("attempt", self.attempt_ids), ("item", self.item_ids)):
            if len(set(ids)) != len(ids):
                repeated = [id_ for id_, count in Counter(ids).items() if count > 1]
                raise ValueError(f"{kind} ids repeat: {repeated[:5]}")
        self._check_items()
        self._check_rows()

    def _check_items(self) -> None:
        types, counts, keys = self.item_type, self.option_count.astype(np.int64), self.key
        bad_type = ~np.isin(types, (SINGLE_BEST_ANSWER, MULTIPLE_RESPONSE, RANKING))
        self._reject_item(bad_type, "unknown item type code {}", types)
        self._reject_item((counts < 2) | (counts > MAX_OPTIONS), f"option count {{}} not in 2..{MAX_OPTIONS}", counts)
        full = self.option_masks
        keyed = np.bitwise_count(keys)
        malformed = ((keys == 0) | (keys & ~full != 0) | (types == SINGLE_BEST_ANSWER) & (keyed != 1)
                     | (types == RANKING) & (keys != full) | (types == MULTIPLE_RESPONSE) & (keys == full))
        self._reject_item(malformed, "malformed key mask {}", keys)

    def _reject_item(self, bad: np.ndarray, message: str, values: np.ndarray) -> None:
        if bad.any():
            index = int(np.flatnonzero(bad)[0])
            raise ValueError(f"item {self.item_ids[index]!r}: " + message.format(values[index]))

    def _check_rows(self) -> None:
        n_attempts, n_items = len(self.attempt_ids), self.key.size
        self._reject_row((self.attempt < 0) | (self.attempt >= n_attempts), "attempt index {} is not one of the attempts",
                         self.attempt)
        self._reject_row((self.item < 0) | (self.item >= n_items), "item index {} is not one of the items", self.item)
        self._reject_row(~((self.score >= 0) & (self.score <= MAX_ITEM_SCORE)),  # also rejects NaN
                         f"score {{}} is not in [0, {MAX_ITEM_SCORE}]", self.score)
        self._reject_row(self.chosen & ~self.option_masks[self.item] != 0, "chosen mask {} is not options of the item",
                         self.chosen)
        self._reject_row((self.chosen == 0) & (self.score != 0), "unanswered but scores {}", self.score)
        code = self.attempt * n_items + self.item
        if code.size > 1 and not np.all(code[1:] > code[:-1]):  # already in order: no duplicate possible
            order = np.argsort(code, kind="stable")
            repeated = np.flatnonzero(code[order][1:] == code[order][:-1])
            if repeated.size:
                first, second = sorted((int(order[repeated[0]]), int(order[repeated[0] + 1])))
                raise ValueError(f"rows {first} and {second} both give {self._describe(second)}")
        presented = np.bincount(self.attempt, minlength=n_attempts)
        if n_attempts and not presented.all():
            raise ValueError(f"attempt {self.attempt_ids[int(np.argmin(presented))]!r} has no responses")

    def _reject_row(self, bad: np.ndarray, message: str, values: np.ndarray) -> None:
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"row {row} ({self._describe(row)}): " + message.format(values[row]))

    def _describe(self, row: int) -> str:
        attempt, item = int(self.attempt[row]), int(self.item[row])
        attempt_id = self.attempt_ids[attempt] if 0 <= attempt < len(self.attempt_ids) else attempt
        item_id = self.item_ids[item] if 0 <= item < len(self.item_ids) else item
        return f"attempt {attempt_id!r}, item {item_id!r}"

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Hashable, Hashable, float, Sequence[str] | None]],
                  items: Mapping[Hashable, ItemInfo]) -> "Responses":
        """Build from plain rows (attempt_id, item_id, score, chosen_letters) and item metadata.

        Attempts are numbered in order of first appearance, items in the order of `items` (so an
        item that no row uses still has its place). chosen_letters is a sequence of letters (a
        string "AC" will do); empty or None is unanswered. For a ranking item the letters are its
        order and only the set of them is kept (order and repeats are the score's business).
        """
        item_index = {item_id: index for index, item_id in enumerate(items)}
        infos = list(items.values())
        attempt_index: dict[Hashable, int] = {}
        attempts, item_column, scores, chosen = [], [], [], []
        for number, (attempt_id, item_id, score, letters) in enumerate(rows):
            if item_id not in item_index:
                raise ValueError(f"row {number} (attempt {attempt_id!r}): unknown item {item_id!r}")
            index = item_index[item_id]
            info = infos[index]
            try:
                mask = choice_mask(letters or (), info.option_count, allow_repeats=info.item_type == "ranking")
            except ValueError as error:
                raise ValueError(f"row {number} (attempt {attempt_id!r}, item {item_id!r}): {error}") from None
            attempts.append(attempt_index.setdefault(attempt_id, len(attempt_index)))
            item_column.append(index)
            scores.append(score)
            chosen.append(mask)
        return cls(
            attempt=np.array(attempts, dtype=np.int64), item=np.array(item_column, dtype=np.int64),
            score=np.array(scores, dtype=np.float64), chosen=np.array(chosen, dtype=np.uint32),
            key=np.array([info.key_mask for info in infos], dtype=np.uint32),
            item_type=np.array([ITEM_TYPES.index(info.item_type) for info in infos], dtype=np.int8),
            option_count=np.array([info.option_count for info in infos], dtype=np.int8),
            attempt_ids=tuple(attempt_index), item_ids=tuple(items),
        )

    @property
    def n_rows(self) -> int:
        return int(self.attempt.size)

    @property
    def n_attempts(self) -> int:
        return len(self.attempt_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @cached_property
    def option_masks(self) -> np.ndarray:
        """Per item, the mask of all its options."""
        return _read_only(((np.uint64(1) << self.option_count.astype(np.uint64)) - np.uint64(1)).astype(np.uint32))

    @cached_property
    def totals(self) -> np.ndarray:
        """Per attempt, the sum of its item scores (np.bincount: float sums, not fsum; the
        difference is rounding in the 15th significant figure)."""
        return _read_only(np.bincount(self.attempt, weights=self.score, minlength=self.n_attempts))

    @cached_property
    def marks_available(self) -> np.ndarray:
        """Per attempt, the number of items presented times MAX_ITEM_SCORE."""
        return _read_only(np.bincount(self.attempt, minlength=self.n_attempts) * MAX_ITEM_SCORE)

    @cached_property
    def percent(self) -> np.ndarray:
        """Per attempt, 100 × total / marks available, rounded to 9 dp so that equal scores reached
        by adding the same numbers in a different order compare equal (every attempt has a row: no 0/0)."""
        return _read_only(np.round(100 * self.totals / self.marks_available, 9))

    def item_index(self, item_id: Hashable) -> int:
        try:
            return self.item_ids.index(item_id)
        except ValueError:
            raise ValueError(f"unknown item {item_id!r}") from None

    def select(self, attempts: np.ndarray) -> "Responses":
        """The responses of the attempts where the boolean `attempts` (one per attempt) is true,
        renumbered; every item keeps its place (a form or window subset of one bank)."""
        attempts = np.asarray(attempts, dtype=bool)
        if attempts.shape != (self.n_attempts,):
            raise ValueError(f"select takes one boolean per attempt ({self.n_attempts}), not shape {attempts.shape}")
        rows = attempts[self.attempt]
        renumber = np.cumsum(attempts) - 1
        kept = tuple(attempt_id for attempt_id, keep in zip(self.attempt_ids, attempts.tolist(), strict=True) if keep)
        return replace(self, attempt=renumber[self.attempt[rows]], item=self.item[rows], score=self.score[rows],
                       chosen=self.chosen[rows], attempt_ids=kept)

    def with_scores(self, score: np.ndarray) -> "Responses":
        """The same responses with new row scores (as from rescore), checked again."""
        return replace(self, score=score)


def score_choices(chosen: np.ndarray, key: np.ndarray, item_type: np.ndarray, *,
                  rule: str = "all_or_nothing") -> np.ndarray:
    """Scores from bitmasks, row by row, for single best answer and multiple response items; the
    same numbers as app.scoring.score_response for every response a mask can represent.

    single best answer, and multiple response "all_or_nothing": 1 if chosen == key, else 0.
    multiple response "per_option": max(0, (popcount(chosen & key) - popcount(chosen & ~key)) / popcount(key)).

    Arrays broadcast against each other (per row, or one key and type for all). A ranking row
    raises ValueError: its score depends on the order, which a mask does not hold.
    """
    if rule not in MULTIPLE_RESPONSE_RULES:
        raise ValueError(f"unknown multiple response rule {rule!r} (known: {', '.join(MULTIPLE_RESPONSE_RULES)})")
    chosen, key = np.asarray(chosen, dtype=np.uint32), np.asarray(key, dtype=np.uint32)
    item_type = np.asarray(item_type)
    if np.any((item_type != SINGLE_BEST_ANSWER) & (item_type != MULTIPLE_RESPONSE)):
        raise ValueError("score_choices scores single best answer and multiple response items only: "
                         "a ranking score depends on the order, so it comes from score_response")
    if np.any(key == 0):
        raise ValueError("a key mask of 0 keys no option")
    exact = np.where(chosen == key, MAX_ITEM_SCORE, 0.0)
    if rule == "all_or_nothing":
        return np.broadcast_to(exact, np.broadcast_shapes(chosen.shape, key.shape, item_type.shape)).copy()
    right = np.bitwise_count(chosen & key).astype(np.int64)
    wrong = np.bitwise_count(chosen & ~key).astype(np.int64)
    per_option = np.maximum(0.0, MAX_ITEM_SCORE * (right - wrong) / np.bitwise_count(key))
    return np.where(item_type == MULTIPLE_RESPONSE, per_option, exact)


def rescore(responses: Responses, *, rule: str = "all_or_nothing") -> np.ndarray:
    """Row scores recomputed from the chosen masks for single best answer and multiple response
    rows; ranking rows keep the score they came with (from score_response)."""
    row_type = responses.item_type[responses.item]
    ranking = row_type == RANKING
    scores = responses.score.copy()
    choice = ~ranking
    item = responses.item[choice]
    scores[choice] = score_choices(responses.chosen[choice], responses.key[item], row_type[choice], rule=rule)
    return scores


def _read_only(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values
