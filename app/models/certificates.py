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


class AccreditationPolicySetting(SQLModel, table=True):
    """The administrators' accreditation policy (without a row: the defaults in app.accreditation.rules)."""

    __tablename__ = "accreditation_policy"

    id: int | None = Field(default=None, primary_key=True)
    pass_valid_months: int = Field(default=12)
    resit_interval_months: int = Field(default=3)
    appeal_days: int = Field(default=28)
    validity_years: int = Field(default=3)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AppealStatus(str, Enum):
    SUBMITTED = "submitted"
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"

    @property
    def label(self) -> str:
        return {"submitted": "Waiting for a decision", "upheld": "Upheld", "not_upheld": "Not upheld"}[self.value]


class AppealRemedy(str, Enum):
    REMARK = "remark"  # the result is marked again
    VOID = "void"  # the result is set aside: the candidate sits again without penalty

    @property
    def label(self) -> str:
        return {"remark": "Marked again", "void": "Result set aside: sit again without penalty"}[self.value]


class Appeal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    component: str = Field(max_length=10)  # knowledge | practice
    attempt_id: int | None = Field(default=None, foreign_key="attempt.id")
    practice_sitting_id: int | None = Field(default=None, foreign_key="practice_sitting.id")
    grounds: str = Field(max_length=4000)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: AppealStatus = Field(default=AppealStatus.SUBMITTED, sa_type=enum_type(AppealStatus), index=True)
    remedy: AppealRemedy | None = Field(default=None, sa_type=enum_type(AppealRemedy))
    rationale: str | None = Field(default=None, max_length=4000)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    candidate: User = Relationship(sa_relationship_kwargs={"foreign_keys": "Appeal.candidate_id"})


class ReminderSent(SQLModel, table=True):
    """An expiry reminder sent for a certificate (days before expiry), so none is sent twice."""

    __tablename__ = "expiry_reminder"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "days_before", name="uq_expiry_reminder_days"),)

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True)
    days_before: int
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShareLink(SQLModel, table=True):
    """A link a holder gives an employer to see their certificate's current status. Only a hash of
    its secret is stored; it expires, and the holder can revoke it."""

    __tablename__ = "share_link"

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=120)  # who it is for, so the holder can tell links apart
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    views: int = Field(default=0)

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class VerificationLookup(SQLModel, table=True):
    """One check of a certificate: when, by which route, with what outcome, by which organisation if
    the checker was signed in. The IP address is kept only as a keyed hash (HMAC with the service's
    secret), enough to spot abuse, not to identify anyone."""

    __tablename__ = "verification_lookup"

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id", index=True)  # None: nothing matched
    route: str = Field(max_length=20)  # form | qr | share | upload
    outcome: str = Field(max_length=20)  # the status shown, or not_found, typo, altered, not_ours
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    ip_hash: str = Field(max_length=64)
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
