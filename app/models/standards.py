"""Standard setting by the modified Angoff method: panels, their panellists and items, each
panellist's rating per round, and the rating the panel agreed for each item (per tier, because a
rating describes the borderline candidate of the tier being assessed)."""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.accounts import User
from app.models.bank import ItemVersion
from app.models.framework import Tier
from app.models.types import UTCDateTime, enum_type, utcnow


class PanelStatus(str, Enum):
    OPEN = "open"
    CLOSED = "closed"


class StandardSettingPanel(SQLModel, table=True):
    __tablename__ = "standard_setting_panel"

    id: int | None = Field(default=None, primary_key=True)
    tier_id: int = Field(foreign_key="tier.id", index=True)
    title: str = Field(max_length=120)
    status: PanelStatus = Field(default=PanelStatus.OPEN, sa_type=enum_type(PanelStatus))
    round: int = 1  # the round panellists are rating in now (2 and later follow a discussion)
    opened_by_id: int = Field(foreign_key="user_account.id")
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    tier: Tier = Relationship()
    members: list["PanelMember"] = Relationship(sa_relationship_kwargs={"order_by": "PanelMember.id"})
    items: list["PanelItem"] = Relationship(sa_relationship_kwargs={"order_by": "PanelItem.position"})


class PanelMember(SQLModel, table=True):
    __tablename__ = "panel_member"
    __table_args__ = (sa.UniqueConstraint("panel_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    panel_id: int = Field(foreign_key="standard_setting_panel.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)

    user: User = Relationship()


class PanelItem(SQLModel, table=True):
    """An item version the panel rates, fixed when the panel opens."""

    __tablename__ = "panel_item"
    __table_args__ = (sa.UniqueConstraint("panel_id", "item_version_id", name="uq_panel_item_version"),
                      sa.UniqueConstraint("panel_id", "position", name="uq_panel_item_position"))

    id: int | None = Field(default=None, primary_key=True)
    panel_id: int = Field(foreign_key="standard_setting_panel.id", index=True)
    item_version_id: int = Field(foreign_key="item_version.id")
    position: int

    version: ItemVersion = Relationship()


class AngoffRating(SQLModel, table=True):
    """One panellist's judgement in one round: the probability (0 to 1) that a borderline, just
    competent candidate answers the item correctly."""

    __tablename__ = "angoff_rating"
    __table_args__ = (sa.UniqueConstraint("panel_id", "item_version_id", "panellist_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    panel_id: int = Field(foreign_key="standard_setting_panel.id", index=True)
    item_version_id: int = Field(foreign_key="item_version.id")
    panellist_id: int = Field(foreign_key="user_account.id")
    round: int
    value: float
    rated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgreedRating(SQLModel, table=True):
    """The rating a panel agreed for an item version, for one tier's forms. A form's cut score is
    the sum of its items' agreed ratings; an item without one cannot go on a live form."""

    __tablename__ = "agreed_rating"
    __table_args__ = (sa.UniqueConstraint("tier_id", "item_version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    tier_id: int = Field(foreign_key="tier.id", index=True)
    item_version_id: int = Field(foreign_key="item_version.id", index=True)
    value: float
    panel_id: int = Field(foreign_key="standard_setting_panel.id")
    agreed_by_id: int = Field(foreign_key="user_account.id")
    agreed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
