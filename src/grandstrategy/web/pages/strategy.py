"""Strategy pages: overview, component lists, record pages and forms, trace, history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed, require
from grandstrategy.core.errors import Conflict, Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.strategy import service
from grandstrategy.strategy.schemas import (
    COMPONENTS,
    Package,
    component_singular,
    component_title,
    component_titles,
    impact_labels,
    likelihood_labels,
    posture_poles,
)
from grandstrategy.web import forms
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/strategy", include_in_schema=False)


def _markings(pkg: Package) -> list[Marking]:
    return [pkg.highest_marking()]


def _labels(pkg: Package) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for comp in COMPONENTS:
        out[comp] = {
            r.id: str(getattr(r, "title", None) or getattr(r, "name", None) or r.id)
            for r in getattr(pkg, comp)
        }
    return out


@router.get("", **page_needs("strategy.read"))
def overview(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    pkg = service.load_package(session, user=user)
    strat = service.current(session, user)
    findings = service.lint_strategy(session, user=user)
    threats = [t for t in pkg.threats if t.likelihood and t.impact]
    return page(
        request,
        "strategy/overview.html",
        user=user,
        markings=_markings(pkg),
        pkg=pkg,
        version=service.version_of(session, user=user, strategy=strat),
        findings=findings,
        counts=service.lint_summary(findings),
        titles=component_titles(),
        labels=_labels(pkg),
        chart=service.risk_matrix_svg(threats) if threats else "",
        can_edit=allowed(user, "strategy.edit"),
        can_publish=allowed(user, "strategy.publish"),
        can_export=allowed(user, "strategy.export"),
    )


@router.get("/trace", **page_needs("strategy.read"))
def trace_page(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    pkg = service.load_package(session, user=user)
    report = service.trace_strategy(session, user=user)  # kept per version and view
    matrix = report.matrix()
    threats = [t for t in pkg.threats if t.likelihood and t.impact]
    cascade = report.cascade  # national → departmental objectives
    return page(
        request,
        "strategy/trace.html",
        user=user,
        markings=_markings(pkg) + [Marking.parse(c.marking) for c in cascade],
        cascade=cascade,
        pkg=pkg,
        report=report,
        matrix=matrix,
        labels=_labels(pkg),
        chart=service.risk_matrix_svg(threats) if threats else "",
        likelihood=likelihood_labels(),
        impact=impact_labels(),
    )


@router.get("/history", **page_needs("strategy.read"))
def history_page(
    request: Request,
    v1: int | None = None,
    v2: int | None = None,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    strat = service.current(session, user)
    version = service.version_of(session, user=user, strategy=strat)
    revs = service.history(session, user=user, strategy=strat, limit=300)
    diffs = None
    if v1 is not None:
        diffs = service.diff(
            session, user=user, strategy=strat, v1=v1, v2=version if v2 is None else v2
        )
    eds = service.editions(session, user=user, strategy=strat)
    marks = [Marking.parse(r.marking) for r in revs] + [strat.marking]
    return page(
        request,
        "strategy/history.html",
        user=user,
        markings=marks,
        revisions=revs,
        diffs=diffs,
        v1=v1,
        v2=v2 if v2 is not None else version,
        version=version,
        strategy=strat,
        editions=eds,
        can_publish=allowed(user, "strategy.publish"),
        titles=component_titles(),
        field_label=forms.field_label,
        field_vocabulary=forms.field_vocabulary,
    )


@router.post("/freeze", **page_needs("strategy.publish", csrf=True))
async def freeze(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    form = await request.form()
    strat = service.current(session, user)
    ed = service.freeze(
        session,
        user=user,
        strategy=strat,
        status=str(form.get("status", "")),
        note=str(form.get("note", ""))[:400],
    )
    done = _("Version {version} is now {status}.").format(version=ed.version, status=ed.status)
    return see_other("/strategy/history", done)


@router.get("/export", **page_needs("strategy.export"))
def export_page(
    format: str = "pdf",
    max_marking: str | None = None,
    lang: str | None = None,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """An edition in ``lang``, by default the page's own language."""
    result = service.export(
        session, user=user, fmt=format, max_marking=max_marking or None, lang=lang or None
    )
    return Response(
        result.content,
        media_type=result.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{result.filename}"',
            "X-Marking": str(result.marking),
        },
    )


