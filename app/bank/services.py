"""Importing checked bank content into the database. Never commits: the caller commits once,
so an import is all or nothing."""

import hashlib
import json
import re
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.audit import record_event
from app.bank.schema import TierSpec
from app.models import Item, ItemStatus, ItemVersion, Scenario, ScenarioVersion, Statement, Tier, User


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def import_framework(session: Session, *, tiers: list[TierSpec], actor: User | None) -> ImportSummary:
    """Create or update tiers and statements by code (idempotent). Statements are never deleted:
    items and results refer to them."""
    summary = ImportSummary()
    for spec in tiers:
        tier = session.exec(select(Tier).where(Tier.code == spec.code)).first() or Tier(code=spec.code)
        _apply(session, tier, {"name": spec.name, "standard": spec.standard, "statutory": spec.statutory,
                               "position": spec.position}, summary, actor, f"tier {spec.code}")
        for index, statement_spec in enumerate(spec.statements):
            statement = session.exec(select(Statement).where(Statement.code == statement_spec.code)).first()
            statement = statement or Statement(code=statement_spec.code)
            values = {"tier_id": tier.id, "title": statement_spec.title, "summary": statement_spec.summary,
                      "position": index}
            _apply(session, statement, values, summary, actor, f"statement {statement_spec.code}")
    return summary


def _apply(session, row, values, summary, actor, label):
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    if row.id is not None and not changed:
        summary.unchanged += 1
        return
    created = row.id is None
    for name, value in changed.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    (summary.created if created else summary.updated).append(label)
    record_event(session, actor=actor, action=f"framework.{type(row).__tablename__}_{'created' if created else 'updated'}",
                 obj=row, fields=sorted(changed))


@dataclass
class BankImportSummary:
    framework: ImportSummary
    scenarios: ImportSummary
    items: ImportSummary
    status_changes: list[str] = field(default_factory=list)
    station_sets: object = None  # app.practice.services.SetImport

    def lines(self) -> list[str]:
        return [
            f"Framework: {len(self.framework.created)} created, {len(self.framework.updated)} updated, {self.framework.unchanged} unchanged.",
            f"Scenarios: {len(self.scenarios.created)} created, {len(self.scenarios.updated)} new versions, {self.scenarios.unchanged} unchanged.",
            f"Items: {len(self.items.created)} created, {len(self.items.updated)} new versions, {self.items.unchanged} unchanged, "
            f"{len(self.status_changes)} status changes.",
            *([self.station_sets.line()] if self.station_sets is not None else []),
        ]


def import_bank(session: Session, *, bank, actor: User | None) -> BankImportSummary:
    """Import a checked bank (app.bank.content.Bank without errors). The caller commits once."""
    summary = BankImportSummary(import_framework(session, tiers=bank.tiers, actor=actor), ImportSummary(), ImportSummary())
    tiers = {tier.code: tier for tier in session.exec(select(Tier))}
    statements = {statement.code: statement for statement in session.exec(select(Statement))}
    scenario_versions = {}
    for code, spec in bank.scenarios.items():
        scenario_versions[code] = _import_scenario(session, spec, tiers[spec.tier], summary.scenarios, actor)
    for spec in bank.items:
        _import_item(session, spec, tiers[spec.tier], statements, scenario_versions, summary, actor)
    from app.practice.services import import_station_sets

    summary.station_sets = import_station_sets(session, specs=getattr(bank, "station_sets", []), actor=actor)
    return summary


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_version(spec, *, item_id: int, number: int, statement: Statement,
                scenario_version: ScenarioVersion | None) -> ItemVersion:
    """An (unsaved) version holding `spec`'s content, with the hash that tells whether content changed.
    The hash uses the statement code and the scenario text, not database ids."""
    content = {
        "statement_id": statement.id, "also_kss": list(spec.also_kss), "kind": "applied" if scenario_version else "general",
        "scenario_version_id": scenario_version.id if scenario_version else None,
        "stage": spec.stage if scenario_version else None, "type": spec.type, "difficulty": spec.difficulty,
        "stem": spec.stem, "options": [option.model_dump() for option in spec.options], "key": list(spec.key),
        "references": list(spec.references),
    }
    digest = content_hash({**content, "statement_id": statement.code,
                           "scenario_version_id": scenario_version.content_hash if scenario_version else None})
    return ItemVersion(item_id=item_id, number=number, content_hash=digest, **content)


def _import_scenario(session, spec, tier, summary, actor) -> ScenarioVersion:
    content = {"kind": spec.kind, "title": spec.title, "stages": [stage.model_dump() for stage in spec.stages]}
    digest = content_hash(content)
    scenario = session.exec(select(Scenario).where(Scenario.code == spec.id)).first()
    if scenario is not None and scenario.versions and scenario.current.content_hash == digest:
        summary.unchanged += 1
        return scenario.current
    created = scenario is None
    if created:
        scenario = Scenario(code=spec.id, tier_id=tier.id)
        session.add(scenario)
        session.flush()
    version = ScenarioVersion(scenario_id=scenario.id, number=len(scenario.versions) + 1, content_hash=digest, **content)
    session.add(version)
    session.flush()
    session.refresh(scenario)
    (summary.created if created else summary.updated).append(spec.id)
    record_event(session, actor=actor, action="scenario.version_created", obj=scenario, version=version.number)
    return version


