"""Read models for the drafting service: cycles, rounds, contributions, the round's draft,
word-level diffs between versions and the "you said, we did" report.

Everything here is built from restricted queries (see ``access``), so counts and reports
hold only what the reader may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from grandstrategy.core import audit, worddiff
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, combine
from grandstrategy.drafting import access, anchors
from grandstrategy.drafting import report as report_mod
from grandstrategy.drafting.models import Contribution, Cycle, Round
from grandstrategy.drafting.numbering import Numbers
from grandstrategy.drafting.schemas import (
    ContributionRead,
    CycleRead,
    DraftRead,
    DraftRecord,
    FieldDiff,
    RecordWordDiff,
    ReportFile,
    RoundRead,
    TeamMemberRead,
    WordChange,
)
from grandstrategy.strategy import service as strategy_service

REPORT_FORMATS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


def numbers(session: Session, user: Principal, r: Round) -> Numbers:
    cycle = session.get(Cycle, r.cycle_id)
    return Numbers(session, user, cycle.strategy_key if cycle else "")


def cycle_read(session: Session, c: Cycle, user: Principal) -> CycleRead:
    n = Numbers(session, user, c.strategy_key)
    return CycleRead(
        name=c.name,
        strategy=c.strategy_key,
        base_version=n.local(c.base_version) or 0,
        pen_holder=c.pen_holder,
        team=[
            TeamMemberRead(username=m.username, may_decide=m.may_decide)
            for m in access.team(session, c)
        ],
        status=c.status,
        decision=c.decision,
        approved_by=c.approved_by,
        approved_version=n.local(c.approved_version),
        published_by=c.published_by,
        published_version=n.local(c.published_version),
        marking=str(c.marking),
    )


def round_read(session: Session, user: Principal, r: Round) -> RoundRead:
    cycle = session.get(Cycle, r.cycle_id)
    base = access.contributions_query(session, user, r).with_only_columns(func.count())
    total = session.execute(base.order_by(None)).scalar_one()
    pending = session.execute(
        base.where(access.undecided_clause()).order_by(None)  # type: ignore[arg-type]
    ).scalar_one()
    return RoundRead(
        name=r.name,
        cycle=cycle.name if cycle else "",
        audience=r.audience,
        version=numbers(session, user, r).local(r.version) or 0,
        until=r.until,
        status=r.status,
        open=access.round_open(r),
        marking=str(r.marking),
        opened_by=r.opened_by,
        contributions=total,
        undecided=pending,
    )


def contribution_read(c: Contribution, r: Round, n: Numbers) -> ContributionRead:
    anchor = anchors.Anchor(c.component, c.record_key, c.field, c.span_start, c.span_end)
    return ContributionRead(
        id=c.id,
        round=r.name,
        audience=r.audience,
        author=c.author,
        organisation=c.organisation,
        org_kind=c.org_kind,
        on=str(anchor),
        component=c.component,
        record=c.record_key,
        field=c.field,
        quote=c.quote,
        text=c.text,
        proposal=c.proposal,
        status=c.status,
        moderation_reason=c.moderation_reason,
        disposition=c.disposition,
        reason=c.reason,
        decided_by=c.decided_by,
        change_version=n.local(c.change_version),
        marking=str(c.marking),
        created_at=c.created_at,
    )


def _label(rec: dict[str, Any]) -> str:
    return str(rec.get("title") or rec.get("name") or rec.get("id"))


def _snap(r: Round, component: str) -> list[dict[str, Any]]:
    value: Any = r.snapshot.get(component) or []
    return list(value)


def record_fields(r: Round, component: str, key: str) -> tuple[Marking, dict[str, str]] | None:
    """A record of the round's draft: its marking and its text fields."""
    for rec in _snap(r, component):
        if rec.get("id") == key:
            fields = {f: str(rec.get(f) or "") for f in anchors.TEXT_FIELDS[component]}
            return Marking.parse(rec.get("marking")), fields
    return None


def draft(session: Session, *, user: Principal, round: str) -> DraftRead:
    """The round's draft as put to its audience, section by section (the five components)."""
    r = access.get_round(session, user, round)
    records = []
    for comp in anchors.COMPONENTS:
        for rec in _snap(r, comp):
            marking = Marking.parse(rec.get("marking"))
            if not user.can_read(marking):
                continue
            fields = {f: str(rec.get(f) or "") for f in anchors.TEXT_FIELDS[comp]}
            records.append(
                DraftRecord(
                    component=comp,
                    id=rec["id"],
                    label=_label(rec),
                    marking=str(marking),
                    fields=fields,
                )
            )
    meta: dict[str, Any] = r.snapshot.get("strategy", {})  # type: ignore[assignment]
    audit.record_read(session, user, r, "round", r.name)
    return DraftRead(
        round=r.name,
        version=numbers(session, user, r).local(r.version) or 0,
        marking=str(r.marking),
        title=str(meta.get("title", "")),
        records=records,
    )


