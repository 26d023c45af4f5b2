"""Two-factor authentication: a TOTP authenticator (RFC 6238) and single-use recovery codes."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class TwoFactor(SQLModel, table=True):
    """A person's authenticator. The shared secret is stored encrypted with a key derived from the
    service's secret; `confirmed_at` is set once they have entered a code from it. `last_step` is the
    last TOTP time step accepted, so a code cannot be used twice."""

    __tablename__ = "two_factor"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", unique=True)
    secret_encrypted: str = Field(max_length=400)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_step: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """One single-use code for when the authenticator is lost; only a SHA-256 hash is kept."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
