"""The resilience part of the illustrative example: the Belgian matrix, assessments,
autonomy choices and the five starter scenarios (``examples/resilience``).

The matrix is built at load time from the OECD table shipped with the example, so its
provenance (file hash, aggregation, the accounting of every industry code) is the real one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.resilience import service
from grandstrategy.resilience.models import Assessment
from grandstrategy.resilience.schemas import (
    AssessmentCreate,
    AutonomyCreate,
    MatrixCreate,
    ScenarioCreate,
)
from grandstrategy.resilience.sector_matrix import SectorMatrix

MATRIX_NAME = "belgium-2020"
TABLE = "BEL2020ttl.csv"


@dataclass(frozen=True)
class ExampleReport:
    assessments: int
    autonomy: int
    scenarios: int
    matrix: str
    spectral_radius: float


def folder() -> Path:
    return Path(str(resources.files("grandstrategy.examples").joinpath("resilience")))


def _yaml(name: str) -> Any:
    return yaml.safe_load((folder() / name).read_text(encoding="utf-8"))


def belgian_matrix() -> SectorMatrix:
    """A* of Belgium 2020, aggregated to the catalogue's sectors."""
    return SectorMatrix.from_io(folder() / TABLE, aggregate=True)


def load_example(session: Session, *, user: Principal) -> ExampleReport | None:
    """Load everything once; None when assessments already exist."""
    if session.execute(select(func.count()).select_from(Assessment)).scalar_one():
        return None
    m = belgian_matrix()
    provenance = dict(m.provenance)
    provenance["source"] = f"examples/resilience/{TABLE} (OECD Input-Output Tables, CC BY 4.0)"
    saved = service.save_matrix(
        session,
        user=user,
        data=MatrixCreate(
            name=MATRIX_NAME,
            sectors=list(m.names),
            values=m.values.tolist(),
            outputs=None if m.output is None else m.output.tolist(),
            provenance=provenance,
            active=True,
            replace=True,
        ),
    )
    data = _yaml("assessments.yaml")
    dates: list[dt.date] = data["dates"]
    count = 0
    for requirement, criteria in data["requirements"].items():
        for criterion, item in criteria.items():
            for on, level in zip(dates, item["levels"], strict=True):
                if level is None:
                    continue
                service.record_assessment(
                    session,
                    user=user,
                    data=AssessmentCreate(
                        requirement=requirement,
                        criterion=criterion,
                        level=level,
                        target=item["target"],
                        evidence=item["evidence"],
                        assessed_on=on,
                        marking=item.get("marking", "UNCLASSIFIED"),
                    ),
                )
                count += 1
    choices = 0
    for requirement, dims in _yaml("autonomy.yaml").items():
        for dimension, (choice, rationale) in dims.items():
            service.set_autonomy(
                session,
                user=user,
                data=AutonomyCreate(
                    requirement=requirement,
                    dimension=dimension,
                    choice=choice,
                    rationale=rationale,
                ),
            )
            choices += 1
    scenarios = _yaml("scenarios.yaml")
    for item in scenarios:
        service.save_scenario(session, user=user, data=ScenarioCreate(**item, replace=True))
    return ExampleReport(count, choices, len(scenarios), MATRIX_NAME, saved.spectral_radius)
