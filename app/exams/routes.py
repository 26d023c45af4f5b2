"""Assessment windows (administrators) and booking a place (candidates)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.accounts.errors import AccountError
from app.accounts.permissions import acting_user, roles_required
from app.db import get_session
from app.employers.consent import set_sharing, sharing_of
from app.exams import services
from app.exams.blueprint_settings import AssemblyError, blueprint_for, save_blueprint
from app.exams.blueprints import Blueprint as FormBlueprint
from app.exams.forms import (
    AdjustmentsForm,
    ChooseWindowForm,
    DecisionForm,
    MoveBookingForm,
    ResultsSharingForm,
    WindowForm,
    blueprint_form,
)
from app.exams.forms_preparation import prepare_forms
from app.forms import ButtonForm
from app.models import AssessmentMode, AssessmentWindow, Booking, ReasonableAdjustment, Role, Tier
from app.models.types import utcnow
from app.templating import format_datetime

bp = Blueprint("exams", __name__)


@bp.route("/admin/windows")
@roles_required(Role.ADMINISTRATOR)
def windows():
    db = get_session()
    rows = [(w, services.places_taken(db, w)) for w in db.exec(select(AssessmentWindow).order_by(AssessmentWindow.opens_at))]
    return render_template("exams/windows.html", rows=rows, button=ButtonForm())


@bp.route("/admin/windows/new", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def new_window():
    db = get_session()
    tiers = db.exec(select(Tier).order_by(Tier.position)).all()
    form = WindowForm(tiers=tiers, now=utcnow())
    if form.validate_on_submit():
        tier = next(t for t in tiers if t.code == form.tier.data)
        window = services.create_window(
            db, actor=acting_user(), tier=tier, opens_at=form.opens_at, closes_at=form.closes_at, capacity=form.capacity.data,
            mode=AssessmentMode(form.mode.data), location=form.location.data, change_cutoff_hours=form.change_cutoff_hours.data)
        db.commit()
        flash(f"Window for {tier.name} created: {format_datetime(window.opens_at)} to {format_datetime(window.closes_at)}.", "success")
        return redirect(url_for("exams.windows"))
    return render_template("exams/new_window.html", form=form)


def _window_label(window, places_left):
    where = window.location if window.location else window.mode.label
    return f"{window.tier.name}: {format_datetime(window.opens_at)} to {format_datetime(window.closes_at)}, {where} ({places_left} places left)"


@bp.route("/candidate/results-sharing", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def results_sharing():
    """The candidate's choice about their employer seeing their detailed results, changeable at any time."""
    db, candidate = get_session(), acting_user()
    choice = sharing_of(db, candidate)
    form = ResultsSharingForm(share_results=None if choice is None else ("yes" if choice.share else "no"))
    if candidate.organisation is not None and form.validate_on_submit():
        set_sharing(db, candidate=candidate, share=form.share_results.data == "yes")
        db.commit()
        flash(f"Saved. {candidate.organisation.name} {'can' if form.share_results.data == 'yes' else 'cannot'} see your detailed results.",
              "success")
        return redirect(url_for("accounts.account"))
    return render_template("exams/results_sharing.html", form=form, choice=choice), 400 if form.errors else 200


