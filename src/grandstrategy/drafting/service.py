"""The drafting service: the only entry the web and CLI adapters call.

Keyword-only functions taking an explicit session and the acting principal; they check the
action with ``require`` and the cycle's people (pen-holder, team, delegates) with
``access``, read only through restricted queries, and audit every write. The strategy is
reached only through its service, versions and publication functions.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, registry, require
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.core.models import User
from grandstrategy.core.users import add_user, find, set_user
from grandstrategy.drafting import access, anchors
from grandstrategy.drafting.launch import approve, launch_file, launch_files, publish
from grandstrategy.drafting.models import Contribution, Cycle, Participant, Round, TeamMember
from grandstrategy.drafting.reading import (
    contribution_read,
    cycle_read,
    draft,
    numbers,
    record_fields,
    report,
    round_read,
    word_diff,
)
from grandstrategy.drafting.schemas import (
    ContributionCreate,
    ContributionRead,
    CycleCreate,
    CycleRead,
    DecisionCreate,
    Moderation,
    ParticipantCreate,
    ParticipantRead,
    RoundCreate,
    RoundRead,
)
from grandstrategy.strategy import service as strategy_service

__all__ = [
    "approve",
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


def _system(user: Principal, why: str) -> Principal:
    """The drafting service acting on the user's behalf where the user's role alone could
    not (scoped participant accounts); the audit names both."""
    return Principal.operator(f"{user.username} ({why})")


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
    if session.execute(select(Cycle).where(Cycle.name == data.name)).scalar() is not None:
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


def open_round(
    session: Session, *, user: Principal, data: RoundCreate, cycle: str | None = None
) -> RoundRead:
    """Consult one audience on the current draft, frozen as the round's snapshot."""
    c = access.current_cycle(session, user, cycle)
    access.require_team(session, user, c)
    if c.status != "drafting":
        raise Invalid(
            _("cycle {n} is {s}; rounds open only while drafting").format(n=c.name, s=c.status)
        )
    marking = Marking.parse(data.marking)
    if not user.can_read(marking):
        raise Invalid(_("marking {m} is above your own clearance").format(m=marking))
    if data.until is not None and data.until < access.today():
        raise Invalid(_("--until {d} is in the past").format(d=data.until))
    if session.execute(select(Round).where(Round.name == data.name)).scalar() is not None:
        raise Conflict(_("the round name {n!r} is taken").format(n=data.name))
    pkg = strategy_service.load_package(
        session, user=user, key=c.strategy_key, max_marking=str(marking)
    )
    strategy = strategy_service.current(session, user, c.strategy_key)
    r = Round(
        cycle_id=c.id,
        name=data.name,
        audience=data.audience,
        version=strategy.version,
        until=data.until,
        status="open",
        snapshot=pkg.model_dump(mode="json"),
        opened_by=user.username,
    )
    r.marking = marking
    session.add(r)
    session.flush()
    out = round_read(session, user, r)
    audit.record(
        session,
        actor=user,
        action="drafting.round-open",
        object_type="round",
        object_id=r.name,
        marking=r.marking,
        after=out.model_dump(mode="json", exclude={"contributions", "undecided"}),
    )
    return out


def list_rounds(session: Session, *, user: Principal, cycle: str | None = None) -> list[RoundRead]:
    require(user, "drafting.read")
    q = access.rounds_query(user)
    if cycle:
        q = q.where(Round.cycle_id == access.current_cycle(session, user, cycle).id)
    return [round_read(session, user, r) for r in session.execute(q.order_by(Round.id)).scalars()]


def get_round(session: Session, *, user: Principal, name: str) -> RoundRead:
    return round_read(session, user, access.get_round(session, user, name))


