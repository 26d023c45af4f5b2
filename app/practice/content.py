"""Checking observed-practice station sets in question_bank/practice/<tier>/: shape, cross-references
and the rules of a complete set. Pure: reads files, returns what it found, touches no database.

A complete set has at least two simulations (each with an actor brief), exactly one written
assessment (set on one of the set's simulations) and exactly one reflective conversation (with the
assessor's prompts). Every rubric criterion maps to statements of the set's own tier; a statement
of the tier that no criterion in the set covers is a warning.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from app.bank.framework import pydantic_problem
from app.bank.problems import Problem, display_path
from app.bank.sources import Source, YamlError, read_yaml
from app.practice.schema import StationSetSpec

MAX_STATION_MINUTES = 90


@dataclass
class _At:
    source: Source

    def problem(self, message: str, *location, severity: str = "error") -> Problem:
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location).lstrip(".")
        return Problem(self.source.path, self.source.line_of(tuple(location)), dotted, message, severity)


def check_station_sets(root: Path, statement_tier: dict[str, str], known_tiers: set[str]) -> tuple[list[StationSetSpec], list[Problem]]:
    """Every station set under root/practice, and every problem found (file:line: field: message)."""
    sets, problems = [], []
    base = root / "practice"
    if not base.exists():
        return sets, problems
    seen_sets: dict[str, str] = {}
    seen_stations: dict[str, str] = {}
    for directory in sorted(p for p in base.iterdir() if p.is_dir()):
        if directory.name not in known_tiers:
            problems.append(Problem(display_path(directory, root.parent), 1, "",
                                    f"'{directory.name}' is not a tier (folders are named {', '.join(sorted(known_tiers))})"))
            continue
        for path in sorted(directory.glob("*.yaml")):
            shown = display_path(path, root.parent)
            try:
                source = read_yaml(path, shown)
            except YamlError as error:
                problems.append(Problem(shown, error.line, "", error.message))
                continue
            try:
                spec = StationSetSpec.model_validate(source.data)
            except ValidationError as error:
                problems += [pydantic_problem(source, detail) for detail in error.errors()]
                continue
            found = set_problems(spec, directory.name, path.stem, _At(source), statement_tier, seen_sets, seen_stations)
            problems += found
            if not any(p.severity == "error" for p in found):
                sets.append(spec)
    return sets, problems


def set_problems(spec: StationSetSpec, folder: str, stem: str, at: _At, statement_tier: dict[str, str],
                 seen_sets: dict[str, str], seen_stations: dict[str, str]) -> list[Problem]:
    found = []
    if spec.tier != folder:
        found.append(at.problem(f"'{spec.tier}' does not match the folder '{folder}'", "tier"))
    if stem != spec.id:
        found.append(at.problem(f"station set {spec.id} must be in a file named {spec.id}.yaml", "id"))
    if spec.id in seen_sets:
        found.append(at.problem(f"{spec.id} is already defined in {seen_sets[spec.id]}", "id"))
    seen_sets.setdefault(spec.id, at.source.path)
    prefix = spec.id.split("-")[0]
    kinds = Counter(station.kind for station in spec.stations)
    if kinds["simulation"] < 2:
        found.append(at.problem(f"a station set has at least 2 simulations, not {kinds['simulation']}", "stations"))
    for kind in ("written", "reflective"):
        if kinds[kind] != 1:
            found.append(at.problem(f"a station set has exactly 1 {kind} station, not {kinds[kind]}", "stations"))
    simulations = {station.id for station in spec.stations if station.kind == "simulation"}
    covered = set()
    for index, station in enumerate(spec.stations):
        found += _station_problems(spec, station, index, at, prefix, simulations, statement_tier, seen_stations)
        covered |= {code for criterion in station.rubric for code in criterion.kss}
    tier_statements = sorted((code for code, tier in statement_tier.items() if tier == spec.tier), key=lambda c: (len(c), c))
    missing = [code for code in tier_statements if code not in covered]
    if missing and tier_statements:
        found.append(at.problem(f"no criterion in this set covers {', '.join(missing)}", "stations", severity="warning"))
    return found


def _station_problems(spec, station, index, at, prefix, simulations, statement_tier, seen_stations) -> list[Problem]:
    found = []
    here = ("stations", index)
    if not station.id.startswith(prefix + "-"):
        found.append(at.problem(f"station ids in a {spec.tier} set start with '{prefix}-'", *here, "id"))
    if station.id in seen_stations:
        found.append(at.problem(f"{station.id} is already used in {seen_stations[station.id]}", *here, "id"))
    seen_stations.setdefault(station.id, at.source.path)
    if (station.actor_brief is None) == (station.kind == "simulation"):
        message = ("a simulation needs an actor_brief: who the actor plays and how they react" if station.kind == "simulation"
                   else f"only simulations have an actor_brief, not a {station.kind} station")
        found.append(at.problem(message, *here, "actor_brief" if station.actor_brief is not None else "kind"))
    if station.kind == "written":
        if station.task is None:
            found.append(at.problem("a written station needs a task: what the candidate writes", *here, "kind"))
        if station.based_on is None:
            found.append(at.problem("a written station is set on one of the set's simulations: give based_on", *here, "kind"))
    elif station.task is not None:
        found.append(at.problem(f"only written stations have a task, not a {station.kind} station", *here, "task"))
    if station.based_on is not None:
        if station.kind == "simulation":
            found.append(at.problem("a simulation is not based on another station", *here, "based_on"))
        elif station.based_on not in simulations:
            found.append(at.problem(f"'{station.based_on}' is not a simulation in this set", *here, "based_on"))
    if (station.prompts is None) == (station.kind == "reflective"):
        message = ("a reflective conversation needs the assessor's prompts (at least 3)" if station.kind == "reflective"
                   else f"only reflective stations have prompts, not a {station.kind} station")
        found.append(at.problem(message, *here, "prompts" if station.prompts is not None else "kind"))
    minutes = sum(phase.minutes for phase in station.timings)
    if minutes > MAX_STATION_MINUTES:
        found.append(at.problem(f"the timings add up to {minutes} minutes; a station lasts at most {MAX_STATION_MINUTES}",
                                *here, "timings"))
    criterion_ids = Counter(criterion.id for criterion in station.rubric)
    for position, criterion in enumerate(station.rubric):
        where = (*here, "rubric", position)
        if criterion_ids[criterion.id] > 1:
            found.append(at.problem(f"criterion id '{criterion.id}' is used more than once in this station", *where, "id"))
        for k, code in enumerate(criterion.kss):
            if code not in statement_tier:
                found.append(at.problem(f"'{code}' is not a statement of the framework", *where, "kss", k))
            elif statement_tier[code] != spec.tier:
                found.append(at.problem(f"{code} is a {statement_tier[code]} statement; this is a {spec.tier} set", *where, "kss", k))
        if len(set(criterion.kss)) != len(criterion.kss):
            found.append(at.problem("a statement appears more than once", *where, "kss"))
    return found
