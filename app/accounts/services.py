"""Account operations. Keyword-only, take the session, never commit (the view does)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

from sqlmodel import Session, select

from app.accounts import messages
from app.accounts.errors import (
    AccountLocked,
    EmailInUse,
    LinkNotUsable,
    RegistrationNumberInUse,
    SignInFailed,
)
from app.accounts.passwords import hash_password, hasher, verify_password
from app.audit import record_event
from app.mail import queue_message
from app.models import AccountToken, Organisation, Role, RoleMembership, TokenPurpose, User
from app.models.types import utcnow

LinkBuilder = Callable[[str], str]  # secret -> absolute URL of the page that redeems it


@dataclass(frozen=True)
class AccountPolicy:
    """The deployment's account settings, taken from the app config by the views."""

    hash_profile: str = "default"
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    invitation_valid: timedelta = timedelta(days=7)
    reset_valid: timedelta = timedelta(hours=1)
    service_name: str = "Child and family social work accreditation"

    @classmethod
    def from_config(cls, config) -> "AccountPolicy":
        return cls(
            hash_profile=config["PASSWORD_HASH_PROFILE"],
            lockout_threshold=config["LOCKOUT_THRESHOLD"],
            lockout_minutes=config["LOCKOUT_MINUTES"],
            invitation_valid=timedelta(hours=config["INVITATION_VALID_HOURS"]),
            reset_valid=timedelta(minutes=config["PASSWORD_RESET_VALID_MINUTES"]),
            service_name=config["SERVICE_NAME"],
        )


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


# Signing in ---------------------------------------------------------------------------------

_WRONG_DETAILS = "Enter a correct email address and password. The details you entered did not match an account"


def authenticate(session: Session, *, email: str, password: str, policy: AccountPolicy, now: datetime | None = None) -> User:
    """Return the user if the password is right. Failures are counted (the caller commits them
    even though sign-in failed) and lock the account after policy.lockout_threshold in a row."""
    now = now or utcnow()
    user = find_user_by_email(session, email)
    if user is None or not user.has_password:
        hasher(policy.hash_profile).hash(password)  # same work as a real check: no timing oracle
        raise SignInFailed(_WRONG_DETAILS)
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if not verify_password(user.password_hash, password, profile=policy.hash_profile):
        _count_failure(session, user, policy, now)
    if not user.active:
        raise SignInFailed("Your account has been deactivated. Contact the accreditation team if this is wrong")
    if hasher(policy.hash_profile).check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password, profile=policy.hash_profile)
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, now
    record_event(session, actor=user, action="user.signed_in", obj=user)
    return user


def _count_failure(session: Session, user: User, policy: AccountPolicy, now: datetime):
    user.failed_sign_ins += 1
    if user.failed_sign_ins < policy.lockout_threshold:
        raise SignInFailed(_WRONG_DETAILS)
    user.failed_sign_ins = 0
    user.locked_until = now + timedelta(minutes=policy.lockout_minutes)
    record_event(session, actor=None, action="user.locked", obj=user, until=user.locked_until.isoformat())
    raise AccountLocked(user.locked_until)


def record_sign_out(session: Session, *, user: User) -> None:
    record_event(session, actor=user, action="user.signed_out", obj=user)


# Invitations and one-time links ---------------------------------------------------------------

def invite_user(
    session: Session, *, actor: User, name: str, email: str, roles: Iterable[Role],
    organisation: Organisation | None, swe_number: str | None, policy: AccountPolicy, link_for: LinkBuilder,
) -> User:
    """Create an account without a password and email the person a link to set one."""
    email = email.strip().lower()
    if find_user_by_email(session, email):
        raise EmailInUse(email)
    if swe_number and session.exec(select(User).where(User.swe_number == swe_number)).first():
        raise RegistrationNumberInUse(swe_number)
    user = User(name=name.strip(), email=email, swe_number=swe_number or None, organisation=organisation)
    user.memberships = [RoleMembership(role=role, granted_by_id=actor.id) for role in sorted(set(roles))]
    session.add(user)
    session.flush()
    record_event(session, actor=actor, action="user.invited", obj=user,
                 roles=sorted(role.value for role in user.roles), organisation_id=user.organisation_id)
    send_invitation(session, actor=actor, user=user, policy=policy, link_for=link_for)
    return user


