"""The published edition of a strategy: Markdown, HTML, PDF and DOCX from one document model.

:func:`document` turns a :class:`Package` into sections of simple blocks (headings,
paragraphs, tables, lists, figures) once; each format only writes those blocks. That way the
four formats cannot drift apart: they say the same things in the same order, resolve ids to
titles the same way and carry the same marking banner and withheld-records notice.

Ids are always resolved to titles or names. An id that does not resolve (a record withheld
from this edition, or a dangling link that lint reports) is left out rather than printed raw,
so a public edition never hints at what was withheld.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader

from grandstrategy.core import formats, i18n, pdf
from grandstrategy.core.i18n import _, ngettext
from grandstrategy.core.markings import Marking
from grandstrategy.core.terms import term
from grandstrategy.horizon.schemas import category_label
from grandstrategy.strategy import trace
from grandstrategy.strategy.charts import budget_bars_svg, risk_matrix_svg
from grandstrategy.strategy.schemas import (
    Package,
    component_title,
    impact_labels,
    likelihood_labels,
    posture_poles,
)


@dataclass
class Block:
    """One unit of content. ``items`` depends on ``kind``:

    heading/para/title: none; fields: (label, value); list: str; table: rows of str (with
    ``head``); toc: (anchor, text); posture: (pole, pole, 1–5, words); figure: [caption],
    with the SVG in ``text`` (HTML and PDF only: Markdown and DOCX leave figures out).
    """

    kind: str
    text: str = ""
    mark: str = ""
    cls: str = ""
    items: list[Any] = field(default_factory=list)
    head: list[str] = field(default_factory=list)


@dataclass
class Section:
    anchor: str
    heading: str  # "" for the cover
    blocks: list[Block]


@dataclass
class Document:
    title: str
    banner: str
    colour: str
    sections: list[Section]


def _day(day: dt.date | None) -> str:
    """``31 December 2028`` / ``31 décembre 2028`` / ``31. Dezember 2028``."""
    return formats.date(day) if day else "—"


def _num(x: float) -> str:
    """``12,500`` / ``12 500`` / ``12.500``: the edition language's separators."""
    return formats.number(x)


def _poles(dim: str) -> tuple[str, str]:
    """A posture dimension's two poles in the edition's language."""
    return posture_poles()[dim]


def _budget(amount: float | None, currency: str) -> str:
    """A capability's budget total with its currency ("mixed" when its lines mix them)."""
    if amount is None:
        return "—"
    if currency == "mixed":
        return formats.number(amount, 0) + " " + _("(mixed currencies)")
    return formats.money(amount, currency or "EUR")


def _status(status: Any) -> str:
    """The strategy's status on the cover, capitalised: "Draft" / "Brouillon"."""
    text = term(status, "strategy-status")
    return text[:1].upper() + text[1:]


def _mark(marking: str) -> str:
    """The record's marking when it is above UNCLASSIFIED (shown discreetly after titles)."""
    return "" if marking == "UNCLASSIFIED" else marking


def limit_sentence(pkg: Package) -> str:
    """What a filtered edition must say on its cover and contents page ("" when complete)."""
    n, cap = pkg.withheld, pkg.max_marking or _("its marking")
    if n <= 0:
        return ""
    return ngettext(
        "This edition is limited to {cap}; {n} record above that marking is left out.",
        "This edition is limited to {cap}; {n} records above that marking are left out.",
        n,
    ).format(cap=cap, n=n)


def untranslated_sentence(pkg: Package) -> str:
    """What an edition in another language says of texts not yet translated ("" when none)."""
    if not pkg.untranslated:
        return ""
    return ngettext(
        "{n} text marked [EN] is not yet translated and is given in English, its source language.",
        "{n} texts marked [EN] are not yet translated and are given in English, their source "
        "language.",
        pkg.untranslated,
    ).format(n=pkg.untranslated)


def posture_words(value: int, poles: tuple[str, str]) -> str:
    """``leans towards faithful ally``: the position in words, for readers and screen readers."""
    if value == 3:
        return _("balanced between {a} and {b}").format(a=poles[0], b=poles[1])
    words = _("firmly {pole}") if value in (1, 5) else _("leans towards {pole}")
    return words.format(pole=poles[value > 3])


