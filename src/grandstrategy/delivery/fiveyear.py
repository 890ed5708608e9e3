"""The five-yearly review of the whole strategy, from two frozen editions.

What changed in each component between the editions (added, removed, threats re-rated,
deadlines moved), which objectives were met, missed or dropped (with their trajectories), how
the resilience assessments moved between the two dates, and the defence budget against its
plan; then the change log of the strategy between the editions, grouped by component (the
continuous fine-tuning). Everything comes from the strategy's and resilience's own services,
so it holds only what the reader may see; the document carries the highest marking in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from grandstrategy.core import audit, formats
from grandstrategy.core.authz import Principal, allowed, require
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _, lazy
from grandstrategy.core.markings import UNCLASSIFIED, Marking, combine
from grandstrategy.core.terms import term
from grandstrategy.delivery import render
from grandstrategy.delivery.access import READ, plan
from grandstrategy.delivery.allies import table
from grandstrategy.delivery.dashboard import dashboard, objective_delivery
from grandstrategy.delivery.schemas import DashboardRow
from grandstrategy.resilience import service as resilience_service
from grandstrategy.strategy import service as strategy_service
from grandstrategy.strategy.schemas import COMPONENTS, component_titles

RERATED = {"likelihood": lazy("likelihood"), "impact": lazy("impact")}


def _edition(eds: list[strategy_service.EditionRead], number: int) -> strategy_service.EditionRead:
    for e in eds:
        if e.version == number:
            return e
    known = ", ".join(str(e.version) for e in eds) or _("none yet")
    raise NotFound(_("no frozen edition at version {n}; editions: {known}").format(
        n=number, known=known))  # fmt: skip


def _value(v: object) -> str:
    """A field's value as the reader writes it: numbers with their separators."""
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v) or formats.MISSING
    if isinstance(v, int | float) and not isinstance(v, bool):
        return formats.number(v)
    return formats.MISSING if v is None else str(v)


def _component(name: str) -> str:
    """A component's heading in the reader's words."""
    return {"strategy": _("Strategy"), **component_titles()}.get(name, name)


def _op(op: str) -> str:
    """What a revision did, in the reader's words."""
    return {"create": _("added"), "update": _("changed"), "delete": _("removed")}.get(op, op)


def _word(value: object, vocabulary: str) -> str:
    return term(value, vocabulary) if value not in (None, "") else formats.MISSING


def _budget_moves(before: object, after: object) -> str:
    """Each year whose budget line moved: "2030: 19,500,000,000 EUR → 21,000,000,000 EUR"."""

    def lines(value: object) -> dict[int, dict[str, object]]:
        rows = value if isinstance(value, list) else []
        return {int(r["year"]): r for r in rows if isinstance(r, dict) and "year" in r}

    def amount(line: dict[str, object] | None) -> str:
        if line is None:
            return formats.MISSING
        return f"{formats.number(line.get('amount'))} {line.get('currency') or 'EUR'}"

    old, new = lines(before), lines(after)
    return "; ".join(
        _("{year}: {before} → {after}").format(
            year=year, before=amount(old.get(year)), after=amount(new.get(year))
        )
        for year in sorted(set(old) | set(new))
        if (old.get(year) or {}).get("amount") != (new.get(year) or {}).get("amount")
    )


def _changes_section(diffs: list[strategy_service.RecordDiff]) -> list[str]:
    lines = ["## " + _("What changed in each component"), ""]
    by: dict[str, list[strategy_service.RecordDiff]] = defaultdict(list)
    for d in diffs:
        by[d.component].append(d)
    if not diffs:
        lines += [_("Nothing changed between the two editions."), ""]
    for comp in [c for c in ("strategy", *COMPONENTS) if c in by]:
        lines += [f"### {_component(comp)}", ""]
        for d in by[comp]:
            fields = {c.field: c for c in d.changes}
            notes = []
            if comp == "threats" and any(f in fields for f in RERATED):
                notes.append(_("re-rated: {changes}").format(changes="; ".join(
                    f"{_(RERATED[f])} {_value(fields[f].before)} → {_value(fields[f].after)}"
                    for f in RERATED if f in fields)))  # fmt: skip
            if comp == "objectives" and "deadline" in fields:
                c = fields["deadline"]
                notes.append(_("deadline moved: {before} → {after}").format(
                    before=formats.date(c.before), after=formats.date(c.after)))  # fmt: skip
            if comp == "capabilities" and "budget" in fields:
                moved = _budget_moves(fields["budget"].before, fields["budget"].after)
                if moved:
                    notes.append(_("budget moved: {changes}").format(changes=moved))
            what = {"added": _("added"), "removed": _("removed")}.get(d.change, _("changed"))
            detail = "; ".join(notes) or ", ".join(sorted(fields))
            tail = f" — {detail}" if detail and d.change == "changed" else ""
            lines.append("- " + _("**{label}** ({key}): {what}").format(
                label=d.label or d.key, key=d.key, what=what) + tail)  # fmt: skip
        lines.append("")
    return lines


