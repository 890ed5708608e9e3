"""Input/output models of delivery: check-ins, judgements, milestones, the dashboard, the
deployments review, capability targets and the budget path.

Two scales sit side by side and are never merged: the owner's status (on track, at risk, off
track, done) and the secretariat's likelihood of delivery (green, amber-green, amber-red, red).
A disagreement is when the rating falls outside the band the owner's status implies
(:data:`AGREES`); it is shown, not resolved.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from grandstrategy.core.markings import Marking
from grandstrategy.delivery.choices import OwnerStatus as OwnerStatus
from grandstrategy.delivery.choices import Rating as Rating

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


RATING_ORDER = {Rating.red: 0, Rating.amber_red: 1, Rating.amber_green: 2, Rating.green: 3}

# The ratings consistent with each owner status; anything else is a disagreement.
AGREES: dict[str, frozenset[str]] = {
    "on-track": frozenset({"green", "amber-green"}),
    "done": frozenset({"green", "amber-green"}),
    "at-risk": frozenset({"amber-green", "amber-red"}),
    "off-track": frozenset({"amber-red", "red"}),
}


class Trajectory(StrEnum):
    ahead = "ahead"
    on = "on"
    behind = "behind"


class Framework(StrEnum):
    eu = "EU"
    nato = "NATO"
    un = "UN"
    coalition = "coalition"
    bilateral = "bilateral"


class ProposalAction(StrEnum):
    continue_ = "continue"
    end = "end"
    reorient = "reorient"
    new = "new"


class Measure(StrEnum):
    units = "units"
    readiness = "readiness"
    personnel = "personnel"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    marking: str = "UNCLASSIFIED"

    @field_validator("marking")
    @classmethod
    def _marking(cls, v: str) -> str:
        return str(Marking.parse(v))


class IndicatorValue(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    value: float
    on: dt.date | None = Field(default=None, description="date measured; default: the check-in")


class CheckInCreate(_In):
    status: OwnerStatus
    values: list[IndicatorValue] = Field(default_factory=list)
    narrative: str = Field(default="", max_length=8000)
    evidence: list[str] = Field(default_factory=list, max_length=50)
    next_milestone: str = Field(default="", max_length=300)
    next_due: dt.date | None = None
    reported_on: dt.date | None = None
    actor: Slug | None = Field(default=None, description="report as this actor (default: owner)")


class CheckInRead(BaseModel):
    id: int
    objective: str
    status: OwnerStatus
    values: list[IndicatorValue]
    narrative: str
    evidence: list[str]
    next_milestone: str
    next_due: dt.date | None
    reported_on: dt.date
    reporter: str
    actor: str
    marking: str


class JudgementCreate(_In):
    rating: Rating
    reason: str = Field(min_length=3, max_length=4000)
    judged_on: dt.date | None = None


class JudgementRead(BaseModel):
    id: int
    objective: str
    rating: Rating
    reason: str
    judged_on: dt.date
    judge: str
    marking: str


class MilestoneCreate(_In):
    title: str = Field(min_length=1, max_length=300)
    due: dt.date
    indicator: str | None = Field(default=None, max_length=200)
    value: float | None = None
    done_on: dt.date | None = None


class MilestoneRead(BaseModel):
    id: int
    objective: str
    title: str
    due: dt.date
    indicator: str | None
    value: float | None
    done_on: dt.date | None
    marking: str


class CommentCreate(_In):
    text: str = Field(min_length=1, max_length=4000)
    actor: Slug | None = None


class CommentRead(BaseModel):
    id: int
    objective: str
    text: str
    author: str
    actor: str
    at: dt.datetime
    marking: str


class IndicatorTrack(BaseModel):
    """One indicator's planned path and what was measured against it."""

    name: str
    unit: str
    baseline: float | None
    target: float | None
    start: dt.date
    due: dt.date
    planned: list[tuple[dt.date, float]]
    actual: list[tuple[dt.date, float]]
    planned_now: float | None = None
    latest: float | None = None
    trajectory: Trajectory | None = None


