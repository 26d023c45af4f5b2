"""Sitting the knowledge assessment (candidates), the live view, extra time and release (administrators).

Every page works with JavaScript off: each navigation button posts the answer first. With
JavaScript on, /save takes JSON so answers are stored as they change (see static/js/attempt.mjs).
"""

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import select
from wtforms.validators import ValidationError as FormValidationError

from app.accounts.permissions import acting_user, roles_required
from app.bank.item_types import AnswerRefused
from app.db import get_session
from app.exams import attempts as sitting
from app.exams.feedback_report import render_feedback_report, voided_sentence
from app.exams.forms import ExtendTimeForm, StartForm, answer_form
from app.exams.reports import feedback_report_for
from app.exams.routes import own_booking
from app.exams.services import approved_adjustments
from app.forms import ButtonForm
from app.mail.services import deliver_queued
from app.models import AssessmentForm, AssessmentWindow, Attempt, AttemptStatus, Role
from app.models.types import utcnow
from app.quality.regrading import under_review

bp = Blueprint("sitting", __name__)


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = get_session().get(Attempt, attempt_id) or abort(404)
    if attempt.candidate_id != acting_user().id:
        abort(403)
    return attempt


def _closed_by_clock(attempt: Attempt):
    """Submit the attempt if its time has run out; then the candidate is sent to the submitted page."""
    db = get_session()
    if sitting.close_if_expired(db, attempt, utcnow()):
        db.commit()
    if attempt.status is AttemptStatus.SUBMITTED:
        return redirect(url_for("sitting.submitted", attempt_id=attempt.id))
    if attempt.break_started_at is not None:
        return redirect(url_for("sitting.rest_break", attempt_id=attempt.id))
    return None


def _page(template: str, attempt: Attempt, **context):
    db = get_session()
    adjustments = approved_adjustments(db, attempt.candidate)
    return render_template(template, attempt=attempt, seconds_left=sitting.seconds_left(attempt, utcnow()),
                           count=sitting.question_count(db, attempt), adjustments=adjustments, **context)