def posture_gauge(value: int, poles: tuple[str, str]) -> str:
    """``faithful ally ◀─●───▶ independent player``: the position as a text scale."""
    slots = ["─"] * 5
    slots[value - 1] = "●"
    return f"{poles[0]} ◀{''.join(slots)}▶ {poles[1]}"


class _Names:
    """Id → title/name lookups; unknown ids vanish (see the module docstring)."""

    def __init__(self, pkg: Package) -> None:
        self.by = {
            c: pkg.by_id(c) for c in ("actors", "interests", "threats", "roles", "objectives")
        }

    def one(self, comp: str, rid: str | None) -> str:
        rec = self.by[comp].get(rid) if rid else None
        return "" if rec is None else str(getattr(rec, "title", None) or rec.name)

    def many(self, comp: str, ids: list[str]) -> list[str]:
        return [n for n in (self.one(comp, i) for i in ids) if n]


def _fields(*pairs: tuple[str, str | list[str]]) -> Block:
    items = [(k, "; ".join(v) if isinstance(v, list) else v) for k, v in pairs]
    return Block("fields", items=[(k, v) for k, v in items if v])


def _interests(pkg: Package, nm: _Names) -> list[Block]:
    pairs = [
        (Block("heading", v.title, _mark(v.marking)), Block("para", v.statement))
        for v in pkg.interests
    ]
    return [b for pair in pairs for b in pair]


def _threats(pkg: Package, nm: _Names) -> list[Block]:
    rows = [
        [t.id, t.title, term(t.kind, "threat-kind"), category_label(t.category),
         _("{n} y").format(n=t.horizon_years),
         str(t.likelihood or "—"), str(t.impact or "—"), _("yes") if t.black_swan else ""]
        for t in pkg.threats
    ]  # fmt: skip
    head = [_("Id"), _("Threat or challenge"), _("Kind"), _("Category"), _("Horizon"),
            _("L"), _("I"), _("Black swan")]  # fmt: skip
    out = [
        Block("para", _("Threats have an author; challenges (such as climate change or an "
              "epidemic) have none. L is likelihood and I impact, both on a scale of 1 to 5.")),
        Block("table", items=rows, head=head, cls="threats"),
    ]  # fmt: skip
    likelihood, impact = likelihood_labels(), impact_labels()
    scales = [[str(n), likelihood[n], impact[n]] for n in sorted(likelihood)]
    out.append(Block("table", items=scales, head=[_("Level"), _("Likelihood"), _("Impact")],
                     cls="scales"))  # fmt: skip
    if any(t.likelihood and t.impact for t in pkg.threats):
        caption = _("Risk matrix: likelihood over the horizon against impact, by threat id.")
        out.append(Block("figure", risk_matrix_svg(pkg.threats), items=[caption]))
    for t in pkg.threats:
        out += [Block("heading", t.title, _mark(t.marking)), Block("para", t.description)]
        out.append(
            _fields(
                (_("Vulnerability"), t.vulnerability or ""),
                (_("Endangers"), nm.many("interests", t.interests)),
                (_("Authors"), nm.many("actors", t.authors)),
            )
        )
    return out


def _roles(pkg: Package, nm: _Names) -> list[Block]:
    out: list[Block] = []
    for r in pkg.roles:
        out += [Block("heading", r.name, _mark(r.marking)), Block("para", r.description)]
        scale = [
            (*_poles(dim), v, posture_words(v, _poles(dim)))
            for dim, v in r.posture.model_dump().items()
            if v is not None
        ]
        if scale:
            out.append(Block("posture", items=scale))
    return out


def _indicator(i: Any) -> str:
    """``Gaps with a funded plan from 0 % to 100 % by 31 December 2028``."""
    unit = f" {i.unit}" if i.unit and i.unit != "count" else ""
    steps = ((_("from {value}"), i.baseline), (_("to {value}"), i.target))
    values = [(w, v) for w, v in steps if v is not None]
    parts = [i.name, *(w.format(value=f"{_num(v)}{unit}") for w, v in values)]
    return " ".join(parts + ([_("by {date}").format(date=_day(i.due))] if i.due else []))


