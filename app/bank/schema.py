"""The shape of authored files (pydantic). Messages are written for the people who edit them."""

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


class StatementSpec(Strict):
    code: str = Field(min_length=2, max_length=8)
    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(min_length=10, max_length=2000)


class TierSpec(Strict):
    code: str = Field(pattern=r"^[a-z]+$", max_length=20)
    position: int = Field(ge=1, le=20)
    name: str = Field(min_length=3, max_length=100)
    standard: str = Field(min_length=3, max_length=200)
    statutory: bool
    statement_prefix: str = Field(pattern=r"^[A-Z]$")
    statements: list[StatementSpec] = Field(min_length=1)

