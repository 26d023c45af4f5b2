"""Observed practice: station sets (authored content, versioned like items), assessors' profiles and
declared conflicts, sittings, the two markers of each sitting, their marks, moderation and the agreed
marks. A criterion is named by (station code, criterion id) within the set version the sitting uses,
so a later edit of the content never changes what a sitting was marked against."""

from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.accounts import User
from app.models.framework import Tier
from app.models.types import UTCDateTime, enum_type, utcnow


class StationSet(SQLModel, table=True):
    __tablename__ = "station_set"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    tier_id: int = Field(foreign_key="tier.id", index=True)
    status: str = Field(max_length=10)  # draft | live | retired
    source_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    versions: list["StationSetVersion"] = Relationship(
        back_populates="station_set", sa_relationship_kwargs={"order_by": "StationSetVersion.number", "lazy": "selectin"})
    tier: Tier = Relationship()

    @property
    def current(self) -> "StationSetVersion":
        return self.versions[-1]


class StationSetVersion(SQLModel, table=True):
    __tablename__ = "station_set_version"
    __table_args__ = (sa.UniqueConstraint("set_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="station_set.id", index=True)
    number: int
    title: str = Field(max_length=160)
    content: dict[str, Any] = Field(sa_type=sa.JSON)  # the authored set: summary and stations with rubrics
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    station_set: StationSet = Relationship(back_populates="versions")

    @property
    def stations(self) -> list[dict[str, Any]]:
        return self.content["stations"]

    def criteria(self) -> list[tuple[str, str]]:
        """Every (station code, criterion id), in order."""
        return [(station["id"], criterion["id"]) for station in self.stations for criterion in station["rubric"]]

    def kss(self) -> dict[tuple[str, str], list[str]]:
        return {(station["id"], criterion["id"]): criterion["kss"] for station in self.stations for criterion in station["rubric"]}


class AssessorProfile(SQLModel, table=True):
    """What an assessor is trained for and how many sittings they can take at once. Their own
    organisation is the one on their account."""

    __tablename__ = "assessor_profile"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", unique=True)
    tiers: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # tier codes
    capacity: int = Field(default=6)  # sittings being marked at once
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    user: User = Relationship()


class ConflictOfInterest(SQLModel, table=True):
    __tablename__ = "conflict_of_interest"
    __table_args__ = (sa.UniqueConstraint("assessor_id", "candidate_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessor_id: int = Field(foreign_key="user_account.id", index=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    reason: str = Field(max_length=500)
    declared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PracticeRoute(str, Enum):
    CENTRE = "centre"
    REMOTE = "remote"
    WORKPLACE = "workplace"  # a direct observation of real practice, marked against the same rubrics

    @property
    def label(self) -> str:
        return {"centre": "At an assessment centre", "remote": "Remote (video)", "workplace": "Workplace observation"}[self.value]


class SittingStatus(str, Enum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    MODERATION = "moderation"
    AGREED = "agreed"
    RELEASED = "released"

    @property
    def label(self) -> str:
        return {"scheduled": "Scheduled", "checked_in": "Checked in: being marked", "moderation": "With a moderator",
                "agreed": "Marks agreed", "released": "Result released"}[self.value]


class PracticeSitting(SQLModel, table=True):
    __tablename__ = "practice_sitting"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    tier_id: int = Field(foreign_key="tier.id")
    set_version_id: int = Field(foreign_key="station_set_version.id")
    route: PracticeRoute = Field(sa_type=enum_type(PracticeRoute))
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    location: str | None = Field(default=None, max_length=200)
    status: SittingStatus = Field(default=SittingStatus.SCHEDULED, sa_type=enum_type(SittingStatus), index=True)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Check-in by centre staff
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_in_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    identity_checked: bool = Field(default=False)  # photo identity seen
    registration_confirmed: bool = Field(default=False)  # Social Work England registration number confirmed
    filming_consent: bool = Field(default=False)
    adjustments_in_place: bool = Field(default=False)
    check_in_note: str | None = Field(default=None, max_length=1000)
    # Outcome
    moderated: bool = Field(default=False)
    passed: bool | None = Field(default=None)
    voided_on_appeal: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # neither a pass nor an attempt
    agreed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The marking rule in force when the marks were agreed (app.practice.rules.StationRule fields), so a
    # later change of rule never changes a decision already made or how it is shown.
    rule: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    candidate: User = Relationship(sa_relationship_kwargs={"foreign_keys": "PracticeSitting.candidate_id"})
    tier: Tier = Relationship()
    set_version: StationSetVersion = Relationship()
    allocations: list["MarkerAllocation"] = Relationship(
        back_populates="sitting", sa_relationship_kwargs={"order_by": "MarkerAllocation.position", "lazy": "selectin"})


class MarkerAllocation(SQLModel, table=True):
    """One of a sitting's two independent assessors (position 1 or 2). Submitting locks their marks."""

    __tablename__ = "marker_allocation"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "position", name="uq_marker_allocation_position"),
                      sa.UniqueConstraint("sitting_id", "assessor_id", name="uq_marker_allocation_assessor"))

    id: int | None = Field(default=None, primary_key=True)
    sitting_id: int = Field(foreign_key="practice_sitting.id", index=True)
    assessor_id: int = Field(foreign_key="user_account.id", index=True)
    position: int
    automatic: bool = Field(default=True)
    reason: str | None = Field(default=None, max_length=500)  # for an administrator's override
    allocated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reconsider_note: str | None = Field(default=None, max_length=1000)  # a moderator's request to look again

    sitting: PracticeSitting = Relationship(back_populates="allocations")
    assessor: User = Relationship()


class CriterionMark(SQLModel, table=True):
    __tablename__ = "criterion_mark"
    __table_args__ = (sa.UniqueConstraint("allocation_id", "station", "criterion"),)

    id: int | None = Field(default=None, primary_key=True)
    allocation_id: int = Field(foreign_key="marker_allocation.id", index=True)
    station: str = Field(max_length=60)
    criterion: str = Field(max_length=40)
    score: int | None = Field(default=None)  # 1-7; None while a draft leaves it blank
    evidence: str = Field(default="", max_length=4000)  # for markers and moderators
    feedback: str = Field(default="", max_length=2000)  # written for the candidate
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgreedMark(SQLModel, table=True):
    __tablename__ = "agreed_mark"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "station", "criterion"),)

    id: int | None = Field(default=None, primary_key=True)
    sitting_id: int = Field(foreign_key="practice_sitting.id", index=True)
    station: str = Field(max_length=60)
    criterion: str = Field(max_length=40)
    score: float  # the mean of two agreeing marks, or the moderator's mark
    feedback: str = Field(default="", max_length=2000)


class Moderation(SQLModel, table=True):
    __tablename__ = "moderation"

    id: int | None = Field(default=None, primary_key=True)
    sitting_id: int = Field(foreign_key="practice_sitting.id", unique=True)
    moderator_id: int = Field(foreign_key="user_account.id")
    rationale: str = Field(max_length=4000)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    moderator: User = Relationship()


class PracticeRuleSetting(SQLModel, table=True):
    """An administrator's station rule and marking tolerance for a tier (without a row: the defaults)."""

    __tablename__ = "practice_rule_setting"

    id: int | None = Field(default=None, primary_key=True)
    tier_id: int = Field(foreign_key="tier.id", unique=True)
    lowest_allowed: int = Field(default=3)
    mean_at_least: float = Field(default=4.0)
    moderate_at: int = Field(default=2)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalibrationExercise(SQLModel, table=True):
    """A benchmarked sample of candidate work (a written assessment or a transcript) for one station,
    with the marks the standard-setting group agreed: assessors mark it for practice and see how close
    they came."""

    __tablename__ = "calibration_exercise"

    id: int | None = Field(default=None, primary_key=True)
    set_version_id: int = Field(foreign_key="station_set_version.id")
    station: str = Field(max_length=60)
    title: str = Field(max_length=160)
    sample: str = Field(max_length=20000)  # the candidate's written work, or a transcript of the simulation
    benchmark: dict[str, int] = Field(sa_type=sa.JSON)  # criterion id -> agreed mark
    rationale: str = Field(max_length=4000)  # why the benchmark marks are what they are
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    set_version: StationSetVersion = Relationship()

    @property
    def station_content(self) -> dict[str, Any]:
        return next(s for s in self.set_version.stations if s["id"] == self.station)


class CalibrationAttempt(SQLModel, table=True):
    __tablename__ = "calibration_attempt"
    __table_args__ = (sa.UniqueConstraint("exercise_id", "assessor_id", name="uq_calibration_attempt_assessor"),)

    id: int | None = Field(default=None, primary_key=True)
    exercise_id: int = Field(foreign_key="calibration_exercise.id", index=True)
    assessor_id: int = Field(foreign_key="user_account.id", index=True)
    marks: dict[str, int] = Field(sa_type=sa.JSON)  # criterion id -> mark
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    assessor: User = Relationship()
