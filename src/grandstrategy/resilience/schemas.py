"""Resilience input and output models (pydantic): what the CLI, the API and the pages exchange."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking

Dimension = Literal["decision", "expertise", "production"]
Reliance = Literal["national", "eu", "partner"]
DIMENSIONS: tuple[str, ...] = ("decision", "expertise", "production")
NAME = r"^[a-z0-9][a-z0-9-]{0,99}$"  # matrix and scenario names
MAX_DAYS = 3650  # the longest shock, and the longest run, in days


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


class _MatrixFields(_Strict):
    name: str = Field(pattern=NAME)
    sectors: list[str] = Field(min_length=1, max_length=5000)
    values: list[list[float]]
    outputs: list[float] | None = None
    provenance: dict[str, object] = Field(default_factory=dict)
    active: bool = False
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)

    @model_validator(mode="after")
    def _square(self) -> Self:
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


class MatrixCreate(_MatrixFields):
    """A matrix to store. A name the user already sees is replaced only with ``replace``."""

    replace: bool = False


class MatrixRead(_MatrixFields):
    id: int
    created_by: str
    updated_at: dt.datetime
    spectral_radius: float


class ConsequenceMatrixCreate(_Strict):
    """A matrix from experts' 0–5 consequence scores (row = affected sector, column = the
    sector it depends on), converted cell by cell with the catalogue's rule. Each score is a
    whole number from 0 to 5 (a form's text "3" counts as 3)."""

    name: str = Field(pattern=NAME)
    sectors: list[str] = Field(min_length=1, max_length=200)
    scores: list[list[int | str]]
    source: str = Field(default="experts", max_length=500)
    active: bool = False
    replace: bool = False
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)

    @field_validator("sectors")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        twice = sorted({s for s in v if v.count(s) > 1})
        if twice:
            raise ValueError(_("sectors named twice: {names}").format(names=", ".join(twice)))
        return v

    @model_validator(mode="after")
    def _grid(self) -> Self:
        n = len(self.sectors)
        if len(self.scores) != n or any(len(row) != n for row in self.scores):
            raise ValueError(
                _("{n} sectors need a {n} × {n} grid of scores, one row per sector").format(n=n)
            )
        return self


def _parsed(value: object, what: str) -> float:
    """A number, or text holding one ("12,5" counts as 12.5): else a message naming ``what``."""
    if isinstance(value, bool):
        raise ValueError(_("{what}: {value!r} is not a number").format(what=what, value=value))
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            raise ValueError(
                _("{what}: {value!r} is not a number").format(what=what, value=value)
            ) from None
    if not math.isfinite(number):
        raise ValueError(_("{what}: {value!r} is not a number").format(what=what, value=value))
    return number


def _days(value: object, low: int, high: int, offset: int = 0) -> int:
    """A whole number of days from ``low`` to ``high``; ``offset`` is added (steps = days + 1)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = (
        str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    )
    if not text.lstrip("-").isdigit() or not low <= int(text) - offset <= high:
        shown = int(text) - offset if text.lstrip("-").isdigit() else value
        raise ValueError(
            _("a whole number of days from {low} to {high}; got {value!r}").format(
                low=low, high=high, value=shown
            )
        )
    return int(text)


class _ScenarioFields(_Strict):
    name: str = Field(pattern=NAME)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    matrix: str | None = None  # a matrix name; None: the active matrix when run
    shocks: dict[str, float]
    shock_steps: int = 1
    steps: int = 61
    recovery_days: dict[str, float] = Field(default_factory=dict)
    marking: str = "UNCLASSIFIED"

    _m = field_validator("marking")(_marking)


class ScenarioCreate(_ScenarioFields):
    """A scenario to store; the checks every adapter shares (the pages enter shocks in
    percent and convert them to shares first). A name the user already sees is replaced only
    with ``replace``."""

    replace: bool = False

    @field_validator("shocks", mode="before")
    @classmethod
    def _shocks(cls, v: object) -> dict[str, float]:
        if not isinstance(v, dict):
            return v  # type: ignore[return-value]  # pydantic names the wrong type
        out = {}
        for sector, value in v.items():
            share = _parsed(value, _("shock on {sector}").format(sector=sector))
            if not 0 <= share <= 1:
                raise ValueError(
                    _(
                        "shock on {sector} must be a share between 0 and 1 (0 % to 100 %); "
                        "got {value}"
                    ).format(sector=sector, value=f"{share:g} ({share * 100:g} %)")
                )
            out[str(sector)] = share
        if not any(share > 0 for share in out.values()):
            raise ValueError(_("give at least one sector a shock above 0 %"))
        return out

    @field_validator("recovery_days", mode="before")
    @classmethod
    def _recovery(cls, v: object) -> dict[str, float]:
        if not isinstance(v, dict):
            return v  # type: ignore[return-value]
        out = {}
        for sector, value in v.items():
            days = _parsed(value, _("recovery time of {sector}").format(sector=sector))
            if not days > 0:
                raise ValueError(
                    _("recovery time of {sector} must be above 0 days; got {days}").format(
                        sector=sector, days=f"{days:g}"
                    )
                )
            out[str(sector)] = days
        return out

    @field_validator("shock_steps", mode="before")
    @classmethod
    def _shock_days(cls, v: object) -> int:
        return _days(v, 0, MAX_DAYS)

    @field_validator("steps", mode="before")
    @classmethod
    def _simulated(cls, v: object) -> int:
        """``steps`` counts day 0: simulating 60 days takes 61 steps."""
        return _days(v, 1, MAX_DAYS, offset=1)


class ScenarioRead(_ScenarioFields):
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
    recovery_days: float | None  # days to fall to 1 % on its own (None: never recovers)


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