def _met(session: Session, user: Principal, row: DashboardRow, until: dt.date) -> str:
    """A met objective with the day it was reported done and where its indicators stand."""
    tracks = objective_delivery(session, user=user, objective=row.objective, on=until).indicators
    stand = "; ".join(
        _("{indicator}: {latest} (target {target})").format(
            indicator=t.name, latest=formats.number(t.latest), target=formats.number(t.target)
        )
        for t in tracks
    )
    done = _("done on {date}").format(date=formats.date(row.last_checkin))
    return f"- {row.title} ({done}" + (f"; {stand})" if stand else ")")


def _objectives_section(
    session: Session, user: Principal, diffs: list[strategy_service.RecordDiff], until: dt.date
) -> list[str]:
    rows = dashboard(session, user=user, on=until)
    met = [r for r in rows if r.owner_status == "done"]
    missed = [r for r in rows if r.overdue]
    dropped = [d for d in diffs if d.component == "objectives" and d.change == "removed"]
    lines = ["## " + _("Objectives: met, missed, dropped"), ""]
    for heading, items in [
        (_("Met"), [_met(session, user, r, until) for r in met]),
        (_("Missed (deadline passed, not done)"),
         ["- " + _("{title} (deadline {deadline}, trajectory {trajectory})").format(
             title=r.title, deadline=formats.date(r.deadline),
             trajectory=_word(r.trajectory, "trajectory")) for r in missed]),
        (_("Dropped"), [f"- {d.label or d.key}" for d in dropped]),
    ]:  # fmt: skip
        lines += [f"### {heading}", "", *(items or [_("None.")]), ""]
    lines += ["### " + _("Still open, with their trajectories"), ""]
    lines += render.table(
        [_("objective"), _("owner status"), _("rating"), _("trajectory"), _("deadline")],
        [[r.title, _word(r.owner_status, "checkin-status"), _word(r.rating, "rating"),
          _word(r.trajectory, "trajectory"), formats.date(r.deadline, "medium")] for r in rows
         if r not in met and r not in missed],
    )  # fmt: skip
    return lines


def _at(trend: list[tuple[dt.date, float]], day: dt.date) -> float | None:
    before = [v for d, v in trend if d <= day]
    return before[-1] if before else None


def _resilience_section(
    session: Session, user: Principal, start: dt.date, end: dt.date
) -> list[str]:
    lines = ["## " + _("How resilience assessments moved"), ""]
    if not allowed(user, "resilience.read"):
        return [*lines, _("(Your role does not read resilience assessments.)"), ""]
    states = resilience_service.overview(session, user=user)
    rows = []
    for s in states:
        a, b = _at(s.trend, start), _at(s.trend, end)
        if a is None and b is None:
            continue
        moved = None if a is None or b is None else formats.number(b - a, 1, signed=True)
        rows.append([s.title, formats.number(a, 1), formats.number(b, 1), moved])
    if not rows:
        return [*lines, _("No assessment in this period."), ""]
    head = [_("requirement"), formats.date(start, "medium"), formats.date(end, "medium"),
            _("moved")]  # fmt: skip
    return lines + render.table(head, rows, right={1, 2, 3})


