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
from collections import defaultdict
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, allowed, require, restrict
from grandstrategy.core.errors import Forbidden, Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.delivery import trajectory as tj
from grandstrategy.delivery.access import (
    JUDGE,
    READ,
    REPORT,
    Plan,
    check_marking,
    is_operator,
    memberships,
    plan,
    today,
)
from grandstrategy.delivery.models import CheckIn, Comment, Judgement, Milestone, ObjectiveRecord
from grandstrategy.delivery.schemas import (
    AGREES,
    CheckInCreate,
    CheckInRead,
    CommentCreate,
    CommentRead,
    DashboardRow,
    IndicatorTrack,
    IndicatorValue,
    JudgementCreate,
    JudgementRead,
    MilestoneCreate,
    MilestoneRead,
    ObjectiveDelivery,
    Owed,
)
from grandstrategy.strategy.schemas import Objective

DEFAULT_CYCLE_DAYS = 90
R = TypeVar("R", bound=ObjectiveRecord)


def _checkin_read(r: CheckIn) -> CheckInRead:
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


def _judgement_read(r: Judgement) -> JudgementRead:
    return JudgementRead(
        id=r.id,
        objective=r.objective,
        rating=r.rating,
        reason=r.reason,
        judged_on=r.judged_on,
        judge=r.judge,
        marking=str(r.marking),
    )


def _milestone_read(r: Milestone) -> MilestoneRead:
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


def _comment_read(r: Comment) -> CommentRead:
    return CommentRead(
        id=r.id,
        objective=r.objective,
        text=r.text,
        author=r.author,
        actor=r.actor,
        at=r.at,
        marking=str(r.marking),
    )


