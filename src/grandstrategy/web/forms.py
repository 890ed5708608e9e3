"""HTML forms for strategy records: which fields, how they are shown, how they are read back.

Lists of structured items (indicators, budget lines, personnel, members) are edited as one
line per item with ``|`` between columns, which works in any browser without scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _, lazy
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.strategy.schemas import posture_dimensions, threat_categories, vocabulary_ids


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text, textarea, int, scale, date, bool, select, link, links, lines, posture
    options: tuple[str, ...] = ()
    target: str = ""  # component a link points to
    columns: tuple[str, ...] = ()  # for lines
    help: str = ""
    vocabulary: str | None = None  # a select's vocabulary: how its values are shown (term())


def _vocab(name: str, label: str, vocabulary: str, help: str = "") -> Field:
    """A select offering the ids of one of the strategy's vocabularies (vocabularies.yaml)."""
    return Field(
        name, label, "select", vocabulary_ids(vocabulary), help=help, vocabulary=vocabulary
    )


FIELDS: dict[str, list[Field]] = {
    "interests": [
        Field("title", lazy("Title"), "text"),
        Field("statement", lazy("Why it is vital"), "textarea"),
    ],
    "threats": [
        Field("title", lazy("Title"), "text"),
        _vocab(
            "kind",
            lazy("Kind"),
            "threat-kind",
            help=lazy("A threat has an author; a challenge (climate, epidemics) has none."),
        ),
        # the horizon taxonomy's categories, shown by their names (category_label)
        Field("category", lazy("Category"), "select", threat_categories()),
        Field("description", lazy("Description"), "textarea"),
        Field("authors", lazy("Authors"), "links", target="actors"),
        Field("horizon_years", lazy("Horizon (years, 1–20)"), "int"),
        Field("likelihood", lazy("Likelihood (1–5)"), "scale"),
        Field("impact", lazy("Impact (1–5)"), "scale"),
        Field("black_swan", lazy("Black swan"), "bool"),
        Field("vulnerability", lazy("Internal vulnerability it exploits"), "textarea"),
        Field("interests", lazy("Interests it endangers"), "links", target="interests"),
    ],
    "roles": [
        Field("name", lazy("Name"), "text"),
        Field("description", lazy("Description"), "textarea"),
        Field("posture", lazy("Posture"), "posture"),
    ],
    "objectives": [
        Field("title", lazy("Title"), "text"),
        Field("description", lazy("Description"), "textarea"),
        Field("horizon", lazy("Horizon (years)"), "select", ("5", "10")),
        Field("owner", lazy("Owner (exactly one actor)"), "link", target="actors"),
        Field("contributors", lazy("Contributors"), "links", target="actors"),
        Field("deadline", lazy("Deadline"), "date"),
        Field("priority", lazy("Priority"), "bool"),
        _vocab("status", lazy("Status"), "objective-status"),
        Field("parent", lazy("Refines objective"), "link", target="objectives"),
        Field(
            "indicators",
            lazy("Indicators"),
            "lines",
            columns=("name", "unit", "baseline", "target", "due"),
        ),
        Field("interests", lazy("Interests it serves"), "links", target="interests"),
        Field("threats", lazy("Threats it addresses"), "links", target="threats"),
        Field("roles", lazy("Roles it serves"), "links", target="roles"),
    ],
    "capabilities": [
        Field("name", lazy("Name"), "text"),
        _vocab("kind", lazy("Kind"), "capability-kind"),
        Field("owner", lazy("Owner"), "link", target="actors"),
        Field("description", lazy("Description"), "textarea"),
        Field(
            "budget",
            lazy("Budget lines"),
            "lines",
            columns=("year", "amount", "currency", "source"),
        ),
        Field("personnel", lazy("Personnel"), "lines", columns=("year", "fte")),
        Field("objectives", lazy("Objectives it serves"), "links", target="objectives"),
    ],
    "actors": [
        Field("name", lazy("Name"), "text"),
        _vocab("kind", lazy("Kind"), "actor-kind"),
        Field("parent", lazy("Part of"), "link", target="actors"),
        Field("description", lazy("Description"), "textarea"),
        Field("members", lazy("Members"), "lines", columns=("actor", "role")),
    ],
}


# The column names of line-per-item fields, shown as table headers and in the form's help.
COLUMN_LABELS = (
    lazy("name"),
    lazy("unit"),
    lazy("baseline"),
    lazy("target"),
    lazy("due"),
    lazy("year"),
    lazy("amount"),
    lazy("currency"),
    lazy("source"),
    lazy("fte"),
    lazy("actor"),
    lazy("role"),
)


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
                _("{label}, line {n}: at most {count} columns ({columns})").format(
                    label=_(label), n=n, count=len(columns), columns=" | ".join(columns)
                )
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
                for dim in posture_dimensions()
            }
        elif f.kind == "lines":
            data[f.name] = _parse_lines(str(form.get(f.name) or ""), f.columns, f.label)
        else:
            raw = str(form.get(f.name) or "").strip()
            if f.kind in ("int", "scale") or (f.kind == "select" and f.name == "horizon"):
                if raw and not raw.lstrip("-").isdigit():
                    raise Invalid(
                        _("{label}: {value!r} is not a whole number").format(
                            label=_(f.label), value=raw
                        )
                    )
                data[f.name] = int(raw) if raw else None
            else:
                data[f.name] = raw or (None if f.kind in ("link", "date") else "")
    if component == "threats" and data.get("vulnerability") == "":
        data["vulnerability"] = None
    data["marking"] = marking_from_form(form)
    return data


def levels_for(clearance: int) -> list[str]:
    return [lv.name for i, lv in enumerate(scheme().levels) if i <= clearance]


def field_label(component: str, name: str) -> str:
    """A changed field's name as its form labels it, in the reader's language (the strategy's
    own fields, such as its status, have no form: their name is a message of its own)."""
    for f in FIELDS.get(component, []):
        if f.name == name:
            return _(f.label)
    return _(name)


def field_vocabulary(component: str, name: str) -> str | None:
    """The vocabulary a changed field's values come from (shown through term()), if any."""
    if (component, name) == ("strategy", "status"):
        return "strategy-status"
    for f in FIELDS.get(component, []):
        if f.name == name and f.kind == "select":
            return f.vocabulary
    return None