@bp.route("/candidate/bookings/<int:booking_id>/start", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def start(booking_id):
    db = get_session()
    booking = own_booking(booking_id)
    existing = sitting.attempt_for(db, booking)
    form = StartForm()
    if existing is None and form.validate_on_submit():
        try:
            attempt = sitting.start_attempt(db, booking=booking, now=utcnow())
        except sitting.AttemptRefused as error:
            form.ready.errors.append(error.message)
        else:
            db.commit()
            return redirect(url_for("sitting.question", attempt_id=attempt.id, position=1))
    elif existing is not None and request.method == "POST":
        flash("You have already started this assessment. Carry on where you left off."
              if existing.status is AttemptStatus.IN_PROGRESS else "You have already submitted this assessment.")
        return redirect(url_for("sitting.resume", attempt_id=existing.id))
    prepared = db.exec(select(AssessmentForm).where(AssessmentForm.booking_id == booking.id)).first()
    return render_template("sitting/start.html", booking=booking, form=form, prepared=prepared, existing=existing,
                           refusal=None if existing else sitting.can_start(db, booking, utcnow()),
                           adjustments=approved_adjustments(db, booking.candidate), break_minutes=sitting.BREAK_ALLOWANCE.seconds // 60)


@bp.route("/candidate/attempts/<int:attempt_id>")
@roles_required(Role.CANDIDATE)
def resume(attempt_id):
    attempt = _own_attempt(attempt_id)
    return _closed_by_clock(attempt) or redirect(url_for("sitting.question", attempt_id=attempt.id, position=attempt.position))


@bp.route("/candidate/attempts/<int:attempt_id>/questions/<int:position>", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def question(attempt_id, position):
    db = get_session()
    attempt = _own_attempt(attempt_id)
    if (elsewhere := _closed_by_clock(attempt)) is not None:
        return elsewhere
    current = sitting.question_at(db, attempt, position) or abort(404)
    letters = current.item_type.letters(len(current.version.options))
    form = answer_form(letters if current.version.type == "ranking" else None)()
    if form.validate_on_submit():
        sitting.hold_open(db, attempt)
        try:
            saved = sitting.save_answer(db, attempt=attempt, question=current.target, answer=form.letters(), flagged=form.flagged.data,
                                        revision=form.revision.data, now=utcnow())
        except FormValidationError:
            pass  # the rank field holds the message
        except AnswerRefused as error:
            form.answer.errors.append(f"Question {position}: {error}. Choose from the options shown")
        except sitting.TimeIsUp as error:
            db.rollback()  # as in save(): release the shared lock before submitting
            sitting.close_if_expired(db, attempt, utcnow())
            db.commit()
            flash(error.message)
            return redirect(url_for("sitting.submitted", attempt_id=attempt.id))
        else:
            return _after_save(attempt, current, saved, form.go.data)
    scenario = current.version.scenario_version
    stages = scenario.stages[: [s["id"] for s in scenario.stages].index(current.version.stage) + 1] if scenario else []
    return _page("sitting/question.html", attempt, question=current, form=form, letters=letters, scenario=scenario, stages=stages)


def _after_save(attempt, current, saved, go):
    db = get_session()
    count = sitting.question_count(db, attempt)
    target = {"next": current.position + 1, "previous": max(current.position - 1, 1)}.get(go, current.position)
    if not saved.applied:
        flash(f"Question {current.position} was changed in another window or tab. The answer shown is the one saved.")
        go, target = "stay", current.position
    if go == "next" and target > count:
        go = "check"
    sitting.move_to(db, attempt=attempt, position=min(target, count))
    db.commit()
    if go == "list":
        return redirect(url_for("sitting.overview", attempt_id=attempt.id))
    if go == "check":
        return redirect(url_for("sitting.check", attempt_id=attempt.id))
    return redirect(url_for("sitting.question", attempt_id=attempt.id, position=target))


class SaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    answer: list[str] = Field(max_length=10)
    flagged: bool
    revision: int = Field(ge=1)


@bp.route("/candidate/attempts/<int:attempt_id>/questions/<int:position>/save", methods=["POST"])
@roles_required(Role.CANDIDATE)
def save(attempt_id, position):
    """Autosave from the page's script: JSON in, JSON out. 409 when the stored answer is newer
    (it is returned) or when time is up; 400 for an answer that cannot belong to the question."""
    db = get_session()
    context = sitting.save_context(db, attempt_id, position) or abort(404)
    if context.attempt.candidate_id != acting_user().id:
        abort(403)
    try:
        body = SaveRequest.model_validate(request.get_json(silent=True) or {})
    except ValidationError as error:
        problem = error.errors()[0]
        return jsonify(error=f"{'.'.join(str(p) for p in problem['loc']) or 'body'}: {problem['msg']}"), 400
    if context.question is None:
        return jsonify(error=f"There is no question {position} on your assessment"), 404
    try:
        saved = sitting.save_answer(db, attempt=context.attempt, question=context.question, answer=body.answer,
                                    flagged=body.flagged, revision=body.revision, now=utcnow())
    except AnswerRefused as error:
        return jsonify(error=f"Question {position}: {error}"), 400
    except sitting.AttemptRefused as error:
        db.rollback()  # let go of the save's shared lock first: two saves upgrading theirs to submit would deadlock
        attempt = db.get(Attempt, attempt_id)
        sitting.close_if_expired(db, attempt, utcnow())
        db.commit()
        return jsonify(error=error.message, submitted=attempt.status is AttemptStatus.SUBMITTED,
                       next=url_for("sitting.resume", attempt_id=attempt.id)), 409
    db.commit()
    return jsonify(saved=saved.applied, answer=saved.answer, flagged=saved.flagged, revision=saved.revision,
                   secondsLeft=sitting.seconds_left(context.attempt, utcnow())), 200 if saved.applied else 409


@bp.route("/candidate/attempts/<int:attempt_id>/status")
@roles_required(Role.CANDIDATE)
def status(attempt_id):
    attempt = _own_attempt(attempt_id)
    sitting.close_if_expired(get_session(), attempt, utcnow()) and get_session().commit()
    return jsonify(status=attempt.status.value, secondsLeft=sitting.seconds_left(attempt, utcnow()),
                   onBreak=attempt.break_started_at is not None)


@bp.route("/candidate/attempts/<int:attempt_id>/questions")
@roles_required(Role.CANDIDATE)
def overview(attempt_id):
    attempt = _own_attempt(attempt_id)
    if (elsewhere := _closed_by_clock(attempt)) is not None:
        return elsewhere
    return _page("sitting/overview.html", attempt, questions=sitting.questions(get_session(), attempt))


@bp.route("/candidate/attempts/<int:attempt_id>/check", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def check(attempt_id):
    db = get_session()
    attempt = _own_attempt(attempt_id)
    form = ButtonForm()
    if attempt.status is AttemptStatus.IN_PROGRESS and form.validate_on_submit():
        sitting.submit(db, attempt=attempt, by="candidate", now=utcnow(), actor=acting_user())
        db.commit()
        return redirect(url_for("sitting.submitted", attempt_id=attempt.id))
    if (elsewhere := _closed_by_clock(attempt)) is not None:
        return elsewhere  # already submitted (a second click lands here) or out of time
    return _page("sitting/check.html", attempt, questions=sitting.questions(db, attempt), form=form)


@bp.route("/candidate/attempts/<int:attempt_id>/submitted")
@roles_required(Role.CANDIDATE)
def submitted(attempt_id):
    attempt = _own_attempt(attempt_id)
    if attempt.status is not AttemptStatus.SUBMITTED and _closed_by_clock(attempt) is None:
        return redirect(url_for("sitting.resume", attempt_id=attempt.id))
    return render_template("sitting/submitted.html", attempt=attempt, released=sitting.results_released(attempt))


@bp.route("/candidate/attempts/<int:attempt_id>/break", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def rest_break(attempt_id):
    db = get_session()
    attempt = _own_attempt(attempt_id)
    form = ButtonForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            if attempt.break_started_at is None:
                adjustments = approved_adjustments(db, attempt.candidate)
                sitting.start_break(db, attempt=attempt, rest_breaks_approved=bool(adjustments and adjustments.rest_breaks), now=now)
            else:
                sitting.end_break(db, attempt=attempt, now=now)
        except sitting.AttemptRefused as error:
            flash(error.message)
        db.commit()
        return redirect(url_for("sitting.rest_break" if attempt.break_started_at else "sitting.resume", attempt_id=attempt.id))
    if attempt.break_started_at is None:
        return redirect(url_for("sitting.resume", attempt_id=attempt.id))
    return render_template("sitting/break.html", attempt=attempt, form=form,
                           break_left=int(sitting.break_left(attempt).total_seconds() // 60))


@bp.route("/candidate/attempts/<int:attempt_id>/result")
@roles_required(Role.CANDIDATE)
def result(attempt_id):
    attempt = _own_attempt(attempt_id)
    if not sitting.results_released(attempt):
        return render_template("sitting/not_released.html", attempt=attempt), 404
    if under_review(get_session(), attempt):
        return render_template("sitting/under_review.html", attempt=attempt)
    report = feedback_report_for(get_session(), attempt)
    return render_template("sitting/result.html", attempt=attempt, report=report, voided_sentence=voided_sentence)


@bp.route("/candidate/attempts/<int:attempt_id>/result/feedback.pdf")
@roles_required(Role.CANDIDATE)
def feedback_pdf(attempt_id):
    attempt = _own_attempt(attempt_id)
    if not sitting.results_released(attempt) or under_review(get_session(), attempt):
        abort(404)
    pdf = render_feedback_report(feedback_report_for(get_session(), attempt))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="knowledge-assessment-feedback-{attempt.id}.pdf"'})


# Administrators ---------------------------------------------------------------------------------

@bp.route("/admin/windows/<int:window_id>/attempts")
@roles_required(Role.ADMINISTRATOR)
def live(window_id):
    db = get_session()
    window = db.get(AssessmentWindow, window_id) or abort(404)
    now = utcnow()
    if sitting.close_expired_in_window(db, window=window, now=now):
        db.commit()
    return render_template("sitting/live.html", window=window, rows=sitting.live_view(db, window=window, now=now),
                           button=ButtonForm(), now=now)


@bp.route("/admin/attempts/<int:attempt_id>/extend", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def extend(attempt_id):
    db = get_session()
    attempt = db.get(Attempt, attempt_id) or abort(404)
    form = ExtendTimeForm()
    if form.validate_on_submit():
        try:
            sitting.extend_time(db, attempt=attempt, minutes=form.minutes.data, reason=form.reason.data, actor=acting_user(), now=utcnow())
        except sitting.AttemptRefused as error:
            form.minutes.errors.append(error.message)
        else:
            db.commit()
            flash(f"{attempt.candidate.name} has {form.minutes.data} more minutes.", "success")
            return redirect(url_for("sitting.live", window_id=attempt.booking.window_id))
    return render_template("sitting/extend.html", attempt=attempt, form=form, seconds_left=sitting.seconds_left(attempt, utcnow()))


@bp.route("/admin/windows/<int:window_id>/release", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def release(window_id):
    db = get_session()
    window = db.get(AssessmentWindow, window_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        released = sitting.release_results(db, window=window, actor=acting_user(), now=utcnow(),
                                           link_for=lambda a: url_for("sitting.result", attempt_id=a.id, _external=True))
    except sitting.AttemptRefused as error:
        db.rollback()
        flash(error.message)
    else:
        db.commit()
        deliver_queued(db)
        flash(f"Results released to {released} candidate(s). Each has been sent an email.", "success")
    return redirect(url_for("sitting.live", window_id=window.id))