def _visible(
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
    p = plan(session, user)
    obj = p.objective(objective)
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
    out = _checkin_read(row)
    _audit(session, user, "delivery.checkin", "objective", obj.id, marking, out)
    return out


def judge(
    session: Session, *, user: Principal, objective: str, data: JudgementCreate
) -> JudgementRead:
    """The secretariat's judgement of how likely the objective is delivered, with a reason."""
    require(user, JUDGE)
    p = plan(session, user)
    obj = p.objective(objective)
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
    out = _judgement_read(row)
    _audit(session, user, "delivery.judge", "objective", obj.id, marking, out)
    return out


def add_milestone(
    session: Session, *, user: Principal, objective: str, data: MilestoneCreate
) -> MilestoneRead:
    """A dated step; with an indicator and a value it bends that indicator's planned path."""
    p = plan(session, user)
    obj = p.objective(objective)
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
    out = _milestone_read(row)
    _audit(session, user, "delivery.milestone", "objective", obj.id, marking, out)
    return out


def comment(
    session: Session, *, user: Principal, objective: str, data: CommentCreate
) -> CommentRead:
    """A remark by the owner or a contributor."""
    require(user, REPORT)
    p = plan(session, user)
    obj = p.objective(objective)
    actors = ([obj.owner] if obj.owner else []) + list(obj.contributors)
    actor = _acting_actor(session, user, actors, data.actor, _("comment on it"))
    marking = check_marking(user, data.marking, Marking.parse(obj.marking))
    row = Comment(
        strategy_key=p.key, objective=obj.id, text=data.text, author=user.username, actor=actor
    )
    row.marking = marking
    session.add(row)
    session.flush()
    out = _comment_read(row)
    _audit(session, user, "delivery.comment", "objective", obj.id, marking, out)
    return out


# --- reading ----------------------------------------------------------------------------------


def _tracks(
    p: Plan, obj: Objective, checkins: list[CheckIn], milestones: list[Milestone]
) -> list[IndicatorTrack]:
    out = []
    for ind in obj.indicators:
        due = ind.due or obj.deadline or p.end
        actual = sorted(
            (dt.date.fromisoformat(str(v["on"])), float(v["value"]))  # type: ignore[arg-type]
            for c in checkins
            for v in c.values
            if v["name"] == ind.name
        )
        track = IndicatorTrack(
            name=ind.name,
            unit=ind.unit,
            baseline=ind.baseline,
            target=ind.target,
            start=p.start,
            due=due,
            planned=[],
            actual=actual,
            latest=actual[-1][1] if actual else None,
        )
        if ind.baseline is not None and ind.target is not None and due > p.start:
            bends = [(m.due, m.value) for m in milestones
                     if m.indicator == ind.name and m.value is not None]  # fmt: skip
            knots = tj.knots(p.start, ind.baseline, due, ind.target, bends)
            track.planned = knots
            if actual:
                when, value = actual[-1]
                expected = float(tj.planned(knots, [when])[0])
                track.planned_now = expected
                track.trajectory = tj.position(value, expected, ind.baseline, ind.target)  # type: ignore[assignment]
        out.append(track)
    return out


def _row(
    obj: Objective,
    checkins: list[CheckIn],
    judgements: list[Judgement],
    tracks: list[IndicatorTrack],
    on: dt.date,
) -> DashboardRow:
    last = max(checkins, key=lambda c: (c.reported_on, c.id)) if checkins else None
    verdict = max(judgements, key=lambda j: (j.judged_on, j.id)) if judgements else None
    status = last.status if last else None
    rating = verdict.rating if verdict else None
    marking = Marking.parse(obj.marking)
    for m in [c.marking for c in checkins] + [j.marking for j in judgements]:
        marking = marking.join(m)
    return DashboardRow(
        objective=obj.id,
        title=obj.title,
        owner=obj.owner,
        owner_status=status,
        rating=rating,
        reason=verdict.reason if verdict else "",
        disagreement=bool(status and rating and rating not in AGREES[status]),
        trajectory=tj.worst([t.trajectory for t in tracks]),
        deadline=obj.deadline,
        overdue=bool(obj.deadline and obj.deadline < on and status != "done"),
        last_checkin=last.reported_on if last else None,
        checkin_age_days=(on - last.reported_on).days if last else None,
        next_milestone=last.next_milestone if last else "",
        threats=list(obj.threats),
        interests=list(obj.interests),
        marking=str(marking),
    )


def _group(rows: list[R]) -> dict[str, list[R]]:
    out: dict[str, list[R]] = defaultdict(list)
    for r in rows:
        out[r.objective].append(r)
    return out


def dashboard(
    session: Session,
    *,
    user: Principal,
    on: dt.date | None = None,
    actor: str | None = None,
    threat: str | None = None,
    interest: str | None = None,
    rating: str | None = None,
) -> list[DashboardRow]:
    """Every objective the reader may see: owner status beside the judgement, trajectory,
    deadline, overdue, last check-in age. Filters narrow what is listed, never what counts."""
    require(user, READ)
    on = on or today()
    p = plan(session, user)
    checkins = _group(_visible(session, user, CheckIn, p.key))
    judgements = _group(_visible(session, user, Judgement, p.key))
    milestones = _group(_visible(session, user, Milestone, p.key))
    rows = []
    for obj in p.objectives:
        if actor and obj.owner != actor and actor not in obj.contributors:
            continue
        if threat and threat not in obj.threats:
            continue
        if interest and interest not in obj.interests:
            continue
        tracks = _tracks(p, obj, checkins[obj.id], milestones[obj.id])
        row = _row(obj, checkins[obj.id], judgements[obj.id], tracks, on)
        if rating and (row.rating or "none") != rating:
            continue
        rows.append(row)
    return rows


def objective_delivery(
    session: Session, *, user: Principal, objective: str, on: dt.date | None = None
) -> ObjectiveDelivery:
    """One objective: its row, history of check-ins and judgements, milestones, trajectories."""
    require(user, READ)
    on = on or today()
    p = plan(session, user)
    obj = p.objective(objective)
    checkins = _visible(session, user, CheckIn, p.key, obj.id)
    judgements = _visible(session, user, Judgement, p.key, obj.id)
    milestones = _visible(session, user, Milestone, p.key, obj.id)
    comments = _visible(session, user, Comment, p.key, obj.id)
    tracks = _tracks(p, obj, checkins, milestones)
    mine = set(memberships(session, user))
    owners = {obj.owner} if obj.owner else set()
    return ObjectiveDelivery(
        row=_row(obj, checkins, judgements, tracks, on),
        description=obj.description,
        contributors=list(obj.contributors),
        checkins=[_checkin_read(c) for c in reversed(checkins)],
        judgements=[_judgement_read(j) for j in reversed(judgements)],
        milestones=[_milestone_read(m) for m in sorted(milestones, key=lambda m: m.due)],
        comments=[_comment_read(c) for c in comments],
        indicators=tracks,
        may_report=allowed(user, REPORT) and (is_operator(user) or bool(owners & mine)),
        may_comment=allowed(user, REPORT)
        and (is_operator(user) or bool((owners | set(obj.contributors)) & mine)),
    )


def owed(
    session: Session,
    *,
    user: Principal,
    on: dt.date | None = None,
    cycle_days: int = DEFAULT_CYCLE_DAYS,
    actor: str | None = None,
) -> list[Owed]:
    """Check-ins the user's actors owe: each owned objective whose last check-in (or the
    plan's start) is ``cycle_days`` or more behind ``on``. Done objectives owe nothing."""
    require(user, READ)
    if cycle_days < 1:
        raise Invalid(_("the check-in cycle must be at least one day"))
    on = on or today()
    actors = [actor] if actor else memberships(session, user)
    p = plan(session, user)
    checkins = _group(_visible(session, user, CheckIn, p.key))
    out = []
    for obj in p.objectives:
        if obj.owner is None or obj.owner not in actors:
            continue
        mine = checkins[obj.id]
        last = max(mine, key=lambda c: (c.reported_on, c.id)) if mine else None
        if last is not None and last.status == "done":
            continue
        due = (last.reported_on if last else p.start) + dt.timedelta(days=cycle_days)
        if due <= on:
            out.append(
                Owed(
                    objective=obj.id,
                    title=obj.title,
                    owner=obj.owner,
                    last_checkin=last.reported_on if last else None,
                    due=due,
                    days_late=(on - due).days,
                )
            )
    return sorted(out, key=lambda o: (-o.days_late, o.objective))
