"""Sitting the knowledge assessment: start, save answers, rest breaks, submit, extend, release.

Keyword-only, take the session, never commit. The deadline lives on the attempt row; the browser
only displays it. Every save carries a revision and the stored answer changes only for a newer
one, in a single conditional upsert, so a late retry or a second tab never overwrites a newer
answer. Submission (by the candidate, or by the clock) locks the attempt row, so it happens once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload
from sqlmodel import Session, func, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.bank.item_types import REGISTRY
from app.mail.services import queue_message
from app.models import (
    AssessmentForm,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    BookingStatus,
    FormItem,
    ItemVersion,
    Response,
    Statement,
    User,
)
from app.scoring import Outcome, ScoredItem, attempt_outcome

GRACE = timedelta(seconds=30)  # answers in flight when the clock runs out are still accepted
BREAK_ALLOWANCE = timedelta(minutes=30)  # rest breaks, in total, per sitting (they pause the clock)


class AttemptRefused(AccountError):
    """Something the candidate asked for that cannot be done now; the message says why."""


class TimeIsUp(AttemptRefused):
    pass


# Reading the clock -----------------------------------------------------------------------------

def deadline(attempt: "Attempt | AttemptClock", now: datetime) -> datetime:
    """The deadline as it stands: an ongoing rest break holds the clock (up to the allowance)."""
    if attempt.break_started_at is None:
        return attempt.deadline_at
    return attempt.deadline_at + min(now - attempt.break_started_at, break_left(attempt))


def break_left(attempt: "Attempt | AttemptClock") -> timedelta:
    return max(BREAK_ALLOWANCE - timedelta(seconds=attempt.break_seconds), timedelta(0))


def seconds_left(attempt: "Attempt | AttemptClock", now: datetime) -> int:
    if attempt.status is not AttemptStatus.IN_PROGRESS:
        return 0
    return max(int((deadline(attempt, now) - now).total_seconds()), 0)


def accepts_answers(attempt: "Attempt | AttemptClock", now: datetime) -> bool:
    return attempt.status is AttemptStatus.IN_PROGRESS and now <= deadline(attempt, now) + GRACE


# Starting ----------------------------------------------------------------------------------------

def attempt_for(session: Session, booking: Booking) -> Attempt | None:
    return session.exec(select(Attempt).where(Attempt.booking_id == booking.id)).first()


def can_start(session: Session, booking: Booking, now: datetime) -> str | None:
    """Why the candidate cannot start this booking now, or None when they can."""
    return _refusal(booking, _prepared_form(session, booking), now)


def _prepared_form(session: Session, booking: Booking):
    """The prepared form's id and time allowed (not its items), or None."""
    return session.exec(select(AssessmentForm.id, AssessmentForm.time_limit_minutes)
                        .where(AssessmentForm.booking_id == booking.id)).first()


def _refusal(booking: Booking, form, now: datetime) -> str | None:
    window = booking.window
    if booking.status is not BookingStatus.BOOKED:
        return "This booking was cancelled"
    if now < window.opens_at:
        return "This assessment window has not opened yet"
    if now > window.closes_at:
        return "This assessment window has closed"
    if form is None:
        return "Your assessment is not ready yet. Try again in a few minutes, or contact the assessment team"
    return None


def start_attempt(session: Session, *, booking: Booking, now: datetime) -> Attempt:
    """Start the clock on the booking's prepared form. Starting twice is refused: the first
    attempt is the only one."""
    existing = attempt_for(session, booking)
    if existing is not None:
        raise AttemptRefused("You have already started this assessment" if existing.status is AttemptStatus.IN_PROGRESS
                             else "You have already submitted this assessment")
    form = _prepared_form(session, booking)
    reason = _refusal(booking, form, now)
    if reason:
        raise AttemptRefused(reason)
    form_id, minutes = form
    attempt = Attempt(booking_id=booking.id, form_id=form_id, candidate_id=booking.candidate_id, started_at=now,
                      deadline_at=now + timedelta(minutes=minutes))
    session.add(attempt)
    session.flush()
    record_event(session, actor=booking.candidate, action="attempt.started", obj=attempt, booking_id=booking.id,
                 minutes=minutes)
    return attempt


# Questions and answers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    position: int
    form_item_id: int
    version: ItemVersion
    answer: list[str]
    flagged: bool
    revision: int

    @property
    def answered(self) -> bool:
        return bool(self.answer)

    @property
    def item_type(self):
        return REGISTRY[self.version.type]

    @property
    def target(self) -> "SaveTarget":
        return SaveTarget(self.form_item_id, self.version.type, len(self.version.options))


