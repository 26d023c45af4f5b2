"""What an employer's organisation holds: its API keys, and each candidate's choice about sharing
their detailed results with their employer."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.accounts import Organisation
from app.models.types import UTCDateTime, utcnow

SCOPES = {
    "verify": "Check certificates (one at a time or in batches of up to 1,000)",
    "accreditations": "List your organisation's accreditations and those ending soon",
}


class ApiKey(SQLModel, table=True):
    """A key an organisation's HR system uses for the JSON API. Only a SHA-256 hash of the secret is
    kept; the key is shown once, when it is created. `prefix` is the public part that names it."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    organisation: Organisation = Relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ResultsSharing(SQLModel, table=True):
    """A candidate's choice: may the organisation they work for see their detailed results (scores
    and KSS profiles)? Asked at booking and changeable at any time; it holds only for the
    organisation it was given to, so it lapses when the candidate moves employer."""

    __tablename__ = "results_sharing"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user_account.id", unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    share: bool = Field(default=False)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