def invite(
    session: Session,
    *,
    user: Principal,
    round: str,
    data: ParticipantCreate,
    password: str | None = None,
) -> ParticipantRead:
    """A scoped account for someone outside the administration: it sees this round's draft
    at the round's marking, contributes, and lapses when the round closes or expires."""
    r = access.get_round(session, user, round)
    c = session.get(Cycle, r.cycle_id)
    assert c is not None
    access.require_team(session, user, c)
    if not access.round_open(r):
        raise Invalid(_("round {n} is closed").format(n=r.name))
    existing = find(session, data.username)
    made = None
    system = _system(user, "drafting invitation")
    if existing is None:
        made = password or secrets.token_urlsafe(12)
        add_user(
            session,
            actor=system,
            username=data.username,
            password=made,
            role=access.PARTICIPANT,
            clearance=r.marking.level_name,
            compartments=sorted(r.marking.compartments),
            display_name=data.display_name or data.username,
        )
    elif existing.role != access.PARTICIPANT:
        raise Conflict(
            _(
                "{u} already has an account ({r}); people inside the administration "
                "contribute with their own account"
            ).format(u=data.username, r=existing.role)
        )
    else:
        level = max(existing.clearance, r.marking.level)
        comps = sorted(existing.compartment_set | r.marking.compartments)
        set_user(
            session,
            actor=system,
            username=data.username,
            active=True,
            clearance=Marking(level).level_name,
            compartments=comps,
        )
    if (
        session.execute(
            select(Participant).where(
                Participant.round_id == r.id, Participant.username == data.username
            )
        ).scalar()
        is not None
    ):
        raise Conflict(_("{u} is already invited to {n}").format(u=data.username, n=r.name))
    session.add(
        Participant(
            round_id=r.id,
            username=data.username,
            organisation=data.organisation,
            org_kind=data.org_kind,
            invited_by=user.username,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.invite",
        object_type="round",
        object_id=r.name,
        marking=r.marking,
        after={
            "username": data.username,
            "organisation": data.organisation,
            "org_kind": data.org_kind,
        },
    )
    return ParticipantRead(
        username=data.username,
        round=r.name,
        organisation=data.organisation,
        org_kind=data.org_kind,
        password=made,
    )


def contribute(
    session: Session, *, user: Principal, round: str, data: ContributionCreate
) -> ContributionRead:
    """A comment anchored to a record or a span of its text, with an optional proposal."""
    require(user, "drafting.contribute")
    r = access.get_round(session, user, round)
    if not access.round_open(r):
        raise Invalid(_("round {n} is closed to contributions").format(n=r.name))
    anchor = anchors.parse(data.on)
    fields = record_fields(r, anchor.component, anchor.key)
    if fields is None:
        raise NotFound(_("{a} is not in the draft of round {n}").format(a=data.on, n=r.name))
    anchor = anchors.resolve(anchor, fields[1])
    if data.proposal and anchor.field is None:
        raise Invalid(
            _(
                "a proposal replaces text: anchor it to a field or a span, e.g. {a}.description"
            ).format(a=f"{anchor.component}/{anchor.key}")
        )
    marking = Marking.parse(data.marking) if data.marking else r.marking
    marking = marking.join(fields[0])
    if not user.can_read(marking):
        raise Invalid(_("marking {m} is above your own clearance").format(m=marking))
    org, kind = data.organisation or "", str(data.org_kind or "department")
    if access.is_participant(user):
        p = session.execute(
            select(Participant).where(
                Participant.round_id == r.id, Participant.username == user.username
            )
        ).scalar()
        assert p is not None
        org, kind = p.organisation, p.org_kind
    if not org:
        raise Invalid(_("say which organisation you speak for (organisation)"))
    c = Contribution(
        round_id=r.id,
        author=user.username,
        organisation=org,
        org_kind=kind,
        component=anchor.component,
        record_key=anchor.key,
        field=anchor.field,
        span_start=anchor.start,
        span_end=anchor.end,
        quote=anchor.quote,
        text=data.text,
        proposal=data.proposal,
        status="held" if r.audience == "public" else "published",
    )
    c.marking = marking
    session.add(c)
    session.flush()
    out = contribution_read(c, r, numbers(session, user, r))
    audit.record(
        session,
        actor=user,
        action="drafting.contribute",
        object_type="contribution",
        object_id=c.id,
        marking=c.marking,
        after=out.model_dump(mode="json"),
    )
    return out


def list_contributions(
    session: Session,
    *,
    user: Principal,
    round: str | None = None,
    undecided: bool = False,
    status: str | None = None,
) -> list[ContributionRead]:
    require(user, "drafting.read")
    r = access.get_round(session, user, round) if round else None
    q = access.contributions_query(session, user, r)
    if undecided:
        q = q.where(access.undecided_clause())  # type: ignore[arg-type]
    if status:
        q = q.where(Contribution.status == status)
    rounds = {x.id: x for x in session.execute(access.rounds_query(user)).scalars()}
    rows = session.execute(q.order_by(Contribution.id)).scalars()
    nums = {rid: numbers(session, user, r) for rid, r in rounds.items()}
    return [contribution_read(c, rounds[c.round_id], nums[c.round_id]) for c in rows]


def get_contribution(session: Session, *, user: Principal, cid: int) -> ContributionRead:
    c = access.get_contribution(session, user, cid)
    r = access.get_round_by_id(session, c.round_id)
    return contribution_read(c, r, numbers(session, user, r))


def queue(session: Session, *, user: Principal) -> list[ContributionRead]:
    """The decision queue: what still needs moderation or a decision, in the open rounds of
    the cycles where the user decides."""
    require(user, "drafting.read")
    mine = [
        c.id
        for c in session.execute(access.cycles_query(user)).scalars()
        if access.may_decide(session, user, c)
    ]
    rounds = {
        r.id: r
        for r in session.execute(
            access.rounds_query(user).where(Round.cycle_id.in_(mine), Round.status == "open")
        ).scalars()
    }
    q = access.contributions_query(session, user).where(
        Contribution.round_id.in_(list(rounds)),
        access.undecided_clause(),  # type: ignore[arg-type]
    )
    rows = session.execute(q.order_by(Contribution.id)).scalars()
    nums = {rid: numbers(session, user, r) for rid, r in rounds.items()}
    return [contribution_read(c, rounds[c.round_id], nums[c.round_id]) for c in rows]


def _editable(session: Session, c: Contribution) -> tuple[Round, Cycle]:
    r = access.get_round_by_id(session, c.round_id)
    if r.status != "open":
        raise Invalid(_("round {n} is closed; its decisions are final").format(n=r.name))
    cycle = session.get(Cycle, r.cycle_id)
    assert cycle is not None
    return r, cycle


def moderate(session: Session, *, user: Principal, cid: int, data: Moderation) -> ContributionRead:
    """Public rounds: publish a held contribution, or reject it (off-topic) with a reason."""
    c = access.get_contribution(session, user, cid)
    r, cycle = _editable(session, c)
    access.require_team(session, user, cycle)
    if c.status != "held":
        raise Invalid(_("contribution {n} is not held for moderation").format(n=cid))
    if data.action == "reject" and not data.reason:
        raise Invalid(_("say why it is rejected (reason), e.g. off-topic"))
    c.status = "published" if data.action == "publish" else "rejected"
    c.moderation_reason, c.moderated_by = data.reason, user.username
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.moderate",
        object_type="contribution",
        object_id=c.id,
        marking=c.marking,
        before={"status": "held"},
        after={"status": c.status, "reason": data.reason},
    )
    return contribution_read(c, r, numbers(session, user, r))


