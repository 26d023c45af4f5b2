"""Accreditation decisions from the database, and issuing, revoking, suspending and reissuing
certificates. Keyword-only, take the session, never commit. The rules are pure (app.accreditation.rules)."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import defer, joinedload
from sqlmodel import Session, select

from app.accounts.errors import AccountError
from app.accreditation import rules
from app.accreditation.certificate_pdf import CertificateFacts, render_certificate, sign_certificate
from app.accreditation.credential import LIST_BITS, CredentialFacts, credential, issuer_id, okp_key, sign
from app.accreditation.ids import new_certificate_id
from app.audit import record_event
from app.models import (
    AccreditationPolicySetting,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Certificate,
    CertificateStatus,
    Endorsement,
    EndorsementStatus,
    PracticeSitting,
    SittingStatus,
    Tier,
    User,
)

MIN_REASON = 10
DEFAULT_POLICY = rules.Policy()


class CertificateRefused(AccountError):
    pass


@dataclass(frozen=True)
class Evidence:
    decision: rules.Decision
    knowledge_attempt: Attempt | None
    practice_sitting: PracticeSitting | None


# For showing a certificate's status: its tier in the same query (without the tier's statements),
# and not the signed PDF or the credential, which only downloads need.
LOOKUP_OPTIONS = (defer(Certificate.pdf), defer(Certificate.credential_jwt), joinedload(Certificate.tier).lazyload(Tier.statements))


def component_results(session: Session, candidate: User, tier: Tier) -> tuple[list[rules.ComponentResult], dict]:
    """The candidate's released results for the tier, and the rows behind each pass."""
    return component_results_for(session, [candidate.id], tier)[candidate.id]


def component_results_for(session: Session, candidate_ids: list[int], tier: Tier) -> dict[int, tuple[list, dict]]:
    """Released results for many candidates at once (a few queries, whatever their number). A changed
    decision waiting for an administrator's review counts for nothing yet."""
    from app.exams.attempts import _chunks
    from app.models import RegradedAttempt
    from app.quality.regrading import AWAITING_REVIEW

    found: dict[int, tuple[list, dict]] = {cid: ([], {}) for cid in candidate_ids}
    for chunk in _chunks(sorted(set(candidate_ids))):
        held = set(session.exec(select(RegradedAttempt.attempt_id).join(Attempt, Attempt.id == RegradedAttempt.attempt_id)
                                .where(Attempt.candidate_id.in_(chunk), *AWAITING_REVIEW)))
        for attempt, released in session.exec(
                select(Attempt, AssessmentWindow.results_released_at).join(Booking, Booking.id == Attempt.booking_id)
                .join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
                .where(Attempt.candidate_id.in_(chunk), AssessmentWindow.tier_id == tier.id, Attempt.status == AttemptStatus.SUBMITTED,
                       AssessmentWindow.results_released_at.is_not(None), Attempt.passed.is_not(None))):
            if attempt.id in held:
                continue
            result = rules.ComponentResult(rules.KNOWLEDGE, bool(attempt.passed), released, voided=attempt.voided_on_appeal)
            found[attempt.candidate_id][0].append(result)
            found[attempt.candidate_id][1][result] = attempt
        for sitting in session.exec(select(PracticeSitting).where(PracticeSitting.candidate_id.in_(chunk), PracticeSitting.tier_id == tier.id,
                                                                  PracticeSitting.status == SittingStatus.RELEASED)):
            result = rules.ComponentResult(rules.PRACTICE, bool(sitting.passed), sitting.released_at, voided=sitting.voided_on_appeal)
            found[sitting.candidate_id][0].append(result)
            found[sitting.candidate_id][1][result] = sitting
    return found


def evidence_for(session: Session, candidate_ids: list[int], tier: Tier, now: datetime) -> dict[int, Evidence]:
    """Each candidate's decision for the tier, for a whole window at once."""
    from app.exams.attempts import _chunks

    policy = current_policy(session)
    endorsed = set()
    for chunk in _chunks(sorted(set(candidate_ids))):
        endorsed |= set(session.exec(select(Endorsement.candidate_id).where(Endorsement.candidate_id.in_(chunk), Endorsement.tier_id == tier.id,
                                                                            Endorsement.status == EndorsementStatus.ACTIVE)))
    evidence = {}
    for cid, (results, rows) in component_results_for(session, candidate_ids, tier).items():
        decision = rules.decide(endorsed=cid in endorsed, results=results, now=now, policy=policy)
        evidence[cid] = Evidence(decision, rows.get(decision.knowledge), rows.get(decision.practice))
    return evidence


