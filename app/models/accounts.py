"""Organisations, users and their role memberships, and one-time account links."""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.types import UTCDateTime, enum_type, utcnow


class OrganisationKind(str, Enum):
    LOCAL_AUTHORITY = "local_authority"
    CHILDRENS_TRUST = "childrens_trust"
    VOLUNTARY_OR_INDEPENDENT = "voluntary_or_independent"

    @property
    def label(self) -> str:
        return {
            "local_authority": "Local authority",
            "childrens_trust": "Children's services trust",
            "voluntary_or_independent": "Voluntary or independent agency",
        }[self.value]


class Role(str, Enum):
    CANDIDATE = "candidate"
    ASSESSOR = "assessor"
    MODERATOR = "moderator"
    EMPLOYER = "employer"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class TokenPurpose(str, Enum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: OrganisationKind = Field(sa_type=enum_type(OrganisationKind))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    members: list["User"] = Relationship(back_populates="organisation")


class User(SQLModel, table=True):
    """A person who signs in. Flask-Login's user protocol is implemented below."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    swe_number: str | None = Field(default=None, max_length=12, unique=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    failed_sign_ins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    session_version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    organisation: Organisation | None = Relationship(back_populates="members")
    memberships: list["RoleMembership"] = Relationship(
        back_populates="user",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin",
                                "foreign_keys": "RoleMembership.user_id"},
    )

    @property
    def roles(self) -> set[Role]:
        return {membership.role for membership in self.memberships}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    # Flask-Login protocol. The id carries session_version so a password change ends other sessions.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class RoleMembership(SQLModel, table=True):
    __tablename__ = "role_membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "role", name="uq_role_membership_user_id_role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    role: Role = Field(sa_type=enum_type(Role))
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    granted_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    user: User = Relationship(
        back_populates="memberships", sa_relationship_kwargs={"foreign_keys": "RoleMembership.user_id"}
    )


class AccountToken(SQLModel, table=True):
    """A one-time, expiring link (invitation or password reset). Only a hash of the secret is kept."""

    __tablename__ = "account_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: TokenPurpose = Field(sa_type=enum_type(TokenPurpose))
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    user: User = Relationship(sa_relationship_kwargs={"foreign_keys": "AccountToken.user_id"})
