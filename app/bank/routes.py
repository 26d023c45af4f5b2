"""The bank in the browser (administrators; item writers are administrators for now)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.accounts.permissions import acting_user, roles_required
from app.audit import list_events
from app.bank import queries, services
from app.bank.forms import OPTION_COUNTS, ItemForm, NewItemForm, StatusForm
from app.bank.item_types import REGISTRY
from app.db import get_session
from app.models import ItemStatus, Role, Scenario, Statement, Tier

bp = Blueprint("bank", __name__, url_prefix="/admin/bank")
admin_only = roles_required(Role.ADMINISTRATOR)


def _item_or_404(code):
    return queries.get_item(get_session(), code) or abort(404)


@bp.route("/")
@admin_only
def items():
    db = get_session()
    filters = {name: request.args.get(name) or None for name in ("tier", "statement", "type", "status")}
    if filters["status"] not in {None, *(s.value for s in ItemStatus)} or filters["type"] not in {None, *REGISTRY}:
        abort(400)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.list_items(db, tier=filters["tier"], statement=filters["statement"], item_type=filters["type"],
                                     status=filters["status"], page=page)
    return render_template("bank/items.html", rows=rows, total=total, page=page, filters=filters,
                           tiers=db.exec(select(Tier).order_by(Tier.position)).all(), types=REGISTRY.values(),
                           statuses=list(ItemStatus))


@bp.route("/items/<code>")
@admin_only
def item(code):
    found = _item_or_404(code)
    number = request.args.get("version", type=int) or found.current.number
    version = next((v for v in found.versions if v.number == number), None) or abort(404)
    return _render_item(found, version, StatusForm(allowed=services.TRANSITIONS[found.status]))


def _render_item(found, version, status_form, status=200):
    db = get_session()
    stages = []
    if version.scenario_version:
        for stage in version.scenario_version.stages:
            stages.append(stage)
            if stage["id"] == version.stage:
                break
    events, _ = list_events(db, page=1, per_page=50, object_type="item", object_id=found.id)
    return render_template("bank/item.html", item=found, version=version, statement=db.get(Statement, version.statement_id),
                           stages=stages, item_type=REGISTRY[version.type], events=events, status_form=status_form,
                           tier=db.get(Tier, found.tier_id)), status


@bp.route("/items/<code>/status", methods=["POST"])
@admin_only
def item_status(code):
    found = _item_or_404(code)
    form = StatusForm(allowed=services.TRANSITIONS[found.status])
    if form.validate_on_submit():
        try:
            services.change_status(get_session(), item=found, to=form.target, actor=acting_user(), reason=form.reason.data)
        except services.ItemChangeRefused as refused:
            form.status.errors.append(f"This item cannot go live until it passes the bank's checks: {refused}")
        else:
            get_session().commit()
            flash(f"{found.code} is now {found.status.value}.", "success")
            return redirect(url_for("bank.item", code=found.code))
    return _render_item(found, found.current, form, status=400)


@bp.route("/items/<code>/edit", methods=["GET", "POST"])
@admin_only
def edit_item(code):
    db = get_session()
    found = _item_or_404(code)
    statements = db.exec(select(Statement).where(Statement.tier_id == found.tier_id).order_by(Statement.position)).all()
    form = ItemForm(statements=statements, data=None if request.method == "POST" else _form_data(db, found))
    if form.validate_on_submit():
        try:
            version = services.revise_item(db, item=found, actor=acting_user(), changes=form.changes(), reason=form.reason.data)
        except services.ItemChangeRefused as refused:
            _show_problems(form, refused)
        else:
            db.commit()
            flash(f"Saved {found.code} as version {version.number}.", "success")
            return redirect(url_for("bank.item", code=found.code))
    return render_template("bank/edit.html", form=form, item=found, item_type=REGISTRY[found.current.type])


def _form_data(db, found):
    spec = queries.spec_of(db, found)
    return {"kss": spec.kss, "also_kss": ", ".join(spec.also_kss), "difficulty": spec.difficulty, "stem": spec.stem,
            "options": [option.model_dump() for option in spec.options], "key": ", ".join(spec.key),
            "references": "\n".join(spec.references)}


def _show_problems(form, refused):
    for field, message in refused.problems:
        _field_for(form, field).errors.append(message)


def _field_for(form, field):
    """The form field a loader problem belongs to (options[2].rationale -> the third rationale)."""
    name = field.split(".")[0].split("[")[0]
    if name == "options" and "[" in field:
        index = int(field.split("[")[1].split("]")[0])
        if index < len(form.options.entries):
            sub = form.options.entries[index].form
            return getattr(sub, field.rsplit(".", 1)[-1], sub.text)
    return getattr(form, name, form.stem)


@bp.route("/items/new", methods=["GET", "POST"])
@admin_only
def new_item():
    """Step 1 (a GET form): tier, type and where the item sits. Step 2: the item itself."""
    db = get_session()
    tiers = db.exec(select(Tier).order_by(Tier.position)).all()
    choice = _new_item_choice(db, tiers)
    if choice is None:
        return render_template("bank/new_choose.html", tiers=tiers, types=REGISTRY.values(),
                               placements=_placements(db, tiers), args=request.args,
                               problem=bool(request.args)), 400 if request.args else 200
    tier, item_type, scenario, stage = choice
    statements = db.exec(select(Statement).where(Statement.tier_id == tier.id).order_by(Statement.position)).all()
    blank = {"options": [{}] * OPTION_COUNTS[item_type], "difficulty": "medium"}
    form = NewItemForm(statements=statements, data=None if request.method == "POST" else blank)
    if form.validate_on_submit():
        try:
            created = services.create_item(db, tier=tier, item_type=item_type, scenario_version=scenario.current if scenario else None,
                                           stage=stage, content=form.changes(), actor=acting_user())
        except services.ItemChangeRefused as refused:
            _show_problems(form, refused)
        else:
            db.commit()
            flash(f"Saved {created.code} as a draft.", "success")
            return redirect(url_for("bank.item", code=created.code))
    return render_template("bank/new.html", form=form, tier=tier, item_type=REGISTRY[item_type], scenario=scenario, stage=stage)


def _placements(db, tiers):
    """Where a new item can sit: general, or a stage of one of the tier's scenarios."""
    placements = {tier.code: [("general", "General (no scenario)")] for tier in tiers}
    for scenario in db.exec(select(Scenario).order_by(Scenario.code)):
        tier = next(t for t in tiers if t.id == scenario.tier_id)
        for stage in scenario.current.stages:
            placements[tier.code].append((f"{scenario.code}:{stage['id']}", f"{scenario.code}, {stage['title']}"))
    return placements


def _new_item_choice(db, tiers):
    tier = next((t for t in tiers if t.code == request.args.get("tier")), None)
    item_type = request.args.get("type")
    placement = request.args.get("placement", "")
    if tier is None or item_type not in REGISTRY or placement not in dict(_placements(db, tiers)[tier.code]):
        return None
    if placement == "general":
        return tier, item_type, None, None
    code, stage = placement.split(":")
    return tier, item_type, db.exec(select(Scenario).where(Scenario.code == code)).one(), stage


@bp.route("/scenarios/<code>")
@admin_only
def scenario(code):
    db = get_session()
    found = db.exec(select(Scenario).where(Scenario.code == code)).first() or abort(404)
    rows, _total = queries.list_items(db, scenario_id=found.id, per_page=1000)
    by_stage = {}
    for item, version, statement in rows:
        by_stage.setdefault(version.stage, []).append((item, version, statement))
    return render_template("bank/scenario.html", scenario=found, version=found.current, by_stage=by_stage,
                           tier=db.get(Tier, found.tier_id))