def current_certificates(session: Session, candidate_ids: list[int], tier: Tier, now: datetime) -> dict[int, Certificate]:
    from app.exams.attempts import _chunks

    found = {}
    for chunk in _chunks(sorted(set(candidate_ids))):
        found.update({c.candidate_id: c for c in session.exec(
            select(Certificate).options(*LOOKUP_OPTIONS).where(Certificate.candidate_id.in_(chunk), Certificate.tier_id == tier.id,
                                      Certificate.status.in_([CertificateStatus.VALID, CertificateStatus.SUSPENDED]),
                                      Certificate.expires_at > now))})
    return found


def current_policy(session: Session) -> rules.Policy:
    """The administrators' policy, or the defaults."""
    setting = session.exec(select(AccreditationPolicySetting)).first()
    if setting is None:
        return DEFAULT_POLICY
    return rules.Policy(setting.pass_valid_months, setting.resit_interval_months, setting.appeal_days, setting.validity_years)


def save_policy(session: Session, *, values: rules.Policy, actor: User) -> None:
    setting = session.exec(select(AccreditationPolicySetting)).first() or AccreditationPolicySetting()
    setting.pass_valid_months, setting.resit_interval_months = values.pass_valid_months, values.resit_interval_months
    setting.appeal_days, setting.validity_years, setting.updated_by_id = values.appeal_days, values.validity_years, actor.id
    session.add(setting)
    session.flush()
    record_event(session, actor=actor, action="accreditation_policy.saved", obj=setting, pass_valid_months=values.pass_valid_months,
                 resit_interval_months=values.resit_interval_months, appeal_days=values.appeal_days, validity_years=values.validity_years)


def evidence(session: Session, candidate: User, tier: Tier, now: datetime, policy: rules.Policy | None = None) -> Evidence:
    if policy is None:
        return evidence_for(session, [candidate.id], tier, now)[candidate.id]
    endorsed = session.exec(select(Endorsement).where(Endorsement.candidate_id == candidate.id, Endorsement.tier_id == tier.id,
                                                      Endorsement.status == EndorsementStatus.ACTIVE)).first() is not None
    results, rows = component_results(session, candidate, tier)
    decision = rules.decide(endorsed=endorsed, results=results, now=now, policy=policy)
    return Evidence(decision, rows.get(decision.knowledge), rows.get(decision.practice))


def current_certificate(session: Session, candidate: User, tier: Tier, now: datetime) -> Certificate | None:
    return session.exec(select(Certificate).where(Certificate.candidate_id == candidate.id, Certificate.tier_id == tier.id,
                                                  Certificate.status.in_([CertificateStatus.VALID, CertificateStatus.SUSPENDED]),
                                                  Certificate.expires_at > now)).first()


def _free_index(session: Session) -> int:
    while True:
        index = secrets.randbelow(LIST_BITS)
        if session.exec(select(Certificate.id).where(Certificate.status_index == index)).first() is None:
            return index


def _free_code(session: Session) -> str:
    while True:
        code = new_certificate_id()
        if session.exec(select(Certificate.id).where(Certificate.code == code)).first() is None:
            return code


def verify_url(base_url: str, certificate: Certificate) -> str:
    return f"{base_url}/verify/{certificate.code}?token={certificate.token}"