def questions(session: Session, attempt: Attempt) -> list[Question]:
    """Every question on the attempt's form, in order, with the candidate's saved answer."""
    saved = {r.form_item_id: r for r in session.exec(select(Response).where(Response.attempt_id == attempt.id))}
    rows = session.exec(select(FormItem, ItemVersion).join(ItemVersion, ItemVersion.id == FormItem.item_version_id)
                        .where(FormItem.form_id == attempt.form_id).order_by(FormItem.position))
    return [Question(item.position, item.id, version, saved[item.id].answer if item.id in saved else [],
                     saved[item.id].flagged if item.id in saved else False, saved[item.id].revision if item.id in saved else 0)
            for item, version in rows]


def question_at(session: Session, attempt: Attempt, position: int) -> Question | None:
    row = session.exec(select(FormItem, ItemVersion).join(ItemVersion, ItemVersion.id == FormItem.item_version_id)
                       .where(FormItem.form_id == attempt.form_id, FormItem.position == position)).first()
    if row is None:
        return None
    item, version = row
    saved = session.exec(select(Response).where(Response.attempt_id == attempt.id, Response.form_item_id == item.id)).first()
    return Question(position, item.id, version, saved.answer if saved else [], saved.flagged if saved else False,
                    saved.revision if saved else 0)


@dataclass(frozen=True)
class SaveTarget:
    """What a save needs to know about a question: which row, and how to check the answer."""

    form_item_id: int
    type: str
    option_count: int

    @property
    def item_type(self):
        return REGISTRY[self.type]


@dataclass(frozen=True)
class AttemptClock:
    """The few attempt fields that decide whether a save is accepted (read without loading the row
    as an object: the save is the hottest request of a sitting)."""

    id: int
    candidate_id: int
    status: AttemptStatus
    deadline_at: datetime
    break_started_at: datetime | None
    break_seconds: int


@dataclass(frozen=True)
class SaveContext:
    attempt: AttemptClock
    question: SaveTarget | None  # None: no question at that position on the attempt's form


# Built once: executing a prebuilt statement skips rebuilding it on every save (SQLAlchemy caches
# the compiled SQL by the statement's shape either way).
_SAVE_CONTEXT = (
    select(Attempt.id, Attempt.candidate_id, Attempt.status, Attempt.deadline_at, Attempt.break_started_at,
           Attempt.break_seconds, FormItem.id, ItemVersion.type, ItemVersion.options)
    .select_from(Attempt)
    .outerjoin(FormItem, and_(FormItem.form_id == Attempt.form_id, FormItem.position == bindparam("position")))
    .outerjoin(ItemVersion, ItemVersion.id == FormItem.item_version_id)
    .where(Attempt.id == bindparam("attempt_id"))
    # A save holds a KEY SHARE lock on the attempt until it commits, and submit() takes FOR UPDATE: the
    # submission waits for saves in flight (and counts their answers), and a save that starts after it
    # reads the attempt as submitted and is refused. Saves do not block one another. (PostgreSQL only:
    # on SQLite every transaction takes the write lock at BEGIN, which serialises them anyway.)
    .with_for_update(read=True, key_share=True, of=Attempt)
)


def save_context(session: Session, attempt_id: int, position: int) -> SaveContext | None:
    """The attempt's clock and the question at `position`, in one query; None when there is no such attempt."""
    row = session.connection().execute(_SAVE_CONTEXT, {"attempt_id": attempt_id, "position": position}).first()
    if row is None:
        return None
    clock = AttemptClock(*row[:6])
    return SaveContext(clock, SaveTarget(row[6], row[7], len(row[8])) if row[6] is not None else None)


def question_count(session: Session, attempt: Attempt) -> int:
    return session.exec(select(func.count(FormItem.id)).where(FormItem.form_id == attempt.form_id)).one()


@dataclass(frozen=True)
class Saved:
    applied: bool  # False: the stored answer is newer than this save (it is returned instead)
    answer: list[str]
    flagged: bool
    revision: int


def _build_upsert(dialect: str):
    table = Response.__table__
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.form_item_id],
        set_={name: insert.excluded[name] for name in ("answer", "flagged", "revision", "saved_at")},
        where=table.c.revision < insert.excluded.revision,
    ).returning(table.c.id)  # a row comes back only when the answer was stored (rowcount is not portable here)


