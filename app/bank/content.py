"""Checking the whole bank: framework, scenarios and items, with every cross-reference, plus
item-writing lint. Pure: reads files, returns what it found, touches no database."""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from app.bank.framework import check_framework, pydantic_problem
from app.bank.item_types import REGISTRY
from app.bank.problems import Problem, display_path
from app.bank.schema import ItemFile, ItemSpec, ScenarioSpec, TierSpec
from app.bank.sources import Source, YamlError, read_yaml
from app.practice.content import check_station_sets


@dataclass
class Bank:
    tiers: list[TierSpec] = field(default_factory=list)
    scenarios: dict[str, ScenarioSpec] = field(default_factory=dict)
    items: list[ItemSpec] = field(default_factory=list)
    station_sets: list = field(default_factory=list)  # app.practice.schema.StationSetSpec
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]


def check_bank(root: Path) -> Bank:
    """Read and check everything under root (a question_bank folder)."""
    bank = Bank()
    bank.tiers, bank.problems = check_framework(root)
    statement_tier = {s.code: tier.code for tier in bank.tiers for s in tier.statements}
    known_tiers = {tier.code for tier in bank.tiers}
    scenario_sources = _check_scenarios(root, known_tiers, bank)
    _check_items(root, known_tiers, statement_tier, scenario_sources, bank)
    bank.station_sets, practice_problems = check_station_sets(root, statement_tier, known_tiers)
    bank.problems = sorted(set(bank.problems + practice_problems))
    return bank


def _read(path: Path, root: Path, bank: Bank) -> Source | None:
    shown = display_path(path, root.parent)
    try:
        return read_yaml(path, shown)
    except YamlError as error:
        bank.problems.append(Problem(shown, error.line, "", error.message))
        return None


def _tier_files(root: Path, folder: str, known_tiers: set[str], bank: Bank):
    base = root / folder
    if not base.exists():
        return
    for directory in sorted(p for p in base.iterdir() if p.is_dir()):
        if directory.name not in known_tiers:
            bank.problems.append(Problem(display_path(directory, root.parent), 1, "",
                                         f"'{directory.name}' is not a tier (folders are named {', '.join(sorted(known_tiers))})"))
            continue
        for path in sorted(directory.glob("*.yaml")):
            yield directory.name, path


def _check_scenarios(root, known_tiers, bank) -> dict[str, Source]:
    sources = {}
    for tier, path in _tier_files(root, "scenarios", known_tiers, bank):
        source = _read(path, root, bank)
        if source is None:
            continue
        try:
            scenario = ScenarioSpec.model_validate(source.data)
        except ValidationError as error:
            bank.problems += [pydantic_problem(source, detail) for detail in error.errors()]
            continue
        problems = _scenario_problems(scenario, tier, path, source, sources)
        bank.problems += problems
        if not problems:
            bank.scenarios[scenario.id] = scenario
            sources[scenario.id] = source
    return sources


def _scenario_problems(scenario, tier, path, source, seen) -> list[Problem]:
    found = []
    if scenario.tier != tier:
        found.append(Problem(source.path, source.line_of(("tier",)), "tier", f"'{scenario.tier}' does not match the folder '{tier}'"))
    if path.stem != scenario.id:
        found.append(Problem(source.path, source.line_of(("id",)), "id", f"scenario {scenario.id} must be in a file named {scenario.id}.yaml"))
    if scenario.id in seen:
        found.append(Problem(source.path, source.line_of(("id",)), "id", f"{scenario.id} is already defined in {seen[scenario.id].path}"))
    stage_ids = Counter(stage.id for stage in scenario.stages)
    for index, stage in enumerate(scenario.stages):
        if stage_ids[stage.id] > 1:
            found.append(Problem(source.path, source.line_of(("stages", index, "id")), f"stages[{index}].id",
                                 f"stage id '{stage.id}' is used more than once in this scenario"))
    return found


