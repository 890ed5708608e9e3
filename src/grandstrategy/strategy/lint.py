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
from dataclasses import dataclass
from typing import Any

from grandstrategy.strategy.schemas import COMPONENTS, Objective, Package

ERROR = "error"
WARNING = "warning"

# rule code -> (severity, what it checks); the single source for docs, help and severities.
RULES: dict[str, tuple[str, str]] = {
    "objective-no-owner": (ERROR, "every objective has an owner (an actor)"),
    "objective-no-deadline": (ERROR, "every objective has a deadline"),
    "owner-unknown": (ERROR, "the owner of an objective or capability is a known actor"),
    "deadline-outside-horizon": (
        ERROR,
        "an objective's deadline falls between the period start and the end of its horizon",
    ),
    "dangling-link": (ERROR, "every link names an existing record of the right component"),
    "duplicate-id": (ERROR, "ids are unique within a component"),
    "threat-no-interest": (ERROR, "every threat endangers at least one vital interest"),
    "interest-unserved": (ERROR, "every vital interest is served by at least one objective"),
    "parent-cycle": (ERROR, "objective parents do not form a cycle"),
    "too-many-priorities": (WARNING, "no more priority objectives than the strategy allows"),
    "objective-no-indicator": (WARNING, "every objective has at least one indicator"),
    "threat-unrated": (WARNING, "every threat has a likelihood and an impact"),
    "no-long-horizon": (WARNING, "at least one threat looks further than 10 years ahead"),
    "no-black-swan": (WARNING, "at least one threat is marked as a black swan"),
    "capability-no-budget": (WARNING, "every capability has budget lines"),
    "capability-unused": (WARNING, "every capability serves at least one objective"),
    "threat-unaddressed": (WARNING, "every threat is addressed by at least one objective"),
}

_SINGULAR = {
    "actors": "actor",
    "interests": "interest",
    "threats": "threat",
    "roles": "role",
    "objectives": "objective",
    "capabilities": "capability",
}
# Strategy-level findings come first: strategy.yaml is the first file of a package.
_ORDER = {"strategy": 0, **{c: i + 1 for i, c in enumerate(COMPONENTS)}}


@dataclass(frozen=True)
class Finding:
    """One problem in the package, with where it is and how to fix it."""

    severity: str  # "error" or "warning"
    rule: str  # a key of RULES
    component: str  # "objectives", "threats", ... or "strategy"
    record_id: str  # the record's id; "" for strategy-level findings
    message: str  # what is wrong, naming the record (id and title)
    fix: str  # how to fix it, one sentence
    # True when the finding does not hold once records above the reader's clearance count.
    depends_on_hidden: bool = False


def label(component: str, record: Any) -> str:
    """``objective obj-x 'Title'``: how findings (and trace breaks) name a record."""
    title = getattr(record, "title", None) or getattr(record, "name", "")
    return f"{_SINGULAR.get(component, component)} {record.id} {title!r}"


def add_years(day: dt.date, years: int) -> dt.date:
    """The same month and day ``years`` later; 29 February becomes 28 February off leap years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _finding(rule: str, component: str, record_id: str, message: str, fix: str) -> Finding:
    return Finding(RULES[rule][0], rule, component, record_id, message, fix)


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
                        f"{n} {comp} share the id {rid!r}",
                        f"Give each of the {comp} with id {rid!r} its own id, or merge them.",
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
                            f"{label(comp, rec)}: {field} names {ref!r}, "
                            f"which is no known {_SINGULAR[target]}",
                            f"Add {_SINGULAR[target]} {ref!r} or remove it from {field}.",
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
                    f"{label('objectives', o)} has no owner",
                    "Set owner to the actor accountable for delivering the objective.",
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
                    f"{label(comp, rec)}: owner {rec.owner!r} is no known actor",
                    f"Add actor {rec.owner!r} or set owner to an existing actor.",
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
                    f"{label('objectives', o)} has no deadline",
                    "Set a deadline within the objective's horizon.",
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
                    f"{label('objectives', o)}: deadline {o.deadline.isoformat()} is outside "
                    f"its {o.horizon}-year horizon ({start.isoformat()} to {end.isoformat()})",
                    "Move the deadline into the horizon, or change the objective's horizon.",
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
                    f"{label('threats', t)} endangers no known vital interest",
                    "List in interests the vital interests this threat endangers.",
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
                    f"{label('interests', vi)} is served by no objective",
                    f"Add {vi.id!r} to the interests of the objectives that protect it.",
                )
            )
    for cycle in _cycles(pkg.objectives):
        out.append(
            _finding(
                "parent-cycle",
                "objectives",
                cycle[0],
                f"objective parents form a cycle: {' → '.join([*cycle, cycle[0]])}",
                "Clear the parent of one objective in the cycle so the tree has a root.",
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
                f"{len(priorities)} objectives are priorities, more than the {max_priorities} "
                f"allowed: {', '.join(priorities)}",
                f"Keep at most {max_priorities} priority objectives; a strategy that "
                "prioritises everything prioritises nothing.",
            )
        )
    for o in pkg.objectives:
        if not o.indicators:
            out.append(
                _finding(
                    "objective-no-indicator",
                    "objectives",
                    o.id,
                    f"{label('objectives', o)} has no indicator",
                    "Add an indicator with a baseline and a target to measure progress.",
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
                    f"{label('threats', t)} has no {' and no '.join(missing)}",
                    "Rate the threat's likelihood and impact on the 1–5 scales.",
                )
            )
        if t.id not in addressed:
            out.append(
                _finding(
                    "threat-unaddressed",
                    "threats",
                    t.id,
                    f"{label('threats', t)} is addressed by no objective",
                    f"Add {t.id!r} to the threats of the objectives that counter it.",
                )
            )
    if not any(t.horizon_years > 10 for t in pkg.threats):
        out.append(
            _finding(
                "no-long-horizon",
                "strategy",
                "",
                "no threat looks further than 10 years ahead",
                "Add the long-horizon threats and challenges (horizon_years over 10).",
            )
        )
    if not any(t.black_swan for t in pkg.threats):
        out.append(
            _finding(
                "no-black-swan",
                "strategy",
                "",
                "no threat is marked as a black swan",
                "Mark at least one unlikely, high-impact threat with black_swan: true.",
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
                    f"{label('capabilities', c)} has no budget lines",
                    "Add the yearly budget lines that fund this capability.",
                )
            )
        if not any(o in objectives for o in c.objectives):
            out.append(
                _finding(
                    "capability-unused",
                    "capabilities",
                    c.id,
                    f"{label('capabilities', c)} serves no known objective",
                    "List in objectives the objectives this capability delivers, or drop it.",
                )
            )
    return out


def lint(pkg: Package, *, max_priorities: int | None = None) -> list[Finding]:
    """All findings: errors first, then by component (strategy, then schema order), record id."""
    limit = pkg.strategy.max_priorities if max_priorities is None else max_priorities
    found = [
        *_duplicates(pkg),
        *_dangling(pkg),
        *_owners(pkg),
        *_deadlines(pkg),
        *_structure(pkg),
        *_warnings(pkg, limit),
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
