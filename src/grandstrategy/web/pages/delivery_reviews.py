"""Delivery review pages: the deployments register, a year's review round with the
departments' sign-off and its pack, and the five-yearly review from two frozen editions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.delivery import service
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/delivery", include_in_schema=False)


@router.get("/deployments", **page_needs("delivery.read"))
def deployments_page(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    rows = service.deployments(session, user=user)
    years = service.review_years(session, user=user)
    return page(
        request,
        "delivery/deployments.html",
        user=user,
        markings=[Marking.parse(d.marking) for d in rows],
        active="delivery",
        deployments=rows,
        years=years,
    )


def _review_page(
    request: Request, session: Session, user: Principal, year: int, error: Invalid | None = None
) -> Response:
    r = service.review_round(session, user=user, year=year)
    marks = [Marking.parse(r.marking)] + [Marking.parse(d.marking) for d in r.deployments]
    marks += [Marking.parse(p.marking) for p in r.proposals]
    mine = set(service.my_actors(session, user=user))
    return page(
        request,
        "delivery/review.html",
        user=user,
        markings=marks,
        status_code=error.http_status if error else 200,
        active="delivery",
        r=r,
        by_deployment={p.deployment: p for p in r.proposals if p.deployment},
        new=[p for p in r.proposals if p.action.value == "new"],
        may_sign=[d for d in r.missing if d in mine] if allowed(user, "delivery.report") else [],
        error=error,
    )


@router.get("/reviews/{year}", **page_needs("delivery.read"))
def review_page(
    request: Request,
    year: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return _review_page(request, session, user, year)


@router.post("/reviews/{year}/sign", **page_needs("delivery.report", csrf=True))
async def sign(
    request: Request,
    year: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    try:
        service.sign_off(session, user=user, year=year,
                         department=str(form.get("department") or ""),
                         note=str(form.get("note") or "").strip())  # fmt: skip
    except Invalid as exc:
        session.rollback()
        return _review_page(request, session, user, year, error=exc)
    return see_other(f"/delivery/reviews/{year}", _("Signed."))


@router.get("/reviews/{year}/pack", **page_needs("delivery.read"))
def review_pack(
    year: int,
    format: str = Query("pdf", pattern="^(md|pdf|docx)$"),
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    out = service.review_pack(session, user=user, year=year, fmt=format)
    return Response(
        out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.filename}"',
                 "X-Marking": str(out.marking)},
    )  # fmt: skip


@router.get("/five-year", **page_needs("delivery.read"))
def five_year_page(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    eds = service.editions(session, user=user)
    return page(
        request,
        "delivery/five_year.html",
        user=user,
        markings=[Marking.parse(e.marking) for e in eds],
        active="delivery",
        editions=eds,
    )


@router.get("/five-year/review", **page_needs("delivery.read"))
def five_year_download(
    from_version: int = Query(..., alias="from", ge=0),
    to_version: int = Query(..., alias="to", ge=0),
    format: str = Query("pdf", pattern="^(md|pdf|docx)$"),
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    out = service.five_year_review(
        session, user=user, from_version=from_version, to_version=to_version, fmt=format
    )
    return Response(
        out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.filename}"',
                 "X-Marking": str(out.marking)},
    )  # fmt: skip
