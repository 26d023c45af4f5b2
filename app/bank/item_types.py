"""Item types: one class each, in a registry. A type knows its authored shape (how many options,
what a key looks like) and checks an item against it. Rendering, response parsing and scoring
are added to these classes by the assessment and scoring work."""

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


class SingleBestAnswer(ItemType):
    name, label, option_counts = "single_best_answer", "single best answer", (4,)

    def key_problems(self, key, option_count):
        return [] if len(key) == 1 else [f"a single best answer item has exactly 1 key letter, not {len(key)}"]


class MultipleResponse(ItemType):
    name, label, option_counts = "multiple_response", "multiple response", (8,)
    keyed = 3

    def key_problems(self, key, option_count):
        return [] if len(key) == self.keyed else [f"a multiple response item keys exactly {self.keyed} options (choose 3 of 8), not {len(key)}"]


class Ranking(ItemType):
    name, label, option_counts = "ranking", "ranking", (4, 5)

    def key_problems(self, key, option_count):
        if len(key) == option_count:
            return []
        return [f"a ranking key lists every option once, most appropriate first ({option_count} letters), not {len(key)}"]


REGISTRY: dict[str, ItemType] = {item_type.name: item_type for item_type in (SingleBestAnswer(), MultipleResponse(), Ranking())}
