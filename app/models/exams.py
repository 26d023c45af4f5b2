"""The candidate's journey through the knowledge assessment: endorsement, windows and bookings,
adjustments, blueprints, prepared forms, attempts and their saved answers."""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.accounts import User
from app.models.framework import Tier
from app.models.types import UTCDateTime, enum_type, utcnow


class EndorsementStatus(str, Enum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Endorsement(SQLModel, table=True):
    """An employer's statement that a candidate's practice meets a tier's statements, so that the
    candidate may book an assessment for that tier. At most one active endorsement per tier."""

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    tier_id: int = Field(foreign_key="tier.id")
    endorsed_by_id: int = Field(foreign_key="user_account.id")
    statement: str = Field(max_length=2000)
    status: EndorsementStatus = Field(default=EndorsementStatus.ACTIVE, sa_type=enum_type(EndorsementStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_reason: str | None = Field(default=None, max_length=500)

    candidate: User = Relationship(sa_relationship_kwargs={"foreign_keys": "Endorsement.candidate_id"})
    endorsed_by: User = Relationship(sa_relationship_kwargs={"foreign_keys": "Endorsement.endorsed_by_id"})
    tier: Tier = Relationship()


class AssessmentMode(str, Enum):
    REMOTE = "remote"
    CENTRE = "centre"

    @property
    def label(self) -> str:
        return {"remote": "Remote (online)", "centre": "At an assessment centre"}[self.value]


class AssessmentWindow(SQLModel, table=True):
    """A period in which candidates of a tier can sit the assessment, with a number of places."""

    __tablename__ = "assessment_window"

    id: int | None = Field(default=None, primary_key=True)
    tier_id: int = Field(foreign_key="tier.id", index=True)
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int
    mode: AssessmentMode = Field(sa_type=enum_type(AssessmentMode))
    location: str | None = Field(default=None, max_length=200)  # the centre, for centre windows
    change_cutoff_hours: int = Field(default=48)  # bookings can be cancelled or moved until this long before opening
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    results_released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    results_released_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    tier: Tier = Relationship()


class BookingStatus(str, Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Booking(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    window_id: int = Field(foreign_key="assessment_window.id", index=True)
    status: BookingStatus = Field(default=BookingStatus.BOOKED, sa_type=enum_type(BookingStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    window: AssessmentWindow = Relationship()
    candidate: User = Relationship()


class AdjustmentStatus(str, Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    SUPERSEDED = "superseded"  # an approved set replaced by a later approval


class ReasonableAdjustment(SQLModel, table=True):
    """Adjustments belong to the candidate, not to one sitting: once approved they apply to every
    later sitting until a newer approval replaces them (Equality Act 2010)."""

    __tablename__ = "reasonable_adjustment"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    extra_time_percent: int = Field(default=0)
    rest_breaks: bool = Field(default=False)  # breaks pause the clock
    screen_reader: bool = Field(default=False)
    larger_text: bool = Field(default=False)
    other_needs: str | None = Field(default=None, max_length=1000)
    status: AdjustmentStatus = Field(default=AdjustmentStatus.REQUESTED, sa_type=enum_type(AdjustmentStatus))
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=500)

    candidate: User = Relationship(sa_relationship_kwargs={"foreign_keys": "ReasonableAdjustment.candidate_id"})

    @property
    def summary(self) -> list[str]:
        parts = [f"{self.extra_time_percent}% extra time"] if self.extra_time_percent else []
        parts += [label for flag, label in ((self.rest_breaks, "rest breaks that pause the clock"),
                                            (self.screen_reader, "screen reader"), (self.larger_text, "larger text")) if flag]
        return parts + ([self.other_needs] if self.other_needs else [])


class BlueprintSetting(SQLModel, table=True):
    """An administrator's blueprint for a tier. Without a row, the national-scheme default applies."""

    __tablename__ = "blueprint_setting"

    id: int | None = Field(default=None, primary_key=True)
    tier_id: int = Field(foreign_key="tier.id", unique=True)
    general_tier_id: int = Field(foreign_key="tier.id")
    time_limit_minutes: int
    general: int
    applied: int
    max_scenarios: int
    minimum_per_statement: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    multiple_response_rule: str = Field(default="all_or_nothing", max_length=20,
                                        sa_column_kwargs={"server_default": "all_or_nothing"})  # app.scoring.MULTIPLE_RESPONSE_RULES
    statement_minimum_percent: int | None = Field(default=None)  # off unless an administrator sets it
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssessmentForm(SQLModel, table=True):
    """The items one booking will sit, assembled ahead of the window so that starting is cheap.
    Points at exact item versions: later edits to an item never change a prepared form."""

    __tablename__ = "assessment_form"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    time_limit_minutes: int
    cut_score: float | None = Field(default=None)  # marks needed to pass: the sum of the items' agreed Angoff ratings
    # The scoring rules in force when the form was prepared, so every candidate on it is scored alike.
    multiple_response_rule: str = Field(default="all_or_nothing", max_length=20,
                                        sa_column_kwargs={"server_default": "all_or_nothing"})
    statement_minimum_percent: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    items: list["FormItem"] = Relationship(sa_relationship_kwargs={"order_by": "FormItem.position", "lazy": "selectin"})


class FormItem(SQLModel, table=True):
    __tablename__ = "form_item"
    __table_args__ = (sa.UniqueConstraint("form_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="assessment_form.id", index=True)
    position: int
    item_version_id: int = Field(foreign_key="item_version.id", index=True)
    # The agreed Angoff rating this item contributed to the form's cut score, kept so the cut score
    # can be recomputed without it if the item is later voided.
    rating: float | None = Field(default=None)


class AttemptStatus(str, Enum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Attempt(SQLModel, table=True):
    """One sitting of a prepared form. The deadline lives here, on the server: the browser only
    displays it. Breaks and extensions move the deadline; nothing the browser sends can."""

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    form_id: int = Field(foreign_key="assessment_form.id", unique=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    status: AttemptStatus = Field(default=AttemptStatus.IN_PROGRESS, sa_type=enum_type(AttemptStatus), index=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deadline_at: datetime = Field(sa_type=UTCDateTime)  # moved on by extensions and finished rest breaks
    extension_minutes: int = Field(default=0)
    break_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # on a rest break: the clock is paused
    break_seconds: int = Field(default=0)  # rest taken so far
    position: int = Field(default=1)  # the question to resume at
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by: str | None = Field(default=None, max_length=20)  # candidate | deadline
    score: float | None = Field(default=None)
    max_score: float | None = Field(default=None)
    cut_score: float | None = Field(default=None)
    passed: bool | None = Field(default=None)
    voided_on_appeal: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # neither a pass nor an attempt

    booking: Booking = Relationship()
    form: AssessmentForm = Relationship()
    candidate: User = Relationship()


class Response(SQLModel, table=True):
    """The candidate's latest answer to one question. `revision` only goes up: a save carrying a
    revision no newer than the stored one changes nothing, so a late retry never overwrites a
    newer answer."""

    __tablename__ = "attempt_response"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "form_item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    form_item_id: int = Field(foreign_key="form_item.id")
    answer: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # option letters; a ranking in order
    flagged: bool = Field(default=False)
    revision: int = Field(default=0)
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
