"""Read-only queries behind the bank pages, and turning stored versions back into specs so the
loader's checks can be applied to them."""

from sqlmodel import Session, func, select

from app.bank.schema import ItemSpec, OptionSpec, ScenarioSpec, StageSpec
from app.models import Item, ItemStatus, ItemVersion, Scenario, ScenarioVersion, Statement, Tier

PER_PAGE = 50


def list_items(session: Session, *, tier=None, statement=None, item_type=None, status=None, scenario_id=None,
               page=1, per_page=PER_PAGE):
    latest = select(ItemVersion.item_id, func.max(ItemVersion.number).label("number")).group_by(ItemVersion.item_id).subquery()
    query = (select(Item, ItemVersion, Statement)
             .join(latest, latest.c.item_id == Item.id)
             .join(ItemVersion, (ItemVersion.item_id == Item.id) & (ItemVersion.number == latest.c.number))
             .join(Statement, Statement.id == ItemVersion.statement_id))
    if tier:
        query = query.join(Tier, Tier.id == Item.tier_id).where(Tier.code == tier)
    if statement:
        query = query.where(Statement.code == statement)
    if item_type:
        query = query.where(ItemVersion.type == item_type)
    if status:
        query = query.where(Item.status == ItemStatus(status))
    if scenario_id is not None:
        query = query.join(ScenarioVersion, ScenarioVersion.id == ItemVersion.scenario_version_id).where(
            ScenarioVersion.scenario_id == scenario_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Item.code).offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def get_item(session: Session, code: str) -> Item | None:
    return session.exec(select(Item).where(Item.code == code)).first()


def scenario_specs(session: Session) -> dict[str, ScenarioSpec]:
    specs = {}
    for scenario in session.exec(select(Scenario)):
        version = scenario.current
        tier = session.get(Tier, scenario.tier_id)
        specs[scenario.code] = ScenarioSpec(id=scenario.code, tier=tier.code, kind=version.kind, title=version.title,
                                            stages=[StageSpec(**stage) for stage in version.stages])
    return specs


def spec_of(session: Session, item: Item, version: ItemVersion | None = None) -> ItemSpec:
    """The stored version as the loader would have read it from a file."""
    version = version or item.current
    statement = session.get(Statement, version.statement_id)
    scenario = version.scenario_version.scenario.code if version.scenario_version else None
    return ItemSpec.model_construct(
        id=item.code, tier=session.get(Tier, item.tier_id).code, kss=statement.code, also_kss=version.also_kss,
        kind=version.kind, scenario=scenario, stage=version.stage, type=version.type, difficulty=version.difficulty,
        status=item.status.value, stem=version.stem, options=[OptionSpec.model_construct(**o) for o in version.options],
        key=version.key, references=version.references,
    )


def statement_tiers(session: Session) -> dict[str, str]:
    return {statement.code: statement.tier.code for statement in session.exec(select(Statement))}
