"""Trace the chain threat → interest → objective → owner → capability → budget.

A strategy is credible when every threat can be followed to money: the interest it endangers,
the objective that counters it, who owns that objective, the capability that delivers it and
what that capability costs. ``build`` lays the chain out as flat rows (one per path, ready for a
table or a spreadsheet) and lists every place where the chain breaks, naming the record and
what it is missing.

Only links to existing records are followed; dangling ids are ignored here because lint
reports them. The result is a pure function of the package.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from grandstrategy.core.i18n import _
from grandstrategy.strategy.lint import label
from grandstrategy.strategy.schemas import Capability, Objective, Package, Threat, VitalInterest

# Where the chain can break, in chain order.
STAGES = (
    "threat→interest",
    "threat→objective",
    "interest→objective",
    "objective→owner",
    "objective→capability",
    "capability→budget",
)


@dataclass(frozen=True)
class TraceRow:
    """One path through the chain; ids are None (titles "") where the chain stops."""

    threat_id: str
    threat_title: str
    interest_id: str  # "" when the threat endangers no known interest
    interest_title: str
    objective_id: str | None
    objective_title: str
    owner_id: str | None
    owner_name: str
    capability_id: str | None
    capability_name: str
    budget: float | None  # total of the capability's budget lines; None without lines
    currency: str  # "" when none; "mixed" when the lines mix currencies


@dataclass(frozen=True)
class TraceBreak:
    """A missing link: the stage (one of STAGES), the record it starts from, what is missing."""

    stage: str
    component: str
    record_id: str
    message: str


@dataclass(frozen=True)
class CascadeRow:
    """A national objective and one departmental objective serving it (see ``derive.py``);
    the departmental fields are None where no departmental objective serves it."""

    national_id: str
    national_title: str
    strategy_id: str | None  # the derived strategy
    kind: str | None  # departmental or annual-statement
    actor: str | None
    objective_id: str | None
    objective_title: str
    marking: str  # the higher of the two objectives' markings


@dataclass(frozen=True)
class TraceReport:
    rows: list[TraceRow]
    breaks: list[TraceBreak]
    # The threats × objectives coverage behind ``matrix``: ids in package order, and the
    # (threat, objective) pairs where the objective addresses the threat.
    threat_ids: list[str] = field(default_factory=list)
    objective_ids: list[str] = field(default_factory=list)
    addressed: list[tuple[str, str]] = field(default_factory=list)
    # National objective → departmental objectives, once a derived strategy exists.
    cascade: list[CascadeRow] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when there is at least one path and nothing breaks."""
        return bool(self.rows) and not self.breaks

    def matrix(self) -> dict[str, Any]:
        """Threats × objectives coverage: ``{"threats", "objectives", "cells"}``.

        ``cells`` lists the (threat_id, objective_id) pairs where the objective addresses the
        threat, in package order; a threat row without a cell is unaddressed.
        """
        return {
            "threats": list(self.threat_ids),
            "objectives": list(self.objective_ids),
            "cells": list(self.addressed),
        }


def _unique(records: list[Any]) -> list[Any]:
    """First record of each id, in package order (duplicates are lint's business)."""
    seen: dict[str, Any] = {}
    for r in records:
        seen.setdefault(r.id, r)
    return list(seen.values())


def _budget(cap: Capability) -> tuple[float | None, str]:
    if not cap.budget:
        return None, ""
    currencies = {b.currency for b in cap.budget}
    currency = currencies.pop() if len(currencies) == 1 else "mixed"
    return sum(b.amount for b in cap.budget), currency


