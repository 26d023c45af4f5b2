"""The shape of authored files (pydantic). Messages are written for the people who edit them."""

from typing import Literal

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



STAGE_ID = r"^[a-z][a-z0-9-]{0,39}$"


class StageSpec(Strict):
    id: str = Field(pattern=STAGE_ID)
    title: str = Field(min_length=3, max_length=120)
    text: str = Field(min_length=20, max_length=4000)


class ScenarioSpec(Strict):
    id: str = Field(pattern=r"^(prac|sup|lead)-sc-\d{2}$")
    tier: str
    kind: Literal["case", "supervision", "passage", "service"]
    title: str = Field(min_length=3, max_length=160)
    stages: list[StageSpec] = Field(min_length=1, max_length=5)


class OptionSpec(Strict):
    text: str = Field(min_length=1, max_length=600)
    rationale: str = Field(min_length=20, max_length=2000)


class ItemSpec(Strict):
    id: str = Field(pattern=r"^(prac|sup|lead)-\d{4}$")
    tier: str
    kss: str
    also_kss: list[str] = Field(default_factory=list)
    kind: Literal["general", "applied"]
    scenario: str | None = None
    stage: str | None = None
    type: Literal["single_best_answer", "multiple_response", "ranking"]
    difficulty: Literal["easy", "medium", "hard"]
    status: Literal["draft", "review", "live", "retired"]
    stem: str = Field(min_length=20, max_length=4000)
    options: list[OptionSpec] = Field(min_length=2, max_length=10)
    key: list[str] = Field(min_length=1, max_length=10)
    references: list[str] = Field(default_factory=list)
    # Items or scenarios this item must never share a form with (they overlap or cue its answer)
    enemies: list[str] = Field(default_factory=list)


class ItemFile(Strict):
    items: list[ItemSpec] = Field(min_length=1)
