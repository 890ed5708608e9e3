"""JSON API of the watchlists tied to the strategy: ``/api/horizon/watch/...``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Query
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.horizon import service
from grandstrategy.web.deps import api_user, get_session, needs

router = APIRouter(prefix="/api/horizon/watch", tags=["horizon watchlists"])

THREAT = Path(..., min_length=1, max_length=100, description="The threat's id in the strategy.")
STRATEGY = Query(
    None, max_length=100, description="The strategy's id (default: the current national one)."
)


def _list(what: str) -> Any:
    return Body(default_factory=list, embed=True, max_length=50, description=what)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@router.get("", **needs("horizon.read"))
def list_watches(
    strategy: str | None = STRATEGY,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """The watched threats, each with the union of the watchlist entries the caller may read."""
    return [_plain(w) for w in service.list_watches(session, user=user, strategy=strategy)]


@router.get("/reviews", **needs("horizon.review"))
def list_reviews(
    status: str = Query("open", pattern="^(open|closed|all)$"),
    actor: str | None = Query(None, max_length=80),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Review items opened by alerts on watched threats: the caller's actors' (all for the
    secretariat), within their clearance."""
    rows = service.list_reviews(
        session, user=user, status=None if status == "all" else status, actor=actor
    )
    return [_plain(r) for r in rows]


@router.post("/reviews/{review_id}/close", **needs("horizon.review"))
def close_review(
    review_id: int,
    note: str = Body(..., embed=True, min_length=1, max_length=2000),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Close a review item of one of the caller's actors, with a note (kept and audited)."""
    return dict(_plain(service.close_review(session, user=user, review_id=review_id, note=note)))


@router.get("/passages/{passage_id}", **needs("horizon.read"))
def passage_trace(
    passage_id: int, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """What a passage bears on: watched threats → interests → objectives (owner, deadline) →
    capabilities (budget lines), as far as the caller may see."""
    return dict(_plain(service.passage_trace(session, user=user, passage_id=passage_id)))


@router.get("/threats/{threat}", **needs("horizon.read"))
def get_watch(
    threat: str = THREAT,
    strategy: str | None = STRATEGY,
    limit: int = Query(20, ge=1, le=500),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """A threat's watchlist, its recent matching stories and alerts, and the external
    assessments of its categories."""
    sig = service.threat_signals(session, user=user, threat=threat, strategy=strategy, limit=limit)
    return dict(_plain(sig))


@router.put("/threats/{threat}", **needs("horizon.watch"))
def set_watch(
    threat: str = THREAT,
    categories: list[str] = _list("taxonomy category ids"),
    actors: list[str] = _list("actor ids (state:RU, org:nato) or names"),
    places: list[str] = _list("region ids (regions.yaml) or states"),
    terms: list[str] = _list("words to look for, whole words, any case"),
    marking: str | None = Body(None, embed=True, max_length=200),
    strategy: str | None = STRATEGY,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Set (replace) the threat's watchlist entry at one marking (default: the threat's);
    empty lists clear it. Alerts already recorded on the threat open their review items."""
    view = service.set_watch(
        session,
        user=user,
        threat=threat,
        categories=categories,
        actors=actors,
        places=places,
        terms=terms,
        marking=marking,
        strategy=strategy,
    )
    return dict(_plain(view))
