"""Pages of the rolling analysis: stories, a story, alerts, briefs, assessments, partners."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed
from grandstrategy.core.errors import Invalid
from grandstrategy.core.formats import percent
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import service
from grandstrategy.horizon.schemas import Citation, category_ids
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/horizon", include_in_schema=False)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/stories", **page_needs("horizon.read"))
def stories_page(
    request: Request,
    since: str = "",
    category: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    rows = service.list_stories(
        session, user=user, since=_day(since), category=category or None, limit=200
    )
    weekly = service.trend_series(session, user=user, by="category", interval="week", top=8)
    return page(
        request,
        "horizon/stories.html",
        user=user,
        markings=[Marking.parse(r.marking) for r in rows],
        stories=rows,
        weekly=weekly,
        since=since,
        category=category,
        categories=category_ids(),
        active="horizon",
    )


@router.get("/stories/{story_id}", **page_needs("horizon.read"))
def story_page(
    request: Request,
    story_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    view = service.get_story(session, user=user, story_id=story_id)
    if view.summary.id != story_id:  # merged: the story it became
        return RedirectResponse(f"/horizon/stories/{view.summary.id}", status_code=303)
    return page(
        request,
        "horizon/story.html",
        user=user,
        markings=[Marking.parse(view.summary.marking)],
        story=view,
        active="horizon",
    )


@router.get("/alerts", **page_needs("horizon.read"))
def alerts_page(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    rows = service.list_alerts(session, user=user)
    return page(
        request,
        "horizon/alerts.html",
        user=user,
        markings=[Marking.parse(a.marking) for a in rows],
        alerts=rows,
        can_act=allowed(user, "horizon.label"),
        active="horizon",
    )


@router.post("/alerts/{alert_id}/verdict", **page_needs("horizon.label", csrf=True))
async def alert_verdict(
    request: Request,
    alert_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    service.act_on_alert(
        session,
        user=user,
        alert_id=alert_id,
        verdict=str(form.get("verdict", "")),
        reason=str(form.get("reason", "")),
    )
    return see_other("/horizon/alerts", _("Recorded."), anchor=f"a{alert_id}")


def _briefs_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    error: Invalid | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    rows = service.list_briefs(session, user=user)
    return page(
        request,
        "horizon/briefs.html",
        user=user,
        markings=[Marking.parse(b["marking"]) for b in rows],
        status_code=422 if error else 200,
        briefs=rows,
        can_freeze=allowed(user, "horizon.ingest"),  # as the API's POST /api/horizon/briefs
        categories=category_ids(),
        error=error,
        values=values or {"since": "7d", "categories": []},
        active="horizon",
    )


@router.get("/briefs", **page_needs("horizon.read"))
def briefs_page(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return _briefs_page(request, session, user)


@router.post("/briefs", **page_needs("horizon.ingest", csrf=True))
async def freeze_brief(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """Compose, check and freeze a brief from what the user may see (audited by the service)."""
    form = await request.form()
    since = str(form.get("since") or "").strip() or "7d"
    chosen = [str(c) for c in form.getlist("category") if str(c)]
    values = {"since": since, "categories": chosen}
    try:
        content = service.build_brief(session, user=user, since=since, categories=chosen or None)
    except Invalid as exc:
        session.rollback()
        return _briefs_page(request, session, user, error=exc, values=values)
    return see_other(
        f"/horizon/briefs/{content['id']}",
        _("Brief {id} frozen: {n} sentences, support {rate}.").format(
            id=content["id"], n=content["supported"], rate=percent(content["support_rate"])
        ),
    )


@router.get("/briefs/{brief_id}", **page_needs("horizon.read"))
def brief_page(
    request: Request,
    brief_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    content = service.get_brief(session, user=user, brief_id=brief_id)
    return page(
        request,
        "horizon/brief.html",
        user=user,
        markings=[Marking.parse(content["marking"])],
        b=content,
        cite=lambda c: service.cite(Citation(**c)),
        kind_label=service.alert_kind_label,
        active="horizon",
    )


@router.get("/assessments", **page_needs("horizon.read"))
def assessments_page(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    threats = service.assessments_by_threat(session, user=user)
    marks = [
        Marking.parse(a.marking)
        for t in threats.values()
        for a in t["assessments"]  # type: ignore[attr-defined]
    ]
    return page(
        request,
        "horizon/assessments.html",
        user=user,
        markings=marks,
        threats=threats,
        active="horizon",
    )


@router.get("/partners", **page_needs("horizon.read"))
def partners_page(
    request: Request,
    category: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    result = service.compare_partners(session, user=user)
    cats = sorted({c for p in result.profiles for c in p.shares})
    chosen = category if category in cats else (cats[0] if cats else "")
    names = [p.partner for p in result.profiles]
    matrix = {(x["a"], x["b"]): x for x in result.pairs if x["category"] == chosen}
    matrix.update({(b, a): x for (a, b), x in list(matrix.items())})
    return page(
        request,
        "horizon/partners.html",
        user=user,
        markings=[Marking.parse(result.marking)],
        result=result,
        categories=cats,
        chosen=chosen,
        names=names,
        matrix=matrix,
        region_labels=service.region_labels(),
        active="horizon",
    )