_UPSERTS = {dialect: _build_upsert(dialect) for dialect in ("postgresql", "sqlite")}
_STORED = (select(Response.answer, Response.flagged, Response.revision)
           .where(Response.attempt_id == bindparam("attempt_id"), Response.form_item_id == bindparam("form_item_id")))


def save_answer(session: Session, *, attempt: "Attempt | AttemptClock", question: SaveTarget, answer: list[str],
                flagged: bool, revision: int, now: datetime) -> Saved:
    """Store the answer if `revision` is newer than the stored one. The same revision with the same
    content is a retry and succeeds; an older revision, or the same one with different content
    (another tab), leaves the stored answer and returns it. Raises AnswerRefused for an answer
    that cannot belong to the question and TimeIsUp after the deadline and grace period."""
    answer = question.item_type.parse_answer(answer, question.option_count)
    if not accepts_answers(attempt, now):
        raise TimeIsUp("Time is up: answers can no longer be changed. The answers saved before the deadline were submitted")
    if attempt.break_started_at is not None:
        raise AttemptRefused("You are on a rest break. End your break to carry on answering")
    connection = session.connection()
    values = {"attempt_id": attempt.id, "form_item_id": question.form_item_id, "answer": answer, "flagged": flagged,
              "revision": revision, "saved_at": now}
    if connection.execute(_UPSERTS[connection.dialect.name], values).first() is not None:
        return Saved(True, answer, flagged, revision)
    stored = connection.execute(_STORED, values).one()
    same = stored.revision == revision and stored.answer == answer and stored.flagged == flagged
    return Saved(same, stored.answer, stored.flagged, stored.revision)


def hold_open(session: Session, attempt: Attempt) -> None:
    """Before saving from a posted form: re-read the attempt under the same KEY SHARE lock as
    _SAVE_CONTEXT, so that a submission cannot slip in between reading it and storing the answer."""
    session.refresh(attempt, with_for_update={"read": True, "key_share": True})


def move_to(session: Session, *, attempt: Attempt, position: int) -> None:
    """Remember where the candidate is, so that a resume (on any device) lands there."""
    attempt.position = position
    session.add(attempt)


# Rest breaks ----------------------------------------------------------------------------------

def start_break(session: Session, *, attempt: Attempt, rest_breaks_approved: bool, now: datetime) -> None:
    if not rest_breaks_approved:
        raise AttemptRefused("Rest breaks are a reasonable adjustment: ask for them before your next sitting")
    if not accepts_answers(attempt, now):
        raise TimeIsUp("Time is up")
    if attempt.break_started_at is not None:
        return
    if break_left(attempt) <= timedelta(0):
        raise AttemptRefused(f"You have used all {BREAK_ALLOWANCE.seconds // 60} minutes of rest break time for this sitting")
    attempt.break_started_at = now
    session.add(attempt)
    record_event(session, actor=attempt.candidate, action="attempt.break_started", obj=attempt)


def end_break(session: Session, *, attempt: Attempt, now: datetime) -> None:
    if attempt.break_started_at is None:
        return
    taken = min(now - attempt.break_started_at, break_left(attempt))
    attempt.deadline_at += taken
    attempt.break_seconds += int(taken.total_seconds())
    attempt.break_started_at = None
    session.add(attempt)
    record_event(session, actor=attempt.candidate, action="attempt.break_ended", obj=attempt, seconds=int(taken.total_seconds()))


# Submitting -----------------------------------------------------------------------------------