def issue(session: Session, *, candidate: User, tier: Tier, now: datetime, actor: User | None, keys, base_url: str, issuer: str,
          policy: rules.Policy | None = None, holder_name: str | None = None) -> Certificate:
    """Issue a certificate to an accredited candidate: a signed PDF carrying its credential."""
    policy = policy or current_policy(session)
    found = evidence(session, candidate, tier, now, policy)
    if not found.decision.accredited:
        needed = ", ".join(found.decision.still_needed)
        raise CertificateRefused(f"{candidate.name} is not yet accredited as a {tier.name.lower()}: still needs {needed}")
    if current_certificate(session, candidate, tier, now) is not None:
        raise CertificateRefused(f"{candidate.name} already holds a current {tier.name.lower()} certificate")
    certificate = Certificate(code=_free_code(session), token=secrets.token_urlsafe(24), candidate_id=candidate.id, tier_id=tier.id,
                              holder_name=holder_name or candidate.name, registration_number=candidate.swe_number, issued_at=now,
                              expires_at=rules.expires_at(now, policy), status_index=_free_index(session),
                              knowledge_attempt_id=found.knowledge_attempt.id if found.knowledge_attempt else None,
                              practice_sitting_id=found.practice_sitting.id if found.practice_sitting else None,
                              credential_jwt="", pdf=b"", issued_by_id=actor.id if actor else None)
    _sign_documents(certificate, tier, keys=keys, base_url=base_url, issuer=issuer)
    session.add(certificate)
    session.flush()
    record_event(session, actor=actor, action="certificate.issued", obj=certificate, code=certificate.code, tier=tier.code,
                 candidate=candidate.id)
    return certificate


def _sign_documents(certificate: Certificate, tier: Tier, *, keys, base_url: str, issuer: str) -> None:
    facts = CredentialFacts(certificate.code, certificate.holder_name, certificate.registration_number, tier.code, tier.name,
                            tier.standard, certificate.issued_at, certificate.expires_at, certificate.status_index, base_url, issuer)
    token = sign(credential(facts), okp_key(keys.credential_key, issuer_id(base_url)), subject=certificate.registration_number or certificate.code,
                 not_before=certificate.issued_at, expires=certificate.expires_at)
    pdf = render_certificate(CertificateFacts(certificate.code, certificate.holder_name, certificate.registration_number, tier.name,
                                              tier.standard, certificate.issued_at, certificate.expires_at, issuer,
                                              verify_url(base_url, certificate), f"{base_url}/verify"))
    certificate.credential_jwt = token
    certificate.pdf = sign_certificate(pdf, credential_jwt=token, certificate_id=certificate.code, keys=keys,
                                       reason=f"Certificate of accreditation {certificate.code}")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise CertificateRefused(f"Give the reason in at least {MIN_REASON} characters: it is kept in the audit log")
    return reason


def change_status(session: Session, *, certificate: Certificate, to: CertificateStatus, reason: str, actor: User, now: datetime) -> None:
    """Revoke, suspend or reinstate (to VALID). Takes effect at once on every verification route,
    which all read this row and the status lists built from it."""
    reason = _reason(reason)
    allowed = {CertificateStatus.REVOKED: {CertificateStatus.VALID, CertificateStatus.SUSPENDED},
               CertificateStatus.SUSPENDED: {CertificateStatus.VALID},
               CertificateStatus.VALID: {CertificateStatus.SUSPENDED}}
    if to not in allowed or certificate.status not in allowed[to]:
        raise CertificateRefused(f"A {certificate.status.value} certificate cannot become {to.value}")
    before = certificate.status
    certificate.status, certificate.status_reason, certificate.status_changed_at = to, reason, now
    session.add(certificate)
    record_event(session, actor=actor, action="certificate.status_changed", obj=certificate, before=before.value, after=to.value,
                 reason=reason)


def reissue(session: Session, *, certificate: Certificate, holder_name: str, reason: str, actor: User, now: datetime, keys,
            base_url: str, issuer: str) -> Certificate:
    """A corrected certificate (for example after a change of name) with the same dates; the old one
    then verifies as superseded, pointing at the new one."""
    reason = _reason(reason)
    if certificate.status is not CertificateStatus.VALID:
        raise CertificateRefused(f"Only a valid certificate can be reissued; this one is {certificate.status.value}")
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise CertificateRefused("Enter the name to print on the certificate")
    tier = session.get(Tier, certificate.tier_id)
    new = Certificate(code=_free_code(session), token=secrets.token_urlsafe(24), candidate_id=certificate.candidate_id,
                      tier_id=certificate.tier_id, holder_name=holder_name, registration_number=certificate.registration_number,
                      issued_at=certificate.issued_at, expires_at=certificate.expires_at, status_index=_free_index(session),
                      knowledge_attempt_id=certificate.knowledge_attempt_id, practice_sitting_id=certificate.practice_sitting_id,
                      credential_jwt="", pdf=b"", issued_by_id=actor.id)
    _sign_documents(new, tier, keys=keys, base_url=base_url, issuer=issuer)
    session.add(new)
    session.flush()
    certificate.status, certificate.status_reason, certificate.status_changed_at = CertificateStatus.SUPERSEDED, reason, now
    certificate.superseded_by_id = new.id
    session.add(certificate)
    record_event(session, actor=actor, action="certificate.reissued", obj=certificate, new=new.code, reason=reason)
    return new


