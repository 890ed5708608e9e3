"""Delivery documents (stocktake pack, deployments review, five-yearly review) in Markdown,
PDF and Word, each with its marking as a banner at the top and bottom of every page.

Each document is written once, as Markdown; the PDF is that Markdown turned into HTML and
printed by WeasyPrint, the Word file is built from the same lines. One source, so the three
formats cannot say different things.
"""

from __future__ import annotations

import html
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from grandstrategy.core import pdf
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.core.text import xml_safe

FORMATS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


@dataclass
class Output:
    content: bytes
    media_type: str
    filename: str
    marking: Marking


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Invalid(_("unknown format {fmt!r}; choose one of {known}").format(
            fmt=fmt, known=", ".join(FORMATS)))  # fmt: skip
    return fmt


def cell(text: object) -> str:
    """A value safe inside a Markdown table cell."""
    return str("—" if text is None else text).replace("|", "/").replace("\n", " ")


def table(
    head: list[str], rows: Sequence[Sequence[object]], right: Collection[int] = ()
) -> list[str]:
    """A Markdown table; the columns numbered in ``right`` (numbers, written with the reader's
    separators by core/formats) are aligned to the right."""
    rule = "".join(" ---: |" if k in right else " --- |" for k in range(len(head)))
    lines = ["| " + " | ".join(head) + " |", "|" + rule]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return [*lines, ""]


def with_banner(lines: list[str], marking: Marking) -> str:
    banner = f"**{marking}**"
    return "\n".join([banner, "", *lines, "", banner]) + "\n"


PAGE_CSS = """
@page { size: A4; margin: 22mm 18mm;
  @top-center { content: "%(banner)s"; color: %(colour)s; font: bold 8.5pt sans-serif; }
  @bottom-center { content: "%(banner)s"; color: %(colour)s; font: bold 8.5pt sans-serif; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 7.5pt sans-serif; } }
body { font: 10pt "DejaVu Sans", sans-serif; color: #1f2a36; }
table { border-collapse: collapse; width: 100%%; margin: 6pt 0; font-size: 8.5pt; }
th, td { border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
h1 { font-size: 16pt; } h2 { font-size: 12.5pt; margin-top: 14pt; } h3 { font-size: 11pt; }
"""


def to_html(markdown: str, marking: Marking, title: str) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    css = PAGE_CSS % {"banner": html.escape(str(marking)), "colour": marking.colour}
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{css}</style></head><body>{body}</body></html>"
    )


def to_pdf(markdown: str, marking: Marking, title: str) -> bytes:
    return pdf.from_html(to_html(markdown, marking, title))


def _runs(par: Any, text: str) -> None:
    """Paragraph text with **bold** spans."""
    for k, part in enumerate(text.split("**")):
        if part:
            par.add_run(part).bold = k % 2 == 1


def to_docx(markdown: str, marking: Marking) -> bytes:
    """Headings, paragraphs, bullets and tables; the banner in every page's header and footer."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    d = cast(Any, Docx())
    sec = d.sections[0]
    colour = RGBColor.from_string(marking.colour.lstrip("#").upper())
    for part in (sec.header, sec.footer):
        par = part.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = par.add_run(str(marking))
        run.bold, run.font.color.rgb, run.font.size = True, colour, Pt(9)
    lines = xml_safe(markdown).splitlines()
    banner = f"**{marking}**"
    if lines and lines[0] == banner:  # the Markdown's own banner lines: the header has it
        lines = lines[1:]
    if lines and lines[-1] == banner:
        lines = lines[:-1]
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        t.style = "Table Grid"
        for i, r in enumerate(rows):
            for j, c in enumerate(r[: len(rows[0])]):
                t.cell(i, j).text = c.replace("**", "")
        rows.clear()

    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= {"-", " ", ":"} for c in cells):
                rows.append(cells)
            continue
        flush()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            d.add_heading(line.lstrip("#").strip(), min(level, 3))
        elif line.startswith("- "):
            _runs(d.add_paragraph(style="List Bullet"), line[2:])
        elif line.strip():
            _runs(d.add_paragraph(), line)
    flush()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def output(markdown_lines: list[str], marking: Marking, fmt: str, name: str, title: str) -> Output:
    """The document in ``fmt``, carrying ``marking`` in its banners and its file name."""
    check_format(fmt)
    text = with_banner(markdown_lines, marking)
    if fmt == "md":
        content = text.encode("utf-8")
    elif fmt == "pdf":
        content = to_pdf(text, marking, title)
    else:
        content = to_docx(text, marking)
    media, ext = FORMATS[fmt]
    return Output(content=content, media_type=media, filename=f"{name}.{ext}", marking=marking)
