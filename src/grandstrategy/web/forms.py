"""HTML forms for strategy records: which fields, how they are shown, how they are read back.

Lists of structured items (indicators, budget lines, personnel, members) are edited as one
line per item with ``|`` between columns, which works in any browser without scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.strategy.schemas import (
    POSTURE,
    THREAT_CATEGORIES,
    ActorKind,
    CapabilityKind,
    ObjectiveStatus,
    ThreatKind,
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text, textarea, int, scale, date, bool, select, link, links, lines, posture
    options: tuple[str, ...] = ()
    target: str = ""  # component a link points to
    columns: tuple[str, ...] = ()  # for lines
    help: str = ""


def _enum(e: Any) -> tuple[str, ...]:
    return tuple(m.value for m in e)


FIELDS: dict[str, list[Field]] = {
    "interests": [
        Field("title", "Title", "text"),
        Field("statement", "Why it is vital", "textarea"),
    ],
    "threats": [
        Field("title", "Title", "text"),
        Field(
            "kind",
            "Kind",
            "select",
            _enum(ThreatKind),
            help="A threat has an author; a challenge (climate, epidemics) has none.",
        ),
        Field("category", "Category", "select", THREAT_CATEGORIES),
        Field("description", "Description", "textarea"),
        Field("authors", "Authors", "links", target="actors"),
        Field("horizon_years", "Horizon (years, 1–20)", "int"),
        Field("likelihood", "Likelihood (1–5)", "scale"),
        Field("impact", "Impact (1–5)", "scale"),
        Field("black_swan", "Black swan", "bool"),
        Field("vulnerability", "Internal vulnerability it exploits", "textarea"),
        Field("interests", "Interests it endangers", "links", target="interests"),
    ],
    "roles": [
        Field("name", "Name", "text"),
        Field("description", "Description", "textarea"),
        Field("posture", "Posture", "posture"),
    ],
    "objectives": [
        Field("title", "Title", "text"),
        Field("description", "Description", "textarea"),
        Field("horizon", "Horizon (years)", "select", ("5", "10")),
        Field("owner", "Owner (exactly one actor)", "link", target="actors"),
        Field("contributors", "Contributors", "links", target="actors"),
        Field("deadline", "Deadline", "date"),
        Field("priority", "Priority", "bool"),
        Field("status", "Status", "select", _enum(ObjectiveStatus)),
        Field("parent", "Refines objective", "link", target="objectives"),
        Field(
            "indicators",
            "Indicators",
            "lines",
            columns=("name", "unit", "baseline", "target", "due"),
        ),
        Field("interests", "Interests it serves", "links", target="interests"),
        Field("threats", "Threats it addresses", "links", target="threats"),
        Field("roles", "Roles it serves", "links", target="roles"),
    ],
    "capabilities": [
        Field("name", "Name", "text"),
        Field("kind", "Kind", "select", _enum(CapabilityKind)),
        Field("owner", "Owner", "link", target="actors"),
        Field("description", "Description", "textarea"),
        Field("budget", "Budget lines", "lines", columns=("year", "amount", "currency", "source")),
        Field("personnel", "Personnel", "lines", columns=("year", "fte")),
        Field("objectives", "Objectives it serves", "links", target="objectives"),
    ],
    "actors": [
        Field("name", "Name", "text"),
        Field("kind", "Kind", "select", _enum(ActorKind)),
        Field("parent", "Part of", "link", target="actors"),
        Field("description", "Description", "textarea"),
        Field("members", "Members", "lines", columns=("actor", "role")),
    ],
}


def lines_text(items: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = []
    for item in items:
        cells = ["" if item.get(c) is None else str(item.get(c)) for c in columns]
        while cells and cells[-1] == "":
            cells.pop()
        out.append(" | ".join(cells))
    return "\n".join(out)


def _parse_lines(text: str, columns: tuple[str, ...], label: str) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > len(columns):
            raise Invalid(
                f"{label}, line {n}: at most {len(columns)} columns ({' | '.join(columns)})"
            )
        items.append({c: v for c, v in zip(columns, cells, strict=False) if v != ""})
    return items


def marking_from_form(form: FormData) -> str:
    level = str(form.get("marking_level") or "UNCLASSIFIED")
    comps = [str(c) for c in form.getlist("marking_compartments")]
    return str(Marking.parse(level + ("//" + "/".join(comps) if comps else "")))


def parse(component: str, form: FormData) -> dict[str, Any]:
    """Turn a submitted form into the record's data (the service validates it)."""
    data: dict[str, Any] = {}
    for f in FIELDS[component]:
        if f.kind == "links":
            data[f.name] = [str(v) for v in form.getlist(f.name) if v]
        elif f.kind == "bool":
            data[f.name] = form.get(f.name) == "on"
        elif f.kind == "posture":
            data[f.name] = {
                dim: int(str(form.get(f"posture.{dim}"))) if form.get(f"posture.{dim}") else None
                for dim in POSTURE
            }
        elif f.kind == "lines":
            data[f.name] = _parse_lines(str(form.get(f.name) or ""), f.columns, f.label)
        else:
            raw = str(form.get(f.name) or "").strip()
            if f.kind in ("int", "scale") or (f.kind == "select" and f.name == "horizon"):
                if raw and not raw.lstrip("-").isdigit():
                    raise Invalid(f"{f.label}: {raw!r} is not a whole number")
                data[f.name] = int(raw) if raw else None
            else:
                data[f.name] = raw or (None if f.kind in ("link", "date") else "")
    if component == "threats" and data.get("vulnerability") == "":
        data["vulnerability"] = None
    data["marking"] = marking_from_form(form)
    return data


def levels_for(clearance: int) -> list[str]:
    return [lv.name for i, lv in enumerate(scheme().levels) if i <= clearance]