def send_invitation(session: Session, *, actor: User, user: User, policy: AccountPolicy, link_for: LinkBuilder) -> None:
    secret = issue_link(session, user=user, purpose=TokenPurpose.INVITATION, valid_for=policy.invitation_valid, actor=actor)
    subject, body = messages.invitation(user=user, inviter=actor, link=link_for(secret), policy=policy)
    queue_message(session, to=user.email, subject=subject, body=body)


def issue_link(session: Session, *, user: User, purpose: TokenPurpose, valid_for: timedelta, actor: User | None) -> str:
    """Make a one-time link secret; earlier unused links of the same purpose stop working."""
    now = utcnow()
    for old in session.exec(select(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None),
        AccountToken.expires_at > now,
    )):
        old.expires_at = now
    secret = secrets.token_urlsafe(32)
    session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_digest(secret),
                             expires_at=now + valid_for, created_by_id=actor.id if actor else None))
    record_event(session, actor=actor, action=f"user.{purpose.value}_link_issued", obj=user)
    return secret


def check_link(session: Session, *, secret: str, purpose: TokenPurpose, now: datetime | None = None) -> AccountToken:
    """The token behind a link, or LinkNotUsable saying exactly why it cannot be used."""
    now = now or utcnow()
    token = session.exec(select(AccountToken).where(AccountToken.token_hash == _digest(secret))).first()
    what = "invitation" if purpose is TokenPurpose.INVITATION else "password reset"
    if token is None or token.purpose is not purpose:
        raise LinkNotUsable("unknown", f"This {what} link is not recognised. Check you copied the whole link from the email")
    if token.used_at is not None:
        raise LinkNotUsable("used", f"This {what} link has already been used. Each link works only once")
    if token.expires_at <= now or not token.user.active:
        raise LinkNotUsable("expired", f"This {what} link has expired")
    return token


def redeem_link(session: Session, *, secret: str, purpose: TokenPurpose, password: str, policy: AccountPolicy) -> User:
    """Set the password through a one-time link. Other sessions of the user are ended."""
    token = check_link(session, secret=secret, purpose=purpose)
    user = token.user
    token.used_at = utcnow()
    user.password_hash = hash_password(password, profile=policy.hash_profile)
    user.session_version += 1
    user.failed_sign_ins, user.locked_until = 0, None
    record_event(session, actor=user, action="user.password_set", obj=user, via=purpose.value)
    return user


def request_password_reset(session: Session, *, email: str, policy: AccountPolicy, link_for: LinkBuilder) -> None:
    """Email a reset link if an active account has this address. Says nothing either way."""
    user = find_user_by_email(session, email)
    if user is None or not user.active:
        return
    secret = issue_link(session, user=user, purpose=TokenPurpose.PASSWORD_RESET, valid_for=policy.reset_valid, actor=None)
    subject, body = messages.password_reset(user=user, link=link_for(secret), policy=policy)
    queue_message(session, to=user.email, subject=subject, body=body)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Administration ---------------------------------------------------------------------------

def set_roles(session: Session, *, actor: User, user: User, roles: Iterable[Role]) -> None:
    wanted, before = set(roles), user.roles
    if wanted == before:
        return
    user.memberships = [m for m in user.memberships if m.role in wanted] + [
        RoleMembership(role=role, granted_by_id=actor.id) for role in sorted(wanted - before)
    ]
    record_event(session, actor=actor, action="user.roles_changed", obj=user,
                 before=sorted(r.value for r in before), after=sorted(r.value for r in wanted))


def set_active(session: Session, *, actor: User, user: User, active: bool) -> None:
    if user.active == active:
        return
    user.active = active
    user.session_version += 1  # deactivation ends the user's sessions
    record_event(session, actor=actor, action="user.reactivated" if active else "user.deactivated", obj=user)
