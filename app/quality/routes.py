"""Assessment quality in the browser: regrading and window quality reports (administrators), and
candidates' optional equality-monitoring answers."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from sqlmodel import select

from app.accounts.permissions import acting_user, roles_required
from app.bank.item_types import REGISTRY
from app.db import get_session
from app.forms import ButtonForm
from app.mail.services import deliver_queued
from app.models import (
    AssessmentWindow,
    Attempt,
    Booking,
    CorrectionKind,
    Item,
    ItemCorrection,
    ItemVersion,
    RegradedAttempt,
    Role,
    Statement,
    Tier,
    User,
)
from app.models.types import utcnow
from app.psychometrics import (
    DISTRACTOR_BEATS_KEY,
    MIN_DIF_GROUP,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_EASY_ABOVE,
    TOO_HARD,
    TOO_HARD_BELOW,
    UPPER_LOWER_SHARE,
    WEAK_DISCRIMINATION,
    WEAK_DISCRIMINATION_BELOW,
)
from app.quality import equality, regrading, reports
from app.quality.forms import LABELS, EqualityForm, KeyCorrectionForm, ReinstateForm, ReviewForm, VoidForm

bp = Blueprint("quality", __name__)


# Regrading -------------------------------------------------------------------------------------------

def _version(code: str, number: int) -> tuple[Item, ItemVersion]:
    db = get_session()
    item = db.exec(select(Item).where(Item.code == code)).first() or abort(404)
    version = next((v for v in item.versions if v.number == number), None) or abort(404)
    return item, version


def _render_correct(item, version, form=None, key_form=None, void_form=None, reinstate_form=None, status=200):
    db = get_session()
    corrections = db.exec(select(ItemCorrection).where(ItemCorrection.item_version_id == version.id)
                          .order_by(ItemCorrection.corrected_at.desc())).all()
    return render_template("quality/correct.html", item=item, version=version, item_type=REGISTRY[version.type],
                           statement=db.get(Statement, version.statement_id), tier=db.get(Tier, item.tier_id),
                           reach=regrading.reach(db, version), corrections=corrections, form=form,
                           key_form=key_form or KeyCorrectionForm(formdata=None), void_form=void_form or VoidForm(formdata=None),
                           reinstate_form=reinstate_form or ReinstateForm(formdata=None)), status


@bp.route("/admin/regrading/items/<code>/versions/<int:number>")
@roles_required(Role.ADMINISTRATOR)
def correct(code, number):
    return _render_correct(*_version(code, number))


@bp.route("/admin/regrading/items/<code>/versions/<int:number>/<kind>", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def apply_correction(code, number, kind):
    item, version = _version(code, number)
    forms = {"key": KeyCorrectionForm, "void": VoidForm, "reinstate": ReinstateForm}
    if kind not in forms:
        abort(404)
    form = forms[kind]()
    if form.validate_on_submit():
        db = get_session()
        reason = {"key": "key_reason", "void": "void_reason", "reinstate": "reinstate_reason"}[kind]
        try:
            correction = regrading.correct(db, version=version, kind=CorrectionKind(kind), reason=getattr(form, reason).data,
                                           key=form.letters() if kind == "key" else None, actor=acting_user(), now=utcnow())
        except regrading.CorrectionRefused as error:
            db.rollback()
            item, version = _version(code, number)
            (form.key if kind == "key" else getattr(form, reason)).errors.append(error.message)
        else:
            db.commit()
            flash(f"{correction.kind.label}: {correction.attempts_rescored} submitted attempt(s) rescored, "
                  f"{correction.scores_changed} changed, {correction.decisions_changed} pass or fail decision(s) to review.", "success")
            return redirect(url_for("quality.correction", correction_id=correction.id))
    return _render_correct(item, version, form=form, status=400, **{f"{kind}_form": form})


@bp.route("/admin/regrading")
@roles_required(Role.ADMINISTRATOR)
def regrading_home():
    db = get_session()
    corrections = db.exec(select(ItemCorrection).order_by(ItemCorrection.corrected_at.desc(), ItemCorrection.id.desc())).all()
    items = {v.id: (i.code, v.number) for v, i in db.exec(select(ItemVersion, Item).join(Item, Item.id == ItemVersion.item_id)
                                                          .where(ItemVersion.id.in_([c.item_version_id for c in corrections])))}
    return render_template("quality/regrading.html", corrections=corrections, items=items,
                           to_review=_rows(db, regrading.awaiting_review(db)))


def _rows(db, regraded: list[RegradedAttempt]):
    """Each regraded attempt with its candidate and window, for tables."""
    if not regraded:
        return []
    found = {attempt.id: (attempt, candidate, window) for attempt, candidate, window in db.exec(
        select(Attempt, User, AssessmentWindow).join(User, User.id == Attempt.candidate_id)
        .join(Booking, Booking.id == Attempt.booking_id).join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
        .where(Attempt.id.in_([r.attempt_id for r in regraded])))}
    return [(r, *found[r.attempt_id]) for r in regraded]


@bp.route("/admin/regrading/corrections/<int:correction_id>")
@roles_required(Role.ADMINISTRATOR)
def correction(correction_id):
    db = get_session()
    found = db.get(ItemCorrection, correction_id) or abort(404)
    item = db.get(Item, found.version.item_id)
    regraded = db.exec(select(RegradedAttempt).where(RegradedAttempt.correction_id == found.id).order_by(RegradedAttempt.id)).all()
    return render_template("quality/correction.html", correction=found, item=item, item_type=REGISTRY[found.version.type],
                           rows=_rows(db, regraded))


@bp.route("/admin/regrading/attempts/<int:regraded_id>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def review(regraded_id):
    db = get_session()
    regraded = db.get(RegradedAttempt, regraded_id) or abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        attempt_id = regraded.attempt_id
        try:
            told = regrading.review(db, regraded=regraded, note=form.note.data, actor=acting_user(), now=utcnow(),
                                    link=url_for("sitting.result", attempt_id=attempt_id, _external=True))
        except regrading.CorrectionRefused as error:
            form.note.errors.append(error.message)
        else:
            db.commit()
            if told:
                deliver_queued(db)
            flash("Decision confirmed." + (" The candidate has been sent an email." if told else
                                           " The candidate will see it when the window's results are released."), "success")
            return redirect(url_for("quality.regrading_home"))
    (row,) = _rows(db, [regraded])
    item = db.get(Item, regraded.correction.version.item_id)
    return render_template("quality/review.html", row=row, item=item, form=form), 400 if form.errors else 200


# Window quality reports -------------------------------------------------------------------------------

FLAG_LABELS = {TOO_EASY: "Too easy", TOO_HARD: "Too hard", NEGATIVE_DISCRIMINATION: "Negative discrimination",
               WEAK_DISCRIMINATION: "Weak discrimination", DISTRACTOR_BEATS_KEY: "Distractor beats key"}
EXPORTS = {"items": reports.items_csv, "dif": reports.dif_csv, "summary": reports.summary_csv}


def _window(window_id: int) -> AssessmentWindow:
    return get_session().get(AssessmentWindow, window_id) or abort(404)


def _chart(distribution, width=640, height=220):
    """Bar geometry for the score distribution (drawn as SVG by the template)."""
    if not distribution or not max(distribution):
        return None
    top, left, bottom = 10, 44, 34
    plot_w, plot_h = width - left - 10, height - top - bottom
    step = plot_w / len(distribution)
    peak = max(distribution)
    bars = [{"x": round(left + i * step + 1, 1), "w": round(max(step - 2, 1), 1), "h": round(plot_h * c / peak, 1),
             "y": round(top + plot_h - plot_h * c / peak, 1), "mark": i, "count": c} for i, c in enumerate(distribution)]
    every = max(1, round(len(distribution) / 10))
    return {"width": width, "height": height, "bars": bars, "base": top + plot_h, "left": left, "peak": peak, "top": top,
            "ticks": [b for b in bars if b["mark"] % every == 0]}


@bp.route("/admin/windows/<int:window_id>/quality")
@roles_required(Role.ADMINISTRATOR)
def window_quality(window_id):
    window = _window(window_id)
    report = reports.window_report(get_session(), window)
    return render_template("quality/report.html", window=window, report=report, flag_labels=FLAG_LABELS,
                           chart=_chart(report.summary.distribution if report.summary else ()), variables=reports.VARIABLES,
                           group_labels=LABELS,
                           thresholds={"easy": TOO_EASY_ABOVE, "hard": TOO_HARD_BELOW, "weak": WEAK_DISCRIMINATION_BELOW,
                                       "share": round(UPPER_LOWER_SHARE * 100)})


@bp.route("/admin/windows/<int:window_id>/quality/items/<int:version_id>")
@roles_required(Role.ADMINISTRATOR)
def window_item(window_id, version_id):
    window = _window(window_id)
    report = reports.window_report(get_session(), window)
    label = report.labels.get(version_id) or abort(404)
    stats = next((s for s in report.analysis.items if s.item_id == version_id), None) if report.analysis else None
    version = get_session().get(ItemVersion, version_id)
    return render_template("quality/report_item.html", window=window, report=report, label=label, stats=stats, version=version,
                           dif=[r for r in report.dif if r.item_id == version_id], flag_labels=FLAG_LABELS,
                           variables=reports.VARIABLES, group_labels=LABELS)


@bp.route("/admin/windows/<int:window_id>/quality/<name>.csv")
@roles_required(Role.ADMINISTRATOR)
def window_quality_csv(window_id, name):
    if name not in EXPORTS:
        abort(404)
    window = _window(window_id)
    body = EXPORTS[name](reports.window_report(get_session(), window))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="window-{window.id}-{name}.csv"'})


# Equality monitoring (candidates) ---------------------------------------------------------------------

@bp.route("/candidate/equality", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def equality_monitoring():
    db = get_session()
    candidate = acting_user()
    record = equality.answers_of(db, candidate)
    form = EqualityForm(data={name: getattr(record, name).value for name in equality.FIELDS} if record else None)
    if form.validate_on_submit():
        equality.save_answers(db, candidate=candidate, answers={name: getattr(form, name).data for name in equality.FIELDS}, now=utcnow())
        db.commit()
        flash("Thank you. Your answers are saved. You can change or withdraw them at any time.", "success")
        return redirect(url_for("home.candidate"))
    return render_template("quality/equality.html", form=form, record=record, withdraw_form=ButtonForm(),
                           labels=LABELS, min_group=MIN_DIF_GROUP)


@bp.route("/candidate/equality/withdraw", methods=["POST"])
@roles_required(Role.CANDIDATE)
def withdraw_equality_monitoring():
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_session()
    if equality.withdraw(db, candidate=acting_user()):
        db.commit()
        flash("Your equality-monitoring answers have been deleted.", "success")
    return redirect(url_for("home.candidate"))
