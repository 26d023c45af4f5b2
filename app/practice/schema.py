"""The shape of authored observed-practice files (pydantic): a station set per file in
question_bank/practice/<tier>/. Messages are written for the people who edit them."""

from typing import Literal

from pydantic import Field

from app.bank.schema import Strict

SLUG = r"^[a-z][a-z0-9-]{1,39}$"
STATION_KINDS = ("simulation", "written", "reflective")


class LevelsSpec(Strict):
    """What the criterion looks like in each band of the 1-7 scale. 3 or below fails the criterion."""

    well_below: str = Field(min_length=20, max_length=800, description="1-2")
    below: str = Field(min_length=20, max_length=800, description="3")
    meets: str = Field(min_length=20, max_length=800, description="4-5")
    exceeds: str = Field(min_length=20, max_length=800, description="6-7")


class CriterionSpec(Strict):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3, max_length=120)
    kss: list[str] = Field(min_length=1, max_length=3)
    evidence: str = Field(min_length=20, max_length=1500)  # what the assessor looks and listens for
    levels: LevelsSpec


class PhaseSpec(Strict):
    name: str = Field(min_length=3, max_length=60)
    minutes: int = Field(ge=1, le=120)


class StationSpec(Strict):
    id: str = Field(pattern=r"^(prac|sup|lead)-[a-z0-9-]{3,40}$")
    kind: Literal["simulation", "written", "reflective"]
    title: str = Field(min_length=3, max_length=160)
    timings: list[PhaseSpec] = Field(min_length=1, max_length=6)
    candidate_brief: str = Field(min_length=100, max_length=6000)
    actor_brief: str | None = Field(default=None, min_length=200, max_length=8000)  # simulations: who the actor plays and how they react
    based_on: str | None = None  # written (required) and reflective (optional): the simulation it follows
    task: str | None = Field(default=None, min_length=50, max_length=4000)  # written: what the candidate writes
    prompts: list[str] | None = Field(default=None, min_length=3, max_length=10)  # reflective: the assessor's questions
    rubric: list[CriterionSpec] = Field(min_length=3, max_length=8)


class StationSetSpec(Strict):
    id: str = Field(pattern=r"^(prac|sup|lead)-set-[a-z]$")
    tier: str
    title: str = Field(min_length=3, max_length=160)
    summary: str = Field(min_length=20, max_length=2000)
    status: Literal["draft", "live", "retired"]
    stations: list[StationSpec] = Field(min_length=4, max_length=6)
