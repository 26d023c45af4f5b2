"""Standard setting in the browser: administrators run panels, panellists (assessors and
moderators) rate items. The method is explained on the administrators' page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.accounts.errors import AccountError
from app.accounts.permissions import acting_user, roles_required
from app.db import get_session
from app.exams.blueprint_settings import blueprint_for
from app.forms import ButtonForm
from app.models import (
    AngoffRating,
    Item,
    ItemVersion,
    PanelItem,
    PanelMember,
    Role,
    RoleMembership,
    StandardSettingPanel,
    Tier,
    User,
)
from app.scoring import DISCUSS_RANGE, MIN_RATINGS
from app.standards import services
from app.standards.forms import AgreeItemForm, OpenPanelForm, rating_field_name, rating_form

bp = Blueprint("standards", __name__)
PAGE_SIZE = 10


def _panel(panel_id: int) -> StandardSettingPanel:
    return get_session().get(StandardSettingPanel, panel_id) or abort(404)


# Administrators -------------------------------------------------------------------------------------

@bp.route("/admin/standard-setting")
@roles_required(Role.ADMINISTRATOR)
def panels():
    db = get_session()
    tiers = db.exec(select(Tier).order_by(Tier.position)).all()
    rows = db.exec(select(StandardSettingPanel).order_by(StandardSettingPanel.opened_at.desc())).all()
    return render_template("standards/panels.html", panels=rows, coverage=[(t, *services.coverage(db, t)) for t in tiers],
                           min_ratings=MIN_RATINGS, discuss_points=round(DISCUSS_RANGE * 100))


def _possible_panellists(db):
    return db.exec(select(User).join(RoleMembership, RoleMembership.user_id == User.id)
                   .where(RoleMembership.role.in_([Role.ASSESSOR, Role.MODERATOR]), User.active)
                   .distinct().order_by(User.name)).all()


@bp.route("/admin/standard-setting/new", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def new_panel():
    db = get_session()
    tiers = db.exec(select(Tier).order_by(Tier.position)).all()
    people = _possible_panellists(db)
    form = OpenPanelForm(tiers=tiers, people=people)
    if form.validate_on_submit():
        tier = next(t for t in tiers if t.code == form.tier.data)
        chosen = [p for p in people if str(p.id) in set(form.panellists.data)]
        try:
            panel = services.open_panel(db, actor=acting_user(), tier=tier, title=form.title.data, panellists=chosen,
                                        include_rated=form.include_rated.data)
        except AccountError as error:
            form.tier.errors.append(error.message)
        else:
            db.commit()
            flash(f"{panel.title} is open with {len(panel.items)} items. Panellists can start rating.", "success")
            return redirect(url_for("standards.panel", panel_id=panel.id))
    return render_template("standards/new_panel.html", form=form, people=people), 400 if form.is_submitted() else 200


@bp.route("/admin/standard-setting/<int:panel_id>")
@roles_required(Role.ADMINISTRATOR)
def panel(panel_id):
    db = get_session()
    panel = _panel(panel_id)
    rows = services.summary(db, panel)
    progress = {member.user_id: len(services.my_ratings(db, panel, member.user, panel.round)) for member in panel.members}
    return render_template("standards/panel.html", panel=panel, rows=rows, progress=progress, form=ButtonForm(),
                           blueprint=blueprint_for(db, panel.tier), min_ratings=MIN_RATINGS,
                           to_discuss=sum(1 for row in rows if row.latest and row.latest.needs_discussion),
                           agreed=sum(1 for row in rows if row.agreed is not None))


def _panel_action(panel_id, action, done):
    db = get_session()
    panel = _panel(panel_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            message = action(db, panel)
        except AccountError as error:
            flash(error.message, "error")
        else:
            db.commit()
            flash(message or done, "success")
    return redirect(url_for("standards.panel", panel_id=panel.id))


@bp.route("/admin/standard-setting/<int:panel_id>/next-round", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def next_round(panel_id):
    return _panel_action(panel_id, lambda db, p: services.next_round(db, panel=p, actor=acting_user()),
                         "The next round has started. Panellists see the previous round's spread and can change their ratings.")


@bp.route("/admin/standard-setting/<int:panel_id>/agree", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def agree(panel_id):
    def run(db, panel):
        agreed, short = services.agree_means(db, panel=panel, actor=acting_user())
        extra = f" {len(short)} item(s) have fewer than {MIN_RATINGS} ratings and were left: {', '.join(short[:10])}" if short else ""
        return f"Agreed ratings recorded for {agreed} item(s) (the mean of round {panel.round}).{extra}"
    return _panel_action(panel_id, run, "")


@bp.route("/admin/standard-setting/<int:panel_id>/close", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def close(panel_id):
    return _panel_action(panel_id, lambda db, p: services.close_panel(db, panel=p, actor=acting_user()),
                         "The panel is closed. Its agreed ratings set the cut score of every form prepared from now on.")


@bp.route("/admin/standard-setting/<int:panel_id>/items/<int:position>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def panel_item(panel_id, position):
    db = get_session()
    panel = _panel(panel_id)
    row = next((r for r in services.summary(db, panel) if r.position == position), None) or abort(404)
    ratings = db.exec(select(User.name, AngoffRating.round, AngoffRating.value)
                      .join(User, User.id == AngoffRating.panellist_id)
                      .where(AngoffRating.panel_id == panel.id, AngoffRating.item_version_id == row.version.id)
                      .order_by(AngoffRating.round, User.name)).all()
    form = AgreeItemForm(data=None if request.method == "POST" else {"value": round((row.agreed or row.proposed or 0) * 100)})
    if form.validate_on_submit():
        try:
            services.agree_item(db, panel=panel, actor=acting_user(), version_id=row.version.id, value=form.value.data / 100,
                                reason=form.reason.data)
        except AccountError as error:
            form.value.errors.append(error.message)
        else:
            db.commit()
            flash(f"Agreed rating for {row.code} recorded: {form.value.data}%.", "success")
            return redirect(url_for("standards.panel", panel_id=panel.id, _anchor=f"item-{position}"))
    return render_template("standards/panel_item.html", panel=panel, row=row, ratings=ratings, form=form), \
        400 if form.is_submitted() else 200


# Panellists -----------------------------------------------------------------------------------------

@bp.route("/panels")
@roles_required(Role.ASSESSOR, Role.MODERATOR)
def my_panels():
    db = get_session()
    me = acting_user()
    mine = db.exec(select(StandardSettingPanel).join(PanelMember, PanelMember.panel_id == StandardSettingPanel.id)
                   .where(PanelMember.user_id == me.id).order_by(StandardSettingPanel.opened_at.desc())).all()
    return render_template("standards/my_panels.html",
                           panels=[(p, len(services.my_ratings(db, p, me, p.round)), len(p.items)) for p in mine])


def _member_panel(panel_id):
    panel = _panel(panel_id)
    if not services.is_member(panel, acting_user()):
        abort(403)
    if services.booked_to_sit(get_session(), acting_user(), panel.tier):
        abort(403, "You have booked to sit this tier's knowledge assessment since joining the panel, so you cannot see its "
                   "items. Tell the accreditation team: they will take you off the panel.")
    return panel


@bp.route("/panels/<int:panel_id>/rate", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR, Role.MODERATOR)
def rate(panel_id):
    db = get_session()
    panel = _member_panel(panel_id)
    me = acting_user()
    pages = max(1, -(-len(panel.items) // PAGE_SIZE))
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 1 <= int(page) <= pages else abort(404)
    on_page = panel.items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    codes = dict(db.exec(select(PanelItem.item_version_id, Item.code).join(ItemVersion, ItemVersion.id == PanelItem.item_version_id)
                         .join(Item, Item.id == ItemVersion.item_id).where(PanelItem.panel_id == panel.id)).all())
    mine = services.my_ratings(db, panel, me, panel.round)
    previous = services.my_ratings(db, panel, me, panel.round - 1) if panel.round > 1 else {}
    spreads = {row.version.id: row.spread(panel.round - 1) for row in services.summary(db, panel)} if panel.round > 1 else {}
    form_class = rating_form([(item.item_version_id, codes[item.item_version_id]) for item in on_page])
    initial = {rating_field_name(v): round(value * 100) for v, value in {**previous, **mine}.items()}
    form = form_class(data=None if request.method == "POST" else initial)
    if form.validate_on_submit():
        entered = {item.item_version_id: form[rating_field_name(item.item_version_id)].data / 100 for item in on_page
                   if form[rating_field_name(item.item_version_id)].data is not None}
        try:
            services.rate(db, panel=panel, panellist=me, ratings=entered)
        except AccountError as error:
            flash(error.message, "error")
            return redirect(url_for("standards.my_panels"))
        db.commit()
        if page < pages:
            return redirect(url_for("standards.rate", panel_id=panel.id, page=page + 1))
        rated = len(services.my_ratings(db, panel, me, panel.round))
        flash(f"Ratings saved. You have rated {rated} of {len(panel.items)} items in round {panel.round}.", "success")
        return redirect(url_for("standards.my_panels"))
    return render_template("standards/rate.html", panel=panel, form=form, items=on_page, codes=codes, page=page, pages=pages,
                           previous=previous, spreads=spreads, page_size=PAGE_SIZE), 400 if form.is_submitted() else 200
