"""Resilience pages: overview (heat map, trend, gaps, autonomy), a requirement's history and
assessment form, the interdependency matrix, scenarios and their cascades, the ranked gaps."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed, require
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _, lazy
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.core.validation import validated
from grandstrategy.resilience import service
from grandstrategy.resilience.schemas import (
    DIMENSIONS,
    AssessmentCreate,
    GapObjectiveCreate,
    MatrixRead,
    ScenarioRun,
)
from grandstrategy.web import forms
from grandstrategy.web.deps import get_session, page_needs, page_user, settings_of
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/resilience", include_in_schema=False)
M = TypeVar("M", bound=BaseModel)

INOPERABILITY = lazy(
    "Inoperability is the share of a sector's normal function that is lost, from 0 (working "
    "normally) to 1 (completely out of action). A sector that depends on a failing one loses "
    "part of its own function, which spreads to the sectors that depend on it in turn: the "
    "cascade the model computes."
)


def _titles() -> dict[str, str]:
    return {s.id: s.label() for s in service.load_catalogue().sectors}


def _requirement(rid: str) -> service.Sector:
    for s in service.load_catalogue().requirements:
        if s.id == rid:
            return s
    raise NotFound(_("baseline requirement {id!r} not found").format(id=rid))


def _validated(model: type[M], data: dict[str, Any]) -> M:
    """The model, or :class:`Invalid` naming each field that is wrong (as the API does)."""
    return validated(model, data, _("the form is not valid"))


def _marks(records: list[Any]) -> list[Marking]:
    return [Marking.parse(r.marking) for r in records]


def _compartments(user: Principal) -> list[str]:
    if "*" in user.compartments:
        return [c.name for c in scheme().compartments]
    return sorted(user.compartments)


def _active_matrix(session: Session, user: Principal) -> MatrixRead | None:
    try:
        return service.get_matrix(session, user=user)
    except NotFound:
        return None


@router.get("", **page_needs("resilience.read"))
def overview(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    states = service.overview(session, user=user)
    history = service.assessments(session, user=user)
    choices = service.autonomy(session, user=user)
    cat = service.load_catalogue()
    scale = [(lv.level, lv.label()) for lv in cat.maturity_scale]
    table = {(a.requirement, a.dimension): a for a in choices}
    return page(
        request,
        "resilience/overview.html",
        user=user,
        markings=_marks(history) + _marks(choices),
        active="resilience",
        states=states,
        heatmap=service.maturity_heatmap_svg(states, scale),
        trend=service.trend_svg(states),
        scale=cat.maturity_scale,
        autonomy=table,
        dimensions=DIMENSIONS,
        inoperability=_(INOPERABILITY),
        can_assess=allowed(user, "resilience.assess"),
    )


def _requirement_page(
    request: Request,
    session: Session,
    user: Principal,
    rid: str,
    *,
    error: Invalid | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    sector = _requirement(rid)
    require(user, "resilience.read")
    state = next(s for s in service.overview(session, user=user) if s.requirement == rid)
    history = service.assessments(session, user=user, requirement=rid)
    titles = {c.id: c.label() for c in sector.criteria}
    return page(
        request,
        "resilience/requirement.html",
        user=user,
        markings=_marks(history),
        status_code=error.http_status if error else 200,
        active="resilience",
        sector=sector,
        state=state,
        history=history,
        criterion_titles=titles,
        criteria=list(zip(state.criteria, sector.criteria, strict=True)),
        scale=service.load_catalogue().maturity_scale,
        can_assess=allowed(user, "resilience.assess"),
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        today=dt.date.today().isoformat(),
        error=error,
        values=values or {},
    )


@router.get("/requirements/{rid}", **page_needs("resilience.read"))
def requirement(
    request: Request,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return _requirement_page(request, session, user, rid)


@router.post("/requirements/{rid}/assess", **page_needs("resilience.assess", csrf=True))
async def assess(
    request: Request,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    _requirement(rid)
    require(user, "resilience.assess")
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("criterion", "level", "target")}
    values |= {k: str(form.get(k) or "") for k in ("evidence", "links", "assessed_on")}
    try:
        data = _validated(
            AssessmentCreate,
            {
                "requirement": rid,
                "criterion": values["criterion"],
                "level": values["level"] or None,
                "target": values["target"] or None,
                "evidence": values["evidence"].strip(),
                "links": [ln.strip() for ln in values["links"].splitlines() if ln.strip()],
                "assessed_on": values["assessed_on"].strip() or None,
                "marking": forms.marking_from_form(form),
            },
        )
        service.record_assessment(session, user=user, data=data)
    except Invalid as exc:
        session.rollback()
        return _requirement_page(request, session, user, rid, error=exc, values=values)
    return see_other(f"/resilience/requirements/{rid}", _("Assessment recorded."), anchor="history")


def _grid(matrix: MatrixRead | None, values: dict[str, Any]) -> dict[str, Any]:
    """What the consequence-score grid starts from: what was typed, else the scores of the
    expert matrix on view, else every catalogue sector with no dependence."""
    ids = [s.id for s in service.load_catalogue().sectors]
    if "include" in values:
        return {"include": values["include"], "scores": values.get("scores", {})}
    scores = matrix.provenance.get("scores") if matrix else None
    if matrix and isinstance(scores, list) and set(matrix.sectors) <= set(ids):
        cells = {
            f"{r}.{c}": str(scores[i][j])
            for i, r in enumerate(matrix.sectors)
            for j, c in enumerate(matrix.sectors)
        }
        return {"include": list(matrix.sectors), "scores": cells}
    return {"include": ids, "scores": {}}


def matrix_view(
    request: Request,
    session: Session,
    user: Principal,
    name: str = "",
    *,
    error: Invalid | Conflict | None = None,
    entry: str = "",
    values: dict[str, Any] | None = None,
) -> Response:
    """The matrix page; ``entry`` names the entry form a refused ``values`` came from."""
    all_matrices = service.list_matrices(session, user=user)
    matrix = service.get_matrix(session, user=user, name=name) if name else None
    if matrix is None and all_matrices:
        matrix = _active_matrix(session, user) or all_matrices[0]
    network, index = "", []
    if matrix is not None:
        index = service.indices(session, user=user, matrix=matrix.name)
        network = service.network_svg(
            matrix.sectors,
            [ix.title for ix in index],
            matrix.values,
            [ix.overall_influence for ix in index],
        )
    provenance = dict(matrix.provenance) if matrix else {}
    shown = ("method", "source", "source_sha256", "layout", "orientation", "built")
    hidden = (*shown, "aggregation", "accounting", "warnings", "spectral_radius", "scores", "rule")
    values = values or {}
    return page(
        request,
        "resilience/matrix.html",
        user=user,
        markings=[Marking.parse(matrix.marking)] if matrix else None,
        status_code=error.http_status if error else 200,
        active="resilience",
        matrix=matrix,
        matrices=all_matrices,
        titles=_titles(),
        index=index,
        network=network,
        provenance=provenance,
        basics=[(k, provenance[k]) for k in shown if k in provenance],
        others={k: v for k, v in provenance.items() if k not in hidden},
        inoperability=_(INOPERABILITY),
        can_assess=allowed(user, "resilience.assess"),
        sectors=service.load_catalogue().sectors,
        consequence=service.load_catalogue().consequence_scale,
        grid=_grid(matrix, values if entry == "scores" else {}),
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        max_upload=settings_of(request).max_upload_bytes,
        error=error,
        entry=entry,
        values=values,
    )


@router.get("/matrix", **page_needs("resilience.read"))
def matrix_page(
    request: Request,
    name: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return matrix_view(request, session, user, name)


@router.get("/scenarios", **page_needs("resilience.read"))
def scenarios_page(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    items = service.list_scenarios(session, user=user)
    return page(
        request,
        "resilience/scenarios.html",
        user=user,
        markings=_marks(items),
        active="resilience",
        scenarios=items,
        titles=_titles(),
        inoperability=_(INOPERABILITY),
        can_assess=allowed(user, "resilience.assess"),
    )


def _run_context(run: ScenarioRun, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "run": run,
        "recovery": {o.sector: o.recovery_days for o in run.outcomes},
        "chart": service.cascade_svg(run, titles),
        "outcomes": sorted(run.outcomes, key=lambda o: -o.cumulative),
    }


@router.get("/scenarios/{name}", **page_needs("resilience.read"))
def scenario_page(
    request: Request,
    name: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    scenario = service.get_scenario(session, user=user, name=name)
    run = service.run_scenario(session, user=user, name=name)
    titles = _titles()
    others = [s for s in service.list_scenarios(session, user=user) if s.name != name]
    return page(
        request,
        "resilience/scenario.html",
        user=user,
        markings=[Marking.parse(scenario.marking), Marking.parse(run.marking)],
        active="resilience",
        scenario=scenario,
        titles=titles,
        others=others,
        inoperability=_(INOPERABILITY),
        can_assess=allowed(user, "resilience.assess"),
        **_run_context(run, titles),
    )


@router.get("/compare", **page_needs("resilience.read"))
def compare_page(
    request: Request,
    names: list[str] = Query(default=[]),
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    wanted = [n.strip() for item in names for n in item.split(",") if n.strip()]
    if len(wanted) < 2:
        raise Invalid(_("choose at least two scenarios to compare"))
    runs = service.compare_scenarios(session, user=user, names=wanted)
    titles = _titles()
    sectors = list(dict.fromkeys(s for r in runs for s in r.sectors))
    cells = {(r.scenario, o.sector): o for r in runs for o in r.outcomes}
    return page(
        request,
        "resilience/compare.html",
        user=user,
        markings=[Marking.parse(r.marking) for r in runs],
        active="resilience",
        runs=[_run_context(r, titles) for r in runs],
        sectors=sectors,
        cells=cells,
        titles=titles,
        inoperability=_(INOPERABILITY),
    )


def _gaps_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    error: Exception | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    gaps = service.rank(session, user=user)
    history = service.assessments(session, user=user)
    matrix = _active_matrix(session, user)
    can_create = allowed(user, "strategy.edit")
    owners: list[tuple[str, str]] = []
    if can_create:
        from grandstrategy.strategy import service as strategy

        try:
            actors = strategy.list_records(session, user=user, component="actors")
            owners = [(a.id, str(getattr(a, "name", a.id))) for a in actors]
        except (NotFound, Forbidden):
            can_create = False
    status = error.http_status if isinstance(error, Invalid | Conflict) else 200
    return page(
        request,
        "resilience/gaps.html",
        user=user,
        markings=_marks(history) + ([Marking.parse(matrix.marking)] if matrix else []),
        status_code=status,
        active="resilience",
        gaps=gaps,
        chart=service.gaps_svg(gaps),
        formula=_(service.FORMULA),
        matrix=matrix,
        titles=_titles(),
        can_create=can_create,
        owners=owners,
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        default_deadline=dt.date(dt.date.today().year + 5, 12, 31).isoformat(),
        error=error,
        values=values or {},
        inoperability=_(INOPERABILITY),
    )


@router.get("/gaps", **page_needs("resilience.read"))
def gaps_page(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    return _gaps_page(request, session, user)


@router.post("/gaps/{rid}/objective", **page_needs("strategy.edit", csrf=True))
async def create_objective(
    request: Request,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    _requirement(rid)
    form = await request.form()
    values = {
        k: str(form.get(k) or "").strip()
        for k in ("objective_id", "title", "owner", "deadline", "horizon")
    }
    values["requirement"] = rid
    try:
        data = _validated(
            GapObjectiveCreate,
            {
                "requirement": rid,
                "objective_id": values["objective_id"],
                "title": values["title"] or None,
                "owner": values["owner"],
                "deadline": values["deadline"] or None,
                "horizon": int(values["horizon"]) if values["horizon"].isdigit() else 5,
                "marking": forms.marking_from_form(form),
            },
        )
        created = service.objective_from_gap(session, user=user, data=data)
    except (Invalid, Conflict) as exc:
        session.rollback()
        return _gaps_page(request, session, user, error=exc, values=values)
    oid = quote(str(created.get("id", values["objective_id"])))
    return see_other(f"/strategy/objectives/{oid}", _("Objective created from the gap."))