@router.get("/{component}", **page_needs("strategy.read"))
def list_page(
    request: Request,
    component: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    service.check_component(component)
    pkg = service.load_package(session, user=user)
    records = getattr(pkg, component)
    return page(
        request,
        "strategy/list.html",
        user=user,
        markings=[Marking.parse(r.marking) for r in records]
        + [Marking.parse(pkg.strategy.marking)],
        component=component,
        title=component_title(component),
        records=records,
        labels=_labels(pkg),
        singular=component_singular(component),
        can_edit=allowed(user, "strategy.edit"),
    )


def _form_context(
    session: Session, user: Principal, component: str, values: dict[str, Any]
) -> dict[str, Any]:
    pkg = service.load_package(session, user=user)
    options = {
        target: [
            (r.id, lbl)
            for r, lbl in zip(getattr(pkg, target), _labels(pkg)[target].values(), strict=True)
        ]
        for target in set(service.LINKS[component].values())
    }
    comps = sorted(c for c in user.compartments if c != "*")
    if "*" in user.compartments:
        comps = [c.name for c in scheme().compartments]
    return {
        "fields": forms.FIELDS[component],
        "values": values,
        "options": options,
        "levels": forms.levels_for(user.clearance),
        "compartments": comps,
        "posture": posture_poles(),
        "lines_text": forms.lines_text,
        "version": service.version_of(session, user=user, strategy=service.current(session, user)),
        "component": component,
        "singular": component_singular(component),
        "title": component_title(component),
    }


@router.get("/{component}/new", **page_needs("strategy.edit"))
def new_form(
    request: Request,
    component: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    service.check_component(component)
    require(user, "strategy.edit")
    ctx = _form_context(session, user, component, {"marking": "UNCLASSIFIED"})
    return page(request, "strategy/edit.html", user=user, creating=True, error=None, **ctx)


@router.post("/{component}/new", **page_needs("strategy.edit", csrf=True))
async def create(
    request: Request,
    component: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    service.check_component(component)
    form = await request.form()
    data: dict[str, Any] = {}
    try:
        data = forms.parse(component, form)
        data["id"] = str(form.get("id", "")).strip()
        rec = service.create_record(session, user=user, component=component, data=data)
    except (Invalid, Conflict) as exc:
        session.rollback()
        ctx = _form_context(session, user, component, data or {"marking": "UNCLASSIFIED"})
        return page(
            request,
            "strategy/edit.html",
            user=user,
            creating=True,
            error=exc,
            status_code=exc.http_status,
            **ctx,
        )
    done = _("{what} created.").format(what=component_singular(component))
    return see_other(f"/strategy/{component}/{rec.id}", done)


@router.get("/{component}/{rid}", **page_needs("strategy.read"))
def detail(
    request: Request,
    component: str,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    service.check_component(component)
    rec = service.get_record(session, user=user, component=component, rid=rid)
    pkg = service.load_package(session, user=user)
    data = rec.model_dump(mode="json")
    inbound = []  # (component, id, label, field): records that link here
    labels = _labels(pkg)
    for comp in COMPONENTS:
        for other in getattr(pkg, comp):
            for fld, target, tid in service.link_targets(comp, other.model_dump(mode="json")):
                if target == component and tid == rid:
                    inbound.append((comp, other.id, labels[comp][other.id], fld))
    strat = service.current(session, user)
    revs = service.history(
        session, user=user, strategy=strat, component=component, key=rid, limit=50
    )
    return page(
        request,
        "strategy/detail.html",
        user=user,
        markings=[Marking.parse(rec.marking)],
        component=component,
        rec=rec,
        data=data,
        fields=forms.FIELDS[component],
        labels=labels,
        links=service.LINKS[component],
        inbound=inbound,
        titles=component_titles(),
        singular=component_singular(component),
        revisions=revs,
        posture=posture_poles(),
        can_edit=allowed(user, "strategy.edit"),
    )


@router.get("/{component}/{rid}/edit", **page_needs("strategy.edit"))
def edit_form(
    request: Request,
    component: str,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    service.check_component(component)
    require(user, "strategy.edit")
    rec = service.get_record(session, user=user, component=component, rid=rid)
    ctx = _form_context(session, user, component, rec.model_dump(mode="json"))
    return page(
        request,
        "strategy/edit.html",
        user=user,
        markings=[Marking.parse(rec.marking)],
        creating=False,
        rid=rid,
        error=None,
        **ctx,
    )


def _stored_order(data: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """A multiple choice comes back in the order of its options: keep the stored order of the
    ids still chosen (new ones after them), so that saving a form changes no list the user
    did not change (the history showed every list of links as changed)."""
    out = dict(data)
    for name, chosen in data.items():
        before = stored.get(name)
        if not (isinstance(chosen, list) and isinstance(before, list)):
            continue
        if not all(isinstance(x, str) for x in [*chosen, *before]):
            continue
        kept = [x for x in before if x in chosen]
        out[name] = kept + [x for x in chosen if x not in kept]
    return out


@router.post("/{component}/{rid}/edit", **page_needs("strategy.edit", csrf=True))
async def update(
    request: Request,
    component: str,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    service.check_component(component)
    form = await request.form()
    data: dict[str, Any] = {}
    try:
        data = forms.parse(component, form)
        stored = service.get_record(session, user=user, component=component, rid=rid)
        data = _stored_order(data, stored.model_dump(mode="json"))
        base = str(form.get("base_version", ""))
        service.update_record(
            session,
            user=user,
            component=component,
            rid=rid,
            changes=data,
            base_version=int(base) if base.isdigit() else None,
        )
    except (Invalid, Conflict) as exc:
        session.rollback()
        ctx = _form_context(session, user, component, {**data, "id": rid})
        return page(
            request,
            "strategy/edit.html",
            user=user,
            creating=False,
            rid=rid,
            error=exc,
            status_code=exc.http_status,
            **ctx,
        )
    return see_other(f"/strategy/{component}/{rid}", _("Saved."))


@router.post("/{component}/{rid}/delete", **page_needs("strategy.edit", csrf=True))
def delete(
    component: str,
    rid: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    service.check_component(component)
    service.delete_record(session, user=user, component=component, rid=rid)
    return see_other(f"/strategy/{component}", _("Deleted {id}.").format(id=rid))
