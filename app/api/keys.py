"""Per-organisation API keys: created and revoked on the employer's page, shown once, stored as a
SHA-256 hash (the secret is 256 random bits, so a slow hash adds nothing), scoped, and stamped with
when they were last used. Keyword-only, take the session, never commit."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.models import SCOPES, ApiKey, Organisation, User
from app.models.types import utcnow

KEY_PREFIX = "kss_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most this often per key
MAX_ACTIVE_KEYS = 20


class ApiKeyError(AccountError):
    """A key cannot be created or revoked; `field` names the form field concerned."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Refusal:
    kind: str  # missing-api-key | invalid-api-key | revoked-api-key
    detail: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, actor: User | None, organisation: Organisation, name: str, scopes: list[str],
               now: datetime | None = None, secret: str | None = None) -> tuple[ApiKey, str]:
    """A new key for the organisation; returns it with the full secret, which is never stored.
    `secret` is only for the demo key, which is derived from the service's secret (see demo_key)."""
    name = " ".join((name or "").split())
    if not name:
        raise ApiKeyError("name", "Enter a name for the key, such as the system that will use it")
    if len(name) > 100:
        raise ApiKeyError("name", "The name must be 100 characters or fewer")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ApiKeyError("scopes", f"Unknown scope: {', '.join(unknown)}")
    if not scopes:
        raise ApiKeyError("scopes", "Choose what the key may do")
    active = organisation_keys(session, organisation, include_revoked=False)
    if any(k.name.casefold() == name.casefold() for k in active):
        raise ApiKeyError("name", f"Your organisation already has a key called {name}. Choose another name")
    if len(active) >= MAX_ACTIVE_KEYS:
        raise ApiKeyError("name", f"Your organisation has {MAX_ACTIVE_KEYS} keys in use. Revoke one you no longer need first")
    if secret is None:
        secret = f"{KEY_PREFIX}{secrets.token_hex(5)}_{secrets.token_urlsafe(32)}"
    prefix = secret[len(KEY_PREFIX):].partition("_")[0]
    key = ApiKey(organisation_id=organisation.id, name=name, prefix=prefix, secret_hash=_hash(secret),
                 scopes=[s for s in SCOPES if s in scopes], created_by_id=actor.id if actor else None, created_at=now or utcnow())
    session.add(key)
    session.flush()
    record_event(session, actor=actor, action="api_key.created", obj=key, name=name, scopes=key.scopes,
                 organisation_id=organisation.id)
    return key, secret


def demo_key(service_secret: str) -> str:
    """The demo organisation's key for `make run`: derived from the service's secret so that the
    demo can print it every time it starts, while only its hash is stored. Never used in production
    data: it is created only by `flask seed-demo`."""
    digest = hmac.new(service_secret.encode(), b"kss demo api key", hashlib.sha256).digest()
    import base64

    return f"{KEY_PREFIX}{digest[:5].hex()}_{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


DEMO_KEY_NAME = "Demo HR system"


def seed_demo_key(session: Session, *, organisation: Organisation, service_secret: str) -> str | None:
    """Create the demo key once (safe to run again); returns it, or None when someone revoked it.
    A demo key made under an earlier secret is revoked and replaced."""
    secret = demo_key(service_secret)
    prefix = secret[len(KEY_PREFIX):].partition("_")[0]
    existing = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if existing is not None:
        return secret if existing.active else None
    for stale in organisation_keys(session, organisation, include_revoked=False):
        if stale.name == DEMO_KEY_NAME:
            revoke_key(session, actor=None, key=stale)
    create_key(session, actor=None, organisation=organisation, name=DEMO_KEY_NAME, scopes=list(SCOPES), secret=secret)
    return secret


def revoke_key(session: Session, *, actor: User | None, key: ApiKey, now: datetime | None = None) -> None:
    if key.revoked_at is not None:
        raise ApiKeyError("key", f"The key {key.name} was already revoked")
    key.revoked_at, key.revoked_by_id = now or utcnow(), actor.id if actor else None
    record_event(session, actor=actor, action="api_key.revoked", obj=key, name=key.name, organisation_id=key.organisation_id)


def organisation_keys(session: Session, organisation: Organisation, *, include_revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.organisation_id == organisation.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.exec(query.order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())).all())


def authenticate(session: Session, authorization: str | None, *, now: datetime) -> ApiKey | Refusal:
    """The key named by an `Authorization: Bearer ...` header, or why it is refused."""
    scheme, _, presented = (authorization or "").strip().partition(" ")
    presented = presented.strip()
    if not authorization or scheme.lower() != "bearer" or not presented:
        return Refusal("missing-api-key", "Send your API key in the Authorization header: 'Authorization: Bearer kss_...'")
    body = presented[len(KEY_PREFIX):] if presented.startswith(KEY_PREFIX) else ""
    prefix, _, secret = body.partition("_")
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first() if prefix and secret else None
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(presented)):
        return Refusal("invalid-api-key", "This API key is not recognised. Check it was copied in full")
    if key.revoked_at is not None:
        return Refusal("revoked-api-key", f"This API key was revoked on {key.revoked_at:%d %B %Y}. Create a new key")
    return key


def stamp_use(key: ApiKey, now: datetime) -> bool:
    """Note the key's use; True when that changed the row (at most once a minute, so reads stay reads)."""
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        key.last_used_at = now
        return True
    return False