def _budget_section(session: Session, user: Principal, country: str) -> list[str]:
    lines = ["## " + _("The defence budget against the plan"), ""]
    iso = next((k for k, v in table().names.items() if v == country), None)
    if iso:
        t = table()
        last = max(y for y in t.shares if iso in t.shares[y])
        lines += [_("NATO's latest figure for {country}: {share} of GDP in {year}.").format(
            country=country, share=formats.percent(t.shares[last][iso] / 100, 2), year=last),
            ""]  # fmt: skip
    rows = []
    for obj in plan(session, user).objectives:
        if not any("GDP" in i.unit for i in obj.indicators):
            continue
        d = objective_delivery(session, user=user, objective=obj.id)
        rows += [[t.name, formats.number(t.baseline), formats.number(t.target),
                  formats.date(t.due, "medium"), formats.number(t.latest),
                  formats.number(t.planned_now, 2), _word(t.trajectory, "trajectory")]
                 for t in d.indicators if "GDP" in t.unit]  # fmt: skip
    lines += render.table([_("indicator"), _("baseline"), _("target"), _("due"), _("latest"),
                           _("planned by then"), _("trajectory")], rows,
                          right={1, 2, 4, 5})  # fmt: skip
    return lines


def _changelog(log: list[strategy_service.RevisionRead]) -> list[str]:
    lines = ["## " + _("Change log between the editions, by component"), ""]
    by: dict[str, list[strategy_service.RevisionRead]] = defaultdict(list)
    for r in sorted(log, key=lambda r: (r.version, r.at)):
        by[r.component].append(r)
    for comp in [c for c in ("strategy", *COMPONENTS) if c in by]:
        lines += [f"### {_component(comp)}", ""]
        lines += render.table(
            [_("version"), _("record"), _("change"), _("fields"), _("by"), _("date")],
            [[r.version, r.key, _op(r.op),
              ", ".join(c.field for c in r.changes) if r.op == "update" else formats.MISSING,
              r.actor,
              formats.date(r.at, "medium")] for r in by[comp]], right={0},
        )  # fmt: skip
    if not log:
        lines += [_("No change between the two editions."), ""]
    return lines


def editions(session: Session, *, user: Principal) -> list[strategy_service.EditionRead]:
    """The frozen editions of the current strategy the reader may see, oldest first."""
    require(user, READ)
    strategy = strategy_service.current(session, user)
    return strategy_service.editions(session, user=user, strategy=strategy)


def five_year_review(
    session: Session,
    *,
    user: Principal,
    from_version: int | None = None,
    to_version: int | None = None,
    fmt: str = "md",
) -> render.Output:
    """The five-yearly review between two frozen editions, by their version numbers
    (default: the first and the last edition the reader may see)."""
    require(user, READ)
    render.check_format(fmt)
    strategy = strategy_service.current(session, user)
    eds = strategy_service.editions(session, user=user, strategy=strategy)
    if len(eds) < 2 and (from_version is None or to_version is None):
        raise NotFound(_("a five-yearly review needs two frozen editions; there are {n}").format(
            n=len(eds)))  # fmt: skip
    a = _edition(eds, eds[0].version if from_version is None else from_version)
    b = _edition(eds, eds[-1].version if to_version is None else to_version)
    if a.version >= b.version:
        raise Invalid(_("the first edition must come before the second"))
    diffs = strategy_service.diff(session, user=user, strategy=strategy, v1=a.version, v2=b.version)
    log = [r for r in strategy_service.history(session, user=user, strategy=strategy, limit=100000)
           if a.version < r.version <= b.version]  # fmt: skip
    meta = strategy_service.get_strategy(session, user=user).meta
    start, end = a.created_at.date(), b.created_at.date()
    lines = ["# " + _("Five-yearly review: {title}").format(title=meta.title), "",
             _("From the edition of version {a} ({da}) to that of version {b} ({db}).").format(
                 a=a.version, da=formats.date(start), b=b.version, db=formats.date(end)),
             ""]  # fmt: skip
    lines += _changes_section(diffs)
    lines += _objectives_section(session, user, diffs, end)
    lines += _resilience_section(session, user, start, end)
    lines += _budget_section(session, user, meta.country)
    lines += _changelog(log)
    marks = [Marking.parse(a.marking), Marking.parse(b.marking)]
    marks += [Marking.parse(r.marking) for r in log]
    marks += [Marking.parse(r.marking) for r in dashboard(session, user=user)]
    marking = combine([UNCLASSIFIED, *marks])
    out = render.output(lines, marking, fmt, f"five-year-review-v{a.version}-v{b.version}",
                        _("Five-yearly review"))  # fmt: skip
    audit.record(session, actor=user, action="delivery.five_year_review", object_type="strategy",
                 object_id=meta.id, marking=marking,
                 after={"from": a.version, "to": b.version, "format": fmt})  # fmt: skip
    return out
