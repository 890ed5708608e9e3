"""The rolling brief's sentences: extractive, cited, and checked against their citation.

No entailment model ships in a package we may install offline, so the brief is extractive
by design: every sentence is taken from a passage (or an external assessment's judgement)
and carries its citation — document, passage, character offsets. Before a sentence is
written it is checked: its normalised text must occur in the normalised text of the passage
it cites. A sentence that fails (a paraphrase, an edit, a sentence planted by mistake) is
refused and counted; the brief reports its support rate, supported / proposed.

Rendering (Markdown, JSON, HTML for PDF, DOCX) is here too: it only lays out what was
checked, and shows each sentence's citation beside it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any

from grandstrategy.core.text import xml_safe

# A sentence ends at . ! or ? followed by a space and a capital (so "3.5 per cent" and
# "U.S." inside a sentence do not end it), or at the end of the text.
_END = re.compile(r"[.!?]['\u2019\u201d\")]?(?=\s+[\"'\u201c\u00ab(]?[A-Z\u00c0-\u00dd])")


@dataclass
class Citation:
    document_id: int | None
    passage_id: int | None
    start: int  # offsets into the document's text (or the assessment's judgement)
    end: int
    title: str
    marking: str
    assessment_id: int | None = None
    issuer: str = ""


@dataclass
class Sentence:
    text: str
    citation: Citation
    section: str  # a threat category
    story_id: int | None = None


@dataclass
class Checked:
    sentences: list[Sentence] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)

    @property
    def support_rate(self) -> float:
        total = len(self.sentences) + len(self.refused)
        return len(self.sentences) / total if total else 1.0


def normalise(text: str) -> str:
    """Case, accents, quotes and spacing folded: what 'occurs in' compares."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = (
        t.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return " ".join(t.split())


def supported(sentence: str, source: str) -> bool:
    """Whether the sentence occurs, normalised, in the text it cites."""
    s = normalise(sentence)
    return bool(s) and s in normalise(source)


def first_sentence(text: str, start: int = 0) -> tuple[str, int, int]:
    """The first sentence of ``text`` with its offsets (shifted by ``start``)."""
    lead = len(text) - len(text.lstrip())
    m = _END.search(text, lead)
    stop = m.end() if m else len(text.rstrip())
    body = text[lead:stop]
    return body, start + lead, start + stop


def check(proposed: list[Sentence], sources: dict[tuple[str, int], str]) -> Checked:
    """Keep the sentences that occur in what they cite; refuse and record the others.

    ``sources`` maps ("passage", id) or ("assessment", id) to the cited text."""
    out = Checked()
    for s in proposed:
        c = s.citation
        key = ("assessment", c.assessment_id) if c.assessment_id else ("passage", c.passage_id or 0)
        text = sources.get(key)
        if text is not None and supported(s.text, text):
            out.sentences.append(s)
        else:
            why = "cited passage not found" if text is None else "not in the cited passage"
            out.refused.append({"text": s.text, "citation": asdict(c), "why": why})
    return out


def cite(c: Citation) -> str:
    if c.assessment_id:
        return f"[{c.issuer}, assessment {c.assessment_id}]"
    return f"[doc {c.document_id} ¶{c.passage_id} {c.start}–{c.end}]"


def to_markdown(content: dict[str, Any]) -> str:
    """The brief as Markdown, marking banner first and last."""
    mk = content["marking"]
    lines = [f"**{mk}**", "", f"# {content['title']}", "", content["period"], ""]
    lines += [
        f"Support: {content['support_rate'] * 100:.0f} % of proposed sentences "
        f"({content['supported']} written, {len(content['refused'])} refused)",
        "",
    ]
    if content.get("changes"):
        ch = content["changes"]
        lines += [
            "## What changed since the last brief",
            "",
            f"New stories: {len(ch['new'])}; continuing: {len(ch['continuing'])}; "
            f"no longer reported: {len(ch['dropped'])}",
            "",
        ]
    if content["alerts"]:
        lines += ["## Alerts", ""]
        lines += [
            f"- {a['kind']}: {a['about']} since {a['start']} (score {a['score']})"
            for a in content["alerts"]
        ]
        lines.append("")
    for sec in content["sections"]:
        lines += [f"## {sec['category']}", ""]
        lines += [f"- {s['text']} {cite(Citation(**s['citation']))}" for s in sec["sentences"]]
        lines.append("")
    lines += [f"**{mk}**", ""]
    return "\n".join(lines)


def to_html(content: dict[str, Any]) -> str:
    """A printable page (for the PDF): banners, sections, citations in small type."""
    mk = escape(content["marking"])
    parts = [
        "<html><head><meta charset='utf-8'><style>body{font-family:sans-serif}"
        ".m{text-align:center;font-weight:bold}small{color:#555}</style></head><body>",
        f"<p class='m'>{mk}</p><h1>{escape(content['title'])}</h1>",
        f"<p>{escape(content['period'])}</p>",
    ]
    for a in content["alerts"]:
        parts.append(f"<p>⚠ {escape(a['kind'])}: {escape(a['about'])} ({a['start']})</p>")
    for sec in content["sections"]:
        parts.append(f"<h2>{escape(sec['category'])}</h2><ul>")
        for s in sec["sentences"]:
            parts.append(
                f"<li>{escape(s['text'])} <small>{escape(cite(Citation(**s['citation'])))}"
                "</small></li>"
            )
        parts.append("</ul>")
    parts.append(f"<p class='m'>{mk}</p></body></html>")
    return "".join(parts)


def _xml_safe_tree(value: Any) -> Any:
    """``value`` with every string cleared of what a Word file cannot hold."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {k: _xml_safe_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_safe_tree(v) for v in value]
    return value


def to_docx(content: dict[str, Any]) -> bytes:
    import io

    from docx import Document as Docx

    content = _xml_safe_tree(content)
    d = Docx()
    d.add_paragraph(content["marking"])
    d.add_heading(content["title"], 0)
    d.add_paragraph(content["period"])
    for a in content["alerts"]:
        d.add_paragraph(f"{a['kind']}: {a['about']} ({a['start']})", style="List Bullet")
    for sec in content["sections"]:
        d.add_heading(sec["category"], 1)
        for s in sec["sentences"]:
            d.add_paragraph(f"{s['text']} {cite(Citation(**s['citation']))}", style="List Bullet")
    d.add_paragraph(content["marking"])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def to_pdf(content: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=to_html(content)).write_pdf()
    return pdf
