"""Importing checked bank content into the database. Never commits: the caller commits once,
so an import is all or nothing."""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.audit import record_event
from app.bank.schema import TierSpec
from app.models import Statement, Tier, User


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
