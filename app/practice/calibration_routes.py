"""Calibration exercises in the browser: administrators create and publish benchmarked samples;
assessors mark them and see how close they came. Registered on the observed-practice blueprint."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.accounts.permissions import acting_user, roles_required
from app.db import get_session
from app.forms import ButtonForm
from app.models import CalibrationExercise, Role, StationSet, StationSetVersion
from app.models.types import utcnow
from app.practice import calibration
from app.practice.routes import BANDS, SCALE, bp
from app.practice.services import PracticeRefused


def _live_stations(db):
    """(value, label) for every station of every live station set."""
    choices = []
    for station_set in db.exec(select(StationSet).where(StationSet.status == "live").order_by(StationSet.code)):
        version = station_set.current
        choices += [(f"{version.id}/{station['id']}", f"{version.title}: {station['title']}") for station in version.stations]
    return choices


@bp.route("/admin/practice/calibration")
@roles_required(Role.ADMINISTRATOR)
def calibration_exercises():
    db = get_session()
    exercises = db.exec(select(CalibrationExercise).order_by(CalibrationExercise.created_at.desc())).all()
    return render_template("practice/calibration_list.html", exercises=exercises, stations=_live_stations(db),
                           counts={e.id: len(calibration.results(db, e)) for e in exercises})


@bp.route("/admin/practice/calibration/new", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def new_calibration():
    db = get_session()
    chosen = request.values.get("station", "")
    version_id, _, station_id = chosen.partition("/")
    version = db.get(StationSetVersion, int(version_id)) if version_id.isdigit() else None
    if version is None or not any(s["id"] == station_id for s in version.stations):
        flash("Choose a station for the exercise.")
        return redirect(url_for("practice.calibration_exercises"))
    station = calibration.station_of(version, station_id)
    problems, values = {}, {}
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        values = request.form
        benchmark = {c["id"]: _int_or_none(request.form.get(f"benchmark-{c['id']}")) for c in station["rubric"]}
        try:
            exercise = calibration.create_exercise(db, version=version, station=station_id, title=request.form.get("title", ""),
                                                   sample=request.form.get("sample", ""), benchmark=benchmark,
                                                   rationale=request.form.get("rationale", ""), actor=acting_user())
        except calibration.CalibrationInvalid as error:
            db.rollback()
            problems = error.problems
        else:
            db.commit()
            flash("Exercise saved. Publish it when you are ready for assessors to mark it.", "success")
            return redirect(url_for("practice.calibration_exercise", exercise_id=exercise.id))
    return render_template("practice/calibration_new.html", version=version, station=station, chosen=chosen, problems=problems,
                           values=values, scale=SCALE, bands=BANDS, button=ButtonForm()), 400 if problems else 200


def _int_or_none(raw):
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return -1


@bp.route("/admin/practice/calibration/<int:exercise_id>")
@roles_required(Role.ADMINISTRATOR)
def calibration_exercise(exercise_id):
    db = get_session()
    exercise = db.get(CalibrationExercise, exercise_id) or abort(404)
    return render_template("practice/calibration_exercise.html", exercise=exercise, station=exercise.station_content,
                           results=calibration.results(db, exercise), button=ButtonForm())


@bp.route("/admin/practice/calibration/<int:exercise_id>/publish", methods=["POST"])
@roles_required(Role.ADMINISTRATOR)
def publish_calibration(exercise_id):
    db = get_session()
    exercise = db.get(CalibrationExercise, exercise_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        calibration.publish(db, exercise=exercise, actor=acting_user(), now=utcnow())
    except PracticeRefused as error:
        flash(error.message)
    else:
        db.commit()
        flash("Published: assessors can now mark this exercise.", "success")
    return redirect(url_for("practice.calibration_exercise", exercise_id=exercise.id))


@bp.route("/assessor/calibration")
@roles_required(Role.ASSESSOR)
def my_calibration():
    db = get_session()
    me = acting_user()
    exercises = db.exec(select(CalibrationExercise).where(CalibrationExercise.published_at.is_not(None))
                        .order_by(CalibrationExercise.published_at.desc())).all()
    return render_template("practice/my_calibration.html", rows=[(e, calibration.attempt_of(db, e, me)) for e in exercises])


@bp.route("/assessor/calibration/<int:exercise_id>", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def calibrate(exercise_id):
    db = get_session()
    me = acting_user()
    exercise = db.get(CalibrationExercise, exercise_id) or abort(404)
    if exercise.published_at is None:
        abort(404)
    problems, values = {}, {}
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        values = request.form
        try:
            calibration.submit(db, exercise=exercise, assessor=me, now=utcnow(),
                               marks={c: _int_or_none(request.form.get(f"score-{c}")) for c in exercise.benchmark})
        except calibration.CalibrationInvalid as error:
            db.rollback()
            problems = error.problems
        except PracticeRefused as error:
            flash(error.message)
            return redirect(url_for("practice.calibrate", exercise_id=exercise.id))
        else:
            db.commit()
            return redirect(url_for("practice.calibrate", exercise_id=exercise.id))
    attempt = calibration.attempt_of(db, exercise, me)
    return render_template("practice/calibrate.html", exercise=exercise, station=exercise.station_content, attempt=attempt,
                           closeness=calibration.closeness(exercise, attempt) if attempt else None, problems=problems, values=values,
                           scale=SCALE, bands=BANDS, button=ButtonForm()), 400 if problems else 200