def _check_items(root, known_tiers, statement_tier, scenario_sources, bank):
    first_seen: dict[str, str] = {}
    located: list[tuple[ItemSpec, Source, int]] = []
    for tier, path in _tier_files(root, "items", known_tiers, bank):
        source = _read(path, root, bank)
        if source is None:
            continue
        try:
            items = ItemFile.model_validate(source.data).items
        except ValidationError as error:
            bank.problems += [pydantic_problem(source, detail) for detail in error.errors()]
            continue
        for index, item in enumerate(items):
            at = _Locator(source, index)
            problems = _item_problems(item, tier, at, statement_tier, bank.scenarios)
            if item.id in first_seen:
                problems.append(at.problem("id", f"{item.id} is already used at {first_seen[item.id]}"))
            first_seen.setdefault(item.id, f"{source.path}:{at.line('id')}")
            bank.problems += problems
            bank.problems += _item_lint(item, at)
            if not problems:
                bank.items.append(item)
                located.append((item, source, index))
    bank.problems += _enemy_problems(located, set(first_seen), bank.scenarios)
    bank.problems += _bank_lint(located)


def _enemy_problems(located, item_ids: set[str], scenarios: dict[str, ScenarioSpec]) -> list[Problem]:
    """An enemy names another item or a scenario of the bank, never the item itself or its own scenario."""
    found = []
    for item, source, index in located:
        at = _Locator(source, index)
        for position, enemy in enumerate(item.enemies):
            if enemy == item.id:
                found.append(at.problem("enemies", "an item cannot be its own enemy", "enemies", position))
            elif enemy == item.scenario:
                found.append(at.problem("enemies", f"{enemy} is this item's own scenario", "enemies", position))
            elif enemy not in item_ids and enemy not in scenarios:
                found.append(at.problem("enemies", f"there is no item or scenario '{enemy}'", "enemies", position))
    return found


@dataclass
class _Locator:
    source: Source
    index: int

    def line(self, *path) -> int:
        return self.source.line_of(("items", self.index, *path))

    def problem(self, field_name: str, message: str, *path, severity="error") -> Problem:
        location = path or (field_name,)
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location)
        return Problem(self.source.path, self.line(*location), f"items[{self.index}]{dotted}", message, severity)


def item_problems(item: ItemSpec, statement_tier: dict[str, str], scenarios: dict[str, ScenarioSpec]) -> list[tuple[str, str]]:
    """The loader's checks for one item outside any file: (field, message) for each problem.
    Used when an item is edited or made live in the browser."""
    source = Source(path="", data=None)
    found = _item_problems(item, item.tier, _Locator(source, 0), statement_tier, scenarios)
    try:
        ItemSpec.model_validate(item.model_dump())
    except ValidationError as error:
        found += [Problem("", 1, ".".join(str(p) for p in d["loc"]), d["msg"]) for d in error.errors()]
    return [(problem.field.removeprefix("items[0]").lstrip("."), problem.message) for problem in found]


def _item_problems(item: ItemSpec, tier, at: _Locator, statement_tier, scenarios) -> list[Problem]:
    found = []
    if item.tier != tier:
        found.append(at.problem("tier", f"'{item.tier}' does not match the folder '{tier}'"))
    if item.kss not in statement_tier:
        found.append(at.problem("kss", f"'{item.kss}' is not a KSS code (codes are P1-P10, S1-S8, L1-L6)"))
    elif statement_tier[item.kss] != item.tier:
        found.append(at.problem("kss", f"{item.kss} is a {statement_tier[item.kss]} statement, not a {item.tier} one"))
    for index, code in enumerate(item.also_kss):
        if code not in statement_tier:
            found.append(at.problem("also_kss", f"'{code}' is not a KSS code", "also_kss", index))
        elif code == item.kss:
            found.append(at.problem("also_kss", f"{code} is already the primary code", "also_kss", index))
    found += _placement_problems(item, at, scenarios)
    found += [at.problem(name, message) for name, message in REGISTRY[item.type].check(item.options, item.key)]
    texts = Counter(option.text.strip().lower() for option in item.options)
    for index, option in enumerate(item.options):
        if texts[option.text.strip().lower()] > 1:
            found.append(at.problem("options", "two options have the same text", "options", index, "text"))
    return found


