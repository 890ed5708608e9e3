"""Conversion between table rows and schema records, and the links between components."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, restrict
from grandstrategy.core.markings import Marking
from grandstrategy.strategy.models import ROWS, Component, Strategy
from grandstrategy.strategy.schemas import COMPONENTS, Period, StrategyMeta, StrategyStatus, _Record

# field -> component it points to; "members" holds {"actor": id, "role": ...} items.
LINKS: dict[str, dict[str, str]] = {
    "actors": {"parent": "actors", "members": "actors"},
    "interests": {},
    "threats": {"authors": "actors", "interests": "interests"},
    "roles": {},
    "objectives": {
        "owner": "actors",
        "contributors": "actors",
        "parent": "objectives",
        "interests": "interests",
        "threats": "threats",
        "roles": "roles",
    },
    "capabilities": {"owner": "actors", "objectives": "objectives"},
}

SINGULAR = {
    "actors": "actor",
    "interests": "interest",
    "threats": "threat",
    "roles": "role",
    "objectives": "objective",
    "capabilities": "capability",
}


def check_component(component: str) -> str:
    from grandstrategy.core.errors import NotFound

    if component not in COMPONENTS:
        raise NotFound(f"unknown component {component!r}; known: {', '.join(COMPONENTS)}")
    return component


def link_targets(component: str, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, target component, id) for every link a record's data holds."""
    out: list[tuple[str, str, str]] = []
    for fld, target in LINKS[component].items():
        value = data.get(fld)
        if value is None:
            continue
        if fld == "members":
            out.extend((fld, target, m["actor"]) for m in value)
        elif isinstance(value, list):
            out.extend((fld, target, v) for v in value)
        else:
            out.append((fld, target, value))
    return out


def to_record(component: str, row: Component) -> _Record:
    schema = COMPONENTS[component]
    data: dict[str, Any] = {"id": row.key, "marking": str(row.marking)}
    for name in schema.model_fields:
        if name not in ("id", "marking"):
            data[name] = getattr(row, name)
    return schema.model_validate(data)


def apply_record(row: Component, record: _Record) -> None:
    """Copy a validated record onto its row (scalars typed, lists as JSON)."""
    table = type(row).__table__  # type: ignore[attr-defined]
    py = record.model_dump(mode="python")
    js = record.model_dump(mode="json")
    for name in type(record).model_fields:
        if name == "id":
            row.key = record.id
        elif name == "marking":
            row.marking = Marking.parse(record.marking)
        else:
            col = table.columns[name]
            value = py[name] if isinstance(col.type, Date) else js[name]
            setattr(row, name, value)


def new_row(component: str) -> Component:
    return ROWS[component]()


def dump(record: _Record | StrategyMeta) -> dict[str, Any]:
    return record.model_dump(mode="json")


def meta_of(s: Strategy) -> StrategyMeta:
    return StrategyMeta(
        id=s.key,
        title=s.title,
        country=s.country,
        edition=s.edition,
        period=Period(start=s.period_start, end=s.period_end),
        status=StrategyStatus(s.status),
        marking=str(s.marking),
        summary=s.summary,
        notice=s.notice,
        max_priorities=s.max_priorities,
    )


def apply_meta(s: Strategy, meta: StrategyMeta) -> None:
    s.key = meta.id
    s.title = meta.title
    s.country = meta.country
    s.edition = meta.edition
    s.period_start = meta.period.start
    s.period_end = meta.period.end
    s.status = meta.status.value
    s.marking = Marking.parse(meta.marking)
    s.summary = meta.summary
    s.notice = meta.notice
    s.max_priorities = meta.max_priorities


def redact(component: str, data: dict[str, Any], keep: dict[str, set[str]]) -> dict[str, Any]:
    """Drop links to records outside ``keep`` (hidden from the reader, or withheld).

    A link's target id is itself information: a reader must not learn that a record they may
    not see exists, so the ids go, not only the records.
    """
    out = dict(data)
    for fld, target in LINKS[component].items():
        value = out.get(fld)
        if value is None:
            continue
        if fld == "members":
            out[fld] = [m for m in value if m["actor"] in keep[target]]
        elif isinstance(value, list):
            out[fld] = [v for v in value if v in keep[target]]
        elif value not in keep[target]:
            out[fld] = None
    return out


def restore_hidden(
    component: str, full: dict[str, Any], edited: dict[str, Any], keep: dict[str, set[str]]
) -> dict[str, Any]:
    """Put back the links to hidden records that an editor could not see, hence not keep."""
    out = dict(edited)
    for fld, target in LINKS[component].items():
        old = full.get(fld)
        if old is None:
            continue
        if fld == "members":
            hidden_members = [m for m in old if m["actor"] not in keep[target]]
            out[fld] = list(out.get(fld) or []) + hidden_members
        elif isinstance(old, list):
            hidden = [v for v in old if v not in keep[target]]
            out[fld] = list(out.get(fld) or []) + hidden
        elif old not in keep[target] and out.get(fld) is None:
            out[fld] = old
    return out


def visible_keys(session: Session, strategy: Strategy, user: Principal) -> dict[str, set[str]]:
    """Ids of every record of the strategy the user may see, per component."""
    out: dict[str, set[str]] = {}
    for comp, model in ROWS.items():
        q = restrict(select(model.key).where(model.strategy_id == strategy.id), user, model)
        out[comp] = set(session.execute(q).scalars())
    return out
