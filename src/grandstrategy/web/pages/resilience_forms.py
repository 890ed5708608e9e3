"""Resilience forms, so that an officer never needs the command line: a scenario (new or
edited), the autonomy choices of a requirement, and an expert interdependency matrix (a CSV
upload or a grid of 0–5 consequence scores), plus making a stored matrix the active one.

Each handler reads the form, calls one service function and redirects (303) with a flash
message; a refused form comes back with the message, naming the field, and what was typed.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Conflict, Invalid, NotFound
from grandstrategy.core.i18n import _, lazy
from grandstrategy.core.markings import Marking
from grandstrategy.core.validation import validated
from grandstrategy.resilience import service
from grandstrategy.resilience.schemas import (
    DIMENSIONS,
    AutonomyCreate,
    AutonomyRead,
    ConsequenceMatrixCreate,
    MatrixCreate,
    MatrixRead,
    ScenarioCreate,
    ScenarioRead,
)
from grandstrategy.web import forms
from grandstrategy.web.deps import get_session, page_needs, page_user, settings_of
from grandstrategy.web.flash import see_other
from grandstrategy.web.pages.resilience import _compartments, _requirement, _titles, matrix_view
from grandstrategy.web.render import page

router = APIRouter(prefix="/resilience", include_in_schema=False)
M = TypeVar("M", bound=BaseModel)
ASSESS = "resilience.assess"

LABELS = {
    "name": lazy("Name"),
    "title": lazy("Title"),
    "description": lazy("Description"),
    "matrix": lazy("Matrix"),
    "shocks": lazy("Shocks"),
    "shock_steps": lazy("Shock days"),
    "steps": lazy("Days to simulate"),
    "recovery_days": lazy("Recovery times"),
    "marking": lazy("Marking"),
    "dimension": lazy("Dimension"),
    "choice": lazy("Choice"),
    "rationale": lazy("Rationale"),
    "file": lazy("CSV file"),
    "scores": lazy("Consequence scores"),
}
DIMENSION_TITLES = {
    "decision": lazy("decision-making"),
    "expertise": lazy("expertise and technology"),
    "production": lazy("production capacity"),
}
RELIANCE = (("national", lazy("national")), ("eu", lazy("EU")), ("partner", lazy("partners")))


def _reliance() -> list[tuple[str, str]]:
    """The reliance choices with their labels in the current language."""
    return [(value, _(label)) for value, label in RELIANCE]


def _field(name: str) -> str:
    """'Shock days (shock_steps)': what the form calls a field, and its name."""
    return f"{_(LABELS[name]) if name in LABELS else name} ({name})"


def _validated(model: type[M], data: dict[str, Any]) -> M:
    """The model, or :class:`Invalid` naming each wrong field by its label."""
    return validated(model, data, _("the form is not valid"), label=_field)


def _marking_values(marking: str) -> dict[str, Any]:
    m = Marking.parse(marking)
    return {"marking_level": m.level_name, "marking_compartments": sorted(m.compartments)}


def _typed_marking(form: FormData) -> dict[str, Any]:
    return {
        "marking_level": str(form.get("marking_level") or ""),
        "marking_compartments": [str(c) for c in form.getlist("marking_compartments")],
    }


# --- scenarios --------------------------------------------------------------------------------


def _matrix_or_none(session: Session, user: Principal, name: str) -> MatrixRead | None:
    try:
        return service.get_matrix(session, user=user, name=name or None)
    except NotFound:
        return None


def _scenario_values(scenario: ScenarioRead) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "matrix": scenario.matrix or "",
        "shock_days": str(scenario.shock_steps),
        "days": str(scenario.steps - 1),
        **{f"shock.{s}": f"{v * 100:g}" for s, v in scenario.shocks.items()},
        **{f"recovery.{s}": f"{d:g}" for s, d in scenario.recovery_days.items()},
        **_marking_values(scenario.marking),
    }


def _scenario_form(
    request: Request,
    session: Session,
    user: Principal,
    *,
    editing: ScenarioRead | None,
    values: dict[str, Any],
    error: Invalid | Conflict | None = None,
) -> Response:
    require(user, ASSESS)
    matrices = service.list_matrices(session, user=user)
    chosen = str(values.get("matrix", ""))
    matrix = _matrix_or_none(session, user, chosen) or _matrix_or_none(session, user, "")
    active = next((m.name for m in matrices if m.active), None)
    return page(
        request,
        "resilience/scenario_form.html",
        user=user,
        markings=[Marking.parse(editing.marking)] if editing else None,
        status_code=error.http_status if error else 200,
        active="resilience",
        editing=editing,
        matrices=matrices,
        active_matrix=active,
        matrix=matrix,
        titles=_titles(),
        default_recovery=service.DEFAULT_RECOVERY_DAYS,
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        error=error,
        values=values,
    )


def _scenario_data(form: FormData, name: str, *, replace: bool) -> ScenarioCreate:
    """The form as the service takes it: shocks typed in percent become shares; the schema
    checks everything else, with the messages the API and the CLI give."""
    shocks: dict[str, object] = {}
    recovery: dict[str, object] = {}
    for key in form:
        raw = str(form.get(key) or "").strip()
        kind, _sep, sector = key.partition(".")
        if kind == "shock" and raw:
            shocks[sector] = _percent(raw)
        elif kind == "recovery" and raw:
            recovery[sector] = raw
    matrix = str(form.get("matrix") or "").strip()
    return _validated(
        ScenarioCreate,
        {
            "name": name,
            "title": str(form.get("title") or "").strip(),
            "description": str(form.get("description") or "").strip(),
            "matrix": matrix or None,
            "shocks": shocks,
            "shock_steps": str(form.get("shock_days") or "").strip(),
            "steps": _plus_one(str(form.get("days") or "").strip()),
            "recovery_days": recovery,
            "marking": forms.marking_from_form(form),
            "replace": replace,
        },
    )


def _percent(raw: str) -> object:
    """A share from a percentage; text that is no number goes on as typed, to be named."""
    try:
        return float(raw.replace(",", ".")) / 100
    except ValueError:
        return raw


def _plus_one(days: str) -> str:
    """The form asks for the days simulated; a run has one step more (day 0)."""
    return str(int(days) + 1) if days.lstrip("-").isdigit() else days


async def _save_scenario(
    request: Request, session: Session, user: Principal, editing: ScenarioRead | None
) -> Response:
    require(user, ASSESS)
    form = await request.form()
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    values |= _typed_marking(form)
    name = editing.name if editing else values.get("name", "").strip()
    try:
        data = _scenario_data(form, name, replace=editing is not None)
        saved = service.save_scenario(session, user=user, data=data)
    except (Invalid, Conflict) as exc:
        session.rollback()
        return _scenario_form(request, session, user, editing=editing, values=values, error=exc)
    flash = _("Scenario saved.") if editing else _("Scenario created.")
    return see_other(f"/resilience/scenarios/{saved.name}", flash)


@router.get("/scenarios/new", **page_needs("resilience.assess"))
def new_scenario(
    request: Request,
    matrix: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    values = {"matrix": matrix, "shock_days": "7", "days": "60"}
    return _scenario_form(request, session, user, editing=None, values=values)


@router.post("/scenarios/new", **page_needs("resilience.assess", csrf=True))
async def create_scenario(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    return await _save_scenario(request, session, user, None)


@router.get("/scenarios/{name}/edit", **page_needs("resilience.assess"))
def edit_scenario(
    request: Request,
    name: str,
    matrix: str | None = None,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    require(user, ASSESS)
    scenario = service.get_scenario(session, user=user, name=name)
    values = _scenario_values(scenario)
    if matrix is not None:
        values["matrix"] = matrix
    return _scenario_form(request, session, user, editing=scenario, values=values)


@router.post("/scenarios/{name}/edit", **page_needs("resilience.assess", csrf=True))
async def update_scenario(
    request: Request,
    name: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    require(user, ASSESS)
    scenario = service.get_scenario(session, user=user, name=name)
    return await _save_scenario(request, session, user, scenario)


# --- autonomy ---------------------------------------------------------------------------------


def _autonomy_page(
    request: Request,
    session: Session,
    user: Principal,
    rid: str,
    *,
    error: Invalid | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    sector = _requirement(rid)
    require(user, ASSESS)
    current: dict[str, AutonomyRead] = {
        a.dimension: a for a in service.autonomy(session, user=user) if a.requirement == rid
    }
    typed = values or {}
    shown: dict[str, dict[str, Any]] = {}
    for d in DIMENSIONS:
        a = current.get(d)
        base = (
            {"choice": a.choice, "rationale": a.rationale, **_marking_values(a.marking)}
            if a
            else {}
        )
        shown[d] = typed if typed.get("dimension") == d else base
    return page(
        request,
        "resilience/autonomy_form.html",
        user=user,
        markings=[Marking.parse(a.marking) for a in current.values()],
        status_code=error.http_status if error else 200,
        active="resilience",
        sector=sector,
        dimensions=[(d, _(DIMENSION_TITLES[d]), current.get(d), shown[d]) for d in DIMENSIONS],
        reliance=_reliance(),
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        error=error,
        error_dimension=typed.get("dimension") if typed.get("dimension") in DIMENSIONS else None,
    )


@router.get("/autonomy/{rid}", **page_needs("resilience.assess"))
def autonomy_page(
    request: Request,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return _autonomy_page(request, session, user, rid)


@router.post("/autonomy/{rid}", **page_needs("resilience.assess", csrf=True))
async def set_autonomy(
    request: Request,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    _requirement(rid)
    require(user, ASSESS)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("dimension", "choice", "rationale")}
    values |= _typed_marking(form)
    try:
        data = _validated(
            AutonomyCreate,
            {
                "requirement": rid,
                "dimension": values["dimension"],
                "choice": values["choice"],
                "rationale": values["rationale"],
                "marking": forms.marking_from_form(form),
            },
        )
        service.set_autonomy(session, user=user, data=data)
    except Invalid as exc:
        session.rollback()
        return _autonomy_page(request, session, user, rid, error=exc, values=values)
    choice = dict(_reliance())[data.choice]
    return see_other(
        f"/resilience/autonomy/{rid}",
        _("Choice recorded: {dimension} → {choice}.").format(
            dimension=_(DIMENSION_TITLES[data.dimension]), choice=choice
        ),
    )


# --- expert matrices --------------------------------------------------------------------------


def _matrix_data(form: FormData, name: str, built: service.SectorMatrix) -> MatrixCreate:
    return _validated(
        MatrixCreate,
        {
            "name": name,
            "sectors": list(built.names),
            "values": built.values.tolist(),
            "provenance": built.provenance,
            "active": form.get("active") == "on",
            "replace": form.get("replace") == "on",
            "marking": forms.marking_from_form(form),
        },
    )


def _saved(saved: MatrixRead) -> RedirectResponse:
    note = " " + _("It is now the active matrix.") if saved.active else ""
    return see_other(
        f"/resilience/matrix?name={quote(saved.name)}",
        _("Matrix {name} saved (ρ = {radius}).").format(
            name=saved.name, radius=f"{saved.spectral_radius:.3f}"
        )
        + note,
    )


@router.post("/matrix/upload", **page_needs("resilience.assess", csrf=True))
async def upload_matrix(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    require(user, ASSESS)
    form = await request.form()
    name = str(form.get("name") or "").strip()
    values: dict[str, Any] = {"name": name, "active": form.get("active") == "on"}
    values |= {"replace": form.get("replace") == "on"} | _typed_marking(form)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid(_("{field}: choose the CSV file to upload").format(field=_field("file")))
        limit = settings_of(request).max_upload_bytes
        raw = await file.read(limit + 1)
        if len(raw) > limit:
            raise Invalid(
                _("{field}: {file} is over the {limit}-byte limit").format(
                    field=_field("file"), file=file.filename, limit=f"{limit:,}"
                )
            )
        values["filename"] = file.filename
        built = service.SectorMatrix.from_csv_bytes(raw, source=file.filename)
        saved = service.save_matrix(session, user=user, data=_matrix_data(form, name, built))
    except (Invalid, Conflict) as exc:
        session.rollback()
        return matrix_view(request, session, user, error=exc, entry="upload", values=values)
    return _saved(saved)


@router.post("/matrix/scores", **page_needs("resilience.assess", csrf=True))
async def score_matrix(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    require(user, ASSESS)
    form = await request.form()
    ids = [s.id for s in service.load_catalogue().sectors]
    include = [s for s in ids if s in {str(v) for v in form.getlist("include")}]
    scores = {k.removeprefix("score."): str(v) for k, v in form.items() if k.startswith("score.")}
    name = str(form.get("name") or "").strip()
    source = str(form.get("source") or "").strip()
    values: dict[str, Any] = {"name": name, "source": source, "include": include}
    values |= {"scores": scores, "active": form.get("active") == "on"}
    values |= {"replace": form.get("replace") == "on"} | _typed_marking(form)
    try:
        if not include:
            raise Invalid(_("{field}: include at least one sector").format(field=_field("scores")))
        data = _validated(
            ConsequenceMatrixCreate,
            {
                "name": name,
                "sectors": include,
                "scores": [[scores.get(f"{r}.{c}", "") for c in include] for r in include],
                "source": source or "experts",
                "active": form.get("active") == "on",
                "replace": form.get("replace") == "on",
                "marking": forms.marking_from_form(form),
            },
        )
        saved = service.save_consequence_matrix(session, user=user, data=data)
    except (Invalid, Conflict) as exc:
        session.rollback()
        return matrix_view(request, session, user, error=exc, entry="scores", values=values)
    return _saved(saved)


@router.post("/matrix/activate", **page_needs("resilience.assess", csrf=True))
async def activate_matrix(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    require(user, ASSESS)
    form = await request.form()
    name = str(form.get("name") or "").strip()
    try:
        saved = service.activate_matrix(session, user=user, name=name)
    except (Invalid, Conflict) as exc:
        session.rollback()
        return matrix_view(request, session, user, name, error=exc, entry="activate")
    return see_other(
        f"/resilience/matrix?name={quote(saved.name)}",
        _("{name} is now the active matrix.").format(name=saved.name),
    )
