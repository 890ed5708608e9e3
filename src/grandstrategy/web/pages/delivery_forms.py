"""Delivery forms for the secretariat (``delivery.manage``): a deployment of the register,
new or corrected, and a capability's target and delivered values for a year.

Each handler reads the form, calls one service function and redirects (303) with a flash
message; a refused form comes back with the message, naming each wrong field, and with
everything that was typed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Conflict, Invalid, NotFound
from grandstrategy.core.i18n import _, lazy
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.core.validation import validated
from grandstrategy.delivery import service
from grandstrategy.delivery.schemas import (
    CapabilityTargetCreate,
    DeploymentCreate,
    DeploymentRead,
    Framework,
    Measure,
)
from grandstrategy.strategy import service as strategy_service
from grandstrategy.web import forms
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/delivery", include_in_schema=False)
MANAGE = "delivery.manage"

LABELS = {
    "key": lazy("Key"),
    "name": lazy("Name"),
    "framework": lazy("Framework"),
    "theatre": lazy("Theatre"),
    "personnel": lazy("Personnel"),
    "annual_cost": lazy("Annual cost (EUR million)"),
    "start": lazy("Start"),
    "end": lazy("End"),
    "objectives": lazy("Objectives served"),
    "threats": lazy("Threats addressed"),
    "marking": lazy("Marking"),
    "capability": lazy("Capability"),
    "measure": lazy("Measure"),
    "year": lazy("Year"),
    "target": lazy("Target"),
    "delivered": lazy("Delivered"),
    "spend": lazy("Spend (EUR million)"),
}
DEPLOYMENT_TEXT = ("key", "name", "framework", "theatre", "personnel", "annual_cost", "start",
                   "end")  # fmt: skip
TARGET_TEXT = ("capability", "measure", "year", "target", "delivered", "spend")
NUMBERS = ("annual_cost", "target", "delivered", "spend")


def _field(name: str) -> str:
    """'Theatre (theatre)': what the form calls a field, and its name."""
    return f"{_(LABELS[name])} ({name})" if name in LABELS else name


def _compartments(user: Principal) -> list[str]:
    if "*" in user.compartments:
        return [c.name for c in scheme().compartments]
    return sorted(user.compartments)


def _typed(form: FormData, names: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """What was typed, to show again: text fields, chosen lists, the marking."""
    values: dict[str, Any] = {n: str(form.get(n) or "") for n in names}
    for n in lists:
        values[n] = [str(v) for v in form.getlist(n) if str(v)]
    values["marking_level"] = str(form.get("marking_level") or "")
    values["marking_compartments"] = [str(c) for c in form.getlist("marking_compartments")]
    return values


def _data(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Typed text → the model's input: blanks are None, a decimal comma is a point."""
    out: dict[str, Any] = {}
    for n in names:
        raw = str(values.get(n, "")).strip()
        if n in NUMBERS and "," in raw and "." not in raw:
            raw = raw.replace(",", ".")
        out[n] = raw or None
    return out


def _marking_values(marking: str) -> dict[str, Any]:
    m = Marking.parse(marking)
    return {"marking_level": m.level_name, "marking_compartments": sorted(m.compartments)}


def _titles(session: Session, user: Principal, component: str) -> dict[str, str]:
    """id → title of the strategy records the user may see, for the pickers."""
    recs = strategy_service.list_records(session, user=user, component=component)
    return {r.id: str(getattr(r, "title", None) or getattr(r, "name", None) or r.id) for r in recs}


# --- deployments ------------------------------------------------------------------------------


def _deployment_values(d: DeploymentRead) -> dict[str, Any]:
    return {
        "key": d.key,
        "name": d.name,
        "framework": d.framework.value,
        "theatre": d.theatre,
        "personnel": str(d.personnel),
        "annual_cost": f"{d.annual_cost:g}",
        "start": d.start.isoformat(),
        "end": d.end.isoformat() if d.end else "",
        "objectives": list(d.objectives),
        "threats": list(d.threats),
        **_marking_values(d.marking),
    }


def _deployment_form(
    request: Request,
    session: Session,
    user: Principal,
    *,
    editing: DeploymentRead | None,
    values: dict[str, Any],
    error: Invalid | Conflict | None = None,
) -> Response:
    require(user, MANAGE)
    return page(
        request,
        "delivery/deployment_form.html",
        user=user,
        markings=[Marking.parse(editing.marking)] if editing else None,
        status_code=error.http_status if error else 200,
        active="delivery",
        editing=editing,
        frameworks=[f.value for f in Framework],
        objectives=_titles(session, user, "objectives"),
        threats=_titles(session, user, "threats"),
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        error=error,
        values=values,
    )


