"""The Word edition, written from the same document model as the other formats."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any, cast

from grandstrategy.core.i18n import _, pgettext
from grandstrategy.core.text import xml_safe
from grandstrategy.strategy.render import Block, document, posture_gauge
from grandstrategy.strategy.schemas import Package


def write_docx(pkg: Package) -> bytes:
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
        run = par.add_run(xml_safe(doc.banner))
        run.bold, run.font.color.rgb, run.font.size = True, colour, Pt(9)
    pages = sec.footer.add_paragraph(_("Page") + " ")
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _field(pages, "PAGE")
    pages.add_run(" " + pgettext("page N of M", "of") + " ")
    _field(pages, "NUMPAGES")
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


def _clean(value: Any) -> Any:
    """Strings (also inside lists and tuples) without what a Word file cannot hold."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


def _docx(d: Any, b: Block) -> None:
    from docx.shared import Pt

    b = replace(
        b, text=_clean(b.text), mark=_clean(b.mark), items=_clean(b.items), head=_clean(b.head)
    )

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