def _apply(session: Session, user: Principal, cycle: Cycle, c: Contribution) -> int:
    """Write the accepted proposal into the strategy; the new version is the linked change."""
    if c.field is None or c.proposal is None:
        raise Invalid(_("only a proposal anchored to a field or a span can be applied"))
    rec = strategy_service.get_record(
        session, user=user, component=c.component, rid=c.record_key, key=cycle.strategy_key
    )
    value = str(getattr(rec, c.field) or "")
    anchor = anchors.Anchor(c.component, c.record_key, c.field, c.span_start, c.span_end, c.quote)
    if anchor.start is not None and value[anchor.start : anchor.end] != c.quote:
        raise Conflict(
            _(
                "the text of {a} changed since the round's draft; edit it by hand and "
                "link the change with change_version"
            ).format(a=anchor)
        )
    strategy_service.update_record(
        session,
        user=user,
        component=c.component,
        rid=c.record_key,
        changes={c.field: anchors.replace(value, anchor, c.proposal)},
        key=cycle.strategy_key,
    )
    return strategy_service.current(session, user, cycle.strategy_key).version


def decide(
    session: Session, *, user: Principal, cid: int, data: DecisionCreate
) -> ContributionRead:
    """The pen-holder's (or a delegate's) reasoned disposition of one contribution."""
    c = access.get_contribution(session, user, cid)
    r, cycle = _editable(session, c)
    access.require_decider(session, user, cycle)
    if c.status == "held":
        raise Invalid(
            _("contribution {n} is held for moderation; publish or reject it first").format(n=cid)
        )
    if c.status == "rejected":
        raise Invalid(_("contribution {n} was rejected at moderation").format(n=cid))
    before = {"disposition": c.disposition, "reason": c.reason, "change_version": c.change_version}
    change = c.change_version
    if data.apply:
        if data.disposition not in ("accept", "partly"):
            raise Invalid(_("only an accepted proposal is applied"))
        change = _apply(session, user, cycle, c)
    elif data.change_version is not None:
        nums = numbers(session, user, r)
        latest = strategy_service.current(session, user, cycle.strategy_key).version
        wanted = nums.internal(data.change_version)
        if not r.version < wanted <= latest:
            raise Invalid(
                _(
                    "change_version must be a strategy version after the round's draft "
                    "({a}) and at most the latest ({b})"
                ).format(a=nums.local(r.version), b=nums.local(latest))
            )
        change = wanted
    if data.disposition in ("accept", "partly") and c.proposal and change is None:
        raise Invalid(
            _(
                "an accepted proposal must link to the change it produced: apply it, "
                "or give the strategy version that made it (change_version)"
            )
        )
    if data.disposition in ("reject", "defer"):
        change = None
    c.disposition, c.reason, c.change_version = data.disposition, data.reason, change
    c.decided_by, c.decided_at = user.username, dt.datetime.now(dt.UTC)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.decide",
        object_type="contribution",
        object_id=c.id,
        marking=c.marking,
        before=before,
        after={"disposition": c.disposition, "reason": c.reason, "change_version": change},
    )
    return contribution_read(c, r, numbers(session, user, r))