async def _save_deployment(
    request: Request, session: Session, user: Principal, editing: DeploymentRead | None
) -> Response:
    require(user, MANAGE)
    form = await request.form()
    values = _typed(form, DEPLOYMENT_TEXT, ("objectives", "threats"))
    if editing is not None:
        values["key"] = editing.key
    try:
        data = validated(
            DeploymentCreate,
            {
                **_data(values, DEPLOYMENT_TEXT),
                "objectives": values["objectives"],
                "threats": values["threats"],
                "marking": forms.marking_from_form(form),
            },
            _("the deployment is not valid"),
            label=_field,
        )
        if editing is None:
            service.add_deployment(session, user=user, data=data)
        else:
            service.update_deployment(session, user=user, key=editing.key, data=data)
    except (Invalid, Conflict) as exc:
        session.rollback()
        return _deployment_form(request, session, user, editing=editing, values=values, error=exc)
    return see_other("/delivery/deployments", _("Deployment {name} saved.").format(name=data.name))


@router.get("/deployments/new", **page_needs(MANAGE))
def new_deployment(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    values = {"framework": Framework.eu.value, **_marking_values("UNCLASSIFIED")}
    return _deployment_form(request, session, user, editing=None, values=values)


@router.post("/deployments/new", **page_needs(MANAGE, csrf=True))
async def create_deployment(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    return await _save_deployment(request, session, user, None)


@router.get("/deployments/{key}/edit", **page_needs(MANAGE))
def edit_deployment(
    request: Request,
    key: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    d = service.deployment(session, user=user, key=key)
    return _deployment_form(request, session, user, editing=d, values=_deployment_values(d))


@router.post("/deployments/{key}/edit", **page_needs(MANAGE, csrf=True))
async def update_deployment(
    request: Request,
    key: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    d = service.deployment(session, user=user, key=key)
    return await _save_deployment(request, session, user, d)


# --- capability targets -----------------------------------------------------------------------


def _target_values(
    session: Session, user: Principal, capability: str, measure: str, year: str
) -> dict[str, Any]:
    """The form's starting values: what is recorded for that capability, measure and year."""
    values: dict[str, Any] = {"capability": capability, "measure": measure or "units",
                              "year": year, **_marking_values("UNCLASSIFIED")}  # fmt: skip
    for c in service.capability_values(session, user=user):
        if c.capability != capability or c.measure.value != measure:
            continue
        if year.isdigit() and int(year) in c.years:
            i = c.years.index(int(year))
            values["target"] = f"{c.targets[i]:g}"
            values["delivered"] = "" if c.delivered[i] is None else f"{c.delivered[i]:g}"
            values["spend"] = "" if c.spend[i] is None else f"{c.spend[i]:g}"
        values |= _marking_values(c.marking)
    return values


def _target_form(
    request: Request,
    session: Session,
    user: Principal,
    *,
    values: dict[str, Any],
    error: Invalid | Conflict | None = None,
) -> Response:
    require(user, MANAGE)
    return page(
        request,
        "delivery/capability_form.html",
        user=user,
        status_code=error.http_status if error else 200,
        active="delivery",
        capabilities=_titles(session, user, "capabilities"),
        measures=[m.value for m in Measure],
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        error=error,
        values=values,
    )


@router.get("/capabilities/new", **page_needs(MANAGE))
def new_target(
    request: Request,
    capability: str = "",
    measure: str = "",
    year: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    values = _target_values(session, user, capability, measure, year)
    return _target_form(request, session, user, values=values)


@router.post("/capabilities/new", **page_needs(MANAGE, csrf=True))
async def record_target(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    form = await request.form()
    values = _typed(form, TARGET_TEXT)
    try:
        data = validated(
            CapabilityTargetCreate,
            {**_data(values, TARGET_TEXT), "marking": forms.marking_from_form(form)},
            _("the capability target is not valid"),
            label=_field,
        )
        try:
            service.record_target(session, user=user, data=data)
        except NotFound:  # a capability the user may not see, or none: name the field
            raise Invalid(
                _("{field}: no capability with id {rid!r}").format(
                    field=_field("capability"), rid=data.capability
                )
            ) from None
    except (Invalid, Conflict) as exc:
        session.rollback()
        return _target_form(request, session, user, values=values, error=exc)
    done = _("Recorded {capability}, {measure}, {year}.").format(
        capability=data.capability, measure=data.measure.value, year=data.year
    )
    return see_other("/delivery/budget", done)
