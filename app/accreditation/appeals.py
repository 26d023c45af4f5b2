"""Appeals: within the appeal period a candidate appeals a released result on stated grounds; an
administrator upholds it (the result is marked again, or set aside so the candidate sits again without
penalty) or does not, with a rationale. Audited; the candidate is emailed at each step.
Keyword-only, take the session, never commit."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.accounts.errors import AccountError
from app.accreditation import rules
from app.accreditation.services import current_policy
from app.audit import record_event
from app.mail.services import queue_message
from app.models import (
    AgreedMark,
    Appeal,
    AppealRemedy,
    AppealStatus,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Moderation,
    PracticeSitting,
    SittingStatus,
    User,
)

MIN_GROUNDS = 50
MIN_RATIONALE = 30


class AppealRefused(AccountError):
    pass


@dataclass(frozen=True)
class Appealable:
    """A released result the candidate may appeal now."""

    component: str
    row_id: int  # attempt or practice sitting id
    tier_name: str
    released_at: datetime
    passed: bool
    deadline: datetime

    @property
    def value(self) -> str:
        return f"{self.component}-{self.row_id}"

    @property
    def label(self) -> str:
        outcome = "passed" if self.passed else "not yet passed"
        return f"{self.tier_name}, {self.component} component ({outcome}), released {self.released_at:%d %B %Y}"


def appealable(session: Session, candidate: User, now: datetime) -> list[Appealable]:
    policy = current_policy(session)
    appealed = {(a.component, a.attempt_id or a.practice_sitting_id)
                for a in session.exec(select(Appeal).where(Appeal.candidate_id == candidate.id))}
    found = []
    for attempt, window in session.exec(select(Attempt, AssessmentWindow).join(Booking, Booking.id == Attempt.booking_id)
                                        .join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
                                        .where(Attempt.candidate_id == candidate.id, Attempt.status == AttemptStatus.SUBMITTED,
                                               AssessmentWindow.results_released_at.is_not(None), Attempt.voided_on_appeal.is_(False))):
        found.append(Appealable(rules.KNOWLEDGE, attempt.id, window.tier.name, window.results_released_at, bool(attempt.passed),
                                rules.appeal_deadline(window.results_released_at, policy)))
    for sitting in session.exec(select(PracticeSitting).where(PracticeSitting.candidate_id == candidate.id,
                                                              PracticeSitting.status == SittingStatus.RELEASED,
                                                              PracticeSitting.voided_on_appeal.is_(False))):
        found.append(Appealable(rules.PRACTICE, sitting.id, sitting.tier.name, sitting.released_at, bool(sitting.passed),
                                rules.appeal_deadline(sitting.released_at, policy)))
    return [a for a in found if (a.component, a.row_id) not in appealed and rules.appeal_open(a.released_at, now, policy)]


def submit(session: Session, *, candidate: User, choice: str, grounds: str, now: datetime) -> Appeal:
    grounds = (grounds or "").strip()
    options = {a.value: a for a in appealable(session, candidate, now)}
    if choice not in options:
        raise AppealRefused("Choose the result you are appealing. A result can be appealed once, within "
                            f"{current_policy(session).appeal_days} days of its release")
    if len(grounds) < MIN_GROUNDS:
        raise AppealRefused(f"Explain your grounds in at least {MIN_GROUNDS} characters: what happened, and why it affected your result")
    target = options[choice]
    appeal = Appeal(candidate_id=candidate.id, component=target.component, grounds=grounds, submitted_at=now,
                    attempt_id=target.row_id if target.component == rules.KNOWLEDGE else None,
                    practice_sitting_id=target.row_id if target.component == rules.PRACTICE else None)
    session.add(appeal)
    session.flush()
    record_event(session, actor=candidate, action="appeal.submitted", obj=appeal, component=target.component)
    queue_message(session, to=candidate.email, subject="We have received your appeal",
                  body=f"Dear {candidate.name},\n\nWe have received your appeal against your {target.label}. An administrator will "
                       f"decide it and write to you with the outcome and the reasons.\n")
    return appeal


def decide(session: Session, *, appeal: Appeal, upheld: bool, remedy: AppealRemedy | None, rationale: str, actor: User,
           now: datetime) -> None:
    if appeal.status is not AppealStatus.SUBMITTED:
        raise AppealRefused("This appeal has already been decided")
    rationale = (rationale or "").strip()
    if len(rationale) < MIN_RATIONALE:
        raise AppealRefused(f"Write the rationale in at least {MIN_RATIONALE} characters: the candidate receives it")
    if upheld and remedy is None:
        raise AppealRefused("Choose what happens when the appeal is upheld: mark the result again, or set it aside")
    if upheld and remedy is AppealRemedy.REMARK and appeal.component == rules.KNOWLEDGE:
        raise AppealRefused("A knowledge result is marked automatically, so marking it again gives the same score. If a question was "
                            "at fault, correct or void it in Regrading; otherwise set the result aside or do not uphold the appeal")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.NOT_UPHELD
    appeal.remedy = remedy if upheld else None
    appeal.rationale, appeal.decided_by_id, appeal.decided_at = rationale, actor.id, now
    session.add(appeal)
    if upheld:
        _apply(session, appeal, remedy, actor, now)
    record_event(session, actor=actor, action="appeal.decided", obj=appeal, upheld=upheld, remedy=remedy.value if remedy else None,
                 rationale=rationale)
    candidate = session.get(User, appeal.candidate_id)
    outcome = (f"Your appeal is upheld: {appeal.remedy.label.lower()}." if upheld else "Your appeal is not upheld.")
    queue_message(session, to=candidate.email, subject="The outcome of your appeal",
                  body=f"Dear {candidate.name},\n\n{outcome}\n\nThe reasons:\n\n{rationale}\n")


def _apply(session: Session, appeal: Appeal, remedy: AppealRemedy, actor: User, now: datetime) -> None:
    from app.accreditation.services import suspend_for_lost_pass

    reason = "The result this certificate rests on was set aside or sent back for marking on appeal."
    if appeal.component == rules.KNOWLEDGE:  # only a void reaches here (see decide)
        attempt = session.get(Attempt, appeal.attempt_id)
        attempt.voided_on_appeal = True
        session.add(attempt)
        if attempt.passed:
            suspend_for_lost_pass(session, attempt_id=attempt.id, reason=reason, actor=actor, now=now)
        return
    sitting = session.get(PracticeSitting, appeal.practice_sitting_id)
    was_pass = bool(sitting.passed)
    if remedy is AppealRemedy.VOID:
        sitting.voided_on_appeal = True
    else:  # a fresh moderation of both markings; the decision being replaced is kept in the audit log
        agreed = session.exec(select(AgreedMark).where(AgreedMark.sitting_id == sitting.id)).all()
        moderation = session.exec(select(Moderation).where(Moderation.sitting_id == sitting.id)).first()
        record_event(session, actor=actor, action="practice_sitting.reopened_on_appeal", obj=sitting, appeal=appeal.id, passed=sitting.passed,
                     agreed={f"{m.station}/{m.criterion}": {"score": m.score, "feedback": m.feedback} for m in agreed},
                     moderation={"moderator": moderation.moderator_id, "rationale": moderation.rationale} if moderation else None)
        for row in agreed:
            session.delete(row)
        if moderation is not None:
            session.delete(moderation)
        sitting.status, sitting.passed, sitting.agreed_at, sitting.released_at = SittingStatus.MODERATION, None, None, None
    session.add(sitting)
    if was_pass:
        suspend_for_lost_pass(session, sitting_id=sitting.id, reason=reason, actor=actor, now=now)