def suspend_for_lost_pass(session: Session, *, reason: str, actor: User | None, now: datetime, attempt_id: int | None = None,
                          sitting_id: int | None = None) -> int:
    """Suspend every valid certificate that rests on a pass that has just gone (regraded to a fail,
    set aside or sent back on appeal), so no route reports it valid while administrators decide."""
    query = select(Certificate).where(Certificate.status == CertificateStatus.VALID)
    query = query.where(Certificate.knowledge_attempt_id == attempt_id) if attempt_id is not None \
        else query.where(Certificate.practice_sitting_id == sitting_id)
    found = session.exec(query).all()
    for certificate in found:
        before = certificate.status
        certificate.status, certificate.status_reason, certificate.status_changed_at = CertificateStatus.SUSPENDED, reason, now
        session.add(certificate)
        record_event(session, actor=actor, action="certificate.status_changed", obj=certificate, before=before.value,
                     after=CertificateStatus.SUSPENDED.value, reason=reason)
    return len(found)


def status_indexes(session: Session, purpose: str) -> list[int]:
    """Indexes set in the revocation list (revoked and superseded) or the suspension list."""
    states = {"revocation": [CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED], "suspension": [CertificateStatus.SUSPENDED]}[purpose]
    return list(session.exec(select(Certificate.status_index).where(Certificate.status.in_(states))))


def issue_for_window(session: Session, *, window: AssessmentWindow, now: datetime, actor: User | None, keys, base_url: str, issuer: str,
                     progress=None) -> tuple[int, int, list[str]]:
    """Issue a certificate to every candidate of the window who is now accredited and has none:
    (issued, already held, not yet accredited: names with what they still need)."""
    tier = window.tier
    candidates = session.exec(select(User).join(Booking, Booking.candidate_id == User.id).where(Booking.window_id == window.id)
                              .distinct().order_by(User.id)).all()
    issued, held, not_yet = 0, 0, []
    ids = [c.id for c in candidates]
    certificates, decisions = current_certificates(session, ids, tier, now), evidence_for(session, ids, tier, now)
    for candidate in candidates:
        if candidate.id in certificates:
            held += 1
        else:
            found = decisions[candidate.id]
            if found.decision.accredited:
                issue(session, candidate=candidate, tier=tier, now=now, actor=actor, keys=keys, base_url=base_url, issuer=issuer)
                issued += 1
            else:
                not_yet.append(f"{candidate.name}: needs {', '.join(found.decision.still_needed)}")
        if progress:
            progress(1)
    if actor is not None or issued:
        record_event(session, actor=actor, action="window.certificates_issued", obj=window, issued=issued, held=held,
                     not_yet=len(not_yet))
    return issued, held, not_yet


def send_expiry_reminders(session: Session, *, now: datetime, link: str) -> int:
    """Email the holder and their employer's users when a valid certificate is 90 and 30 days from
    expiry (the policy's reminder days); each reminder once. Returns how many certificates were reminded."""
    from app.mail.services import queue_message
    from app.models import ReminderSent, Role, RoleMembership

    policy = current_policy(session)
    horizon = now + timedelta(days=max(policy.reminder_days))
    sent = 0
    for certificate in session.exec(select(Certificate).where(Certificate.status == CertificateStatus.VALID,
                                                              Certificate.expires_at > now, Certificate.expires_at <= horizon)):
        already = set(session.exec(select(ReminderSent.days_before).where(ReminderSent.certificate_id == certificate.id)))
        due = rules.reminders_due(certificate.expires_at, now, already, policy)
        if not due:
            continue
        holder = certificate.candidate
        employers = [] if holder.organisation_id is None else session.exec(
            select(User).join(RoleMembership, RoleMembership.user_id == User.id)
            .where(User.organisation_id == holder.organisation_id, RoleMembership.role == Role.EMPLOYER, User.active)).all()
        when = f"{certificate.expires_at:%d %B %Y}"
        queue_message(session, to=holder.email, subject=f"Your accreditation ends on {when}",
                      body=f"Dear {holder.name},\n\nYour {certificate.tier.name} accreditation (certificate {certificate.code}) ends on "
                           f"{when}. To stay accredited, talk to your employer about re-accreditation: {link}\n")
        for employer in employers:
            queue_message(session, to=employer.email, subject=f"An accreditation in your organisation ends on {when}",
                          body=f"Dear {employer.name},\n\n{holder.name}'s {certificate.tier.name} accreditation (certificate "
                               f"{certificate.code}) ends on {when}. You may want to plan their re-accreditation.\n")
        session.add(ReminderSent(certificate_id=certificate.id, days_before=due[0], sent_at=now))
        record_event(session, actor=None, action="certificate.expiry_reminded", obj=certificate, days_before=due[0],
                     employers=len(employers))
        sent += 1
    return sent


