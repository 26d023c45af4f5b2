"""The Knowledge and Skills Statements framework: tiers and their statements, loaded from
question_bank/framework/. Titles live here as data, never in code."""

from sqlmodel import Field, Relationship, SQLModel


class Tier(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)  # practitioner, supervisor, leader
    name: str = Field(max_length=100)
    standard: str = Field(max_length=200)  # the published standard the tier is assessed against
    statutory: bool = Field(default=False)
    position: int = Field(default=0)

    statements: list["Statement"] = Relationship(
        back_populates="tier", sa_relationship_kwargs={"order_by": "Statement.position", "lazy": "selectin"}
    )


class Statement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tier_id: int = Field(foreign_key="tier.id", index=True)
    code: str = Field(max_length=8, unique=True)  # P1..P10, S1..S8, L1..L6
    title: str = Field(max_length=200)
    summary: str
    position: int = Field(default=0)

    tier: Tier = Relationship(back_populates="statements")
