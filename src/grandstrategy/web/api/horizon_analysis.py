"""JSON API of the rolling analysis: stories, trends, alerts, briefs, assessments, partners."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.horizon import service
from grandstrategy.web.deps import api_user, get_session, needs

router = APIRouter(prefix="/api/horizon", tags=["horizon analysis"])


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@router.get("/stories", **needs("horizon.read"))
def list_stories(
    since: dt.date | None = None,
    category: str | None = None,
    actor: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Stories (reports of one event counted once) within the user's clearance."""
    rows = service.list_stories(
        session, user=user, since=since, category=category, actor=actor, limit=limit
    )
    return [_plain(r) for r in rows]


@router.get("/stories/{story_id}", **needs("horizon.read"))
def get_story(
    story_id: int, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """One story: timeline of reports, sources, languages, labels, actors, lineage."""
    return dict(_plain(service.get_story(session, user=user, story_id=story_id)))


@router.get("/trends", **needs("horizon.read"))
def trends(
    by: str = Query("category", description="category, actor or category,actor"),
    interval: str = Query("day", description="day or week"),
    since: dt.date | None = None,
    top: int = Query(20, ge=1, le=500),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Story counts per key and period, with the bursts found in them."""
    rows = service.trend_series(session, user=user, by=by, interval=interval, since=since, top=top)
    return [_plain(r) for r in rows]


@router.get("/alerts", **needs("horizon.read"))
def list_alerts(
    since: dt.date | None = None,
    kind: str | None = Query(None, pattern="^(burst|emerging|convergence)$"),
    status: str | None = Query(None, pattern="^(open|acknowledged|dismissed)$"),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Alerts: kind, what about, start, score, stories, status and verdicts."""
    rows = service.list_alerts(session, user=user, since=since, kind=kind, status=status)
    return [_plain(r) for r in rows]


@router.post("/alerts/{alert_id}/verdict", **needs("horizon.label"))
def act_on_alert(
    alert_id: int,
    verdict: str = Body(..., embed=True, pattern="^(acknowledged|dismissed)$"),
    reason: str = Body(..., embed=True, min_length=1, max_length=1000),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Acknowledge or dismiss an alert with a reason (kept and audited)."""
    view = service.act_on_alert(
        session, user=user, alert_id=alert_id, verdict=verdict, reason=reason
    )
    return dict(_plain(view))


@router.post("/briefs", status_code=201, **needs("horizon.ingest"))
def make_brief(
    since: str = Body("7d", embed=True, max_length=20),
    categories: list[str] = Body(default_factory=list, embed=True),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Compose, check and freeze a rolling brief from what the user may see."""
    return service.build_brief(session, user=user, since=since, categories=categories or None)


@router.get("/briefs", **needs("horizon.read"))
def list_briefs(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[dict[str, Any]]:
    """Frozen briefs the user may read, newest first."""
    return service.list_briefs(session, user=user)


@router.get("/briefs/{brief_id}", **needs("horizon.read"))
def get_brief(
    brief_id: int, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """One frozen brief, as it was written, with its citations."""
    return service.get_brief(session, user=user, brief_id=brief_id)


@router.get("/assessments", **needs("horizon.read"))
def list_assessments(
    threat: str | None = None,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """External assessments the user may read (issuer, date, judgement, confidence, threats)."""
    return [_plain(a) for a in service.list_assessments(session, user=user, threat=threat)]


@router.post("/assessments", status_code=201, **needs("horizon.ingest"))
def add_assessment(
    issuer: str = Body(..., embed=True, min_length=1, max_length=200),
    issued: dt.date = Body(..., embed=True),
    judgement: str = Body(..., embed=True, min_length=1, max_length=20000),
    confidence: str = Body(..., embed=True, pattern="^(low|moderate|high)$"),
    threats: list[str] = Body(..., embed=True, min_length=1),
    marking: str | None = Body(None, embed=True, max_length=200),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Record an assessment issued by someone else."""
    view = service.add_assessment(
        session,
        user=user,
        issuer=issuer,
        issued=issued,
        judgement=judgement,
        confidence=confidence,
        threats=threats,
        marking=marking,
    )
    return dict(_plain(view))


@router.get("/partners/compare", **needs("horizon.read"))
def compare_partners(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """Partners' profiles, pairwise alignment per category, and the region lens."""
    return dict(_plain(service.compare_partners(session, user=user)))