def _objectives(pkg: Package, nm: _Names) -> list[Block]:
    rows = [
        [o.title, nm.one("actors", o.owner) or "—", _("{n} years").format(n=o.horizon),
         _day(o.deadline), term(o.status, "objective-status")]
        for o in pkg.objectives
    ]  # fmt: skip
    head = [_("Objective"), _("Owner"), _("Horizon"), _("Deadline"), _("Status")]
    out = [Block("table", items=rows, head=head)]
    for o in pkg.objectives:
        title = o.title + (" — " + _("priority") if o.priority else "")
        out += [Block("heading", title, _mark(o.marking)), Block("para", o.description)]
        out.append(
            _fields(
                (_("Owner"), nm.one("actors", o.owner)),
                (_("With"), nm.many("actors", o.contributors)),
                (_("Part of"), nm.one("objectives", o.parent)),
                (_("Serves"), nm.many("interests", o.interests)),
                (_("Counters"), nm.many("threats", o.threats)),
                (_("Roles"), nm.many("roles", o.roles)),
            )
        )
        if o.indicators:
            out.append(Block("list", _("Indicators"), items=[_indicator(i) for i in o.indicators]))
    return out


def _capabilities(pkg: Package, nm: _Names) -> list[Block]:
    chart = budget_bars_svg(pkg.capabilities)
    out = (
        [Block("figure", chart, items=[_("Budget by capability, earliest year.")])] if chart else []
    )
    for c in pkg.capabilities:
        out += [Block("heading", c.name, _mark(c.marking)), Block("para", c.description)]
        staff = ", ".join(
            _("{fte} FTE in {year}").format(fte=_num(p.fte), year=p.year) for p in c.personnel
        )
        owner, serves = nm.one("actors", c.owner), nm.many("objectives", c.objectives)
        kind = term(c.kind, "capability-kind")
        out.append(
            _fields(
                (_("Kind"), kind),
                (_("Owner"), owner),
                (_("Personnel"), staff),
                (_("Serves"), serves),
            )
        )
        rows = [[str(b.year), _num(b.amount), b.currency, b.source] for b in c.budget]
        if rows:
            out.append(
                Block(
                    "table", items=rows, head=[_("Year"), _("Amount"), _("Currency"), _("Source")]
                )
            )
    return out


def _trace(pkg: Package, nm: _Names) -> list[Block]:
    report = trace.build(pkg)
    rows: list[list[str]] = []
    last = ("", "")
    for r in report.rows:
        key = (r.threat_title, r.interest_title)
        budget = _budget(r.budget, r.currency)
        rows.append(
            [r.threat_title if key[0] != last[0] else "", r.interest_title if key != last else "",
             r.objective_title or "—", r.owner_name or "—", r.capability_name or "—", budget]
        )  # fmt: skip
        last = key
    head = [_("Threat"), _("Interest"), _("Objective"), _("Owner"), _("Capability"), _("Budget")]
    out = [
        Block("para", _("Each row follows one threat to the interest it endangers, the objective "
              "that counters it, the objective's owner, the capability that delivers it and "
              "that capability's budget over all years. A dash marks where the chain stops.")),
        Block("table", items=rows, head=head, cls="trace") if rows
        else Block("para", _("No rows.")),
        Block("heading", _("Breaks in the chain")),
    ]  # fmt: skip
    breaks = [f"{b.stage}: {b.message}" for b in report.breaks]
    out.append(Block("list", items=breaks) if breaks else Block("para", _("No breaks.")))
    return out


def _actors(pkg: Package, nm: _Names) -> list[Block]:
    bodies = ("council", "committee")
    out: list[Block] = []
    for a in (a for a in pkg.actors if a.kind in bodies):
        out += [Block("heading", a.name, _mark(a.marking)), Block("para", a.description)]
        out.append(_fields((_("Reports to"), nm.one("actors", a.parent))))
        rows = [[nm.one("actors", m.actor), m.role] for m in a.members if nm.one("actors", m.actor)]
        if rows:
            out.append(Block("table", items=rows, head=[_("Member"), _("Role")]))
    others = [
        [a.name + (f" ({a.marking})" if _mark(a.marking) else ""),
         term(a.kind, "actor-kind"), nm.one("actors", a.parent)]
        for a in pkg.actors if a.kind not in bodies
    ]  # fmt: skip
    if others:
        out += [Block("heading", _("Other actors")), Block("table", items=others,
                head=[_("Actor"), _("Kind"), _("Part of")])]  # fmt: skip
    return out


