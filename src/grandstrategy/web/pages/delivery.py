"""Delivery pages: the dashboard with filters and "what I owe", one objective with its
trajectory charts and the check-in and judgement forms, and the budget against Allies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.core.validation import validated
from grandstrategy.delivery import service
from grandstrategy.delivery.schemas import (
    CheckInCreate,
    CommentCreate,
    JudgementCreate,
    MilestoneCreate,
    OwnerStatus,
    Rating,
)
from grandstrategy.web import forms
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/delivery", include_in_schema=False)
RATING = r"^(green|amber-green|amber-red|red|none)$"


def _compartments(user: Principal) -> list[str]:
    if "*" in user.compartments:
        return [c.name for c in scheme().compartments]
    return sorted(user.compartments)


def _blank(v: str | None) -> str | None:
    return v.strip() or None if v else None


@router.get("", **page_needs("delivery.read"))
def dashboard(
    request: Request,
    actor: str | None = None,
    threat: str | None = None,
    interest: str | None = None,
    rating: str | None = Query(None, pattern=RATING + "|^$"),
    cycle_days: int = Query(service.DEFAULT_CYCLE_DAYS, ge=1, le=3660),
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    filters = {"actor": _blank(actor), "threat": _blank(threat), "interest": _blank(interest),
               "rating": _blank(rating)}  # fmt: skip
    rows = service.dashboard(
        session,
        user=user,
        actor=filters["actor"],
        threat=filters["threat"],
        interest=filters["interest"],
        rating=filters["rating"],
    )
    everything = service.dashboard(session, user=user) if any(filters.values()) else rows
    owed = service.owed(session, user=user, cycle_days=cycle_days)
    return page(
        request,
        "delivery/dashboard.html",
        user=user,
        markings=[Marking.parse(r.marking) for r in rows],
        active="delivery",
        rows=rows,
        owed=owed,
        filters=filters,
        cycle_days=cycle_days,
        actors=sorted({r.owner for r in everything if r.owner}),
        threats=sorted({t for r in everything for t in r.threats}),
        interests=sorted({i for r in everything for i in r.interests}),
        ratings=[r.value for r in Rating],
        disagreements=sum(r.disagreement for r in rows),
        levels=forms.levels_for(user.clearance),
    )


def _objective_page(
    request: Request,
    session: Session,
    user: Principal,
    objective: str,
    *,
    error: Invalid | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    d = service.objective_delivery(session, user=user, objective=objective)
    marks = [Marking.parse(d.row.marking)]
    marks += [Marking.parse(c.marking) for c in d.checkins]
    marks += [Marking.parse(m.marking) for m in d.milestones]
    marks += [Marking.parse(c.marking) for c in d.comments]
    return page(
        request,
        "delivery/objective.html",
        user=user,
        markings=marks,
        status_code=error.http_status if error else 200,
        active="delivery",
        d=d,
        charts=[service.trajectory_svg(t) for t in d.indicators if t.planned or t.actual],
        statuses=[s.value for s in OwnerStatus],
        ratings=[r.value for r in Rating],
        can_judge=allowed(user, "delivery.judge"),
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        today=dt.date.today().isoformat(),
        error=error,
        values=values or {},
    )


@router.get("/objectives/{objective}", **page_needs("delivery.read"))
def objective_page(
    request: Request,
    objective: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return _objective_page(request, session, user, objective)


def _indicator_values(form: Any) -> list[dict[str, Any]]:
    out = []
    for name, value in zip(form.getlist("indicator"), form.getlist("value"), strict=False):
        if str(value).strip():
            out.append({"name": str(name), "value": str(value).strip()})
    return out


@router.post("/objectives/{objective}/checkin", **page_needs("delivery.report", csrf=True))
async def checkin(
    request: Request,
    objective: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in
              ("status", "narrative", "evidence", "next_milestone", "reported_on")}  # fmt: skip
    try:
        data = validated(
            CheckInCreate,
            {
                "status": values["status"],
                "values": _indicator_values(form),
                "narrative": values["narrative"].strip(),
                "evidence": [x.strip() for x in values["evidence"].splitlines() if x.strip()],
                "next_milestone": values["next_milestone"].strip(),
                "reported_on": values["reported_on"].strip() or None,
                "marking": forms.marking_from_form(form),
            },
            _("the check-in is not valid"),
        )
        service.check_in(session, user=user, objective=objective, data=data)
    except Invalid as exc:
        session.rollback()
        return _objective_page(request, session, user, objective, error=exc, values=values)
    return see_other(f"/delivery/objectives/{objective}", _("Check-in recorded."))


@router.post("/objectives/{objective}/judge", **page_needs("delivery.judge", csrf=True))
async def judge(
    request: Request,
    objective: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("rating", "reason")}
    try:
        data = validated(
            JudgementCreate,
            {"rating": values["rating"], "reason": values["reason"].strip(),
             "marking": forms.marking_from_form(form)},
            _("the judgement is not valid"),
        )  # fmt: skip
        service.judge(session, user=user, objective=objective, data=data)
    except Invalid as exc:
        session.rollback()
        return _objective_page(request, session, user, objective, error=exc, values=values)
    return see_other(f"/delivery/objectives/{objective}", _("Judgement recorded."))


@router.post("/objectives/{objective}/comment", **page_needs("delivery.report", csrf=True))
async def comment(
    request: Request,
    objective: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    values = {"text": str(form.get("text") or "")}
    try:
        data = validated(CommentCreate, {"text": values["text"].strip(),
                                         "marking": forms.marking_from_form(form)},
                         _("the comment is not valid"))  # fmt: skip
        service.comment(session, user=user, objective=objective, data=data)
    except Invalid as exc:
        session.rollback()
        return _objective_page(request, session, user, objective, error=exc, values=values)
    return see_other(f"/delivery/objectives/{objective}", _("Comment added."))


@router.post("/objectives/{objective}/milestone", **page_needs("delivery.read", csrf=True))
async def milestone(
    request: Request,
    objective: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """The owner's members or the secretariat (the service decides)."""
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("title", "due", "indicator", "value")}
    try:
        data = validated(
            MilestoneCreate,
            {"title": values["title"], "due": values["due"] or None,
             "indicator": values["indicator"] or None, "value": values["value"] or None,
             "marking": forms.marking_from_form(form)},
            _("the milestone is not valid"),
        )  # fmt: skip
        service.add_milestone(session, user=user, objective=objective, data=data)
    except Invalid as exc:
        session.rollback()
        return _objective_page(request, session, user, objective, error=exc, values=values)
    return see_other(f"/delivery/objectives/{objective}", _("Milestone added."))


@router.get("/budget", **page_needs("delivery.read"))
def budget(
    request: Request,
    country: str = Query("BEL", min_length=3, max_length=3),
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    history = service.budget_history(user=user, country=country)
    paths = service.standard_paths(user=user)
    capabilities = service.capability_values(session, user=user)
    return page(
        request,
        "delivery/budget.html",
        user=user,
        markings=[Marking.parse(c.marking) for c in capabilities],
        active="delivery",
        capabilities=capabilities,
        capability_chart=service.capability_svg(capabilities) if capabilities else "",
        history=history,
        history_chart=service.history_svg(history),
        paths=paths,
        years=sorted({y.year for p in paths for y in p.years}),
        paths_chart=service.paths_svg(paths),
    )


@router.post("/pack", **page_needs("delivery.read", csrf=True))
async def pack(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """Issue the stocktake pack and download it."""
    form = await request.form()
    fmt = str(form.get("format") or "pdf")
    cap = str(form.get("max_marking") or "") or None
    out = service.stocktake(session, user=user, fmt=fmt, max_marking=cap)
    return Response(
        out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.filename}"',
                 "X-Marking": str(out.marking)},
    )  # fmt: skip
