"""Spending against delivered capability: per capability and measure (units, readiness,
personnel), the yearly target, what was delivered and what was spent; growth of spend against
growth of delivery, flagging capabilities whose spend rises while what they deliver does not
(formulas in ``budget.py``)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.markings import Marking, combine
from grandstrategy.delivery import budget
from grandstrategy.delivery.access import MANAGE, READ, check_marking
from grandstrategy.delivery.models import CapabilityTarget
from grandstrategy.delivery.schemas import CapabilityTargetCreate, CapabilityValue
from grandstrategy.strategy import service as strategy_service


def record_target(
    session: Session, *, user: Principal, data: CapabilityTargetCreate
) -> CapabilityTargetCreate:
    """Record (or correct) one year's target, delivery and spend for a capability's measure;
    the capability must be one the user may see in the strategy."""
    require(user, MANAGE)
    cap = strategy_service.get_record(
        session, user=user, component="capabilities", rid=data.capability
    )
    marking = check_marking(user, data.marking, Marking.parse(cap.marking))
    row = session.execute(
        restrict(select(CapabilityTarget), user).where(
            CapabilityTarget.capability == data.capability,
            CapabilityTarget.measure == data.measure.value,
            CapabilityTarget.year == data.year,
        )
    ).scalar()
    before = None
    if row is None:
        row = CapabilityTarget(capability=data.capability, measure=data.measure.value,
                               year=data.year, recorded_by=user.username)  # fmt: skip
        session.add(row)
    else:
        before = {"target": row.target, "delivered": row.delivered, "spend": row.spend}
    row.target, row.delivered, row.spend = data.target, data.delivered, data.spend
    row.recorded_by = user.username
    row.marking = marking
    session.flush()
    out = data.model_copy(update={"marking": str(marking)})
    audit.record(session, actor=user, action="delivery.capability_target",
                 object_type="capability", object_id=data.capability, marking=marking,
                 before=before, after=out.model_dump(mode="json"))  # fmt: skip
    return out


def capability_values(session: Session, *, user: Principal) -> list[CapabilityValue]:
    """Per capability and measure, the years with target, delivered and spend, and the
    growth of spend against the growth of delivery (flagged when spend rises alone)."""
    require(user, READ)
    q = restrict(select(CapabilityTarget), user).order_by(
        CapabilityTarget.capability, CapabilityTarget.measure, CapabilityTarget.year
    )
    groups: dict[tuple[str, str], list[CapabilityTarget]] = defaultdict(list)
    for r in session.execute(q).scalars():
        groups[(r.capability, r.measure)].append(r)
    out = []
    for (cap, measure), rows in groups.items():
        spend = [r.spend for r in rows]
        delivered = [r.delivered for r in rows]
        gs, gd = budget.growth(spend), budget.growth(delivered)
        out.append(
            CapabilityValue(
                capability=cap,
                measure=measure,
                years=[r.year for r in rows],
                targets=[r.target for r in rows],
                delivered=delivered,
                spend=spend,
                spend_growth=gs,
                delivered_growth=gd,
                flag=budget.spend_without_delivery(gs, gd),
                marking=str(combine(r.marking for r in rows)),
            )
        )
    return out
