"""The drafting service: the only entry the web and CLI adapters call.

Keyword-only functions taking an explicit session and the acting principal; they check the
action with ``require`` and the cycle's people (pen-holder, team, delegates) with
``access``, read only through restricted queries, and audit every write. The strategy is
reached only through its service, versions and publication functions.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, registry, require
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.models import User
from grandstrategy.core.users import find
from grandstrategy.drafting import access
from grandstrategy.drafting.contributions import (
    contribute,
    decide,
    get_contribution,
    list_contributions,
    moderate,
    queue,
)
from grandstrategy.drafting.launch import approve, launch_file, launch_files, publish
from grandstrategy.drafting.models import Cycle, TeamMember
from grandstrategy.drafting.reading import (
    cycle_read,
    draft,
    report,
    word_diff,
)
from grandstrategy.drafting.rounds import close_round, get_round, invite, list_rounds, open_round
from grandstrategy.drafting.schemas import (
    CycleCreate,
    CycleRead,
)
from grandstrategy.strategy import service as strategy_service

__all__ = [
    "approve",
    "check_editor",
    "close_round",
    "contribute",
    "decide",
    "draft",
    "get_contribution",
    "get_cycle",
    "get_round",
    "hand_over",
    "invite",
    "launch_file",
    "launch_files",
    "list_contributions",
    "list_cycles",
    "list_rounds",
    "moderate",
    "open_round",
    "publish",
    "queue",
    "report",
    "set_team",
    "start_cycle",
    "word_diff",
]


def _account(session: Session, username: str) -> User:
    u = find(session, username)
    if u is None or not u.active:
        raise Invalid(_("user {u!r} not found or disabled").format(u=username))
    return u


def start_cycle(session: Session, *, user: Principal, data: CycleCreate) -> CycleRead:
    """Open a cycle for the next edition under exactly one pen-holder and a team."""
    require(user, "strategy.publish")
    strategy = strategy_service.current(session, user, data.strategy)
    running = session.execute(
        select(Cycle).where(Cycle.strategy_key == strategy.key, Cycle.status.in_(access.OPEN_CYCLE))
    ).scalar()
    if running is not None:
        raise Conflict(
            _(
                "a drafting cycle is already running for this strategy; there is one pen-holder "
                "at a time: hand over instead of starting another"
            )
        )
    if session.execute(access.cycles_query(user).where(Cycle.name == data.name)).first():
        raise Conflict(_("the cycle name {n!r} is taken").format(n=data.name))
    pen = _account(session, data.pen_holder)
    if "drafting.decide" not in registry().role_actions(pen.role):
        raise Invalid(
            _("{u} cannot hold the pen: their role ({r}) does not decide on contributions").format(
                u=pen.username, r=pen.role
            )
        )
    members = []
    for name in dict.fromkeys(data.team):
        if name == pen.username:
            continue
        u = _account(session, name)
        if "strategy.edit" not in registry().role_actions(u.role):
            raise Invalid(
                _(
                    "{u} cannot join the drafting team: their role ({r}) does not edit the strategy"
                ).format(u=name, r=u.role)
            )
        members.append(name)
    cycle = Cycle(
        name=data.name,
        strategy_key=strategy.key,
        base_version=strategy.version,
        pen_holder=pen.username,
        status="drafting",
        created_by=user.username,
    )
    cycle.marking = strategy.marking
    session.add(cycle)
    session.flush()
    for name in members:
        session.add(TeamMember(cycle_id=cycle.id, username=name, may_decide=False))
    session.flush()
    out = cycle_read(session, cycle, user)
    audit.record(
        session,
        actor=user,
        action="drafting.start",
        object_type="cycle",
        object_id=cycle.name,
        marking=cycle.marking,
        after=out.model_dump(mode="json"),
    )
    return out


def get_cycle(session: Session, *, user: Principal, name: str | None = None) -> CycleRead:
    return cycle_read(session, access.current_cycle(session, user, name), user)


def list_cycles(session: Session, *, user: Principal) -> list[CycleRead]:
    require(user, "drafting.read")
    if access.is_participant(user):
        return []
    rows = session.execute(access.cycles_query(user).order_by(Cycle.id)).scalars()
    return [cycle_read(session, c, user) for c in rows]


def hand_over(session: Session, *, user: Principal, to: str, cycle: str | None = None) -> CycleRead:
    """Pass the pen: the pen-holder (or an administrator) names the one successor."""
    c = access.current_cycle(session, user, cycle)
    if user.username != c.pen_holder and "users.manage" not in user.actions:
        raise Forbidden(_("only the pen-holder ({p}) can hand over the pen").format(p=c.pen_holder))
    if c.status not in access.OPEN_CYCLE:
        raise Invalid(_("cycle {n} is {s}; nothing to hand over").format(n=c.name, s=c.status))
    new = _account(session, to)
    if "drafting.decide" not in registry().role_actions(new.role):
        raise Invalid(
            _("{u} cannot hold the pen: their role ({r}) does not decide on contributions").format(
                u=to, r=new.role
            )
        )
    if new.username == c.pen_holder:
        raise Invalid(_("{u} already holds the pen").format(u=to))
    before = c.pen_holder
    c.pen_holder = new.username
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.hand-over",
        object_type="cycle",
        object_id=c.name,
        marking=c.marking,
        before={"pen_holder": before},
        after={"pen_holder": new.username},
    )
    return cycle_read(session, c, user)


def set_team(
    session: Session,
    *,
    user: Principal,
    username: str,
    may_decide: bool = False,
    remove: bool = False,
    cycle: str | None = None,
) -> CycleRead:
    """Add a drafter to the team (optionally delegating decisions to them), or remove one."""
    c = access.current_cycle(session, user, cycle)
    if user.username != c.pen_holder:
        raise Forbidden(_("only the pen-holder ({p}) chooses the team").format(p=c.pen_holder))
    row = session.execute(
        select(TeamMember).where(TeamMember.cycle_id == c.id, TeamMember.username == username)
    ).scalar()
    before = None if row is None else {"username": username, "may_decide": row.may_decide}
    if remove:
        if row is None:
            raise NotFound(_("{u} is not on the team").format(u=username))
        session.delete(row)
    else:
        u = _account(session, username)
        if "strategy.edit" not in registry().role_actions(u.role):
            raise Invalid(
                _(
                    "{u} cannot join the drafting team: their role ({r}) does not edit the strategy"
                ).format(u=username, r=u.role)
            )
        if row is None:
            row = TeamMember(cycle_id=c.id, username=username)
            session.add(row)
        row.may_decide = may_decide
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.team",
        object_type="cycle",
        object_id=c.name,
        marking=c.marking,
        before=before,
        after=None if remove else {"username": username, "may_decide": may_decide},
    )
    return cycle_read(session, c, user)


def check_editor(session: Session, *, user: Principal, strategy_key: str) -> None:
    """While a cycle drafts the strategy, its text is edited by the pen-holder and the team
    only (administrators and the local operator excepted); everyone else comments."""
    c = session.execute(
        select(Cycle).where(Cycle.strategy_key == strategy_key, Cycle.status == "drafting")
    ).scalar()
    if c is None or "users.manage" in user.actions or access.on_team(session, user, c):
        return
    raise Forbidden(
        _(
            "the strategy is being drafted (cycle {n}): only the pen-holder ({p}) and the "
            "drafting team edit it; comment in a consultation round instead"
        ).format(n=c.name, p=c.pen_holder)
    )