@bp.route("/candidate/book", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def book():
    db = get_session()
    candidate = acting_user()
    open_windows = [(w, left) for w, left in services.bookable_windows(db, candidate) if left > 0]
    choice = sharing_of(db, candidate)
    form = ChooseWindowForm(windows=[(w, _window_label(w, left)) for w, left in open_windows],
                            share_results=None if choice is None else ("yes" if choice.share else "no"))
    if form.validate_on_submit():
        window = db.get(AssessmentWindow, int(form.window.data))
        try:
            services.book(db, candidate=candidate, window=window)
        except AccountError as error:
            form.window.errors.append(error.message)
        else:
            set_sharing(db, candidate=candidate, share=form.share_results.data == "yes")
            db.commit()
            flash(f"You have a place: {_window_label(window, window.capacity - services.places_taken(db, window))}.", "success")
            return redirect(url_for("home.candidate"))
    now = utcnow()
    return render_template("exams/book.html", form=form, endorsed=bool(services.active_endorsements(db, candidate)),
                           bookings=[b for b in services.current_bookings(db, candidate) if not services.settled(db, b, now)])


def own_booking(booking_id) -> Booking:
    booking = get_session().get(Booking, booking_id)
    if booking is None:
        abort(404)
    if booking.candidate_id != acting_user().id:
        abort(403)
    return booking


@bp.route("/candidate/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required(Role.CANDIDATE)
def cancel_booking(booking_id):
    booking = own_booking(booking_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        services.cancel(db, candidate=acting_user(), booking=booking)
    except AccountError as error:
        flash(error.message, "error")
        return redirect(url_for("home.candidate"))
    db.commit()
    flash("Your booking has been cancelled.", "success")
    return redirect(url_for("home.candidate"))


@bp.route("/candidate/bookings/<int:booking_id>/move", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def move_booking(booking_id):
    booking = own_booking(booking_id)
    db = get_session()
    choices = [(w, left) for w, left in services.bookable_windows(db, acting_user())
               if w.tier_id == booking.window.tier_id and w.id != booking.window_id and left > 0]
    form = MoveBookingForm(windows=[(w, _window_label(w, left)) for w, left in choices])
    if form.validate_on_submit():
        try:
            services.move(db, candidate=acting_user(), booking=booking, window=db.get(AssessmentWindow, int(form.window.data)))
        except AccountError as error:
            db.rollback()
            form.window.errors.append(error.message)
        else:
            db.commit()
            flash("Your booking has been moved.", "success")
            return redirect(url_for("home.candidate"))
    return render_template("exams/move.html", form=form, booking=booking, label=_window_label(booking.window, 0))


@bp.route("/candidate/adjustments", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def adjustments():
    db = get_session()
    candidate = acting_user()
    form = AdjustmentsForm()
    if form.validate_on_submit():
        services.request_adjustments(db, candidate=candidate, extra_time_percent=int(form.extra_time_percent.data),
                                     rest_breaks=form.rest_breaks.data, screen_reader=form.screen_reader.data,
                                     larger_text=form.larger_text.data, other_needs=form.other_needs.data)
        db.commit()
        flash("Your request has been sent. The accreditation team will decide it before your assessment.", "success")
        return redirect(url_for("home.candidate"))
    return render_template("exams/adjustments.html", form=form, approved=services.approved_adjustments(db, candidate),
                           pending=services.pending_request(db, candidate))


@bp.route("/admin/adjustments")
@roles_required(Role.ADMINISTRATOR)
def adjustment_requests():
    db = get_session()
    rows = db.exec(select(ReasonableAdjustment).order_by(ReasonableAdjustment.requested_at.desc()).limit(200)).all()
    return render_template("exams/adjustment_requests.html", rows=rows)


@bp.route("/admin/adjustments/<int:request_id>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def decide_adjustments(request_id):
    db = get_session()
    request_row = db.get(ReasonableAdjustment, request_id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide_adjustments(db, actor=acting_user(), request=request_row, approve=form.decision.data == "approve",
                                        note=form.note.data)
        except AccountError as error:
            form.decision.errors.append(error.message)
        else:
            db.commit()
            flash(f"Adjustments for {request_row.candidate.name} {request_row.status.value}.", "success")
            return redirect(url_for("exams.adjustment_requests"))
    status = 400 if form.is_submitted() else 200
    return render_template("exams/adjustment_request.html", request_row=request_row, form=form), status


@bp.route("/admin/blueprints")
@roles_required(Role.ADMINISTRATOR)
def blueprints():
    db = get_session()
    tiers = db.exec(select(Tier).order_by(Tier.position)).all()
    return render_template("exams/blueprints.html", rows=[(tier, blueprint_for(db, tier)) for tier in tiers])


@bp.route("/admin/blueprints/<tier_code>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def edit_blueprint(tier_code):
    db = get_session()
    tier = db.exec(select(Tier).where(Tier.code == tier_code)).first() or abort(404)
    tiers = db.exec(select(Tier).order_by(Tier.position)).all()
    current = blueprint_for(db, tier)
    form_class = blueprint_form(tier.statements)
    initial = {"time_limit_minutes": current.time_limit_minutes, "general": current.general, "applied": current.applied,
               "general_from": current.general_from, "max_scenarios": current.max_scenarios,
               "multiple_response_rule": current.multiple_response_rule,
               "statement_minimum_percent": current.statement_minimum_percent,
               **{f"min_{s.code}": current.minimum_per_statement.get(s.code, 0) for s in tier.statements}}
    form = form_class(tiers=tiers, data=None if request.method == "POST" else initial)
    if form.validate_on_submit():
        proposed = FormBlueprint(tier=tier.code, general_from=form.general_from.data, time_limit_minutes=form.time_limit_minutes.data,
                             general=form.general.data, applied=form.applied.data, max_scenarios=form.max_scenarios.data,
                             minimum_per_statement=form.minimums,
                                 multiple_response_rule=form.multiple_response_rule.data,
                                 statement_minimum_percent=form.statement_minimum_percent.data)
        try:
            save_blueprint(db, actor=acting_user(), tier=tier, blueprint=proposed)
        except AssemblyError as error:
            form.general.errors.append(f"The live question bank cannot make a form to this blueprint: {error}")
        else:
            db.commit()
            flash(f"Blueprint for {tier.name} saved.", "success")
            return redirect(url_for("exams.blueprints"))
    return render_template("exams/edit_blueprint.html", form=form, tier=tier)


@bp.route("/admin/windows/<int:window_id>/prepare", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def prepare_window_forms(window_id):
    db = get_session()
    window = db.get(AssessmentWindow, window_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    result = prepare_forms(db, window=window, actor=acting_user())
    db.commit()
    flash(f"Forms prepared for {window.tier.name}: {result.prepared} new, {result.already} already prepared"
          + (f", {len(result.failed)} could not be prepared: " + "; ".join(result.failed) if result.failed else "."),
          "success" if not result.failed else "error")
    return redirect(url_for("exams.windows"))
