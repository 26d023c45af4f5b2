"""Blueprints as administrators have set them, and the live bank as the assembler sees it."""

from sqlmodel import Session, select

from app.audit import record_event
from app.exams.assembly import AssemblyError, Candidate, assemble_form
from app.exams.blueprints import Blueprint, default_blueprints
from app.models import AgreedRating, BlueprintSetting, Item, ItemStatus, Statement, Tier, User


def blueprint_for(session: Session, tier: Tier) -> Blueprint:
    setting = session.exec(select(BlueprintSetting).where(BlueprintSetting.tier_id == tier.id)).first()
    if setting is None:
        statements = {t.code: [s.code for s in t.statements] for t in session.exec(select(Tier))}
        return default_blueprints(statements)[tier.code]
    return Blueprint(tier=tier.code, general_from=session.get(Tier, setting.general_tier_id).code,
                     time_limit_minutes=setting.time_limit_minutes, general=setting.general, applied=setting.applied,
                     max_scenarios=setting.max_scenarios, minimum_per_statement=dict(setting.minimum_per_statement),
                     multiple_response_rule=setting.multiple_response_rule,
                     statement_minimum_percent=setting.statement_minimum_percent)


def agreed_ratings(session: Session, tier: Tier) -> dict[int, float]:
    """Agreed Angoff ratings for the tier's forms, by item version id."""
    return dict(session.exec(select(AgreedRating.item_version_id, AgreedRating.value).where(AgreedRating.tier_id == tier.id)).all())


def live_pool(session: Session, rated_for: Tier | None = None) -> list[Candidate]:
    """Every live item's current version, as the assembler sees it. With `rated_for`, only those
    with an agreed standard-setting rating for that tier's forms: an unrated item cannot go live."""
    rated = agreed_ratings(session, rated_for) if rated_for is not None else None
    pool = []
    for item in session.exec(select(Item).where(Item.status == ItemStatus.LIVE)):
        version = item.current
        if version.voided_at is not None or (rated is not None and version.id not in rated):
            continue
        scenario = version.scenario_version
        stage_order = [s["id"] for s in scenario.stages].index(version.stage) if scenario else 0
        pool.append(Candidate(item.code, session.get(Tier, item.tier_id).code, session.get(Statement, version.statement_id).code,
                              version.kind, scenario.scenario.code if scenario else None, stage_order,
                              enemies=frozenset(item.enemies)))
    return pool


def save_blueprint(session: Session, *, actor: User, tier: Tier, blueprint: Blueprint) -> None:
    """Store an administrator's blueprint, but only one the live, standard-set bank can assemble a form for."""
    _assemble_or_explain(blueprint, live_pool(session, rated_for=tier))
    setting = session.exec(select(BlueprintSetting).where(BlueprintSetting.tier_id == tier.id)).first() or BlueprintSetting(tier_id=tier.id)
    general_tier = session.exec(select(Tier).where(Tier.code == blueprint.general_from)).one()
    setting.general_tier_id = general_tier.id
    setting.time_limit_minutes, setting.general, setting.applied = blueprint.time_limit_minutes, blueprint.general, blueprint.applied
    setting.max_scenarios, setting.minimum_per_statement = blueprint.max_scenarios, dict(blueprint.minimum_per_statement)
    setting.multiple_response_rule = blueprint.multiple_response_rule
    setting.statement_minimum_percent = blueprint.statement_minimum_percent
    session.add(setting)
    session.flush()
    record_event(session, actor=actor, action="blueprint.saved", obj=setting, tier=tier.code, time_limit=blueprint.time_limit_minutes,
                 general=blueprint.general, applied=blueprint.applied, general_from=blueprint.general_from,
                 max_scenarios=blueprint.max_scenarios, minimums=blueprint.minimum_per_statement,
                 multiple_response_rule=blueprint.multiple_response_rule,
                 statement_minimum_percent=blueprint.statement_minimum_percent)


def _assemble_or_explain(blueprint: Blueprint, pool: list[Candidate]) -> None:
    try:
        assemble_form(blueprint, pool)
    except AssemblyError as error:
        raise AssemblyError(f"{error} (only items with an agreed standard-setting rating for this tier count)") from error


__all__ = ["AssemblyError", "agreed_ratings", "blueprint_for", "live_pool", "save_blueprint"]
