"""Departmental strategies: the list with the cascade from national objectives, and each
derived strategy's objectives with the national objective they serve.

Included before the strategy pages: ``/strategy/departmental`` is no component.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.markings import Marking
from grandstrategy.strategy import service
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.render import page

router = APIRouter(prefix="/strategy", include_in_schema=False)


@router.get("/departmental", **page_needs("strategy.read"))
def departmental(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    national = service.get_strategy(session, user=user).meta
    derived = service.derived_strategies(session, user=user)
    cascade = service.cascade(session, user=user)
    marks = [Marking.parse(national.marking)]
    marks += [Marking.parse(d.marking) for d in derived]
    marks += [Marking.parse(c.marking) for c in cascade]
    return page(
        request,
        "strategy/departmental.html",
        user=user,
        markings=marks,
        national=national,
        derived=derived,
        cascade=cascade,
    )


@router.get("/departmental/{key}", **page_needs("strategy.read"))
def departmental_detail(
    request: Request,
    key: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    meta, objectives = service.departmental_objectives(session, user=user, key=key)
    national = {
        o.id: str(getattr(o, "title", o.id))
        for o in service.list_records(session, user=user, component="objectives")
    }
    marks = [Marking.parse(meta.marking)] + [Marking.parse(o.marking) for o in objectives]
    return page(
        request,
        "strategy/departmental_detail.html",
        user=user,
        markings=marks,
        meta=meta,
        objectives=objectives,
        national=national,
    )
