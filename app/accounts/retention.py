"""Data protection: keeping personal data no longer than needed, and erasing a person.

Retention (`flask retention apply`): the answers given in an unsuccessful knowledge attempt are
deleted RETENTION_FAILED_RESPONSES_MONTHS after its results were released (the attempt's score and
decision stay: they are the record of the assessment). By then the appeal period is long over, so
nothing can need them. Passed attempts' answers stay while the accreditation they support does.

Erasure (`flask erase-person EMAIL`): the account is anonymised (name, email, registration number,
password, sessions), optional personal data is deleted (equality monitoring, consent, two-factor
secrets, answers), and every certificate the person held is revoked with the reason "erased at the
holder's request" and its printed name removed, so a verifier is never told an erased record is
valid. Certificates, decisions and the audit log keep their rows: the service must be able to say
what it decided and that a certificate is no longer valid. Keyword-only, take the session, never
commit."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.accreditation.rules import add_months
from app.audit import record_event, record_event_on
from app.models import (
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Certificate,
    CertificateStatus,
    EqualityMonitoring,
    RecoveryCode,
    Response,
    ResultsSharing,
    ShareLink,
    TwoFactor,
    User,
)

ERASED_REASON = "Erased at the holder's request: this record no longer identifies anyone and the certificate is not valid."


@dataclass(frozen=True)
class RetentionResult:
    attempts: int
    responses: int


def apply_retention(session: Session, *, now: datetime, months: int, dry_run: bool = False) -> RetentionResult:
    """Delete the answers of unsuccessful attempts released more than `months` ago."""
    if months < 1:
        raise ValueError("the retention period is at least 1 month")
    cutoff = add_months(now, -months)
    attempt_ids = list(session.execute(
        sa_select(Attempt.id).join(Booking, Booking.id == Attempt.booking_id).join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
        .where(Attempt.status == AttemptStatus.SUBMITTED, Attempt.passed.is_(False), AssessmentWindow.results_released_at < cutoff,
               Attempt.id.in_(sa_select(Response.attempt_id)))).scalars())
    responses = 0
    for start in range(0, len(attempt_ids), 500):
        chunk = attempt_ids[start:start + 500]
        responses += len(session.execute(sa_select(Response.id).where(Response.attempt_id.in_(chunk))).all())
        if not dry_run:
            session.execute(delete(Response).where(Response.attempt_id.in_(chunk)))
    if attempt_ids and not dry_run:
        record_event_on(session, actor=None, action="retention.responses_deleted", object_type="attempt", object_id="many",
                        attempts=len(attempt_ids), responses=responses, months=months, released_before=cutoff.isoformat())
    return RetentionResult(len(attempt_ids), responses)


def erase_person(session: Session, *, person: User, actor: User | None, now: datetime) -> dict[str, int]:
    """Anonymise a person and everything that identifies them; returns what was done, by kind."""
    done = {"certificates_revoked": 0}
    for certificate in session.exec(select(Certificate).where(Certificate.candidate_id == person.id)):
        if certificate.status in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
            certificate.status, certificate.status_changed_at = CertificateStatus.REVOKED, now
            done["certificates_revoked"] += 1
        certificate.status_reason = ERASED_REASON
        certificate.holder_name = "Erased record"
        certificate.registration_number = None
        certificate.pdf, certificate.credential_jwt = b"", ""  # the signed copies named the person
        for link in session.exec(select(ShareLink).where(ShareLink.certificate_id == certificate.id, ShareLink.revoked_at.is_(None))):
            link.revoked_at = now
    attempts = [a for (a,) in session.execute(sa_select(Attempt.id).where(Attempt.candidate_id == person.id))]
    done["answers_deleted"] = session.execute(delete(Response).where(Response.attempt_id.in_(attempts))).rowcount if attempts else 0
    for model in (EqualityMonitoring, ResultsSharing, TwoFactor, RecoveryCode):
        column = getattr(model, "candidate_id", None) or model.user_id
        done[f"{model.__tablename__}_deleted"] = session.execute(delete(model).where(column == person.id)).rowcount
    person.name, person.email = "Erased person", f"erased-{person.id}@erased.invalid"
    person.swe_number, person.password_hash, person.active = None, None, False
    person.session_version += 1
    session.add(person)
    record_event(session, actor=actor, action="person.erased", obj=person, **done)
    return done
