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

from grandstrategy.core import pdf
from grandstrategy.core.i18n import _
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
    issued: str = ""  # an assessment's date (ISO); empty in briefs frozen before it was kept


@dataclass
class Sentence:
    text: str
    citation: Citation
    section: str  # the section's key: "threat:ID" (a strategy threat) or "category:ID"
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
    """A citation in the reader's language: an assessment by its issuer, a passage by place."""
    if c.assessment_id:
        if c.issued:
            return _("[assessment {id} by {issuer}, {issued}]").format(
                id=c.assessment_id, issuer=c.issuer, issued=c.issued
            )
        return _("[assessment {id} by {issuer}]").format(id=c.assessment_id, issuer=c.issuer)
    return _("[doc {document} ¶{passage} {start}–{end}]").format(
        document=c.document_id, passage=c.passage_id, start=c.start, end=c.end
    )


def heading(sec: dict[str, Any]) -> str:
    """A section's heading: the strategy threat's title and id, or its category's other signals.

    Briefs frozen before sections followed the strategy's threats have a category only."""
    if sec.get("threat"):
        return f"{sec['title']} ({sec['threat']})"
    return _("{category}: other signals").format(category=sec["category"])


def kind_label(kind: str) -> str:
    """An alert's kind in the reader's language."""
    labels = {"burst": _("burst"), "emerging": _("emerging"), "convergence": _("convergence")}
    return labels.get(kind, kind)


def _alert_line(a: dict[str, Any]) -> str:
    return _("{kind}: {about} since {start} (score {score})").format(
        kind=kind_label(a["kind"]), about=a["about"], start=a["start"], score=a["score"]
    )


def _section_alerts(content: dict[str, Any], sec: dict[str, Any]) -> list[dict[str, Any]]:
    ids = set(sec.get("alerts", []))
    return [a for a in content["alerts"] if a["id"] in ids]


def to_markdown(content: dict[str, Any]) -> str:
    """The brief as Markdown, marking banner first and last."""
    mk = content["marking"]
    lines = [f"**{mk}**", "", f"# {_(content['title'])}", "", content["period"], ""]
    lines += [
        _(
            "Support: {share} of proposed sentences ({written} written, {refused} refused)"
        ).format(  # the share as a placeholder: '{n} % of' would read as a %-placeholder
            share=f"{content['support_rate'] * 100:.0f} %",
            written=content["supported"],
            refused=len(content["refused"]),
        ),
        "",
    ]
    if content.get("changes"):
        ch = content["changes"]
        lines += [
            "## " + _("What changed since the last brief"),
            "",
            _("New stories: {new}; continuing: {continuing}; no longer reported: {dropped}").format(
                new=len(ch["new"]), continuing=len(ch["continuing"]), dropped=len(ch["dropped"])
            ),
            "",
        ]
    if content["alerts"]:
        lines += ["## " + _("Alerts"), ""]
        lines += [f"- {_alert_line(a)}" for a in content["alerts"]]
        lines.append("")
    for sec in content["sections"]:
        lines += [f"## {heading(sec)}", ""]
        lines += [f"- ⚠ {_alert_line(a)}" for a in _section_alerts(content, sec)]
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
        f"<p class='m'>{mk}</p><h1>{escape(_(content['title']))}</h1>",
        f"<p>{escape(content['period'])}</p>",
    ]
    for a in content["alerts"]:
        parts.append(f"<p>⚠ {escape(_alert_line(a))}</p>")
    for sec in content["sections"]:
        parts.append(f"<h2>{escape(heading(sec))}</h2><ul>")
        for a in _section_alerts(content, sec):
            parts.append(f"<li>⚠ {escape(_alert_line(a))}</li>")
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
    d.add_heading(_(content["title"]), 0)
    d.add_paragraph(content["period"])
    for a in content["alerts"]:
        d.add_paragraph(_alert_line(a), style="List Bullet")
    for sec in content["sections"]:
        d.add_heading(heading(sec), 1)
        for a in _section_alerts(content, sec):
            d.add_paragraph("⚠ " + _alert_line(a), style="List Bullet")
        for s in sec["sentences"]:
            d.add_paragraph(f"{s['text']} {cite(Citation(**s['citation']))}", style="List Bullet")
    d.add_paragraph(content["marking"])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def to_pdf(content: dict[str, Any]) -> bytes:
    return pdf.from_html(to_html(content))