class DashboardRow(BaseModel):
    objective: str
    title: str
    owner: str | None
    owner_status: OwnerStatus | None
    rating: Rating | None
    reason: str = ""
    disagreement: bool = False
    trajectory: Trajectory | None
    deadline: dt.date | None
    overdue: bool
    last_checkin: dt.date | None
    checkin_age_days: int | None
    next_milestone: str = ""
    threats: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    marking: str


class Owed(BaseModel):
    """A check-in an owner owes: the objective, when it fell due and how late it is."""

    objective: str
    title: str
    owner: str
    last_checkin: dt.date | None
    due: dt.date
    days_late: int


class ObjectiveDelivery(BaseModel):
    row: DashboardRow
    description: str
    contributors: list[str]
    checkins: list[CheckInRead]
    judgements: list[JudgementRead]
    milestones: list[MilestoneRead]
    comments: list[CommentRead]
    indicators: list[IndicatorTrack]
    may_report: bool = False
    may_comment: bool = False


class DeploymentCreate(_In):
    key: Slug
    name: str = Field(min_length=1, max_length=200)
    framework: Framework
    theatre: str = Field(min_length=1, max_length=200)
    personnel: int = Field(ge=0)
    annual_cost: float = Field(ge=0, description="EUR million per year")
    start: dt.date
    end: dt.date | None = None
    objectives: list[Slug] = Field(default_factory=list)
    threats: list[Slug] = Field(default_factory=list)


class DeploymentRead(DeploymentCreate):
    model_config = ConfigDict(extra="ignore")


class ReviewRoundCreate(_In):
    year: int = Field(ge=1990, le=2100)
    departments: list[Slug] | None = Field(default=None, description="default: FA, Defence, Dev")


class SignOffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    department: Slug
    note: str = Field(default="", max_length=2000)


class ProposalCreate(_In):
    action: ProposalAction
    deployment: Slug | None = None
    title: str = Field(default="", max_length=300)
    rationale: str = Field(min_length=3, max_length=6000)
    scenario: str = Field(default="", max_length=200)


class ProposalRead(ProposalCreate):
    model_config = ConfigDict(extra="ignore")
    id: int


class SignOffRead(BaseModel):
    department: str
    signed_by: str
    note: str
    at: dt.datetime
    marking: str


class ReviewRoundRead(BaseModel):
    year: int
    departments: list[str]
    proposals: list[ProposalRead]
    signoffs: list[SignOffRead]
    missing: list[str]
    complete: bool
    deployments: list[DeploymentRead]
    marking: str


class CapabilityTargetCreate(_In):
    capability: Slug
    measure: Measure
    year: int = Field(ge=1990, le=2100)
    target: float = Field(ge=0)
    delivered: float | None = Field(default=None, ge=0)
    spend: float | None = Field(default=None, ge=0, description="EUR million")


class CapabilityValue(BaseModel):
    capability: str
    measure: Measure
    years: list[int]
    targets: list[float]
    delivered: list[float | None]
    spend: list[float | None]
    spend_growth: float | None
    delivered_growth: float | None
    flag: bool
    marking: str


class BudgetYear(BaseModel):
    year: int
    share_of_gdp_percent: float
    rank: int
    allies: int
    europe_canada: float | None
    non_nuclear_europe: float | None
    estimate: bool


class BudgetHistory(BaseModel):
    country: str
    iso3: str
    source: str
    years: list[BudgetYear]


class PathYear(BaseModel):
    year: int
    gdp_index: float
    spending_index: float
    share_of_gdp_percent: float


class BudgetPath(BaseModel):
    country: str
    label: str
    base_year: int
    base_share: float
    target: float
    by: int
    gdp_growth: float
    shocks: dict[int, float]
    hold: str
    years: list[PathYear]
