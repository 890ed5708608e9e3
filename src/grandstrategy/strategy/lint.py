"""Lint a strategy package: what a reviewer would flag before the council reads it.

Schema validation (``schemas.py``) checks each record on its own; lint checks the strategy as a
whole: broken links, objectives nobody owns or that end after their horizon, interests nothing
serves, threats nothing addresses. Errors make the strategy incoherent (a link to nowhere, an
objective with no owner cannot be delivered); warnings are gaps a good strategy closes but a
draft may still have.

Lint is a pure function of the package, so the CLI, the API and the editor all show the same
findings. Every finding names the record and says how to fix it, in one sentence.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from grandstrategy.core.i18n import _
from grandstrategy.strategy import lint_translations
from grandstrategy.strategy.findings import (
    _ORDER,
    ERROR,
    RULES,
    WARNING,
    Finding,
    _finding,
    label,
    plural,
)
from grandstrategy.strategy.schemas import COMPONENTS, Objective, Package, component_singular

__all__ = ["ERROR", "RULES", "WARNING", "Finding", "label", "lint", "summary"]


def add_years(day: dt.date, years: int) -> dt.date:
    """The same month and day ``years`` later; 29 February becomes 28 February off leap years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _ids(pkg: Package, component: str) -> set[str]:
    return {r.id for r in getattr(pkg, component)}


def _duplicates(pkg: Package) -> list[Finding]:
    out = []
    for comp in COMPONENTS:
        counts = Counter(r.id for r in getattr(pkg, comp))
        for rid, n in counts.items():
            if n > 1:
                out.append(
                    _finding(
                        "duplicate-id",
                        comp,
                        rid,
                        _("{n} {what} share the id {rid!r}").format(
                            n=n, what=plural(comp), rid=rid
                        ),
                        _(
                            "Give each of the {what} with id {rid!r} its own id, or merge them."
                        ).format(what=plural(comp), rid=rid),
                    )
                )
    return out


# (component, field, target component) of every link checked for dangling ids; "members"
# holds Member objects whose ``actor`` is the link.
_LINKS: list[tuple[str, str, str]] = [
    ("actors", "parent", "actors"),
    ("actors", "members", "actors"),
    ("threats", "authors", "actors"),
    ("threats", "interests", "interests"),
    ("objectives", "contributors", "actors"),
    ("objectives", "parent", "objectives"),
    ("objectives", "interests", "interests"),
    ("objectives", "threats", "threats"),
    ("objectives", "roles", "roles"),
    ("capabilities", "objectives", "objectives"),
]


def _linked(record: Any, field: str) -> list[str]:
    value = getattr(record, field)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [m.actor if field == "members" else m for m in value]


def _dangling(pkg: Package) -> list[Finding]:
    ids = {c: _ids(pkg, c) for c in COMPONENTS}
    out = []
    for comp, field, target in _LINKS:
        for rec in getattr(pkg, comp):
            for ref in dict.fromkeys(_linked(rec, field)):
                if ref not in ids[target]:
                    out.append(
                        _finding(
                            "dangling-link",
                            comp,
                            rec.id,
                            _("{record}: {field} names {ref!r}, which is no known {what}").format(
                                record=label(comp, rec),
                                field=field,
                                ref=ref,
                                what=component_singular(target),
                            ),
                            _("Add {what} {ref!r} or remove it from {field}.").format(
                                what=component_singular(target), ref=ref, field=field
                            ),
                        )
                    )
    return out


def _owners(pkg: Package) -> list[Finding]:
    actors = _ids(pkg, "actors")
    out = []
    for o in pkg.objectives:
        if o.owner is None:
            out.append(
                _finding(
                    "objective-no-owner",
                    "objectives",
                    o.id,
                    _("{record} has no owner").format(record=label("objectives", o)),
                    _("Set owner to the actor accountable for delivering the objective."),
                )
            )
    owned: list[tuple[str, Any]] = [("objectives", o) for o in pkg.objectives]
    owned += [("capabilities", c) for c in pkg.capabilities]
    for comp, rec in owned:
        if rec.owner is not None and rec.owner not in actors:
            out.append(
                _finding(
                    "owner-unknown",
                    comp,
                    rec.id,
                    _("{record}: owner {owner!r} is no known actor").format(
                        record=label(comp, rec), owner=rec.owner
                    ),
                    _("Add actor {owner!r} or set owner to an existing actor.").format(
                        owner=rec.owner
                    ),
                )
            )
    return out


def _deadlines(pkg: Package) -> list[Finding]:
    start = pkg.strategy.period.start
    out = []
    for o in pkg.objectives:
        if o.deadline is None:
            out.append(
                _finding(
                    "objective-no-deadline",
                    "objectives",
                    o.id,
                    _("{record} has no deadline").format(record=label("objectives", o)),
                    _("Set a deadline within the objective's horizon."),
                )
            )
            continue
        end = add_years(start, o.horizon)
        if not start <= o.deadline <= end:
            out.append(
                _finding(
                    "deadline-outside-horizon",
                    "objectives",
                    o.id,
                    _(
                        "{record}: deadline {deadline} is outside its {years}-year horizon "
                        "({start} to {end})"
                    ).format(
                        record=label("objectives", o),
                        deadline=o.deadline.isoformat(),
                        years=o.horizon,
                        start=start.isoformat(),
                        end=end.isoformat(),
                    ),
                    _("Move the deadline into the horizon, or change the objective's horizon."),
                )
            )
    return out