class _Tracer:
    """Walks the package once; holds the lookups and collects rows and breaks."""

    def __init__(self, pkg: Package) -> None:
        self.actors = {a.id: a for a in _unique(pkg.actors)}
        self.interests: list[VitalInterest] = _unique(pkg.interests)
        self.threats: list[Threat] = _unique(pkg.threats)
        self.objectives: list[Objective] = _unique(pkg.objectives)
        self.capabilities: list[Capability] = _unique(pkg.capabilities)
        self.rows: list[TraceRow] = []
        self.breaks: dict[TraceBreak, None] = {}  # ordered set

    def brk(self, stage: str, component: str, record: Any, missing: str, **values: Any) -> None:
        """``missing`` is a translated sentence with ``{record}`` where the record's name goes."""
        msg = missing.format(record=label(component, record), **values)
        self.breaks.setdefault(TraceBreak(stage, component, record.id, msg), None)

    def threat(self, t: Threat) -> None:
        endangered = [i for i in self.interests if i.id in t.interests]
        addressing = [o for o in self.objectives if t.id in o.threats]
        if not endangered:
            self.brk("threat→interest", "threats", t, _("{record} endangers no vital interest"))
        if not addressing:
            self.brk("threat→objective", "threats", t, _("{record} is addressed by no objective"))
        paths: list[VitalInterest | None] = [*endangered] or [None]
        for vi in paths:
            objectives = addressing
            if vi is not None:
                both = [o for o in addressing if vi.id in o.interests]
                if addressing and not both:
                    self.brk(
                        "interest→objective",
                        "interests",
                        vi,
                        _("{record} is served by no objective addressing threat {threat}"),
                        threat=t.id,
                    )
                objectives = both or addressing
            head = (t.id, t.title, vi.id if vi else "", vi.title if vi else "")
            if not objectives:
                self.rows.append(TraceRow(*head, None, "", None, "", None, "", None, ""))
            for o in objectives:
                self.objective(head, o)

    def objective(self, head: tuple[str, str, str, str], o: Objective) -> None:
        owner = self.actors.get(o.owner) if o.owner else None
        if o.owner is None:
            self.brk("objective→owner", "objectives", o, _("{record} has no owner"))
        elif owner is None:
            self.brk(
                "objective→owner",
                "objectives",
                o,
                _("{record} has owner {owner}, no known actor"),
                owner=o.owner,
            )
        mid = (o.id, o.title, owner.id if owner else None, owner.name if owner else "")
        caps = [c for c in self.capabilities if o.id in c.objectives]
        if not caps:
            self.brk(
                "objective→capability", "objectives", o, _("{record} has no capability serving it")
            )
            self.rows.append(TraceRow(*head, *mid, None, "", None, ""))
        for c in caps:
            budget, currency = _budget(c)
            if budget is None:
                self.brk("capability→budget", "capabilities", c, _("{record} has no budget lines"))
            self.rows.append(TraceRow(*head, *mid, c.id, c.name, budget, currency))


def build(pkg: Package) -> TraceReport:
    """Every path from each threat to the budget, in package order, and every break."""
    tracer = _Tracer(pkg)
    for t in tracer.threats:
        tracer.threat(t)
    return TraceReport(
        rows=tracer.rows,
        breaks=list(tracer.breaks),
        threat_ids=[t.id for t in tracer.threats],
        objective_ids=[o.id for o in tracer.objectives],
        addressed=[
            (t.id, o.id) for t in tracer.threats for o in tracer.objectives if t.id in o.threats
        ],
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_csv(report: TraceReport) -> str:
    """The rows as CSV with a header; empty cells where the chain stops."""
    names = [f.name for f in fields(TraceRow)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    for row in report.rows:
        writer.writerow([_cell(getattr(row, n)) for n in names])
    return buf.getvalue()


def to_json(report: TraceReport) -> dict[str, Any]:
    """``{"rows": [...], "breaks": [...], "complete": bool, "cascade": [...]}`` for the API."""
    return {
        "rows": [asdict(r) for r in report.rows],
        "breaks": [asdict(b) for b in report.breaks],
        "complete": report.complete,
        "cascade": [asdict(c) for c in report.cascade],
    }
