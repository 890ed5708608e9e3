"""Resilience input and output models (pydantic): what the CLI, the API and the pages exchange."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grandstrategy.core.markings import Marking

Dimension = Literal["decision", "expertise", "production"]
Reliance = Literal["national", "eu", "partner"]
DIMENSIONS: tuple[str, ...] = ("decision", "expertise", "production")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _marking(v: str) -> str:
    return str(Marking.parse(v))


class AssessmentCreate(_Strict):
    requirement: str = Field(min_length=1, max_length=40)
    criterion: str = Field(min_length=1, max_length=60)
    level: int = Field(ge=0, le=5)
    target: int = Field(ge=0, le=5)
    evidence: str = Field(default="", max_length=8000)
    links: list[str] = Field(default_factory=list, max_length=50)
    assessed_on: dt.date | None = None
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)


class AssessmentRead(AssessmentCreate):
    id: int
    assessor: str
    assessed_on: dt.date


class CriterionState(BaseModel):
    criterion: str
    title: str
    level: int | None  # None: never assessed (or not visible to this user)
    target: int | None
    assessed_on: dt.date | None
    assessor: str | None
    evidence: str


class RequirementState(BaseModel):
    requirement: str
    title: str
    criteria: list[CriterionState]
    current: float | None  # mean level of the assessed criteria
    target: float | None
    gap: float | None  # target − current, never below 0
    assessed: int  # how many criteria have an assessment
    trend: list[tuple[dt.date, float]]  # the mean level as it stood after each assessment date


class AutonomyCreate(_Strict):
    requirement: str
    dimension: Dimension
    choice: Reliance
    rationale: str = Field(default="", max_length=4000)
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)


class AutonomyRead(AutonomyCreate):
    decided_by: str
    decided_at: dt.datetime


class MatrixCreate(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
    sectors: list[str] = Field(min_length=1, max_length=5000)
    values: list[list[float]]
    outputs: list[float] | None = None
    provenance: dict[str, object] = Field(default_factory=dict)
    active: bool = False
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)

    @model_validator(mode="after")
    def _square(self) -> MatrixCreate:
        """One row per sector and one value per sector in every row (else numpy would fail
        on a ragged array deep in the service, and the caller would learn nothing)."""
        n = len(self.sectors)
        if len(self.values) != n:
            raise ValueError(f"values has {len(self.values)} rows; the {n} sectors need {n}")
        for i, row in enumerate(self.values):
            if len(row) != n:
                raise ValueError(
                    f"values row {i + 1} ({self.sectors[i]}) has {len(row)} values; need {n}, "
                    "one per sector"
                )
        if self.outputs is not None and len(self.outputs) != n:
            raise ValueError(f"outputs has {len(self.outputs)} values; need {n}, one per sector")
        return self


class MatrixRead(MatrixCreate):
    id: int
    created_by: str
    updated_at: dt.datetime
    spectral_radius: float


class ScenarioCreate(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    matrix: str | None = None  # a matrix name; None: the active matrix when run
    shocks: dict[str, float] = Field(min_length=1)
    shock_steps: int = Field(default=1, ge=0, le=3650)
    steps: int = Field(default=61, ge=2, le=3651)
    recovery_days: dict[str, float] = Field(default_factory=dict)
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)

    @field_validator("shocks")
    @classmethod
    def _shocks(cls, v: dict[str, float]) -> dict[str, float]:
        for sector, value in v.items():
            if not 0 <= value <= 1:
                raise ValueError(f"shock on {sector} must be between 0 and 1; got {value}")
        return v

    @field_validator("recovery_days")
    @classmethod
    def _recovery(cls, v: dict[str, float]) -> dict[str, float]:
        for sector, days in v.items():
            if not days > 0:
                raise ValueError(f"recovery time of {sector} must be positive; got {days}")
        return v


class ScenarioRead(ScenarioCreate):
    id: int
    created_by: str
    updated_at: dt.datetime


class SectorOutcome(BaseModel):
    sector: str
    shock: float
    static: float  # equilibrium inoperability with the shock held
    peak: float  # highest inoperability over the dynamic run
    cumulative: float  # ∫ q dt over the run (inoperability-days)
    recovery_rate: float


class ScenarioRun(BaseModel):
    scenario: str
    title: str
    matrix: str
    sectors: list[str]
    steps: int
    shock_steps: int
    outcomes: list[SectorOutcome]
    trajectory: list[list[float]]  # [t][sector]
    total_cumulative: float
    marking: str


class RankedGap(BaseModel):
    rank: int
    requirement: str
    title: str
    current: float | None
    target: float | None
    gap: float
    shock: float  # the shock used: gap / 5
    system_inoperability: float  # Σ_j q_j when this sector is shocked by its gap
    spillover: float  # the part of it borne by the other sectors
    most_affected: list[tuple[str, float]]
    score: float
    reason: str
    objectives: list[str]  # objective ids already created for this gap


class SectorIndex(BaseModel):
    """How exposed a sector is (dependency) and how far its failure spreads (influence)."""

    sector: str
    title: str
    dependency: float
    influence: float
    overall_dependency: float
    overall_influence: float


class GapObjectiveCreate(_Strict):
    requirement: str
    objective_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)
    title: str | None = Field(default=None, max_length=200)
    owner: str = Field(min_length=1)
    deadline: dt.date
    horizon: Literal[5, 10] = 5
    parent: str | None = None
    interests: list[str] = Field(default_factory=list)
    threats: list[str] = Field(default_factory=list)
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)


class SectorSpread(BaseModel):
    sector: str
    shock_low: float
    shock_high: float
    q: dict[str, float]  # percentile ("p5", "p50", "p95") → equilibrium inoperability
    failed_share: float  # share of runs in which the sector failed completely (q capped at 1)


class ScenarioUncertainty(BaseModel):
    """Monte Carlo over a scenario's shocks: each drawn from a triangular distribution
    (low = c*(1 − spread), mode = c*, high = min(1, c*(1 + spread)))."""

    scenario: str
    matrix: str
    runs: int
    spread: float
    seed: int
    sectors: list[SectorSpread]
    total: dict[str, float]  # percentiles of Σ q
    loss: dict[str, float] | None  # percentiles of Σ x_i q_i, in the matrix's output units
    marking: str