SHARE_DAYS = (7, 30, 90)


def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def create_share_link(session: Session, *, certificate: Certificate, holder: User, label: str, days: int, now: datetime) -> str:
    """A new share link for the holder's certificate; returns its secret token (shown once)."""
    from app.models import ShareLink

    if certificate.candidate_id != holder.id:
        raise CertificateRefused("You can only share your own certificate")
    label = (label or "").strip()
    if not 2 <= len(label) <= 120:
        raise CertificateRefused("Say who the link is for (for example, the employer's name), in up to 120 characters")
    if days not in SHARE_DAYS:
        raise CertificateRefused(f"Choose how long the link works: {', '.join(str(d) for d in SHARE_DAYS)} days")
    token = secrets.token_urlsafe(24)
    link = ShareLink(certificate_id=certificate.id, token_hash=_token_hash(token), label=label, created_at=now,
                     expires_at=now + timedelta(days=days))
    session.add(link)
    session.flush()
    record_event(session, actor=holder, action="share_link.created", obj=link, certificate=certificate.code, days=days)
    return token


def revoke_share_link(session: Session, *, link, holder: User, now: datetime) -> None:
    certificate = session.get(Certificate, link.certificate_id)
    if certificate.candidate_id != holder.id:
        raise CertificateRefused("You can only revoke your own links")
    if link.revoked_at is None:
        link.revoked_at = now
        session.add(link)
        record_event(session, actor=holder, action="share_link.revoked", obj=link)


def shared(session: Session, token: str, now: datetime):
    """(link, certificate) for a share token; the link may be expired or revoked (the caller says so)."""
    from app.models import ShareLink

    link = session.exec(select(ShareLink).where(ShareLink.token_hash == _token_hash(token or ""))).first()
    if link is None:
        return None, None
    if link.usable(now):
        link.views += 1
        session.add(link)
    return link, session.get(Certificate, link.certificate_id)


def log_lookup(session: Session, *, certificate: Certificate | None, route: str, outcome: str, organisation_id: int | None,
               ip: str, secret: str, now: datetime) -> None:
    """Record one check of a certificate (see VerificationLookup); never commits."""
    log_lookups(session, [(certificate, outcome)], route=route, organisation_id=organisation_id, ip=ip, secret=secret, now=now)


def log_lookups(session: Session, checks: list[tuple[Certificate | None, str]], *, route: str, organisation_id: int | None,
                ip: str, secret: str, now: datetime) -> None:
    """Record checks of certificates, each (certificate or None, outcome), in one statement; never commits."""
    import hashlib
    import hmac

    from sqlalchemy import insert

    from app.models import VerificationLookup

    ip_hash = hmac.new(secret.encode(), (ip or "").encode(), hashlib.sha256).hexdigest()
    session.execute(insert(VerificationLookup), [
        {"certificate_id": certificate.id if certificate else None, "route": route, "outcome": outcome,
         "organisation_id": organisation_id, "ip_hash": ip_hash, "checked_at": now} for certificate, outcome in checks])


def lookups_of(session: Session, certificate: Certificate) -> list:
    from app.models import Organisation, VerificationLookup

    return session.exec(select(VerificationLookup, Organisation).outerjoin(Organisation, Organisation.id == VerificationLookup.organisation_id)
                        .where(VerificationLookup.certificate_id == certificate.id)
                        .order_by(VerificationLookup.checked_at.desc()).limit(200)).all()
