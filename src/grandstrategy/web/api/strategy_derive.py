"""JSON API over departmental strategies (``strategy/derive.py``).

Included before the strategy router: ``/api/strategy/derived`` and ``/api/strategy/cascade``
would otherwise be taken for components. Writing needs ``strategy.read`` at the gate; the
service then admits the actor's members, the pen-holder and the secretariat only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.strategy import service
from grandstrategy.web.deps import api_user, get_session, needs

router = APIRouter(prefix="/api/strategy", tags=["strategy"])
NationalQ = Query(None, alias="national", description="National strategy id; default: current.")


class DeriveIn(BaseModel):
    actor: str = Field(description="The actor it is for, e.g. defence.")
    kind: str = Field("departmental", description="departmental or annual-statement")
    title: str | None = None
    id: str | None = Field(None, description="Its id; default: ACTOR-NATIONAL.")
    marking: str | None = Field(None, description="Default: the national strategy's marking.")
    year: int | None = Field(None, description="Year of an annual statement; default: this year.")


class DerivedOut(BaseModel):
    strategy: service.DerivedRead
    objectives: list[service.DepartmentalObjective]


@router.get("/derived", **needs("strategy.read"))
def list_derived(
    national: str | None = NationalQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[service.DerivedRead]:
    """The departmental strategies and annual statements derived from the national strategy."""
    return service.derived_strategies(session, user=user, national=national)


@router.post("/derived", status_code=201, **needs("strategy.read"))
def derive(
    data: DeriveIn,
    national: str | None = NationalQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> service.DerivedRead:
    """Start a departmental strategy (or annual statement) for an actor."""
    return service.derive(
        session, user=user, actor=data.actor, kind=data.kind, title=data.title, rid=data.id,
        marking=data.marking, year=data.year, national=national,
    )  # fmt: skip


@router.get("/derived/{key}", **needs("strategy.read"))
def get_derived(
    key: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> DerivedOut:
    """A derived strategy and its objectives, each with the national objective it serves."""
    meta, objectives = service.departmental_objectives(session, user=user, key=key)
    return DerivedOut(strategy=meta, objectives=objectives)


@router.post("/derived/{key}/objectives", status_code=201, **needs("strategy.read"))
def add_objective(
    key: str,
    data: dict[str, Any] = Body(...),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> service.DepartmentalObjective:
    """Add an objective to a derived strategy; ``serves`` names the national objective."""
    return service.add_objective(session, user=user, key=key, data=data)


@router.patch("/derived/{key}/objectives/{rid}", **needs("strategy.read"))
def update_objective(
    key: str,
    rid: str,
    changes: dict[str, Any] = Body(...),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> service.DepartmentalObjective:
    """Change fields of a departmental objective, ``serves`` included."""
    return service.update_objective(session, user=user, key=key, rid=rid, changes=changes)


@router.get("/cascade", **needs("strategy.read"))
def cascade(
    national: str | None = NationalQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """National objective → the departmental objectives serving it (empty before any)."""
    rows = service.cascade(session, user=user, national=national)
    return [r.__dict__ for r in rows]