def document(pkg: Package) -> Document:
    """The edition as sections of blocks, in the order every format follows."""
    s, nm = pkg.strategy, _Names(pkg)
    banner = pkg.highest_marking()
    limit = limit_sentence(pkg)
    cover = [
        Block("para", s.country, cls="country"),
        Block("title", s.title),
        _fields((_("Edition"), s.edition), (_("Period"), f"{_day(s.period.start)} – "
                f"{_day(s.period.end)}"), (_("Status"), _status(s.status))),
        Block("para", s.notice, cls="notice"),
        Block("para", limit, cls="limit"),
        Block("para", untranslated_sentence(pkg), cls="limit"),
        Block("para", _("Marking: {marking}").format(marking=banner), cls="marking"),
    ]  # fmt: skip
    parts = [
        ("interests", "1 " + component_title("interests"), _interests),
        ("environment", "2 " + _("The security environment"), _threats),
        ("roles", "3 " + _("{country}'s role").format(country=s.country), _roles),
        ("objectives", "4 " + component_title("objectives"), _objectives),
        ("capabilities", "5 " + component_title("capabilities"), _capabilities),
        ("annex-a", _("Annex A: Traceability"), _trace),
        ("annex-b", _("Annex B: Actors and governance"), _actors),
    ]
    toc = [Block("toc", items=[(a, h) for a, h, _fn in parts]), Block("para", limit, cls="limit")]
    if s.summary:
        toc += [Block("heading", _("Summary")), Block("para", s.summary)]
    sections = [Section("cover", "", cover), Section("contents", _("Contents"), toc)]
    sections += [Section(a, h, fn(pkg, nm)) for a, h, fn in parts]
    for sec in sections:
        sec.blocks = [b for b in sec.blocks if b.text or b.items or b.kind == "heading"]
        sec.blocks = sec.blocks or [Block("para", _("Nothing in this edition."))]
    return Document(s.title, str(banner), banner.colour, sections)


def render_markdown(pkg: Package) -> str:
    doc = document(pkg)
    out = [f"**{doc.banner}**", ""]
    for sec in doc.sections:
        if sec.heading:
            out += [f"## {sec.heading}", ""]
        for b in sec.blocks:
            out += [*_md(b), ""]
    return "\n".join([*out, f"**{doc.banner}**", ""])


def _slug(heading: str) -> str:
    """The anchor Markdown renderers (GitHub, markdown-it plugins) give a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md(b: Block) -> list[str]:
    mark = f" ({b.mark})" if b.mark else ""
    if b.kind == "title":
        return [f"# {b.text}"]
    if b.kind == "heading":
        return [f"### {b.text}{mark}"]
    if b.kind == "para":
        return [f"> {b.text}" if b.cls in ("notice", "limit") else b.text]
    if b.kind == "fields":
        return [f"**{k}:** {v}  " for k, v in b.items]
    if b.kind == "list":
        return ([f"**{b.text}:**", ""] if b.text else []) + [f"- {i}" for i in b.items]
    if b.kind == "toc":
        return [f"- [{text}](#{_slug(text)})" for _anchor, text in b.items]
    if b.kind == "posture":
        return [f"- {posture_gauge(v, (p, q))} — {w}" for p, q, v, w in b.items]
    if b.kind == "table":
        rows = [b.head, ["---"] * len(b.head), *b.items]
        return ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return []  # figures are HTML/PDF only


@cache
def _env() -> Environment:
    loader = PackageLoader("grandstrategy.strategy", "templates")
    env = Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    env.globals["lang"] = i18n.current
    return env


def render_html(pkg: Package) -> str:
    template = _env().get_template("edition.html.j2")
    return template.render(doc=document(pkg), marking_colour=lambda m: Marking.parse(m).colour)


def render_pdf(pkg: Package) -> bytes:
    return pdf.from_html(render_html(pkg))
