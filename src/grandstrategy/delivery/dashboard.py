"""Reading delivery: each objective's indicator trajectories, the dashboard (owner status
beside the secretariat's judgement), one objective in full, and "what I owe".

Everything is built from restricted queries and from the objectives the reader may see;
filters narrow what is listed, never what is counted or compared.

Each view is taken on a day (today unless given): check-ins, judgements and measured values
dated after it are left out, so a past day shows the delivery as it stood then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TypeVar

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed, require
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.delivery import trajectory as tj
from grandstrategy.delivery.access import READ, REPORT, Plan, is_operator, memberships, plan, today
from grandstrategy.delivery.choices import DEFAULT_CYCLE_DAYS
from grandstrategy.delivery.models import CheckIn, Comment, Judgement, Milestone, ObjectiveRecord
from grandstrategy.delivery.schemas import (
    AGREES,
    DashboardRow,
    IndicatorTrack,
    ObjectiveDelivery,
    Owed,
    Trajectory,
)
from grandstrategy.delivery.tracking import (
    checkin_read,
    comment_read,
    judgement_read,
    milestone_read,
    visible,
)
from grandstrategy.strategy.schemas import Objective

R = TypeVar("R", bound=ObjectiveRecord)


def _until(on: dt.date, checkins: list[CheckIn], judgements: list[Judgement]
           ) -> tuple[list[CheckIn], list[Judgement]]:  # fmt: skip
    """The check-ins and judgements made on or before ``on``."""
    return (
        [c for c in checkins if c.reported_on <= on],
        [j for j in judgements if j.judged_on <= on],
    )


def _tracks(
    p: Plan, obj: Objective, checkins: list[CheckIn], milestones: list[Milestone], on: dt.date
) -> list[IndicatorTrack]:
    out = []
    for ind in obj.indicators:
        due = ind.due or obj.deadline or p.end
        actual = [
            (dt.date.fromisoformat(str(v["on"])), float(v["value"]))  # type: ignore[arg-type]
            for c in checkins
            for v in c.values
            if v["name"] == ind.name and dt.date.fromisoformat(str(v["on"])) <= on
        ]
        actual.sort(key=lambda point: point[0])  # stable: the later report of a day wins
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
                track.trajectory = Trajectory(
                    tj.position(value, expected, ind.baseline, ind.target)
                )
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
    checkins = _group(visible(session, user, CheckIn, p.key))
    judgements = _group(visible(session, user, Judgement, p.key))
    milestones = _group(visible(session, user, Milestone, p.key))
    rows = []
    for obj in p.objectives:
        if actor and obj.owner != actor and actor not in obj.contributors:
            continue
        if threat and threat not in obj.threats:
            continue
        if interest and interest not in obj.interests:
            continue
        mine, verdicts = _until(on, checkins[obj.id], judgements[obj.id])
        tracks = _tracks(p, obj, mine, milestones[obj.id], on)
        row = _row(obj, mine, verdicts, tracks, on)
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
    checkins, judgements = _until(
        on,
        visible(session, user, CheckIn, p.key, obj.id),
        visible(session, user, Judgement, p.key, obj.id),
    )
    milestones = visible(session, user, Milestone, p.key, obj.id)
    comments = visible(session, user, Comment, p.key, obj.id)
    tracks = _tracks(p, obj, checkins, milestones, on)
    mine = set(memberships(session, user))
    owners = {obj.owner} if obj.owner else set()
    return ObjectiveDelivery(
        row=_row(obj, checkins, judgements, tracks, on),
        description=obj.description,
        contributors=list(obj.contributors),
        checkins=[checkin_read(c) for c in reversed(checkins)],
        judgements=[judgement_read(j) for j in reversed(judgements)],
        milestones=[milestone_read(m) for m in sorted(milestones, key=lambda m: m.due)],
        comments=[comment_read(c) for c in comments],
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
    checkins = _group(visible(session, user, CheckIn, p.key))
    out = []
    for obj in p.objectives:
        if obj.owner is None or obj.owner not in actors:
            continue
        mine = [c for c in checkins[obj.id] if c.reported_on <= on]
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