def _import_item(session, spec, tier, statements, scenario_versions, summary, actor):
    scenario_version = scenario_versions.get(spec.scenario) if spec.scenario else None
    item = session.exec(select(Item).where(Item.code == spec.id)).first()
    source_hash = content_hash({**spec.model_dump(), "scenario": scenario_version.content_hash if scenario_version else None})
    if item is not None and item.source_hash == source_hash:
        summary.items.unchanged += 1  # the file entry is as last imported: keep any changes made since
        return
    created = item is None
    if created:
        item = Item(code=spec.id, tier_id=tier.id, status=ItemStatus(spec.status))
        session.add(item)
        session.flush()
    elif item.status.value != spec.status:
        record_event(session, actor=actor, action="item.status_changed", obj=item, before=item.status.value, after=spec.status)
        item.status = ItemStatus(spec.status)
        summary.status_changes.append(spec.id)
    item.source_hash = source_hash
    if item.enemies != list(spec.enemies):
        record_event(session, actor=actor, action="item.enemies_changed", obj=item, before=item.enemies, after=list(spec.enemies))
        item.enemies = list(spec.enemies)
    number = len(item.versions) + 1
    version = new_version(spec, item_id=item.id, number=number, statement=statements[spec.kss], scenario_version=scenario_version)
    if not created and item.versions and item.current.content_hash == version.content_hash:
        summary.items.unchanged += 1
        return
    _save_version(session, item, version, actor, "item.version_created")
    (summary.items.created if created else summary.items.updated).append(spec.id)


def _save_version(session, item, version, actor, action, **details):
    session.add(version)
    session.flush()
    session.refresh(item)
    record_event(session, actor=actor, action=action, obj=item, version=version.number, **details)


# The review workflow -------------------------------------------------------------------------

TRANSITIONS = {
    ItemStatus.DRAFT: (ItemStatus.REVIEW,),
    ItemStatus.REVIEW: (ItemStatus.LIVE, ItemStatus.DRAFT),
    ItemStatus.LIVE: (ItemStatus.RETIRED,),
    ItemStatus.RETIRED: (ItemStatus.REVIEW,),
}


class ItemChangeRefused(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


def change_status(session: Session, *, item: Item, to: ItemStatus, actor: User, reason: str) -> None:
    """Move an item through draft, review, live and retired. An item goes live only if it passes
    every check the loader applies."""
    if to not in TRANSITIONS[item.status]:
        allowed = " or ".join(s.value for s in TRANSITIONS[item.status])
        raise ItemChangeRefused([("status", f"a {item.status.value} item can move to {allowed}, not {to.value}")])
    if to is ItemStatus.LIVE:
        problems = _check_stored(session, item)
        if problems:
            raise ItemChangeRefused(problems)
    record_event(session, actor=actor, action="item.status_changed", obj=item, before=item.status.value, after=to.value, reason=reason)
    item.status = to


def revise_item(session: Session, *, item: Item, actor: User, changes: dict, reason: str) -> ItemVersion:
    """Save an edit as a new version (the versions candidates have seen are never changed)."""
    from app.bank.content import item_problems
    from app.bank.queries import scenario_specs, spec_of, statement_tiers

    spec = spec_of(session, item).model_copy(update=changes)
    problems = item_problems(spec, statement_tiers(session), scenario_specs(session))
    if problems:
        raise ItemChangeRefused(problems)
    current = item.current
    statement = session.exec(select(Statement).where(Statement.code == spec.kss)).one()
    version = new_version(spec, item_id=item.id, number=current.number + 1, statement=statement,
                          scenario_version=current.scenario_version)
    if version.content_hash == current.content_hash:
        raise ItemChangeRefused([("stem", "nothing has changed, so no new version was made")])
    _save_version(session, item, version, actor, "item.version_created", reason=reason)
    return version


def _check_stored(session, item):
    from app.bank.content import item_problems
    from app.bank.queries import scenario_specs, spec_of, statement_tiers

    return item_problems(spec_of(session, item), statement_tiers(session), scenario_specs(session))


PREFIX = {"practitioner": "prac", "supervisor": "sup", "leader": "lead"}


def free_code(session: Session, tier: str, wanted: str | None = None) -> str:
    """`wanted` if it is a free code of the tier's pattern, otherwise the next free number from 9001."""
    prefix = PREFIX[tier]
    taken = set(session.exec(select(Item.code).where(Item.code.like(f"{prefix}-%"))))
    if re.fullmatch(rf"{prefix}-\d{{4}}", wanted or "") and wanted not in taken:
        return wanted
    numbers = [int(code.split("-")[1]) for code in taken if re.fullmatch(rf"{prefix}-\d{{4}}", code)]
    return f"{prefix}-{max([9000, *numbers]) + 1:04d}"


def create_item(session: Session, *, tier: Tier, item_type: str, scenario_version: ScenarioVersion | None,
                stage: str | None, content: dict, actor: User) -> Item:
    """A new draft item written in the browser, checked like a file's item before it is saved."""
    from app.bank.content import item_problems
    from app.bank.queries import scenario_specs, statement_tiers
    from app.bank.schema import ItemSpec

    code = free_code(session, tier.code)
    scenario_code = scenario_version.scenario.code if scenario_version else None
    spec = ItemSpec.model_construct(id=code, tier=tier.code, kind="applied" if scenario_version else "general",
                                    scenario=scenario_code, stage=stage, type=item_type, status="draft", **content)
    problems = item_problems(spec, statement_tiers(session), scenario_specs(session))
    if problems:
        raise ItemChangeRefused(problems)
    statement = session.exec(select(Statement).where(Statement.code == spec.kss)).one()
    item = Item(code=code, tier_id=tier.id, status=ItemStatus.DRAFT)
    session.add(item)
    session.flush()
    version = new_version(spec, item_id=item.id, number=1, statement=statement, scenario_version=scenario_version)
    _save_version(session, item, version, actor, "item.created")
    return item
