"""Pages of the watchlists tied to the strategy: a threat's signals, a passage's trace back to
the budget, the watched threats, and the owners' review items."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import service
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.forms import levels_for
from grandstrategy.web.render import page

router = APIRouter(prefix="/horizon", include_in_schema=False)


def _items(text: str) -> list[str]:
    """A form field of one item per line or comma."""
    return [p.strip() for line in text.splitlines() for p in line.split(",") if p.strip()]


def _threat_page(
    request: Request,
    session: Session,
    user: Principal,
    threat: str,
    *,
    error: Invalid | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    sig = service.threat_signals(session, user=user, threat=threat)
    return page(
        request,
        "horizon/threat.html",
        user=user,
        status_code=422 if error else 200,
        markings=[Marking.parse(sig.marking)],
        sig=sig,
        w=sig.watch,
        can_watch=allowed(user, "horizon.watch"),
        levels=levels_for(user.clearance),
        error=error,
        values=values or {},
        active="horizon",
    )


@router.get("/threats/{threat}", **page_needs("horizon.read"))
def threat_page(
    request: Request,
    threat: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """A threat of the strategy seen from the horizon: its watchlist, its recent stories and
    alerts, and the external assessments of it."""
    return _threat_page(request, session, user, threat)


@router.post("/threats/{threat}/watch", **page_needs("horizon.watch", csrf=True))
async def set_watch(
    request: Request,
    threat: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("categories", "actors", "places", "terms")}
    marking = str(form.get("marking") or "") or None
    try:
        service.set_watch(
            session,
            user=user,
            threat=threat,
            categories=_items(values["categories"]),
            actors=_items(values["actors"]),
            places=_items(values["places"]),
            terms=_items(values["terms"]),
            marking=marking,
        )
    except Invalid as exc:
        session.rollback()
        return _threat_page(request, session, user, threat, error=exc, values=values)
    return see_other(f"/horizon/threats/{quote(threat, safe='')}", _("Watchlist saved."))


@router.get("/passages/{passage_id}", **page_needs("horizon.read"))
def passage_page(
    request: Request,
    passage_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """A passage and what it bears on: watched threat → interests → objectives (owner,
    deadline) → capabilities (budget lines)."""
    tr = service.passage_trace(session, user=user, passage_id=passage_id)
    return page(
        request,
        "horizon/passage.html",
        user=user,
        markings=[Marking.parse(tr.marking)],
        tr=tr,
        active="horizon",
    )


@router.get("/watch", **page_needs("horizon.read"))
def watches_page(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """The watched threats with their watchlists."""
    rows = service.list_watches(session, user=user)
    return page(
        request,
        "horizon/watches.html",
        user=user,
        markings=[Marking.parse(w.marking) for w in rows],
        watches=rows,
        can_review=allowed(user, "horizon.review"),
        active="horizon",
    )


@router.get("/watch/reviews", **page_needs("horizon.review"))
def reviews_page(
    request: Request,
    status: str = "open",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """The review items of the reader's actors (every owner's for the secretariat)."""
    if status not in ("open", "closed", "all"):
        status = "open"
    rows = service.list_reviews(session, user=user, status=None if status == "all" else status)
    return page(
        request,
        "horizon/watch_reviews.html",
        user=user,
        markings=[Marking.parse(r.marking) for r in rows],
        reviews=rows,
        status=status,
        active="horizon",
    )


@router.post("/watch/reviews/{review_id}/close", **page_needs("horizon.review", csrf=True))
async def close_review(
    request: Request,
    review_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    service.close_review(session, user=user, review_id=review_id, note=str(form.get("note", "")))
    return see_other("/horizon/watch/reviews", _("Review item closed."))
