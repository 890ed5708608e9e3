"""Objectives tracked by their owners: check-ins, milestones, comments, the secretariat's
judgement, each objective's indicator trajectories, the dashboard and "what I owe".

Who may write what:

* a check-in needs ``delivery.report`` and membership of the objective's owning actor;
* a comment needs ``delivery.report`` and membership of the owner or of a contributor;
* a milestone needs ``delivery.report`` and membership of the owner, or ``delivery.judge``;
* a judgement needs ``delivery.judge`` (the secretariat).

Every read goes through ``restrict()``; every write is audited in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, allowed, require, restrict
from grandstrategy.core.errors import Forbidden, Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.delivery.access import (
    JUDGE,
    REPORT,
    check_marking,
    is_operator,
    memberships,
    target,
    today,
)
from grandstrategy.delivery.models import CheckIn, Comment, Judgement, Milestone, ObjectiveRecord
from grandstrategy.delivery.schemas import (
    CheckInCreate,
    CheckInRead,
    CommentCreate,
    CommentRead,
    IndicatorValue,
    JudgementCreate,
    JudgementRead,
    MilestoneCreate,
    MilestoneRead,
)

R = TypeVar("R", bound=ObjectiveRecord)


def checkin_read(r: CheckIn) -> CheckInRead:
    return CheckInRead(
        id=r.id,
        objective=r.objective,
        status=r.status,
        values=[IndicatorValue.model_validate(v) for v in r.values],
        narrative=r.narrative,
        evidence=list(r.evidence),
        next_milestone=r.next_milestone,
        next_due=r.next_due,
        reported_on=r.reported_on,
        reporter=r.reporter,
        actor=r.actor,
        marking=str(r.marking),
    )


def judgement_read(r: Judgement) -> JudgementRead:
    return JudgementRead(
        id=r.id,
        objective=r.objective,
        rating=r.rating,
        reason=r.reason,
        judged_on=r.judged_on,
        judge=r.judge,
        marking=str(r.marking),
    )


def milestone_read(r: Milestone) -> MilestoneRead:
    return MilestoneRead(
        id=r.id,
        objective=r.objective,
        title=r.title,
        due=r.due,
        indicator=r.indicator,
        value=r.value,
        done_on=r.done_on,
        marking=str(r.marking),
    )


def comment_read(r: Comment) -> CommentRead:
    return CommentRead(
        id=r.id,
        objective=r.objective,
        text=r.text,
        author=r.author,
        actor=r.actor,
        at=r.at,
        marking=str(r.marking),
    )


def visible(
    session: Session, user: Principal, model: type[R], key: str, oid: str | None = None
) -> list[R]:
    """The rows of ``model`` for the strategy (one objective if given), oldest first."""
    q = restrict(select(model), user).where(model.strategy_key == key)
    if oid is not None:
        q = q.where(model.objective == oid)
    return list(session.execute(q.order_by(model.id)).scalars())


def _acting_actor(
    session: Session, user: Principal, allowed_actors: list[str], wanted: str | None, what: str
) -> str:
    """The actor the user acts for: one of theirs among ``allowed_actors``, else Forbidden."""
    if not allowed_actors:
        raise Forbidden(_("this objective has no owner to report for it"))
    if is_operator(user):
        return wanted if wanted in allowed_actors else allowed_actors[0]
    mine = [a for a in allowed_actors if a in memberships(session, user)]
    if wanted is not None:
        mine = [a for a in mine if a == wanted]
    if not mine:
        raise Forbidden(
            _("only members of {actors} may {what}").format(
                actors=", ".join(allowed_actors), what=what
            )
        )
    return mine[0]


def _audit(session: Session, user: Principal, action: str, kind: str, oid: str,
           marking: Marking, out: Any) -> None:  # fmt: skip
    audit.record(
        session,
        actor=user,
        action=action,
        object_type=kind,
        object_id=oid,
        marking=marking,
        after=out.model_dump(mode="json"),
    )


def _not_future(day: dt.date, what: str) -> None:
    if day > today():
        raise Invalid(_("{what} {day} is in the future").format(what=what, day=day))


def check_in(
    session: Session, *, user: Principal, objective: str, data: CheckInCreate
) -> CheckInRead:
    """Record the owner's report on an objective (append-only; the latest is current)."""
    require(user, REPORT)
    p = target(session, user, objective)
    obj = p.objective
    actor = _acting_actor(
        session, user, [obj.owner] if obj.owner else [], data.actor, _("report on it")
    )
    marking = check_marking(user, data.marking, Marking.parse(obj.marking))
    on = data.reported_on or today()
    _not_future(on, _("reported_on"))
    names = {i.name for i in obj.indicators}
    values = []
    for v in data.values:
        if v.name not in names:
            raise Invalid(
                _("objective {oid} has no indicator {name!r}").format(oid=obj.id, name=v.name),
                details=[_("known: {names}").format(names=", ".join(sorted(names)) or "—")],
            )
        values.append({"name": v.name, "value": v.value, "on": (v.on or on).isoformat()})
    row = CheckIn(
        strategy_key=p.key,
        objective=obj.id,
        status=data.status.value,
        values=values,
        narrative=data.narrative,
        evidence=list(data.evidence),
        next_milestone=data.next_milestone,
        next_due=data.next_due,
        reported_on=on,
        reporter=user.username,
        actor=actor,
    )
    row.marking = marking
    session.add(row)
    session.flush()
    out = checkin_read(row)
    _audit(session, user, "delivery.checkin", "objective", obj.id, marking, out)
    return out


