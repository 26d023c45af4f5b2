"""The question bank in the database: scenarios and items, each with immutable versions.

An item's status (draft, review, live, retired) belongs to the item; its content belongs to a
version. A change of content makes a new version; a version's text is never edited, so an attempt
can point at exactly what a candidate saw. The one exception is regrading: an administrator may
correct a wrong key, or void a flawed version, after candidates have answered it (the change and the
previous key are recorded in item_correction, and every affected attempt is rescored). An applied item's version points at the scenario version
it was written against.
"""

from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.types import UTCDateTime, enum_type, utcnow


class ItemStatus(str, Enum):
    DRAFT = "draft"
    REVIEW = "review"
    LIVE = "live"
    RETIRED = "retired"


class Scenario(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    tier_id: int = Field(foreign_key="tier.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    versions: list["ScenarioVersion"] = Relationship(
        back_populates="scenario", sa_relationship_kwargs={"order_by": "ScenarioVersion.number", "lazy": "selectin"}
    )

    @property
    def current(self) -> "ScenarioVersion":
        return self.versions[-1]


class ScenarioVersion(SQLModel, table=True):
    __tablename__ = "scenario_version"
    __table_args__ = (sa.UniqueConstraint("scenario_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True)
    number: int
    kind: str = Field(max_length=20)
    title: str = Field(max_length=160)
    stages: list[dict[str, Any]] = Field(sa_type=sa.JSON)  # [{id, title, text}], in order
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    scenario: Scenario = Relationship(back_populates="versions")


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    tier_id: int = Field(foreign_key="tier.id", index=True)
    status: ItemStatus = Field(default=ItemStatus.DRAFT, sa_type=enum_type(ItemStatus), index=True)
    # Hash of the item's entry in question_bank/ when it was last imported (None: never from a file).
    # An import applies a file's entry only when it has changed, so changes made in the browser survive.
    source_hash: str | None = Field(default=None, max_length=64)
    # Item or scenario codes this item never shares a form with (they overlap or cue each other).
    # A property of the item, not of its content: changing it makes no new version.
    enemies: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    versions: list["ItemVersion"] = Relationship(
        back_populates="item", sa_relationship_kwargs={"order_by": "ItemVersion.number", "lazy": "selectin"}
    )

    @property
    def current(self) -> "ItemVersion":
        return self.versions[-1]


class ItemVersion(SQLModel, table=True):
    __tablename__ = "item_version"
    __table_args__ = (sa.UniqueConstraint("item_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    number: int
    statement_id: int = Field(foreign_key="statement.id", index=True)  # the primary KSS statement
    also_kss: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    kind: str = Field(max_length=10)  # general | applied
    scenario_version_id: int | None = Field(default=None, foreign_key="scenario_version.id")
    stage: str | None = Field(default=None, max_length=40)
    type: str = Field(max_length=30)  # a key of app.bank.item_types.REGISTRY
    difficulty: str = Field(max_length=10)
    stem: str
    options: list[dict[str, str]] = Field(sa_type=sa.JSON)  # [{text, rationale}], in order A, B, ...
    key: list[str] = Field(sa_type=sa.JSON)
    references: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when an administrator voids this version after candidates answered it (see item_correction):
    # it then counts towards no score or cut score and goes on no new form.
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    item: Item = Relationship(back_populates="versions")
    scenario_version: ScenarioVersion | None = Relationship()
