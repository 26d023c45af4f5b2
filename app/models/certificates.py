"""Accreditation certificates: one per accreditation, with its signed PDF and credential, its random
status-list index, and its status (revoked, suspended and superseded are set here; expired follows
from the dates)."""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.accounts import User
from app.models.framework import Tier
from app.models.types import UTCDateTime, enum_type, utcnow


class CertificateStatus(str, Enum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)  # the certificate id people read and type
    token: str = Field(max_length=64, unique=True)  # the secret in the QR link, so the surname is not needed
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    tier_id: int = Field(foreign_key="tier.id")
    holder_name: str = Field(max_length=200)
    registration_number: str | None = Field(default=None, max_length=20)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    status_index: int = Field(unique=True)  # random position in the Bitstring Status Lists
    status: CertificateStatus = Field(default=CertificateStatus.VALID, sa_type=enum_type(CertificateStatus), index=True)
    status_reason: str | None = Field(default=None, max_length=1000)
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    superseded_by_id: int | None = Field(default=None, foreign_key="certificate.id")
    knowledge_attempt_id: int | None = Field(default=None, foreign_key="attempt.id")
    practice_sitting_id: int | None = Field(default=None, foreign_key="practice_sitting.id")
    credential_jwt: str = Field(sa_type=sa.Text)
    pdf: bytes = Field(sa_type=sa.LargeBinary)
    issued_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    candidate: User = Relationship(sa_relationship_kwargs={"foreign_keys": "Certificate.candidate_id"})
    tier: Tier = Relationship()

    def current_status(self, now: datetime) -> str:
        """valid, expired, suspended, revoked or superseded, as a verifier should report it."""
        if self.status is CertificateStatus.VALID and now >= self.expires_at:
            return "expired"
        return self.status.value
