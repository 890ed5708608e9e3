"""Contributions: anchored comments and proposals, moderation of public rounds, and the
pen-holder's reasoned decisions (an applied proposal becomes a strategy version).

Called through :mod:`grandstrategy.drafting.service`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Conflict, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.drafting import access, anchors
from grandstrategy.drafting.models import Contribution, Cycle, Participant, Round
from grandstrategy.drafting.reading import (
    contribution_read,
    numbers,
    record_fields,
)
from grandstrategy.drafting.schemas import (
    ContributionCreate,
    ContributionRead,
    DecisionCreate,
    Moderation,
)
from grandstrategy.strategy import service as strategy_service


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
