"""Checking question_bank/framework/*.yaml: one file per tier, with its statements."""

import re
from pathlib import Path

from pydantic import ValidationError

from app.bank.problems import Problem, display_path
from app.bank.schema import TierSpec
from app.bank.sources import Source, YamlError, read_yaml

_FRIENDLY = {
    "missing": "is missing",
    "extra_forbidden": "is not a known field (check the spelling)",
}


def check_framework(root: Path) -> tuple[list[TierSpec], list[Problem]]:
    """Every tier file under root/framework, validated; returns the tiers and every problem found."""
    folder = root / "framework"
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        return [], [Problem(display_path(folder, root), 1, "", "no tier files (*.yaml) found")]
    tiers, problems = [], []
    for path in paths:
        tier, found = _check_file(path, display_path(path, root.parent))
        problems += found
        if tier is not None:
            tiers.append((tier, display_path(path, root.parent)))
    problems += _check_across_files(tiers)
    return sorted((tier for tier, _shown in tiers), key=lambda tier: tier.position), sorted(problems)


def _check_file(path: Path, shown: str) -> tuple[TierSpec | None, list[Problem]]:
    try:
        source = read_yaml(path, shown)
    except YamlError as error:
        return None, [Problem(shown, error.line, "", error.message)]
    if not isinstance(source.data, dict):
        return None, [Problem(shown, 1, "", "a tier file must be a mapping of fields, starting with code: and name:")]
    try:
        tier = TierSpec.model_validate(source.data)
    except ValidationError as error:
        return None, [pydantic_problem(source, detail) for detail in error.errors()]
    problems = _check_codes(tier, source)
    if path.stem != tier.code:
        problems.append(Problem(shown, source.line_of(("code",)), "code", f"the file for tier '{tier.code}' must be named {tier.code}.yaml"))
    return (tier if not problems else None), problems


def pydantic_problem(source: Source, detail) -> Problem:
    location = tuple(detail["loc"])
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")
    message = _FRIENDLY.get(detail["type"], detail["msg"])
    return Problem(source.path, source.line_of(location), field, message)


def _check_codes(tier: TierSpec, source: Source) -> list[Problem]:
    problems = []
    prefix = tier.statement_prefix
    for index, statement in enumerate(tier.statements):
        where = ("statements", index, "code")
        expected = f"{prefix}{index + 1}"
        if not re.fullmatch(rf"{prefix}\d+", statement.code):
            message = f"'{statement.code}' is not a code of this tier; its codes look like {prefix}1, {prefix}2, ..."
        elif statement.code != expected:
            message = f"expected {expected} here, found {statement.code}: number the statements in order"
        else:
            continue
        problems.append(Problem(source.path, source.line_of(where), f"statements[{index}].code", message))
    return problems


def _check_across_files(tiers: list[tuple[TierSpec, str]]) -> list[Problem]:
    problems = []
    for field, what in (("code", "tier code"), ("statement_prefix", "statement prefix"), ("position", "position")):
        seen = {}
        for tier, shown in tiers:
            value = getattr(tier, field)
            if value in seen:
                problems.append(Problem(shown, 1, field, f"{what} '{value}' is already used by {seen[value]}"))
            seen[value] = shown
    return problems