def word_diff(
    session: Session, *, user: Principal, v1: int, v2: int, key: str | None = None
) -> list[RecordWordDiff]:
    """What changed between two draft versions, word by word, for what the user may see."""
    require(user, "drafting.read")
    require(user, "strategy.read")
    strategy = strategy_service.current(session, user, key)
    out = []
    for d in strategy_service.diff(session, user=user, strategy=strategy, v1=v1, v2=v2):
        fields = []
        for ch in d.changes:
            runs = worddiff.diff_words(worddiff.as_text(ch.before), worddiff.as_text(ch.after))
            fields.append(
                FieldDiff(field=ch.field, words=[WordChange(op=op, text=t) for op, t in runs])
            )
        out.append(
            RecordWordDiff(
                component=d.component,
                key=d.key,
                label=d.label,
                change=d.change,
                fields=fields,
                marking=str(_diff_marking(session, user, strategy.key, d)),
            )
        )
    return out


def _diff_marking(session: Session, user: Principal, key: str, d: Any) -> Marking:
    """What a changed record's words are marked: its marking now, joined with any marking it
    had (a marking change is among the changes); a removed record counts at the reader's
    clearance, the most its words can be."""
    out = Marking()
    for ch in d.changes:
        if ch.field == "marking":
            for value in (ch.before, ch.after):
                if value:
                    out = out.join(Marking.parse(str(value)))
    if d.component == "strategy":
        return out
    try:
        rec = strategy_service.get_record(session, user=user, component=d.component, rid=d.key,
                                          key=key)  # fmt: skip
    except NotFound:
        return out.join(Marking(user.clearance))
    return out.join(Marking.parse(rec.marking))


def report(
    session: Session,
    *,
    user: Principal,
    fmt: str,
    round: str | None = None,
    max_marking: str | None = None,
    cycle: str | None = None,
) -> ReportFile:
    """ "You said, we did": every visible contribution (identical ones grouped), its
    disposition and reason, and counts by audience and disposition, capped at a marking."""
    require(user, "drafting.read")
    if fmt not in REPORT_FORMATS:
        raise Invalid(
            _("unknown format {f!r}; choose one of {all}").format(
                f=fmt, all=", ".join(REPORT_FORMATS)
            )
        )
    cap = Marking.parse(max_marking) if max_marking else None
    if round:
        rounds = [access.get_round(session, user, round)]
        scope = round
    else:
        cyc = access.current_cycle(session, user, cycle)
        rq = access.rounds_query(user).where(Round.cycle_id == cyc.id).order_by(Round.id)
        rounds = list(session.execute(rq).scalars())
        scope = cyc.name
    if cap is not None:
        rounds = [r for r in rounds if r.marking <= cap]
    if round and not rounds:
        raise NotFound(_("round {n!r} is above the marking {m}").format(n=round, m=cap))
    items: list[report_mod.Item] = []
    moderated_out: dict[str, int] = {}
    for r in rounds:
        q = access.contributions_query(session, user, r).where(Contribution.status != "held")
        for c in session.execute(q.order_by(Contribution.id)).scalars():
            if cap is not None and not (c.marking <= cap):
                continue
            if c.status == "rejected":
                moderated_out[r.audience] = moderated_out.get(r.audience, 0) + 1
                continue
            items.append(
                report_mod.Item(
                    round=r.name,
                    audience=r.audience,
                    organisation=c.organisation,
                    org_kind=c.org_kind,
                    on=str(
                        anchors.Anchor(c.component, c.record_key, c.field, c.span_start, c.span_end)
                    ),
                    quote=c.quote,
                    text=c.text,
                    proposal=c.proposal or "",
                    disposition=c.disposition or "undecided",
                    reason=c.reason,
                    change_version=numbers(session, user, r).local(c.change_version),
                    marking=c.marking,
                )
            )
    marking = combine([r.marking for r in rounds] + [i.marking for i in items])
    data = report_mod.build(
        scope=scope,
        marking=str(marking),
        items=items,
        moderated_out=moderated_out,
        capped_at=str(cap) if cap else None,
        generated=dt.datetime.now(dt.UTC).date(),
    )
    content = report_mod.render(data, fmt)
    media, ext = REPORT_FORMATS[fmt]
    audit.record(
        session,
        actor=user,
        action="drafting.report",
        object_type="report",
        object_id=scope,
        marking=marking,
        after={"format": fmt, "max_marking": max_marking, "contributions": len(items)},
    )
    return ReportFile(
        content=content,
        media_type=media,
        filename=f"you-said-we-did-{scope}.{ext}",
        marking=str(marking),
    )