def submit(session: Session, *, attempt: Attempt, by: str, now: datetime, actor: User | None) -> bool:
    """Submit once. Locks the attempt row so a double click, a retried request and the clock
    cannot submit twice; returns False when it was already submitted."""
    session.exec(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
    session.refresh(attempt)
    if attempt.status is AttemptStatus.SUBMITTED:
        return False
    if attempt.break_started_at is not None:
        end_break(session, attempt=attempt, now=now)
    result = outcome(session, attempt)
    attempt.status, attempt.submitted_at, attempt.submitted_by = AttemptStatus.SUBMITTED, now, by
    attempt.score, attempt.max_score, attempt.cut_score, attempt.passed = result.score, result.max_score, result.cut_score, result.passed
    session.add(attempt)
    record_event(session, actor=actor, action="attempt.submitted", obj=attempt, by=by, answered=result.profile.answered)
    return True


def close_if_expired(session: Session, attempt: Attempt, now: datetime) -> bool:
    """Submit an attempt whose time (and grace) has run out, with the answers saved by then."""
    if attempt.status is AttemptStatus.IN_PROGRESS and not accepts_answers(attempt, now):
        return submit(session, attempt=attempt, by="deadline", now=now, actor=None)
    return False


def close_expired(session: Session, *, now: datetime) -> int:
    """Submit every attempt whose time has run out (run by `flask exams close-expired`)."""
    open_attempts = session.exec(select(Attempt).where(Attempt.status == AttemptStatus.IN_PROGRESS,
                                                       Attempt.deadline_at < now - GRACE)).all()
    return sum(close_if_expired(session, attempt, now) for attempt in open_attempts)


def close_expired_in_window(session: Session, *, window: AssessmentWindow, now: datetime) -> int:
    """Submit the window's attempts whose time has run out (before showing or releasing them)."""
    open_attempts = session.exec(select(Attempt).join(Booking, Booking.id == Attempt.booking_id)
                                 .where(Booking.window_id == window.id, Attempt.status == AttemptStatus.IN_PROGRESS)).all()
    return sum(close_if_expired(session, attempt, now) for attempt in open_attempts)


def outcome(session: Session, attempt: Attempt) -> Outcome:
    """The attempt's score, profile and decision from its saved answers and the items as they stand
    now (after any key correction or void)."""
    return outcomes(session, [(attempt.id, attempt.form_id)])[attempt.id]


@dataclass(frozen=True)
class FormScoring:
    """A form's items as scoring sees them (in position order) and its scoring rules."""

    form_item_ids: tuple[int, ...]
    items: tuple[ScoredItem, ...]
    rule: str
    cut_score: float | None
    statement_minimum_percent: int | None

    @property
    def voided(self) -> int:
        return sum(item.voided for item in self.items)


CHUNK = 500  # ids per IN (...) list: well inside every database's limit on bound parameters


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def form_scoring(session: Session, form_ids) -> dict[int, FormScoring]:
    """Each form's scoring view, in two queries per 500 forms."""
    ids = sorted(set(form_ids))
    items: dict[int, list[tuple[int, ScoredItem]]] = {form_id: [] for form_id in ids}
    forms = {}
    for chunk in _chunks(ids):
        forms.update({row.id: row for row in session.exec(
            select(AssessmentForm.id, AssessmentForm.cut_score, AssessmentForm.multiple_response_rule,
                   AssessmentForm.statement_minimum_percent).where(AssessmentForm.id.in_(chunk)))})
        rows = session.exec(
            select(FormItem.form_id, FormItem.id, FormItem.rating, ItemVersion.type, ItemVersion.key, ItemVersion.options,
                   ItemVersion.voided_at, Statement.code)
            .join(ItemVersion, ItemVersion.id == FormItem.item_version_id).join(Statement, Statement.id == ItemVersion.statement_id)
            .where(FormItem.form_id.in_(chunk)).order_by(FormItem.form_id, FormItem.position))
        for form_id, form_item_id, rating, item_type, key, options, voided_at, code in rows:
            items[form_id].append((form_item_id, ScoredItem(code, item_type, tuple(key), len(options), voided_at is not None, rating)))
    return {form_id: FormScoring(tuple(i for i, _ in items[form_id]), tuple(item for _, item in items[form_id]),
                                 forms[form_id].multiple_response_rule, forms[form_id].cut_score,
                                 forms[form_id].statement_minimum_percent) for form_id in ids if form_id in forms}


def saved_answers(session: Session, attempt_ids) -> dict[int, dict[int, list[str]]]:
    """Each attempt's saved answers by form item."""
    answers: dict[int, dict[int, list[str]]] = {}
    for chunk in _chunks(sorted(set(attempt_ids))):
        for attempt_id, form_item_id, answer in session.exec(
                select(Response.attempt_id, Response.form_item_id, Response.answer).where(Response.attempt_id.in_(chunk))):
            answers.setdefault(attempt_id, {})[form_item_id] = answer
    return answers


def outcomes(session: Session, attempts: list[tuple[int, int]]) -> dict[int, Outcome]:
    """Score many attempts ((attempt id, form id) pairs) at once, in a few queries."""
    forms = form_scoring(session, [form_id for _, form_id in attempts])
    answers = saved_answers(session, [attempt_id for attempt_id, _ in attempts])
    results = {}
    for attempt_id, form_id in attempts:
        form, saved = forms[form_id], answers.get(attempt_id, {})
        results[attempt_id] = attempt_outcome(form.items, [saved.get(i, []) for i in form.form_item_ids], rule=form.rule,
                                              cut_score=form.cut_score, statement_minimum_percent=form.statement_minimum_percent)
    return results


# Administrators: time and release ---------------------------------------------------------------

def extend_time(session: Session, *, attempt: Attempt, minutes: int, reason: str, actor: User, now: datetime) -> None:
    if attempt.status is not AttemptStatus.IN_PROGRESS:
        raise AttemptRefused("This attempt has been submitted: its time can no longer be extended")
    attempt.deadline_at = max(attempt.deadline_at, now) + timedelta(minutes=minutes)
    attempt.extension_minutes += minutes
    session.add(attempt)
    record_event(session, actor=actor, action="attempt.time_extended", obj=attempt, minutes=minutes, reason=reason.strip())


@dataclass(frozen=True)
class LiveRow:
    booking: Booking
    attempt: Attempt | None
    answered: int
    seconds_left: int
    form_cut_score: float | None = None  # the prepared form's pass mark (the sum of its items' agreed ratings)
    questions: int = 0  # on the prepared form


def live_view(session: Session, *, window: AssessmentWindow, now: datetime) -> list[LiveRow]:
    """Each booking in the window with its attempt: started, answered count, time left."""
    answered = _answered_counts(session, window)
    attempts = {a.booking_id: a for a in session.exec(select(Attempt).join(Booking, Booking.id == Attempt.booking_id)
                                                      .where(Booking.window_id == window.id))}
    bookings = session.exec(select(Booking).where(Booking.window_id == window.id, Booking.status == BookingStatus.BOOKED)
                            .options(selectinload(Booking.candidate)).order_by(Booking.id)).all()
    forms = {booking_id: (cut, questions) for booking_id, cut, questions in session.exec(
        select(AssessmentForm.booking_id, AssessmentForm.cut_score, func.count(FormItem.id))
        .join(Booking, Booking.id == AssessmentForm.booking_id).join(FormItem, FormItem.form_id == AssessmentForm.id)
        .where(Booking.window_id == window.id).group_by(AssessmentForm.booking_id, AssessmentForm.cut_score))}
    return [LiveRow(b, attempts.get(b.id), answered.get(attempts[b.id].id, 0) if b.id in attempts else 0,
                    seconds_left(attempts[b.id], now) if b.id in attempts else 0, *forms.get(b.id, (None, 0))) for b in bookings]


def _answered_counts(session: Session, window: AssessmentWindow) -> dict[int, int]:
    rows = session.exec(select(Response.attempt_id, Response.answer).join(Attempt, Attempt.id == Response.attempt_id)
                        .join(Booking, Booking.id == Attempt.booking_id).where(Booking.window_id == window.id))
    counts: dict[int, int] = {}
    for attempt_id, answer in rows:
        counts[attempt_id] = counts.get(attempt_id, 0) + bool(answer)
    return counts


def release_results(session: Session, *, window: AssessmentWindow, actor: User, now: datetime,
                    link_for: Callable[[Attempt], str]) -> int:
    """Let candidates see their results, and tell each by email. Only once nobody can still sit: the
    window has closed, or every booked candidate has submitted. Returns how many were released."""
    if window.results_released_at is not None:
        raise AttemptRefused("Results for this window have already been released")
    close_expired_in_window(session, window=window, now=now)
    rows = live_view(session, window=window, now=now)
    sitting = [r for r in rows if r.attempt is not None and r.attempt.status is AttemptStatus.IN_PROGRESS]
    if sitting:
        raise AttemptRefused(f"{len(sitting)} candidate(s) are still sitting. Release results when they have finished")
    if now <= window.closes_at and any(r.attempt is None for r in rows):
        raise AttemptRefused("Some candidates have not sat yet and the window is still open. Release results after it closes")
    window.results_released_at, window.results_released_by_id = now, actor.id
    session.add(window)
    submitted = [r for r in rows if r.attempt is not None]
    for row in submitted:
        queue_message(session, to=row.booking.candidate.email, subject="Your knowledge assessment result is ready",
                      body=f"Dear {row.booking.candidate.name},\n\nThe result of your {window.tier.name} knowledge assessment is "
                           f"ready. Sign in to see it, with your profile by Knowledge and Skills Statement and a feedback "
                           f"report you can download:\n\n{link_for(row.attempt)}\n")
    record_event(session, actor=actor, action="window.results_released", obj=window, results=len(submitted))
    return len(submitted)


def results_released(attempt: Attempt) -> bool:
    return attempt.status is AttemptStatus.SUBMITTED and attempt.booking.window.results_released_at is not None
