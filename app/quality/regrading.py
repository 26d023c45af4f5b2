"""Regrading: an administrator corrects an item version's key, voids it, or reinstates a void, and
every submitted attempt that met it is rescored at once.

Keyword-only, take the session, never commit. What a correction does to scores is decided by the
pure core (app.scoring.regrading); this module finds the forms and attempts, applies it, records a
row per attempt whose score, cut score or decision changed, and audits everything. A changed pass
or fail decision is held for an administrator's review: until then, a candidate whose result was
already released sees that it is being reviewed, not a result that might change again.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, func, select

from app.accounts.errors import AccountError
from app.audit import record_event, record_event_on
from app.bank.item_types import REGISTRY
from app.bank.queries import spec_of
from app.bank.services import change_status, new_version
from app.exams.attempts import form_scoring, outcomes
from app.mail.services import queue_message
from app.models import (
    AssessmentForm,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    CorrectionKind,
    FormItem,
    Item,
    ItemCorrection,
    ItemStatus,
    ItemVersion,
    RegradedAttempt,
    Statement,
    User,
)
from app.scoring import form_cut

ACTIONS = {CorrectionKind.KEY: "item.key_corrected", CorrectionKind.VOID: "item.voided", CorrectionKind.REINSTATE: "item.reinstated"}
MIN_REASON = 10  # characters: a reason someone reading the audit log later can understand


class CorrectionRefused(AccountError):
    """A correction that cannot be made; the message says why."""


@dataclass(frozen=True)
class Reach:
    """Who an item version has reached: what a correction to it would rescore."""

    forms: int
    submitted: int
    in_progress: int
    released: int  # submitted attempts in windows whose results are released


def reach(session: Session, version: ItemVersion) -> Reach:
    forms = select(FormItem.form_id).where(FormItem.item_version_id == version.id)
    counts = dict(session.exec(select(Attempt.status, func.count()).where(Attempt.form_id.in_(forms)).group_by(Attempt.status)).all())
    released = session.exec(select(func.count()).select_from(Attempt).join(Booking, Booking.id == Attempt.booking_id)
                            .join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
                            .where(Attempt.form_id.in_(forms), Attempt.status == AttemptStatus.SUBMITTED,
                                   AssessmentWindow.results_released_at.is_not(None))).one()
    return Reach(forms=session.exec(select(func.count()).select_from(forms.subquery())).one(),
                 submitted=counts.get(AttemptStatus.SUBMITTED, 0), in_progress=counts.get(AttemptStatus.IN_PROGRESS, 0),
                 released=released)


def correct(session: Session, *, version: ItemVersion, kind: CorrectionKind, reason: str, actor: User, now: datetime,
            key: list[str] | None = None) -> ItemCorrection:
    """Apply a correction to `version` and rescore every submitted attempt on a form that holds it.
    Attempts still in progress are scored with the corrected item when they are submitted."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise CorrectionRefused(f"Give the reason for this correction in at least {MIN_REASON} characters: it is kept in the audit log")
    item = session.get(Item, version.item_id)
    previous_key = list(version.key)
    if kind is CorrectionKind.KEY:
        _check_key(version, key)
        version.key = list(key)
        version.content_hash = _content_hash(session, item, version)
    elif kind is CorrectionKind.VOID:
        if version.voided_at is not None:
            raise CorrectionRefused("This question is already void")
        version.voided_at = now
        if item.status is ItemStatus.LIVE and item.current.id == version.id:
            change_status(session, item=item, to=ItemStatus.RETIRED, actor=actor, reason=f"Voided: {reason}")
    elif kind is CorrectionKind.REINSTATE:
        if version.voided_at is None:
            raise CorrectionRefused("This question is not void, so there is nothing to reinstate")
        version.voided_at = None
    session.add(version)
    correction = ItemCorrection(item_version_id=version.id, kind=kind, previous_key=previous_key, key=list(version.key),
                                reason=reason, corrected_by_id=actor.id, corrected_at=now)
    session.add(correction)
    session.flush()
    form_ids = list(session.exec(select(FormItem.form_id).where(FormItem.item_version_id == version.id)))
    if kind is not CorrectionKind.KEY:
        _recompute_cut_scores(session, form_ids)
    _rescore(session, correction, form_ids, actor)
    record_event(session, actor=actor, action=ACTIONS[kind], obj=item, version=version.number, correction=correction.id, previous_key=previous_key, key=list(version.key),
                 reason=reason, attempts_rescored=correction.attempts_rescored, scores_changed=correction.scores_changed,
                 decisions_changed=correction.decisions_changed)
    return correction


def _check_key(version: ItemVersion, key: list[str] | None) -> None:
    if version.voided_at is not None:
        raise CorrectionRefused("This question is void. Reinstate it before correcting its key")
    item_type = REGISTRY[version.type]
    if not key:
        raise CorrectionRefused("Choose the correct answer")
    problems = item_type.check(version.options, list(key))
    if problems:
        raise CorrectionRefused(f"That key cannot be right: {problems[0][1]}")
    if list(key) == list(version.key):
        raise CorrectionRefused(f"{item_type.describe(list(key))} is already the key. Choose the correct answer, or void the question")


def _content_hash(session: Session, item: Item, version: ItemVersion) -> str:
    statement = session.get(Statement, version.statement_id)
    return new_version(spec_of(session, item, version), item_id=item.id, number=version.number, statement=statement,
                       scenario_version=version.scenario_version).content_hash


