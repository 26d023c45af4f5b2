"""Assessment quality after the event: corrections to items that candidates have already answered
(key corrections and voids, with the rescoring they caused) and candidates' optional
equality-monitoring answers, which feed the differential item functioning report."""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.accounts import User
from app.models.bank import ItemVersion
from app.models.types import UTCDateTime, enum_type, utcnow


class CorrectionKind(str, Enum):
    KEY = "key"  # the key was wrong: the version's key is replaced
    VOID = "void"  # the item is flawed: it no longer counts towards any score or cut score
    REINSTATE = "reinstate"  # a void undone

    @property
    def label(self) -> str:
        return {"key": "Key corrected", "void": "Voided", "reinstate": "Reinstated"}[self.value]


class ItemCorrection(SQLModel, table=True):
    """One administrator's correction of an item version that candidates may already have answered.
    The version's previous key is kept here, so the audit trail shows what changed."""

    __tablename__ = "item_correction"

    id: int | None = Field(default=None, primary_key=True)
    item_version_id: int = Field(foreign_key="item_version.id", index=True)
    kind: CorrectionKind = Field(sa_type=enum_type(CorrectionKind))
    previous_key: list[str] = Field(sa_type=sa.JSON)
    key: list[str] = Field(sa_type=sa.JSON)  # the key after the correction (unchanged by a void)
    reason: str = Field(max_length=1000)
    corrected_by_id: int = Field(foreign_key="user_account.id")
    corrected_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts_rescored: int = Field(default=0)
    scores_changed: int = Field(default=0)
    decisions_changed: int = Field(default=0)

    version: ItemVersion = Relationship()
    corrected_by: User = Relationship()


class RegradedAttempt(SQLModel, table=True):
    """What one correction did to one submitted attempt whose score, cut score or decision changed.
    A changed pass/fail decision waits for an administrator to review it."""

    __tablename__ = "regraded_attempt"
    __table_args__ = (sa.UniqueConstraint("correction_id", "attempt_id"),)

    id: int | None = Field(default=None, primary_key=True)
    correction_id: int = Field(foreign_key="item_correction.id", index=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    old_score: float
    new_score: float
    old_max_score: float
    new_max_score: float
    old_cut_score: float | None
    new_cut_score: float | None
    old_passed: bool | None
    new_passed: bool | None
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_note: str | None = Field(default=None, max_length=1000)

    correction: ItemCorrection = Relationship()

    @property
    def decision_changed(self) -> bool:
        return self.old_passed != self.new_passed


class AgeBand(str, Enum):
    UNDER_25 = "under_25"
    FROM_25_TO_34 = "25_34"
    FROM_35_TO_44 = "35_44"
    FROM_45_TO_54 = "45_54"
    FROM_55 = "55_over"
    NOT_SAID = "not_said"


class Sex(str, Enum):
    FEMALE = "female"
    MALE = "male"
    NOT_SAID = "not_said"


class EthnicGroup(str, Enum):
    """The five high-level groups of the 2021 Census for England and Wales."""

    ASIAN = "asian"
    BLACK = "black"
    MIXED = "mixed"
    WHITE = "white"
    OTHER = "other"
    NOT_SAID = "not_said"


class Disability(str, Enum):
    YES = "yes"
    NO = "no"
    NOT_SAID = "not_said"


class EqualityMonitoring(SQLModel, table=True):
    """A candidate's answers to the optional equality-monitoring questions. Special category data
    (UK GDPR article 9): held only with explicit consent, used only in aggregate to check that
    questions are fair to every group, never shown against a name, deleted when consent is
    withdrawn."""

    __tablename__ = "equality_monitoring"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="user_account.id", unique=True)
    age_band: AgeBand = Field(default=AgeBand.NOT_SAID, sa_type=enum_type(AgeBand))
    sex: Sex = Field(default=Sex.NOT_SAID, sa_type=enum_type(Sex))
    ethnic_group: EthnicGroup = Field(default=EthnicGroup.NOT_SAID, sa_type=enum_type(EthnicGroup))
    disability: Disability = Field(default=Disability.NOT_SAID, sa_type=enum_type(Disability))
    consented_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
