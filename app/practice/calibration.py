"""Calibration: administrators publish a benchmarked sample for one station (a written assessment or a
transcript, with the marks a standard-setting group agreed); assessors mark it for practice, once,
and see how close they came, criterion by criterion. Keyword-only, take the session, never commit."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.audit import record_event
from app.models import CalibrationAttempt, CalibrationExercise, Role, StationSetVersion, User
from app.practice.agreement import adjacent_agreement, exact_agreement, severity
from app.practice.rules import check_score
from app.practice.services import PracticeRefused

MIN_SAMPLE = 200
MIN_RATIONALE = 30


class CalibrationInvalid(PracticeRefused):
    def __init__(self, problems: dict[str, str]):
        super().__init__(f"{len(problems)} answer(s) need attention")
        self.problems = problems  # field name -> message


def station_of(version: StationSetVersion, station: str) -> dict:
    found = next((s for s in version.stations if s["id"] == station), None)
    if found is None:
        raise PracticeRefused(f"{station} is not a station of {version.title}")
    return found


def _marks(criteria: list[str], marks: dict[str, int | None], prefix: str) -> dict[str, str]:
    problems = {}
    for criterion in criteria:
        score = marks.get(criterion)
        try:
            if score is None:
                raise ValueError
            check_score(score)
        except ValueError:
            problems[f"{prefix}-{criterion}"] = "Give a mark from 1 to 7"
    return problems


def create_exercise(session: Session, *, version: StationSetVersion, station: str, title: str, sample: str,
                    benchmark: dict[str, int | None], rationale: str, actor: User) -> CalibrationExercise:
    criteria = [c["id"] for c in station_of(version, station)["rubric"]]
    problems = _marks(criteria, benchmark, "benchmark")
    if len((title or "").strip()) < 3:
        problems["title"] = "Enter a title for the exercise"
    if len((sample or "").strip()) < MIN_SAMPLE:
        problems["sample"] = f"Paste the candidate's work or the transcript: at least {MIN_SAMPLE} characters"
    if len((rationale or "").strip()) < MIN_RATIONALE:
        problems["rationale"] = f"Explain the benchmark marks in at least {MIN_RATIONALE} characters: assessors learn from it"
    if problems:
        raise CalibrationInvalid(problems)
    exercise = CalibrationExercise(set_version_id=version.id, station=station, title=title.strip(), sample=sample.strip(),
                                   benchmark={c: int(benchmark[c]) for c in criteria}, rationale=rationale.strip(), created_by_id=actor.id)
    session.add(exercise)
    session.flush()
    record_event(session, actor=actor, action="calibration.created", obj=exercise, station=station)
    return exercise


def publish(session: Session, *, exercise: CalibrationExercise, actor: User, now: datetime) -> None:
    if exercise.published_at is not None:
        raise PracticeRefused("This exercise is already published")
    exercise.published_at = now
    session.add(exercise)
    record_event(session, actor=actor, action="calibration.published", obj=exercise)


def attempt_of(session: Session, exercise: CalibrationExercise, assessor: User) -> CalibrationAttempt | None:
    return session.exec(select(CalibrationAttempt).where(CalibrationAttempt.exercise_id == exercise.id,
                                                         CalibrationAttempt.assessor_id == assessor.id)).first()


def submit(session: Session, *, exercise: CalibrationExercise, assessor: User, marks: dict[str, int | None], now: datetime) -> CalibrationAttempt:
    if Role.ASSESSOR not in assessor.roles:
        raise PracticeRefused("Only assessors take calibration exercises")
    if exercise.published_at is None:
        raise PracticeRefused("This exercise is not published yet")
    if attempt_of(session, exercise, assessor) is not None:
        raise PracticeRefused("You have already marked this exercise: your comparison is below")
    criteria = list(exercise.benchmark)
    problems = _marks(criteria, marks, "score")
    if problems:
        raise CalibrationInvalid(problems)
    attempt = CalibrationAttempt(exercise_id=exercise.id, assessor_id=assessor.id, marks={c: int(marks[c]) for c in criteria},
                                 submitted_at=now)
    session.add(attempt)
    session.flush()
    record_event(session, actor=assessor, action="calibration.marked", obj=exercise)
    return attempt


@dataclass(frozen=True)
class Closeness:
    exact: float | None
    adjacent: float | None
    mean_difference: float | None  # below 0: more severe than the benchmark


def closeness(exercise: CalibrationExercise, attempt: CalibrationAttempt) -> Closeness:
    criteria = list(exercise.benchmark)
    mine = [attempt.marks[c] for c in criteria]
    benchmark = [exercise.benchmark[c] for c in criteria]
    return Closeness(exact_agreement(mine, benchmark), adjacent_agreement(mine, benchmark), severity(mine, benchmark))


def results(session: Session, exercise: CalibrationExercise) -> list[tuple[CalibrationAttempt, Closeness]]:
    attempts = session.exec(select(CalibrationAttempt).where(CalibrationAttempt.exercise_id == exercise.id)
                            .order_by(CalibrationAttempt.submitted_at)).all()
    return [(a, closeness(exercise, a)) for a in attempts]
