"""Observed practice in the browser: administrators schedule, allocate, check in and release;
assessors mark blind; moderators resolve disagreements; candidates read their feedback."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.accounts.permissions import acting_user, roles_required
from app.db import get_session
from app.forms import ButtonForm
from app.mail.services import deliver_queued
from app.models import (
    MarkerAllocation,
    Moderation,
    PracticeRoute,
    PracticeSitting,
    Role,
    RoleMembership,
    SittingStatus,
    Statement,
    Tier,
    User,
)
from app.models.types import utcnow
from app.practice import services
from app.practice.agreement import KAPPA_RECALIBRATE, MIN_PAIRS, MODERATION_SHARE_FLAG, SEVERITY_FLAG
from app.practice.allocation import AllocationError
from app.practice.forms import CheckInForm, ConflictForm, OverrideForm, ProfileForm, ReconsiderForm, RuleForm, ScheduleForm
from app.practice.rules import FAIL_AT_OR_BELOW, StationRule, practice_profile, practice_result
from app.practice.services import MarkInput, MarksInvalid, PracticeRefused

bp = Blueprint("practice", __name__)

SCALE = [(7, "Exceeds"), (6, "Exceeds"), (5, "Meets"), (4, "Meets"), (3, "Below"), (2, "Well below"), (1, "Well below")]
BANDS = [("exceeds", "6-7: exceeds the standard"), ("meets", "4-5: meets the standard"), ("below", "3: below the standard"),
         ("well_below", "1-2: well below the standard")]


def _sitting(sitting_id: int) -> PracticeSitting:
    return get_session().get(PracticeSitting, sitting_id) or abort(404)


def _field(prefix: str, key) -> str:
    return f"{prefix}-{key[0]}-{key[1]}"


def _entered(criteria) -> dict:
    """What the marking form sent, per criterion (blank scores stay None for drafts)."""
    entered = {}
    for key in criteria:
        raw = request.form.get(_field("score", key), "").strip()
        try:
            score = int(raw) if raw else None
        except ValueError:
            score = -1  # not a number: refused with the criterion's message
        entered[key] = MarkInput(score, request.form.get(_field("evidence", key), ""), request.form.get(_field("feedback", key), ""))
    return entered


def _titles(version) -> dict:
    return {(station["id"], criterion["id"]): f"{station['title']}: {criterion['title']}"
            for station in version.stations for criterion in station["rubric"]}


# Administrators ---------------------------------------------------------------------------------------------------

def _tiers():
    return get_session().exec(select(Tier).order_by(Tier.position)).all()


@bp.route("/admin/practice")
@roles_required(Role.ADMINISTRATOR)
def sittings():
    db = get_session()
    rows = db.exec(select(PracticeSitting).order_by(PracticeSitting.scheduled_at.desc(), PracticeSitting.id.desc())).all()
    return render_template("practice/sittings.html", sittings=rows, rules=[(t, services.rule_for(db, t.id)) for t in _tiers()])


@bp.route("/admin/practice/new", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def schedule():
    db = get_session()
    tiers = _tiers()
    form = ScheduleForm(tiers=tiers)
    if form.validate_on_submit():
        candidate = db.exec(select(User).where(User.email == form.email.data.strip().lower())).first()
        tier = next(t for t in tiers if t.code == form.tier.data)
        if candidate is None:
            form.email.errors.append("There is no account with this email address")
        else:
            try:
                sitting = services.schedule_sitting(db, candidate=candidate, tier=tier, route=PracticeRoute(form.route.data),
                                                    scheduled_at=form.scheduled_at, location=form.location.data, actor=acting_user())
            except (PracticeRefused, AllocationError) as error:
                db.rollback()
                form.email.errors.append(getattr(error, "message", None) or str(error).capitalize())
            else:
                db.commit()
                flash(f"Sitting scheduled for {candidate.name}, with two assessors allocated.", "success")
                return redirect(url_for("practice.sitting", sitting_id=sitting.id))
    return render_template("practice/schedule.html", form=form), 400 if form.errors else 200


def _render_sitting(sitting, *, override=None, check_in=None, status=200):
    db = get_session()
    options = [o for o in services.assessor_options(db)]
    people = {u.id: u for u in db.exec(select(User).where(User.id.in_([o.id for o in options])))} if options else {}
    override = override or OverrideForm(formdata=None, assessors=[people[o.id] for o in options])
    agreed = services.agreed_marks(db, sitting)
    progress = {a.id: len([m for m in services.marks_of(db, a).values() if m.score is not None]) for a in sitting.allocations}
    moderation = db.exec(select(Moderation).where(Moderation.sitting_id == sitting.id)).first()
    return render_template("practice/sitting.html", sitting=sitting, override=override, check_in=check_in or CheckInForm(formdata=None),
                           button=ButtonForm(), agreed=agreed, progress=progress, criteria=len(sitting.set_version.criteria()),
                           titles=_titles(sitting.set_version), moderation=moderation,
                           form=override if override.errors else check_in), status


@bp.route("/admin/practice/sittings/<int:sitting_id>")
@roles_required(Role.ADMINISTRATOR)
def sitting(sitting_id):
    return _render_sitting(_sitting(sitting_id))


@bp.route("/admin/practice/sittings/<int:sitting_id>/allocation", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def override(sitting_id):
    db = get_session()
    found = _sitting(sitting_id)
    options = services.assessor_options(db)
    form = OverrideForm(assessors=db.exec(select(User).where(User.id.in_([o.id for o in options]))).all() if options else [])
    if form.validate_on_submit():
        try:
            services.override_allocation(db, sitting=found, position=int(form.position.data), assessor=db.get(User, int(form.assessor.data)),
                                         reason=form.reason.data, actor=acting_user())
        except PracticeRefused as error:
            db.rollback()
            form.assessor.errors.append(error.message)
        else:
            db.commit()
            flash(f"Assessor {form.position.data} changed.", "success")
            return redirect(url_for("practice.sitting", sitting_id=found.id))
    return _render_sitting(_sitting(sitting_id), override=form, status=400)


@bp.route("/admin/practice/sittings/<int:sitting_id>/check-in", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def check_in(sitting_id):
    db = get_session()
    found = _sitting(sitting_id)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            services.check_in(db, sitting=found, identity_checked=form.identity_checked.data, registration_confirmed=form.registration_confirmed.data,
                              filming_consent=form.filming_consent.data, adjustments_in_place=form.adjustments_in_place.data,
                              note=form.note.data, actor=acting_user(), now=utcnow())
        except PracticeRefused as error:
            form.identity_checked.errors.append(error.message)
        else:
            db.commit()
            flash(f"{found.candidate.name} is checked in. The assessors can mark.", "success")
            return redirect(url_for("practice.sitting", sitting_id=found.id))
    return _render_sitting(found, check_in=form, status=400)


@bp.route("/admin/practice/sittings/<int:sitting_id>/release", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def release(sitting_id):
    db = get_session()
    found = _sitting(sitting_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.release(db, sitting=found, actor=acting_user(), now=utcnow(),
                         link=url_for("practice.result", sitting_id=found.id, _external=True))
    except PracticeRefused as error:
        flash(error.message)
    else:
        db.commit()
        deliver_queued(db)
        flash(f"Result released to {found.candidate.name}, who has been sent an email.", "success")
    return redirect(url_for("practice.sitting", sitting_id=found.id))


def _assessors(db):
    return db.exec(select(User).join(RoleMembership, RoleMembership.user_id == User.id)
                   .where(RoleMembership.role == Role.ASSESSOR, User.active).order_by(User.name)).all()


@bp.route("/admin/practice/assessors", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def assessors():
    db = get_session()
    people = _assessors(db)
    conflict = ConflictForm(assessors=people)
    if conflict.validate_on_submit():
        candidate = db.exec(select(User).where(User.email == conflict.email.data.strip().lower())).first()
        if candidate is None:
            conflict.email.errors.append("There is no account with this email address")
        else:
            try:
                services.declare_conflict(db, assessor=db.get(User, int(conflict.assessor.data)), candidate=candidate,
                                          reason=conflict.reason.data, actor=acting_user())
            except PracticeRefused as error:
                db.rollback()
                conflict.reason.errors.append(error.message)
            else:
                db.commit()
                flash("Conflict of interest declared: the assessor will never be allocated to this candidate.", "success")
                return redirect(url_for("practice.assessors"))
    options = {o.id: o for o in services.assessor_options(db)}
    return render_template("practice/assessors.html", people=people, options=options, form=conflict,
                           tiers={t.code: t.name for t in _tiers()}), 400 if conflict.errors else 200


@bp.route("/admin/practice/assessors/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def assessor_profile(user_id):
    db = get_session()
    person = db.get(User, user_id) or abort(404)
    if Role.ASSESSOR not in person.roles:
        abort(404)
    option = next((o for o in services.assessor_options(db) if o.id == person.id), None)
    form = ProfileForm(tiers=_tiers(), data={"tiers": sorted(option.tiers), "capacity": option.capacity} if option else None)
    if form.validate_on_submit():
        services.save_profile(db, assessor=person, tiers=form.tiers.data or [], capacity=form.capacity.data, actor=acting_user())
        db.commit()
        flash(f"{person.name}'s profile is saved.", "success")
        return redirect(url_for("practice.assessors"))
    return render_template("practice/assessor_profile.html", person=person, form=form), 400 if form.errors else 200


@bp.route("/admin/practice/rules/<tier_code>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def rules(tier_code):
    db = get_session()
    tier = db.exec(select(Tier).where(Tier.code == tier_code)).first() or abort(404)
    current = services.rule_for(db, tier.id)
    form = RuleForm(data={"lowest_allowed": current.lowest_allowed, "mean_at_least": current.mean_at_least, "moderate_at": current.moderate_at})
    if form.validate_on_submit():
        services.save_rule(db, tier=tier, rule=StationRule(form.lowest_allowed.data, float(form.mean_at_least.data), form.moderate_at.data),
                           actor=acting_user())
        db.commit()
        flash(f"Marking rules for {tier.name} saved. They apply to marks agreed from now on.", "success")
        return redirect(url_for("practice.sittings"))
    return render_template("practice/rules.html", tier=tier, form=form), 400 if form.errors else 200


@bp.route("/admin/practice/rater-quality")
@roles_required(Role.ADMINISTRATOR)
def rater_quality():
    return render_template("practice/rater_quality.html", rows=services.rater_report(get_session()),
                           thresholds={"kappa": KAPPA_RECALIBRATE, "severity": SEVERITY_FLAG, "moderated": round(MODERATION_SHARE_FLAG * 100),
                                       "pairs": MIN_PAIRS})


# Assessors ---------------------------------------------------------------------------------------------------------

@bp.route("/assessor/practice")
@roles_required(Role.ASSESSOR)
def my_sittings():
    db = get_session()
    me = acting_user()
    rows = db.exec(select(PracticeSitting).join(MarkerAllocation, MarkerAllocation.sitting_id == PracticeSitting.id)
                   .where(MarkerAllocation.assessor_id == me.id).order_by(PracticeSitting.scheduled_at)).all()
    return render_template("practice/my_sittings.html", sittings=rows, me=me)


def _marking_page(sitting, allocation, *, problems=None, entered=None, status=200):
    db = get_session()
    stored = services.marks_of(db, allocation)
    return render_template("practice/mark.html", sitting=sitting, allocation=allocation, stored=stored, entered=entered or {},
                           problems=problems or {}, co_marks=services.visible_co_marks(db, sitting, acting_user()),
                           scale=SCALE, bands=BANDS, button=ButtonForm(), field=_field, titles=_titles(sitting.set_version),
                           fail_at=FAIL_AT_OR_BELOW), status


@bp.route("/assessor/practice/sittings/<int:sitting_id>", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def mark(sitting_id):
    db = get_session()
    found = _sitting(sitting_id)
    me = acting_user()
    allocation = next((a for a in found.allocations if a.assessor_id == me.id), None)
    if allocation is None:
        abort(403)
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        submitting = request.form.get("action") == "submit"
        entered = _entered(found.set_version.criteria())
        try:
            services.save_marks(db, sitting=found, assessor=me, entered=entered, submit=submitting, now=utcnow())
        except MarksInvalid as error:
            db.rollback()
            return _marking_page(_sitting(sitting_id), allocation, problems=error.problems, entered=entered, status=400)
        except PracticeRefused as error:
            db.rollback()
            flash(error.message)
            return redirect(url_for("practice.mark", sitting_id=sitting_id))
        db.commit()
        flash("Your marks are submitted and locked." if submitting else "Your draft marks are saved.", "success")
        return redirect(url_for("practice.my_sittings") if submitting else url_for("practice.mark", sitting_id=sitting_id))
    return _marking_page(found, allocation)


# Moderators --------------------------------------------------------------------------------------------------------

@bp.route("/moderator/practice")
@roles_required(Role.MODERATOR)
def moderation_queue():
    db = get_session()
    me = acting_user()
    waiting = [s for s in db.exec(select(PracticeSitting).where(PracticeSitting.status == SittingStatus.MODERATION).order_by(PracticeSitting.id))]
    return render_template("practice/moderation_queue.html", sittings=waiting, me=me)


def _moderation_page(sitting, *, problems=None, entered=None, reconsider=None, rationale="", status=200):
    db = get_session()
    first, second = sitting.allocations
    return render_template("practice/moderate.html", sitting=sitting, first=first, second=second,
                           first_marks=services.marks_of(db, first), second_marks=services.marks_of(db, second),
                           problems=problems or {}, entered=entered or {}, rationale=rationale, button=ButtonForm(),
                           reconsider=reconsider or ReconsiderForm(formdata=None), field=_field, scale=SCALE,
                           form=reconsider, titles=_titles(sitting.set_version)), status


def _may_moderate(sitting, user) -> bool:
    """Nobody moderates marking they did, or their own sitting (a moderator may also be a candidate)."""
    return sitting.candidate_id != user.id and not any(a.assessor_id == user.id for a in sitting.allocations)


@bp.route("/moderator/practice/sittings/<int:sitting_id>", methods=["GET", "POST"])
@roles_required(Role.MODERATOR)
def moderate(sitting_id):
    db = get_session()
    found = _sitting(sitting_id)
    me = acting_user()
    if not _may_moderate(found, me):
        abort(403)
    if found.status is not SittingStatus.MODERATION:
        flash("This sitting is not waiting for moderation.")
        return redirect(url_for("practice.moderation_queue"))
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        criteria = found.set_version.criteria()
        entered = _entered(criteria)
        rationale = request.form.get("rationale", "")
        try:
            services.moderate(db, sitting=found, moderator=me, scores={k: v.score for k, v in entered.items()},
                              feedback={k: v.feedback.strip() for k, v in entered.items()}, rationale=rationale, now=utcnow())
        except MarksInvalid as error:
            db.rollback()
            return _moderation_page(_sitting(sitting_id), problems=error.problems, entered=entered, rationale=rationale, status=400)
        except PracticeRefused as error:
            db.rollback()
            return _moderation_page(_sitting(sitting_id), problems={"rationale": error.message}, entered=entered, rationale=rationale,
                                    status=400)
        db.commit()
        flash("Agreed marks recorded. An administrator can now release the result.", "success")
        return redirect(url_for("practice.moderation_queue"))
    return _moderation_page(found)


@bp.route("/moderator/practice/sittings/<int:sitting_id>/reconsider", methods=["POST"])
@roles_required(Role.MODERATOR)
def reconsider(sitting_id):
    db = get_session()
    found = _sitting(sitting_id)
    if not _may_moderate(found, acting_user()):
        abort(403)
    if found.status is not SittingStatus.MODERATION:
        flash("This sitting is not waiting for moderation.")
        return redirect(url_for("practice.moderation_queue"))
    form = ReconsiderForm()
    if form.validate_on_submit():
        try:
            services.request_reconsideration(db, sitting=found, position=int(form.position.data), note=form.note.data, moderator=acting_user())
        except PracticeRefused as error:
            db.rollback()
            form.note.errors.append(error.message)
        else:
            db.commit()
            deliver_queued(db)
            flash(f"Assessor {form.position.data} has been asked to look again; their marks are unlocked.", "success")
            return redirect(url_for("practice.moderation_queue"))
    return _moderation_page(found, reconsider=form, status=400)


# Candidates ---------------------------------------------------------------------------------------------------------

@bp.route("/candidate/practice/<int:sitting_id>/result")
@roles_required(Role.CANDIDATE)
def result(sitting_id):
    db = get_session()
    found = _sitting(sitting_id)
    if found.candidate_id != acting_user().id:
        abort(403)
    if found.status is not SittingStatus.RELEASED:
        return render_template("practice/not_released.html", sitting=found), 404
    agreed = services.agreed_marks(db, found)
    rule = services.rule_of(db, found)
    _, stations = practice_result({key: mark.score for key, mark in agreed.items()}, rule)
    profile = practice_profile({key: mark.score for key, mark in agreed.items()}, found.set_version.kss())
    statements = {s.code: s for s in db.exec(select(Statement))}
    return render_template("practice/result.html", sitting=found, agreed=agreed, stations={s.station: s for s in stations},
                           profile=profile, statements=statements, rule=rule)


from app.practice import calibration_routes  # noqa: E402,F401  (registers the calibration pages on bp)
