"""JSON API over the resilience service: catalogue, assessments, autonomy, matrices,
scenarios and the ranked gaps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import NotFound
from grandstrategy.resilience import service
from grandstrategy.resilience.schemas import (
    AssessmentCreate,
    AssessmentRead,
    AutonomyCreate,
    AutonomyRead,
    ConsequenceMatrixCreate,
    GapObjectiveCreate,
    MatrixCreate,
    MatrixRead,
    RankedGap,
    RequirementState,
    ScenarioCreate,
    ScenarioRead,
    ScenarioRun,
    SectorIndex,
)
from grandstrategy.web.deps import api_user, get_session, needs

router = APIRouter(prefix="/api/resilience", tags=["resilience"])
READ, ASSESS = "resilience.read", "resilience.assess"


class GapObjectiveBody(GapObjectiveCreate):
    """The objective to create; the requirement comes from the path."""

    requirement: str | None = None  # type: ignore[assignment]


@router.get("/requirements", **needs(READ))
def requirements(user: Principal = Depends(api_user)) -> dict[str, Any]:
    """The catalogue: the seven baseline requirements with their criteria, the extra sectors,
    the 0–5 maturity scale and the expert consequence scale."""
    cat = service.load_catalogue()
    return {
        "requirements": [s.model_dump(mode="json") for s in cat.requirements],
        "extra_sectors": [s.model_dump(mode="json") for s in cat.sectors if s.kind == "extra"],
        "maturity_scale": [lv.model_dump(mode="json") for lv in cat.maturity_scale],
        "consequence_scale": [lv.model_dump(mode="json") for lv in cat.consequence_scale],
    }


@router.get("/assessments", **needs(READ))
def list_assessments(
    requirement: str | None = None,
    criterion: str | None = None,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[AssessmentRead]:
    """The assessment history the user may see, newest first."""
    return service.assessments(session, user=user, requirement=requirement, criterion=criterion)


@router.post("/assessments", status_code=201, **needs(ASSESS))
def record_assessment(
    data: AssessmentCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> AssessmentRead:
    """Record a maturity level (0–5) and target for one criterion, with evidence."""
    return service.record_assessment(session, user=user, data=data)


@router.get("/overview", **needs(READ))
def overview(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[RequirementState]:
    """Each requirement: its criteria (current against target), the gap and the trend."""
    return service.overview(session, user=user)


@router.get("/autonomy", **needs(READ))
def autonomy(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[AutonomyRead]:
    """The current autonomy choice per requirement and dimension."""
    return service.autonomy(session, user=user)


@router.put("/autonomy", **needs(ASSESS))
def set_autonomy(
    data: AutonomyCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> AutonomyRead:
    """Choose national, EU or partner reliance for one requirement and dimension."""
    return service.set_autonomy(session, user=user, data=data)


@router.get("/matrices", **needs(READ))
def list_matrices(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[MatrixRead]:
    """Every interdependency matrix the user may see, with provenance."""
    return service.list_matrices(session, user=user)


@router.post("/matrices", status_code=201, **needs(ASSESS))
def save_matrix(
    data: MatrixCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> MatrixRead:
    """Store a named matrix (refused if a*_ij ∉ [0, 1) or ρ(A*) ≥ 1); a matrix of that name
    you see is replaced only with ``"replace": true`` (else 409)."""
    return service.save_matrix(session, user=user, data=data)


@router.post("/matrices/from-scores", status_code=201, **needs(ASSESS))
def save_consequence_matrix(
    data: ConsequenceMatrixCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> MatrixRead:
    """Store a matrix from experts' 0–5 consequence scores, converted by the catalogue's rule
    (the same checks and replace rule as a matrix of coefficients)."""
    return service.save_consequence_matrix(session, user=user, data=data)


@router.post("/matrices/{name}/activate", **needs(ASSESS))
def activate_matrix(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> MatrixRead:
    """Make a stored matrix the active one (only active matrices you see are switched off)."""
    return service.activate_matrix(session, user=user, name=name)


@router.get("/matrices/{name}", **needs(READ))
def get_matrix(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> MatrixRead:
    """One matrix by name ("active": the one scenarios and the ranking use)."""
    return service.get_matrix(session, user=user, name=None if name == "active" else name)


@router.get("/indices", **needs(READ))
def indices(
    matrix: str | None = None,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[SectorIndex]:
    """Dependency and influence of each sector (first order and overall); an empty list when
    no matrix is active yet and none is named."""
    try:
        return service.indices(session, user=user, matrix=matrix)
    except NotFound:
        if matrix is not None:
            raise
        return []


@router.get("/scenarios", **needs(READ))
def list_scenarios(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[ScenarioRead]:
    """The stored scenarios the user may see."""
    return service.list_scenarios(session, user=user)


@router.post("/scenarios", status_code=201, **needs(ASSESS))
def save_scenario(
    data: ScenarioCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ScenarioRead:
    """Store a named scenario: shocks per sector, duration, recovery times; a scenario of
    that name you see is replaced only with ``"replace": true`` (else 409)."""
    return service.save_scenario(session, user=user, data=data)


@router.get("/scenarios/{name}", **needs(READ))
def get_scenario(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> ScenarioRead:
    return service.get_scenario(session, user=user, name=name)


@router.get("/scenarios/{name}/run", **needs(READ))
def run_scenario(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> ScenarioRun:
    """Run a scenario: equilibrium, peak and cumulative inoperability, the day-by-day cascade."""
    return service.run_scenario(session, user=user, name=name)


@router.get("/compare", **needs(READ))
def compare(
    names: str = Query("", description="Scenario names separated by commas."),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[ScenarioRun]:
    """Several scenarios run side by side, in the order given (none named: an empty list)."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted:
        return []
    return service.compare_scenarios(session, user=user, names=wanted)


@router.get("/rank", **needs(READ))
def rank(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """The requirements ranked by what their gaps cost the whole system, with the formula."""
    gaps: list[RankedGap] = service.rank(session, user=user)
    return {"formula": service.FORMULA, "gaps": [g.model_dump(mode="json") for g in gaps]}


@router.post("/gaps/{requirement}/objective", status_code=201, **needs("strategy.edit"))
def objective_from_gap(
    requirement: str,
    data: GapObjectiveBody,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Create a strategy objective that closes this requirement's gap, linked to the gap
    (needs strategy.edit, and resilience.read to see the gap)."""
    body = GapObjectiveCreate(**{**data.model_dump(), "requirement": requirement})
    return service.objective_from_gap(session, user=user, data=body)