def close_round(session: Session, *, user: Principal, name: str) -> RoundRead:
    """Close a round once every contribution has a decision; participants' accounts lapse."""
    r = access.get_round(session, user, name)
    cycle = session.get(Cycle, r.cycle_id)
    assert cycle is not None
    access.require_team(session, user, cycle)
    if r.status != "open":
        raise Invalid(_("round {n} is already closed").format(n=name))
    pending = session.execute(
        select(func.count())
        .select_from(Contribution)
        .where(
            Contribution.round_id == r.id,
            access.undecided_clause(),  # type: ignore[arg-type]
        )
    ).scalar_one()
    if pending:
        shown = [
            str(c.id)
            for c in session.execute(
                access.contributions_query(session, user, r).where(access.undecided_clause())  # type: ignore[arg-type]
            ).scalars()
        ]
        raise Conflict(
            _("round {n} cannot close: contributions are still without a decision").format(n=name),
            details=[_("undecided: {ids}").format(ids=", ".join(shown))] if shown else [],
        )
    r.status, r.closed_at = "closed", dt.datetime.now(dt.UTC)
    session.flush()
    _lapse_participants(session, user, r)
    audit.record(
        session,
        actor=user,
        action="drafting.round-close",
        object_type="round",
        object_id=r.name,
        marking=r.marking,
        after={"status": "closed"},
    )
    return round_read(session, user, r)


def _lapse_participants(session: Session, user: Principal, r: Round) -> None:
    """Disable the accounts of participants who have no other open round."""
    for p in session.execute(select(Participant).where(Participant.round_id == r.id)).scalars():
        others = session.execute(
            select(Round)
            .join(Participant, Participant.round_id == Round.id)
            .where(Participant.username == p.username, Round.id != r.id)
        ).scalars()
        if any(access.round_open(o) for o in others):
            continue
        u = find(session, p.username)
        if u is not None and u.active and u.role == access.PARTICIPANT:
            set_user(
                session, actor=_system(user, "round closed"), username=p.username, active=False
            )