def _placement_problems(item, at, scenarios) -> list[Problem]:
    if item.kind == "general":
        return [at.problem(name, f"a general item has no {name} (only applied items belong to a scenario)")
                for name in ("scenario", "stage") if getattr(item, name) is not None]
    if item.scenario is None or item.stage is None:
        return [at.problem("kind", "an applied item needs both scenario and stage")]
    scenario = scenarios.get(item.scenario)
    if scenario is None:
        return [at.problem("scenario", f"there is no scenario '{item.scenario}' (or it has errors)")]
    if scenario.tier != item.tier:
        return [at.problem("scenario", f"{item.scenario} is a {scenario.tier} scenario, not a {item.tier} one")]
    stages = [stage.id for stage in scenario.stages]
    if item.stage not in stages:
        return [at.problem("stage", f"{item.scenario} has no stage '{item.stage}' (its stages are {', '.join(stages)})")]
    return []


_ALL_OR_NONE = re.compile(r"\b(all|none|both|neither) of the (above|options|answers)\b", re.IGNORECASE)
_NEGATIVE = re.compile(r"\b(not|except|least)\b")


def _question_sentence(stem: str) -> str:
    sentences = re.split(r"(?<=[.?!])\s+", stem.strip())
    questions = [s for s in sentences if s.endswith("?")]
    return (questions or sentences)[-1]


def _item_lint(item: ItemSpec, at: _Locator) -> list[Problem]:
    found = []
    for index, option in enumerate(item.options):
        if _ALL_OR_NONE.search(option.text):
            found.append(at.problem("options", "avoid 'all/none of the above' options", "options", index, "text", severity="warning"))
    question = re.sub(r"\bmost to least\b", "", _question_sentence(item.stem))  # ranking instructions are not negative
    if _NEGATIVE.search(question):
        found.append(at.problem("stem", "negative question: emphasise the word in capitals (NOT, EXCEPT, LEAST) or rephrase",
                                severity="warning"))
    return found


def _bank_lint(located) -> list[Problem]:
    """Key position and longest-option bias across single best answer items."""
    single = [(item, source, index) for item, source, index in located if item.type == "single_best_answer"]
    if len(single) < 8:
        return []
    n = len(single)
    positions = Counter(item.key[0] for item, _s, _i in single)
    expected = n / 4
    tolerance = max(2.0, 2 * math.sqrt(n * 0.25 * 0.75))
    found = []
    skewed = {letter: positions.get(letter, 0) for letter in "ABCD" if abs(positions.get(letter, 0) - expected) > tolerance}
    if skewed:
        counts = ", ".join(f"{letter}: {positions.get(letter, 0)}" for letter in "ABCD")
        found.append(Problem("question_bank/items", 1, "key",
                             f"single best answer keys are unevenly spread over positions ({counts}; about {expected:.0f} each expected)", "warning"))
    longest = sum(1 for item, _source, _index in single if key_is_longest(item))
    if abs(longest - expected) > tolerance:
        advice = "make distractors as full as the key" if longest > expected else "the key is rarely the longest, which is a cue too"
        found.append(Problem("question_bank/items", 1, "key",
                             f"the key is the longest option in {longest} of {n} single best answer items "
                             f"(chance is about {expected:.0f}): {advice}", "warning"))
    return found


def key_is_longest(item: ItemSpec) -> bool:
    lengths = [len(option.text) for option in item.options]
    keyed = lengths["ABCD".index(item.key[0])]
    return keyed == max(lengths) and lengths.count(keyed) == 1