def _cycles(objectives: Iterable[Objective]) -> list[list[str]]:
    """Each cycle of the parent relation once, starting at its smallest id."""
    parent: dict[str, str | None] = {}
    for o in objectives:
        parent.setdefault(o.id, o.parent)
    cycles: list[list[str]] = []
    done: set[str] = set()
    for first in parent:
        path: list[str] = []
        node: str | None = first
        while node is not None and node in parent and node not in done and node not in path:
            path.append(node)
            node = parent[node]
        if node is not None and node in path:
            cycle = path[path.index(node) :]
            i = cycle.index(min(cycle))
            cycles.append(cycle[i:] + cycle[:i])
        done.update(path)
    return cycles


def _structure(pkg: Package) -> list[Finding]:
    interests = _ids(pkg, "interests")
    out = []
    for t in pkg.threats:
        if not any(i in interests for i in t.interests):
            out.append(
                _finding(
                    "threat-no-interest",
                    "threats",
                    t.id,
                    _("{record} endangers no known vital interest").format(
                        record=label("threats", t)
                    ),
                    _("List in interests the vital interests this threat endangers."),
                )
            )
    served = {i for o in pkg.objectives for i in o.interests}
    for vi in pkg.interests:
        if vi.id not in served:
            out.append(
                _finding(
                    "interest-unserved",
                    "interests",
                    vi.id,
                    _("{record} is served by no objective").format(record=label("interests", vi)),
                    _("Add {rid!r} to the interests of the objectives that protect it.").format(
                        rid=vi.id
                    ),
                )
            )
    for cycle in _cycles(pkg.objectives):
        out.append(
            _finding(
                "parent-cycle",
                "objectives",
                cycle[0],
                _("objective parents form a cycle: {cycle}").format(
                    cycle=" → ".join([*cycle, cycle[0]])
                ),
                _("Clear the parent of one objective in the cycle so the tree has a root."),
            )
        )
    return out


def _warnings(pkg: Package, max_priorities: int) -> list[Finding]:
    out = []
    priorities = [o.id for o in pkg.objectives if o.priority]
    if len(priorities) > max_priorities:
        out.append(
            _finding(
                "too-many-priorities",
                "strategy",
                "",
                _("{n} objectives are priorities, more than the {limit} allowed: {ids}").format(
                    n=len(priorities), limit=max_priorities, ids=", ".join(priorities)
                ),
                _(
                    "Keep at most {limit} priority objectives; a strategy that prioritises "
                    "everything prioritises nothing."
                ).format(limit=max_priorities),
            )
        )
    for o in pkg.objectives:
        if not o.indicators:
            out.append(
                _finding(
                    "objective-no-indicator",
                    "objectives",
                    o.id,
                    _("{record} has no indicator").format(record=label("objectives", o)),
                    _("Add an indicator with a baseline and a target to measure progress."),
                )
            )
    addressed = {t for o in pkg.objectives for t in o.threats}
    for t in pkg.threats:
        missing = [f for f in ("likelihood", "impact") if getattr(t, f) is None]
        if missing:
            out.append(
                _finding(
                    "threat-unrated",
                    "threats",
                    t.id,
                    (
                        _("{record} has no likelihood and no impact")
                        if len(missing) == 2
                        else _("{record} has no likelihood")
                        if missing[0] == "likelihood"
                        else _("{record} has no impact")
                    ).format(record=label("threats", t)),
                    _("Rate the threat's likelihood and impact on the 1–5 scales."),
                )
            )
        if t.id not in addressed:
            out.append(
                _finding(
                    "threat-unaddressed",
                    "threats",
                    t.id,
                    _("{record} is addressed by no objective").format(record=label("threats", t)),
                    _("Add {rid!r} to the threats of the objectives that counter it.").format(
                        rid=t.id
                    ),
                )
            )
    if not any(t.horizon_years > 10 for t in pkg.threats):
        out.append(
            _finding(
                "no-long-horizon",
                "strategy",
                "",
                _("no threat looks further than 10 years ahead"),
                _("Add the long-horizon threats and challenges (horizon_years over 10)."),
            )
        )
    if not any(t.black_swan for t in pkg.threats):
        out.append(
            _finding(
                "no-black-swan",
                "strategy",
                "",
                _("no threat is marked as a black swan"),
                _("Mark at least one unlikely, high-impact threat with black_swan: true."),
            )
        )
    objectives = _ids(pkg, "objectives")
    for c in pkg.capabilities:
        if not c.budget:
            out.append(
                _finding(
                    "capability-no-budget",
                    "capabilities",
                    c.id,
                    _("{record} has no budget lines").format(record=label("capabilities", c)),
                    _("Add the yearly budget lines that fund this capability."),
                )
            )
        if not any(o in objectives for o in c.objectives):
            out.append(
                _finding(
                    "capability-unused",
                    "capabilities",
                    c.id,
                    _("{record} serves no known objective").format(record=label("capabilities", c)),
                    _("List in objectives the objectives this capability delivers, or drop it."),
                )
            )
    return out


def lint(
    pkg: Package, *, max_priorities: int | None = None, languages: Iterable[str] = ()
) -> list[Finding]:
    """All findings: errors first, then by component (strategy, then schema order), record id.

    ``languages``: the content languages translations are checked in (none by default).
    """
    limit = pkg.strategy.max_priorities if max_priorities is None else max_priorities
    found = [
        *_duplicates(pkg),
        *_dangling(pkg),
        *_owners(pkg),
        *_deadlines(pkg),
        *_structure(pkg),
        *_warnings(pkg, limit),
        *lint_translations.check(pkg, languages),
    ]
    return sorted(
        found,
        key=lambda f: (f.severity != ERROR, _ORDER.get(f.component, len(_ORDER)), f.record_id),
    )


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    """``{"errors": n, "warnings": m}``: what a status line or an exit code needs."""
    found = list(findings)
    errors = sum(1 for f in found if f.severity == ERROR)
    return {"errors": errors, "warnings": len(found) - errors}
