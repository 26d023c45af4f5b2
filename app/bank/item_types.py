"""Item types: one class each, in a registry. A type knows its authored shape (how many options,
what a key looks like), checks an item against it, and parses a candidate's answer. Scoring is in
app.scoring (pure); the answer field of each type is rendered by templates/exams/_answer.html."""

from string import ascii_uppercase


class ItemType:
    name: str
    label: str
    option_counts: tuple[int, ...]

    def letters(self, option_count: int) -> list[str]:
        return list(ascii_uppercase[:option_count])

    def key_problems(self, key: list[str], option_count: int) -> list[str]:
        raise NotImplementedError

    def check(self, options: list, key: list[str]) -> list[tuple[str, str]]:
        """(field, message) for every way the options or key break this type's rules."""
        if len(options) not in self.option_counts:
            wanted = " or ".join(str(n) for n in self.option_counts)
            return [("options", f"a {self.label} item has {wanted} options, not {len(options)}")]
        unknown = [letter for letter in key if letter not in self.letters(len(options))]
        if unknown:
            return [("key", f"{', '.join(unknown)} is not an option letter (options are {self.letters(len(options))[0]}-{self.letters(len(options))[-1]})")]
        if len(set(key)) != len(key):
            return [("key", "a letter appears more than once in the key")]
        return [("key", message) for message in self.key_problems(key, len(options))]

    def parse_answer(self, values: list[str], option_count: int) -> list[str]:
        """The answer as stored (option letters), from what the browser sent. An empty list is an
        unanswered question. Raises AnswerRefused saying what is wrong."""
        letters = self.letters(option_count)
        if any(value not in letters for value in values):
            raise AnswerRefused(f"the answer must be made of this question's options ({letters[0]} to {letters[-1]})")
        if len(set(values)) != len(values):
            raise AnswerRefused("an option appears more than once in the answer")
        return self.answer_problems(list(values), option_count)

    def answer_problems(self, values: list[str], option_count: int) -> list[str]:
        return values

    def describe(self, answer: list[str]) -> str:
        return ", ".join(answer)


class AnswerRefused(ValueError):
    """A submitted answer that cannot belong to the question (tampered) or is not complete."""


class SingleBestAnswer(ItemType):
    name, label, option_counts = "single_best_answer", "single best answer", (4,)

    def key_problems(self, key, option_count):
        return [] if len(key) == 1 else [f"a single best answer item has exactly 1 key letter, not {len(key)}"]

    def answer_problems(self, values, option_count):
        if len(values) > 1:
            raise AnswerRefused("choose one answer")
        return values


class MultipleResponse(ItemType):
    name, label, option_counts = "multiple_response", "multiple response", (8,)
    keyed = 3

    def key_problems(self, key, option_count):
        return [] if len(key) == self.keyed else [f"a multiple response item keys exactly {self.keyed} options (choose 3 of 8), not {len(key)}"]

    def answer_problems(self, values, option_count):
        if len(values) > self.keyed:
            raise AnswerRefused(f"select no more than {self.keyed} answers")
        return sorted(values)


class Ranking(ItemType):
    name, label, option_counts = "ranking", "ranking", (4, 5)

    def key_problems(self, key, option_count):
        if len(key) == option_count:
            return []
        return [f"a ranking key lists every option once, most appropriate first ({option_count} letters), not {len(key)}"]

    def answer_problems(self, values, option_count):
        if values and len(values) != option_count:
            raise AnswerRefused(f"give each option a different rank from 1 to {option_count}")
        return values

    def describe(self, answer):
        return " then ".join(answer)


REGISTRY: dict[str, ItemType] = {item_type.name: item_type for item_type in (SingleBestAnswer(), MultipleResponse(), Ranking())}
