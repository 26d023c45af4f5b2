"""Two-factor authentication with a TOTP authenticator app (RFC 6238: 6 digits, 30-second steps,
one step of clock drift either way) and ten single-use recovery codes.

Required for the roles in TWO_FACTOR_ROLES (administrators, assessors and moderators unless the
deployment says otherwise), offered to everyone. The shared secret is encrypted at rest (Fernet,
with a key derived from SECRET_KEY); recovery codes are kept only as SHA-256 hashes (they are 50
random bits each, and single-use). A code, once accepted, cannot be used again. Keyword-only, take
the session, never commit."""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlmodel import Session, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.models import RecoveryCode, Role, TwoFactor, User

ISSUER_NAME = "KSS accreditation"
RECOVERY_CODES = 10
STEP = 30


class TwoFactorError(AccountError):
    field = "code"


def required_for(user: User, roles: set[str]) -> bool:
    return any(role.value in roles for role in user.roles)


def roles_from_config(value: str) -> set[str]:
    roles = {part.strip() for part in (value or "").split(",") if part.strip()}
    unknown = roles - {role.value for role in Role}
    if unknown:
        raise ValueError(f"TWO_FACTOR_ROLES names roles that do not exist: {', '.join(sorted(unknown))}")
    return roles


def _fernet(service_secret: str) -> Fernet:
    key = hashlib.sha256(b"kss two-factor secrets\x00" + service_secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _secret(record: TwoFactor, service_secret: str) -> str:
    try:
        return _fernet(service_secret).decrypt(record.secret_encrypted.encode()).decode()
    except InvalidToken:
        raise TwoFactorError("Your authenticator cannot be checked because the service's secret changed. "
                             "Use a recovery code, or ask the accreditation team to reset two-factor sign-in") from None


def record_of(session: Session, user: User) -> TwoFactor | None:
    return session.exec(select(TwoFactor).where(TwoFactor.user_id == user.id)).first()


def enabled(session: Session, user: User) -> bool:
    record = record_of(session, user)
    return record is not None and record.confirmed_at is not None


def start_setup(session: Session, *, user: User, service_secret: str) -> tuple[str, str]:
    """A new secret for the person to add to their authenticator: (secret in base32, otpauth URI).
    Replaces an unconfirmed one; refused when two-factor sign-in is already on."""
    record = record_of(session, user)
    if record is not None and record.confirmed_at is not None:
        raise TwoFactorError("Two-factor sign-in is already on")
    secret = pyotp.random_base32()
    encrypted = _fernet(service_secret).encrypt(secret.encode()).decode()
    if record is None:
        session.add(TwoFactor(user_id=user.id, secret_encrypted=encrypted))
    else:
        record.secret_encrypted, record.last_step = encrypted, 0
    session.flush()
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER_NAME)


def setup_secret(session: Session, *, user: User, service_secret: str) -> str:
    """The secret being set up: the unconfirmed one if there is one, else a new one. The person's row
    is locked first, so two tabs opening the set-up page at once get the same secret instead of both
    adding one (which broke the one-per-person rule and gave the second tab an error on PostgreSQL)."""
    session.exec(select(User.id).where(User.id == user.id).with_for_update())
    return pending_secret(session, user=user, service_secret=service_secret) or start_setup(
        session, user=user, service_secret=service_secret)[0]


def pending_secret(session: Session, *, user: User, service_secret: str) -> str | None:
    record = record_of(session, user)
    return _secret(record, service_secret) if record is not None and record.confirmed_at is None else None


def _accept_totp(record: TwoFactor, secret: str, code: str, now: datetime) -> bool:
    """Whether `code` is the authenticator's code for now (one step either way) and newer than the last accepted."""
    step_now = int(now.timestamp()) // STEP
    totp = pyotp.TOTP(secret)
    for step in (step_now - 1, step_now, step_now + 1):
        if step > record.last_step and hmac.compare_digest(totp.at(step * STEP), code):
            record.last_step = step
            return True
    return False


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").upper()


def confirm_setup(session: Session, *, user: User, code: str, service_secret: str, now: datetime) -> list[str]:
    """Turn two-factor sign-in on with a code from the new authenticator; returns the recovery codes,
    which are shown once."""
    record = record_of(session, user)
    if record is None or record.confirmed_at is not None:
        raise TwoFactorError("Start setting up two-factor sign-in again")
    code = _clean(code)
    if not (code.isdigit() and len(code) == 6):
        raise TwoFactorError("Enter the 6-digit code your authenticator app shows")
    if not _accept_totp(record, _secret(record, service_secret), code, now):
        raise TwoFactorError("That code is not right. Check the time on your phone is set automatically, then enter the newest code")
    record.confirmed_at = now
    codes = new_recovery_codes(session, user=user)
    record_event(session, actor=user, action="two_factor.enabled", obj=user)
    return codes


def new_recovery_codes(session: Session, *, user: User) -> list[str]:
    """Ten fresh recovery codes (the old ones stop working)."""
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(7)).decode()[:10]
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=hashlib.sha256(raw.encode()).hexdigest()))
    session.flush()
    return codes


def verify(session: Session, *, user: User, code: str, service_secret: str, now: datetime) -> str:
    """Check a sign-in code: an authenticator code or an unused recovery code. Returns which it was
    ("authenticator" or "recovery code"); raises TwoFactorError otherwise."""
    record = record_of(session, user)
    if record is None or record.confirmed_at is None:
        raise TwoFactorError("Two-factor sign-in is not set up for this account")
    code = _clean(code)
    if not code:
        raise TwoFactorError("Enter the code from your authenticator app, or a recovery code")
    if code.isdigit() and len(code) == 6:
        if _accept_totp(record, _secret(record, service_secret), code, now):
            return "authenticator"
        raise TwoFactorError("That code is not right, or it has been used already. Enter the newest code from your authenticator app")
    digest = hashlib.sha256(code.encode()).hexdigest()
    for candidate in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))):
        if hmac.compare_digest(candidate.code_hash, digest):
            candidate.used_at = now
            record_event(session, actor=user, action="two_factor.recovery_code_used", obj=user)
            return "recovery code"
    raise TwoFactorError("That recovery code is not right, or it has been used already")


def unused_recovery_codes(session: Session, user: User) -> int:
    return len(session.exec(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def disable(session: Session, *, user: User, actor: User, required: bool) -> None:
    """Turn two-factor sign-in off: by the person (not when their role requires it), or by an
    administrator resetting a lost authenticator (they must set it up again at their next sign-in)."""
    if required and actor.id == user.id:
        raise TwoFactorError("Your role needs two-factor sign-in, so it cannot be turned off")
    record = record_of(session, user)
    if record is None:
        raise TwoFactorError("Two-factor sign-in is not on")
    session.delete(record)
    for code in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(code)
    record_event(session, actor=actor, action="two_factor.disabled", obj=user, by_administrator=actor.id != user.id)
