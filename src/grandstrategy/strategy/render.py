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
import io
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from jinja2 import Environment, PackageLoader

from grandstrategy.core.markings import Marking
from grandstrategy.strategy import trace
from grandstrategy.strategy.charts import budget_bars_svg, money, risk_matrix_svg
from grandstrategy.strategy.schemas import POSTURE, ActorKind, Package


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
    return f"{day.day} {day:%B %Y}" if day else "—"


def _num(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ") if float(x).is_integer() else f"{x:g}"


def _mark(marking: str) -> str:
    """The record's marking when it is above UNCLASSIFIED (shown discreetly after titles)."""
    return "" if marking == "UNCLASSIFIED" else marking


def limit_sentence(pkg: Package) -> str:
    if pkg.withheld <= 0:
        return ""
    n = pkg.withheld
    are = "records above that marking are" if n != 1 else "record above that marking is"
    return f"This edition is limited to {pkg.max_marking or 'its marking'}; {n} {are} left out."


def posture_words(value: int, poles: tuple[str, str]) -> str:
    a, b = poles
    return {
        1: f"firmly {a}", 2: f"leans towards {a}", 3: f"balanced between {a} and {b}",
        4: f"leans towards {b}", 5: f"firmly {b}",
    }[value]  # fmt: skip


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
    out: list[Block] = []
    for vi in pkg.interests:
        out += [Block("heading", vi.title, _mark(vi.marking)), Block("para", vi.statement)]
    return out


def _threats(pkg: Package, nm: _Names) -> list[Block]:
    rows = [
        [t.id, t.title, t.kind.value, t.category, f"{t.horizon_years} y",
         str(t.likelihood or "—"), str(t.impact or "—"), "yes" if t.black_swan else ""]
        for t in pkg.threats
    ]  # fmt: skip
    head = ["Id", "Threat or challenge", "Kind", "Category", "Horizon", "L", "I", "Black swan"]
    out = [
        Block("para", "Threats have an author; challenges (such as climate change or an "
              "epidemic) have none. L is likelihood and I impact, both on a scale of 1 to 5."),
        Block("table", items=rows, head=head, cls="threats"),
    ]  # fmt: skip
    if any(t.likelihood and t.impact for t in pkg.threats):
        caption = "Risk matrix: likelihood over the horizon against impact, by threat id."
        out.append(Block("figure", risk_matrix_svg(pkg.threats), items=[caption]))
    for t in pkg.threats:
        out += [Block("heading", t.title, _mark(t.marking)), Block("para", t.description)]
        out.append(
            _fields(
                ("Vulnerability", t.vulnerability or ""),
                ("Endangers", nm.many("interests", t.interests)),
                ("Authors", nm.many("actors", t.authors)),
            )
        )
    return out


def _roles(pkg: Package, nm: _Names) -> list[Block]:
    out: list[Block] = []
    for r in pkg.roles:
        out += [Block("heading", r.name, _mark(r.marking)), Block("para", r.description)]
        scale = [
            (*POSTURE[dim], v, posture_words(v, POSTURE[dim]))
            for dim, v in r.posture.model_dump().items()
            if v is not None
        ]
        if scale:
            out.append(Block("posture", items=scale))
    return out


def _indicator(i: Any) -> str:
    """``Gaps with a funded plan from 0 % to 100 % by 31 December 2028``."""
    unit = f" {i.unit}" if i.unit and i.unit != "count" else ""
    values = [(w, v) for w, v in (("from", i.baseline), ("to", i.target)) if v is not None]
    parts = [i.name, *(f"{w} {_num(v)}{unit}" for w, v in values)]
    return " ".join(parts + ([f"by {_day(i.due)}"] if i.due else []))


def _objectives(pkg: Package, nm: _Names) -> list[Block]:
    rows = [
        [o.title, nm.one("actors", o.owner) or "—", f"{o.horizon} years", _day(o.deadline),
         o.status.value.replace("-", " ")]
        for o in pkg.objectives
    ]  # fmt: skip
    out = [Block("table", items=rows, head=["Objective", "Owner", "Horizon", "Deadline", "Status"])]
    for o in pkg.objectives:
        title = o.title + (" — priority" if o.priority else "")
        out += [Block("heading", title, _mark(o.marking)), Block("para", o.description)]
        out.append(
            _fields(
                ("Owner", nm.one("actors", o.owner)),
                ("With", nm.many("actors", o.contributors)),
                ("Part of", nm.one("objectives", o.parent)),
                ("Serves", nm.many("interests", o.interests)),
                ("Counters", nm.many("threats", o.threats)),
                ("Roles", nm.many("roles", o.roles)),
            )
        )
        if o.indicators:
            out.append(Block("list", "Indicators", items=[_indicator(i) for i in o.indicators]))
    return out


def _capabilities(pkg: Package, nm: _Names) -> list[Block]:
    chart = budget_bars_svg(pkg.capabilities)
    out = [Block("figure", chart, items=["Budget by capability, earliest year."])] if chart else []
    for c in pkg.capabilities:
        out += [Block("heading", c.name, _mark(c.marking)), Block("para", c.description)]
        staff = ", ".join(f"{_num(p.fte)} FTE in {p.year}" for p in c.personnel)
        owner, serves = nm.one("actors", c.owner), nm.many("objectives", c.objectives)
        kind = c.kind.value.replace("-", " ")
        out.append(
            _fields(("Kind", kind), ("Owner", owner), ("Personnel", staff), ("Serves", serves))
        )
        rows = [[str(b.year), money(b.amount), b.currency, b.source] for b in c.budget]
        if rows:
            out.append(Block("table", items=rows, head=["Year", "Amount", "Currency", "Source"]))
    return out


def _trace(pkg: Package, nm: _Names) -> list[Block]:
    report = trace.build(pkg)
    rows: list[list[str]] = []
    last = ("", "")
    for r in report.rows:
        key = (r.threat_title, r.interest_title)
        budget = f"{r.currency} {money(r.budget)}" if r.budget is not None else "—"
        rows.append(
            [r.threat_title if key[0] != last[0] else "", r.interest_title if key != last else "",
             r.objective_title or "—", r.owner_name or "—", r.capability_name or "—", budget]
        )  # fmt: skip
        last = key
    head = ["Threat", "Interest", "Objective", "Owner", "Capability", "Budget (all years)"]
    out = [
        Block("para", "Each row follows one threat to the interest it endangers, the objective "
              "that counters it, the objective's owner, the capability that delivers it and "
              "that capability's budget. A dash marks where the chain stops."),
        Block("table", items=rows, head=head, cls="trace") if rows else Block("para", "No rows."),
        Block("heading", "Breaks in the chain"),
    ]  # fmt: skip
    breaks = [f"{b.stage}: {b.message}" for b in report.breaks]
    out.append(Block("list", items=breaks) if breaks else Block("para", "No breaks."))
    return out


def _actors(pkg: Package, nm: _Names) -> list[Block]:
    bodies = (ActorKind.council, ActorKind.committee)
    out: list[Block] = []
    for a in (a for a in pkg.actors if a.kind in bodies):
        out += [Block("heading", a.name, _mark(a.marking)), Block("para", a.description)]
        out.append(_fields(("Reports to", nm.one("actors", a.parent))))
        rows = [[nm.one("actors", m.actor), m.role] for m in a.members if nm.one("actors", m.actor)]
        if rows:
            out.append(Block("table", items=rows, head=["Member", "Role"]))
    others = [
        [a.name + (f" ({a.marking})" if _mark(a.marking) else ""),
         a.kind.value.replace("-", " "), nm.one("actors", a.parent)]
        for a in pkg.actors if a.kind not in bodies
    ]  # fmt: skip
    if others:
        out += [Block("heading", "Other actors"), Block("table", items=others,
                head=["Actor", "Kind", "Part of"])]  # fmt: skip
    return out


def document(pkg: Package) -> Document:
    """The edition as sections of blocks, in the order every format follows."""
    s, nm = pkg.strategy, _Names(pkg)
    banner = pkg.highest_marking()
    limit = limit_sentence(pkg)
    cover = [
        Block("para", s.country, cls="country"),
        Block("title", s.title),
        _fields(("Edition", s.edition), ("Period", f"{_day(s.period.start)} – "
                f"{_day(s.period.end)}"), ("Status", s.status.value.capitalize())),
        Block("para", s.notice, cls="notice"),
        Block("para", limit, cls="limit"),
        Block("para", f"Marking: {banner}", cls="marking"),
    ]  # fmt: skip
    parts = [
        ("interests", "1 Vital interests", _interests),
        ("environment", "2 The security environment", _threats),
        ("roles", f"3 {s.country}'s role", _roles),
        ("objectives", "4 Objectives", _objectives),
        ("capabilities", "5 Capabilities", _capabilities),
        ("annex-a", "Annex A: Traceability", _trace),
        ("annex-b", "Annex B: Actors and governance", _actors),
    ]
    toc = [Block("toc", items=[(a, h) for a, h, _ in parts]), Block("para", limit, cls="limit")]
    if s.summary:
        toc += [Block("heading", "Summary"), Block("para", s.summary)]
    sections = [Section("cover", "", cover), Section("contents", "Contents", toc)]
    sections += [Section(a, h, fn(pkg, nm)) for a, h, fn in parts]
    for sec in sections:
        sec.blocks = [b for b in sec.blocks if b.text or b.items or b.kind == "heading"]
        sec.blocks = sec.blocks or [Block("para", "Nothing in this edition.")]
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
        return [f"- [{text}](#{anchor})" for anchor, text in b.items]
    if b.kind == "posture":
        return [f"- {posture_gauge(v, (p, q))} — {w}" for p, q, v, w in b.items]
    if b.kind == "table":
        rows = [b.head, ["---"] * len(b.head), *b.items]
        return ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return []  # figures are HTML/PDF only


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("grandstrategy.strategy", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["marking_colour"] = lambda m: Marking.parse(m).colour
    return env


def render_html(pkg: Package) -> str:
    return _env().get_template("edition.html.j2").render(doc=document(pkg))


def render_pdf(pkg: Package) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(pkg)).write_pdf()
    return pdf


def render_docx(pkg: Package) -> bytes:
    """Word edition: the banner sits in the section header and footer, so on every page."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    doc, d = document(pkg), cast(Any, Docx())
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(24)
    d.styles["Normal"].font.name, d.styles["Normal"].font.size = "Times New Roman", Pt(11)
    for name in ("Title", "Heading 1", "Heading 2"):
        d.styles[name].font.color.rgb = RGBColor(0x1F, 0x2A, 0x36)
    colour = RGBColor.from_string(doc.colour.lstrip("#").upper())
    for part in (sec.header, sec.footer):
        par = part.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = par.add_run(doc.banner)
        run.bold, run.font.color.rgb, run.font.size = True, colour, Pt(9)
    pages = sec.footer.add_paragraph("Page ")
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for code in ("PAGE", " of ", "NUMPAGES"):
        _field(pages, code) if code.isupper() else pages.add_run(code)
    for i, section in enumerate(doc.sections):
        if section.heading:
            d.add_heading(section.heading, 1).paragraph_format.page_break_before = i > 1
        for b in section.blocks:
            _docx(d, b)
        if i == 0:
            d.add_page_break()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _field(par: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    xml = f'<w:fldSimple {nsdecls("w")} w:instr="{code}"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    par._p.append(parse_xml(xml))


def _docx(d: Any, b: Block) -> None:
    from docx.shared import Pt

    if b.kind == "title":
        d.add_heading(b.text, 0)
    elif b.kind == "heading":
        d.add_heading(b.text + (f" ({b.mark})" if b.mark else ""), 2)
    elif b.kind == "para":
        par = d.add_paragraph(b.text, style="Intense Quote" if b.cls == "notice" else None)
        par.runs[0].italic = b.cls == "limit" or None
    elif b.kind == "fields":
        for k, v in b.items:
            par = d.add_paragraph()
            par.add_run(f"{k}: ").bold = True
            par.add_run(v)
    elif b.kind in ("list", "toc", "posture"):
        if b.text:
            d.add_paragraph().add_run(b.text).bold = True
        for item in b.items:
            text = item[1] if b.kind == "toc" else item
            if b.kind == "posture":
                text = f"{posture_gauge(item[2], item[:2])} — {item[3]}"
            d.add_paragraph(text, style="List Bullet")
    elif b.kind == "table":
        table = d.add_table(rows=1, cols=len(b.head), style="Light Shading")
        for row in [b.head, *b.items]:
            cells = table.rows[0].cells if row is b.head else table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(8 if b.cls == "trace" else 9)
        d.add_paragraph()
