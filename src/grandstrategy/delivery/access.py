"""What every delivery service shares: the actions, the objectives as the reader sees them,
memberships, markings.

Objectives come from the strategy service, so they are already restricted to the reader
(a hidden objective is NotFound, links to hidden records are removed). A delivery record about
an objective is marked at least as high as the objective: a check-in cannot make a hidden
objective visible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.core.memberships import actors_of
from grandstrategy.delivery.actions import JUDGE, MANAGE, READ, REPORT
from grandstrategy.strategy import service as strategy_service
from grandstrategy.strategy.schemas import Objective

__all__ = ["JUDGE", "MANAGE", "READ", "REPORT", "Plan", "check_marking", "plan"]


@dataclass(frozen=True)
class Plan:
    """The strategy being delivered, as the reader sees it."""

    key: str
    title: str
    start: dt.date  # the baseline date: first approval or the period's start, the earlier
    end: dt.date
    objectives: list[Objective]

    def objective(self, oid: str) -> Objective:
        for o in self.objectives:
            if o.id == oid:
                return o
        from grandstrategy.core.errors import NotFound

        raise NotFound(_("objective {oid!r} not found").format(oid=oid))


def plan(session: Session, user: Principal, key: str | None = None) -> Plan:
    """The current strategy's objectives the user may see, and the date the plan started."""
    meta = strategy_service.get_strategy(session, user=user, key=key).meta
    objectives = strategy_service.list_records(
        session, user=user, component="objectives", key=meta.id
    )
    start = meta.period.start
    strategy = strategy_service.current(session, user, meta.id)
    approved = [
        e.created_at.date()
        for e in strategy_service.editions(session, user=user, strategy=strategy)
        if e.status in ("approved", "published", "superseded")
    ]
    if approved:  # approved before the period began: the baseline is the approval's
        start = min(start, min(approved))
    return Plan(
        key=meta.id,
        title=meta.title,
        start=start,
        end=meta.period.end,
        objectives=[o for o in objectives if isinstance(o, Objective)],
    )


@dataclass(frozen=True)
class Target:
    """One objective to write about, and the strategy it belongs to."""

    key: str
    objective: Objective


def target(session: Session, user: Principal, oid: str) -> Target:
    """The objective ``oid`` of the current strategy, or NotFound when hidden or absent.

    Cheaper than :func:`plan` for a write: one record, no editions."""
    meta = strategy_service.get_strategy(session, user=user).meta
    obj = strategy_service.get_record(
        session, user=user, component="objectives", rid=oid, key=meta.id
    )
    assert isinstance(obj, Objective)
    return Target(key=meta.id, objective=obj)


def check_marking(user: Principal, marking: str, floor: Marking | None = None) -> Marking:
    """The record's marking (raised to ``floor``), refused if the user could not read it."""
    m = Marking.parse(marking)
    if floor is not None:
        m = m.join(floor)
    if not user.can_read(m):
        raise Invalid(_("marking {m} is above your own clearance").format(m=m))
    return m


def is_operator(user: Principal) -> bool:
    """The local operator (no account) acts for every actor, e.g. to load the example."""
    return user.user_id is None and "*" in user.compartments


def memberships(session: Session, user: Principal) -> list[str]:
    return actors_of(session, user.user_id)


def today() -> dt.date:
    return dt.date.today()