def judge(
    session: Session, *, user: Principal, objective: str, data: JudgementCreate
) -> JudgementRead:
    """The secretariat's judgement of how likely the objective is delivered, with a reason."""
    require(user, JUDGE)
    p = target(session, user, objective)
    obj = p.objective
    marking = check_marking(user, data.marking, Marking.parse(obj.marking))
    on = data.judged_on or today()
    _not_future(on, _("judged_on"))
    row = Judgement(
        strategy_key=p.key,
        objective=obj.id,
        rating=data.rating.value,
        reason=data.reason,
        judged_on=on,
        judge=user.username,
    )
    row.marking = marking
    session.add(row)
    session.flush()
    out = judgement_read(row)
    _audit(session, user, "delivery.judge", "objective", obj.id, marking, out)
    return out


def add_milestone(
    session: Session, *, user: Principal, objective: str, data: MilestoneCreate
) -> MilestoneRead:
    """A dated step; with an indicator and a value it bends that indicator's planned path."""
    p = target(session, user, objective)
    obj = p.objective
    if not allowed(user, JUDGE):
        require(user, REPORT)
        _acting_actor(session, user, [obj.owner] if obj.owner else [], None, _("plan it"))
    if (data.indicator is None) != (data.value is None):
        raise Invalid(_("a milestone names both an indicator and its planned value, or neither"))
    if data.indicator is not None and data.indicator not in {i.name for i in obj.indicators}:
        raise Invalid(
            _("objective {oid} has no indicator {name!r}").format(oid=obj.id, name=data.indicator)
        )
    marking = check_marking(user, data.marking, Marking.parse(obj.marking))
    row = Milestone(
        strategy_key=p.key,
        objective=obj.id,
        title=data.title,
        due=data.due,
        indicator=data.indicator,
        value=data.value,
        done_on=data.done_on,
        created_by=user.username,
    )
    row.marking = marking
    session.add(row)
    session.flush()
    out = milestone_read(row)
    _audit(session, user, "delivery.milestone", "objective", obj.id, marking, out)
    return out


def comment(
    session: Session, *, user: Principal, objective: str, data: CommentCreate
) -> CommentRead:
    """A remark by the owner or a contributor."""
    require(user, REPORT)
    p = target(session, user, objective)
    obj = p.objective
    actors = ([obj.owner] if obj.owner else []) + list(obj.contributors)
    actor = _acting_actor(session, user, actors, data.actor, _("comment on it"))
    marking = check_marking(user, data.marking, Marking.parse(obj.marking))
    row = Comment(
        strategy_key=p.key, objective=obj.id, text=data.text, author=user.username, actor=actor
    )
    row.marking = marking
    session.add(row)
    session.flush()
    out = comment_read(row)
    _audit(session, user, "delivery.comment", "objective", obj.id, marking, out)
    return out
