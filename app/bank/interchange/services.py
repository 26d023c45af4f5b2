"""Turning items read from other systems into draft items in the bank. Never commits."""

from sqlmodel import Session, select

from app.audit import record_event
from app.bank.interchange import ExternalItem
from app.bank.item_types import REGISTRY
from app.bank.schema import ItemSpec, OptionSpec
from app.bank.services import free_code, new_version
from app.models import Item, ItemStatus, Scenario, Statement, User


class ExternalItemProblem(Exception):
    pass


def import_external(session: Session, *, items: list[ExternalItem], actor: User | None,
                    default_kss: str | None = None) -> tuple[list[str], list[str]]:
    """Add each item as a new draft (never overwriting an existing item). Returns the codes
    created and a message for each item that could not be added."""
    statements = {s.code: s for s in session.exec(select(Statement))}
    created, refused = [], []
    for external in items:
        try:
            created.append(_add_draft(session, external, statements, default_kss, actor))
        except ExternalItemProblem as problem:
            refused.append(f"{external.source_id}: {problem}")
    return created, refused


def _add_draft(session, external, statements, default_kss, actor) -> str:
    code = external.kss or default_kss
    if code is None:
        raise ExternalItemProblem("it has no KSS code; give one with --kss")
    statement = statements.get(code)
    if statement is None:
        raise ExternalItemProblem(f"'{code}' is not a KSS code")
    problems = REGISTRY[external.type].check(external.options, external.key)
    if problems:
        raise ExternalItemProblem("; ".join(message for _field, message in problems))
    scenario_version = _scenario_version(session, external)
    item = Item(code=free_code(session, statement.tier.code, wanted=external.source_id), tier_id=statement.tier_id,
                status=ItemStatus.DRAFT)
    session.add(item)
    session.flush()
    spec = ItemSpec.model_construct(
        also_kss=[c for c in external.also_kss if c in statements], stage=external.stage, type=external.type,
        difficulty=external.difficulty if external.difficulty in ("easy", "medium", "hard") else "medium",
        stem=external.stem, options=[OptionSpec.model_construct(**option) for option in external.options],
        key=external.key, references=external.references)
    session.add(new_version(spec, item_id=item.id, number=1, statement=statement, scenario_version=scenario_version))
    record_event(session, actor=actor, action="item.imported", obj=item, source=external.source_id)
    return item.code


def _scenario_version(session, external):
    if not external.scenario:
        return None
    scenario = session.exec(select(Scenario).where(Scenario.code == external.scenario)).first()
    if scenario is None or external.stage not in [stage["id"] for stage in scenario.current.stages]:
        raise ExternalItemProblem(f"it belongs to scenario {external.scenario} (stage {external.stage}), which is not in this bank")
    return scenario.current