def _recompute_cut_scores(session: Session, form_ids: list[int]) -> None:
    """A void takes the item's rating out of each form's cut score; a reinstatement puts it back."""
    changes = [{"id": form_id, "cut_score": cut} for form_id, form in form_scoring(session, form_ids).items()
               if (cut := form_cut(form.items)) is not None and cut != form.cut_score]
    if changes:
        session.execute(update(AssessmentForm), changes)
        _expire(session, AssessmentForm)


def _expire(session: Session, model) -> None:
    """Bulk updates by primary key bypass the identity map: reload any rows already loaded."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model):
            session.expire(obj)


def _rescore(session: Session, correction: ItemCorrection, form_ids: list[int], actor: User) -> None:
    attempts = session.exec(select(Attempt.id, Attempt.form_id, Attempt.score, Attempt.max_score, Attempt.cut_score, Attempt.passed)
                            .where(Attempt.form_id.in_(form_ids), Attempt.status == AttemptStatus.SUBMITTED)).all() if form_ids else []
    new = outcomes(session, [(row.id, row.form_id) for row in attempts])
    updates, regraded = [], []
    for row in attempts:
        result = new[row.id]
        if (row.score, row.max_score, row.cut_score, row.passed) == (result.score, result.max_score, result.cut_score, result.passed):
            continue
        updates.append({"id": row.id, "score": result.score, "max_score": result.max_score, "cut_score": result.cut_score,
                        "passed": result.passed})
        regraded.append(RegradedAttempt(correction_id=correction.id, attempt_id=row.id, old_score=row.score, new_score=result.score,
                                        old_max_score=row.max_score, new_max_score=result.max_score, old_cut_score=row.cut_score,
                                        new_cut_score=result.cut_score, old_passed=row.passed, new_passed=result.passed))
        record_event_on(session, actor=actor, action="attempt.regraded", object_type="attempt", object_id=row.id,
                        correction=correction.id, score=[row.score, result.score], max_score=[row.max_score, result.max_score],
                        cut_score=[row.cut_score, result.cut_score], passed=[row.passed, result.passed])
    if updates:
        session.execute(update(Attempt), updates)
        _expire(session, Attempt)
    from app.accreditation.services import suspend_for_lost_pass

    for row in regraded:
        if row.old_passed and not row.new_passed:
            suspend_for_lost_pass(session, attempt_id=row.attempt_id, actor=actor, now=correction.corrected_at,
                                  reason="The knowledge result this certificate rests on changed on regrading; an administrator is reviewing it.")
    session.add_all(regraded)
    correction.attempts_rescored = len(attempts)
    correction.scores_changed = len(regraded)
    correction.decisions_changed = sum(r.decision_changed for r in regraded)
    session.add(correction)


# Reviewing changed decisions -------------------------------------------------------------------------

AWAITING_REVIEW = (RegradedAttempt.old_passed.is_distinct_from(RegradedAttempt.new_passed), RegradedAttempt.reviewed_at.is_(None))


def awaiting_review(session: Session) -> list[RegradedAttempt]:
    """Changed pass/fail decisions no administrator has reviewed yet, oldest first."""
    return session.exec(select(RegradedAttempt).where(*AWAITING_REVIEW).order_by(RegradedAttempt.id)).all()


def under_review_ids(session: Session, candidate: User) -> set[int]:
    """The candidate's attempts whose changed decision waits for review."""
    return set(session.exec(select(RegradedAttempt.attempt_id).join(Attempt, Attempt.id == RegradedAttempt.attempt_id)
                            .where(Attempt.candidate_id == candidate.id, *AWAITING_REVIEW)))


def under_review(session: Session, attempt: Attempt) -> bool:
    """Whether the attempt's pass/fail decision changed on regrading and waits for review."""
    return session.exec(select(func.count()).select_from(RegradedAttempt)
                        .where(RegradedAttempt.attempt_id == attempt.id, *AWAITING_REVIEW)).one() > 0


def review(session: Session, *, regraded: RegradedAttempt, note: str, actor: User, now: datetime, link: str) -> bool:
    """Confirm a changed decision. When the window's results are released the candidate is told by
    email (returns True). The decision itself was already applied by the rescore."""
    if regraded.reviewed_at is not None:
        raise CorrectionRefused("This change has already been reviewed")
    if not regraded.decision_changed:
        raise CorrectionRefused("Only a changed pass or fail decision needs review")
    note = (note or "").strip()
    if len(note) < MIN_REASON:
        raise CorrectionRefused(f"Write a note of at least {MIN_REASON} characters on what you checked: it is kept in the audit log")
    regraded.reviewed_at, regraded.reviewed_by_id, regraded.review_note = now, actor.id, note
    session.add(regraded)
    attempt = session.get(Attempt, regraded.attempt_id)
    record_event(session, actor=actor, action="attempt.regrade_reviewed", obj=attempt, correction=regraded.correction_id,
                 passed=[regraded.old_passed, regraded.new_passed], note=note)
    if attempt.booking.window.results_released_at is None:
        return False
    outcome = "passed" if attempt.passed else "not yet passed"
    queue_message(session, to=attempt.candidate.email, subject="Your knowledge assessment result has changed",
                  body=f"Dear {attempt.candidate.name},\n\nAfter your {attempt.booking.window.tier.name} knowledge assessment, a review "
                       f"found a fault in one of the questions, and every candidate who answered it has been rescored. Your result "
                       f"has changed: you have now {outcome}.\n\nSign in to see your updated result and feedback report:\n\n{link}\n")
    return True
