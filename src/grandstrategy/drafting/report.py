"""The "you said, we did" report, as data and in Markdown, HTML, PDF and Word.

Pure: it takes the contributions already filtered for the reader and renders them.
Identical contributions (same round, anchor, words, proposal, disposition and reason) are
grouped into one entry that names every organisation that sent it, so the grouping never
hides a different answer to a different point.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from dataclasses import dataclass, field
from typing import Any, cast

from grandstrategy.core import pdf
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking

DISPOSITION_ORDER = ("accept", "partly", "reject", "defer", "undecided")


def disposition_label(d: str) -> str:
    return {
        "accept": _("accepted"),
        "partly": _("partly accepted"),
        "reject": _("not taken up"),
        "defer": _("deferred"),
        "undecided": _("not yet decided"),
    }.get(d, d)


@dataclass(frozen=True)
class Item:
    round: str
    audience: str
    organisation: str
    org_kind: str
    on: str
    quote: str
    text: str
    proposal: str
    disposition: str
    reason: str
    change_version: int | None
    marking: Marking


@dataclass
class Entry:
    round: str
    audience: str
    on: str
    quote: str
    text: str
    proposal: str
    disposition: str
    reason: str
    change_version: int | None
    organisations: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.organisations)


@dataclass
class ReportData:
    scope: str
    marking: str
    entries: list[Entry]
    counts: dict[str, dict[str, int]]
    moderated_out: dict[str, int]
    capped_at: str | None
    generated: dt.date

    @property
    def total(self) -> int:
        return sum(sum(v.values()) for v in self.counts.values())


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def build(
    *,
    scope: str,
    marking: str,
    items: list[Item],
    moderated_out: dict[str, int],
    capped_at: str | None,
    generated: dt.date,
) -> ReportData:
    groups: dict[tuple[Any, ...], Entry] = {}
    counts: dict[str, dict[str, int]] = {}
    for it in items:
        per = counts.setdefault(it.audience, {d: 0 for d in DISPOSITION_ORDER})
        per[it.disposition] = per.get(it.disposition, 0) + 1
        key = (
            it.round,
            it.on,
            _norm(it.text),
            _norm(it.proposal),
            it.disposition,
            _norm(it.reason),
            it.change_version,
        )
        entry = groups.get(key)
        if entry is None:
            entry = groups[key] = Entry(
                it.round,
                it.audience,
                it.on,
                it.quote,
                it.text,
                it.proposal,
                it.disposition,
                it.reason,
                it.change_version,
            )
        entry.organisations.append(f"{it.organisation} ({it.org_kind})")
    return ReportData(
        scope, marking, list(groups.values()), counts, moderated_out, capped_at, generated
    )


def _title(d: ReportData) -> str:
    return _("You said, we did: {scope}").format(scope=d.scope)


def _did(e: Entry) -> str:
    out = disposition_label(e.disposition)
    if e.change_version is not None:
        out += " · " + _("changed in version {v}").format(v=e.change_version)
    return out


def to_markdown(d: ReportData) -> str:
    lines = [f"**{d.marking}**", "", f"# {_title(d)}", ""]
    lines.append(_("{n} contributions, reported {day}.").format(n=d.total, day=d.generated))
    if d.capped_at:
        lines.append(_("Only what is marked {m} or lower is included.").format(m=d.capped_at))
    lines += ["", "## " + _("Counts by audience and disposition"), ""]
    lines.append(
        "| "
        + " | ".join(
            [_("audience"), *map(disposition_label, DISPOSITION_ORDER), _("rejected at moderation")]
        )
        + " |"
    )
    lines.append("|" + "---|" * (len(DISPOSITION_ORDER) + 2))
    for aud, per in sorted(d.counts.items()):
        cells = [str(per.get(x, 0)) for x in DISPOSITION_ORDER]
        lines.append(f"| {aud} | " + " | ".join(cells) + f" | {d.moderated_out.get(aud, 0)} |")
    for aud, n in sorted(d.moderated_out.items()):
        if aud not in d.counts:
            lines.append(f"| {aud} | " + " | ".join("0" for _x in DISPOSITION_ORDER) + f" | {n} |")
    lines += ["", "## " + _("Contributions"), ""]
    for n, e in enumerate(d.entries, start=1):
        who = "; ".join(e.organisations)
        times = f" (×{e.count})" if e.count > 1 else ""
        lines.append(f"### {n}. {e.on} — {e.round} ({e.audience}){times}")
        lines.append("")
        lines += ["*" + _("Who") + f":* {who}", ""]
        if e.quote:
            lines += [f"> {e.quote}", ""]
        lines.append("*" + _("You said") + f":* {e.text}")
        if e.proposal:
            lines += ["", "*" + _("Proposed text") + f":* {e.proposal}"]
        lines += ["", "*" + _("We did") + f":* {_did(e)}. {e.reason}", ""]
    lines += [f"**{d.marking}**", ""]
    return "\n".join(lines)


def to_html(d: ReportData) -> str:
    esc = html.escape
    colour = Marking.parse(d.marking).colour
    rows = []
    for aud, per in sorted(d.counts.items()):
        cells = "".join(f"<td>{per.get(x, 0)}</td>" for x in DISPOSITION_ORDER)
        rows.append(f"<tr><th>{esc(aud)}</th>{cells}<td>{d.moderated_out.get(aud, 0)}</td></tr>")
    head = "".join(f"<th>{esc(disposition_label(x))}</th>" for x in DISPOSITION_ORDER)
    proposed, you_said, we_did = esc(_("Proposed text")), esc(_("You said")), esc(_("We did"))
    entries = []
    for e in d.entries:
        quote = f"<blockquote>{esc(e.quote)}</blockquote>" if e.quote else ""
        prop = f"<p><em>{proposed}:</em> {esc(e.proposal)}</p>" if e.proposal else ""
        times = f" (×{e.count})" if e.count > 1 else ""
        entries.append(
            f"<section class='entry'><h3>{esc(e.on)} — {esc(e.round)} ({esc(e.audience)})"
            f"{times}</h3><p class='who'>{esc('; '.join(e.organisations))}</p>{quote}"
            f"<p><em>{you_said}:</em> {esc(e.text)}</p>{prop}"
            f"<p class='did'><em>{we_did}:</em> {esc(_did(e))}. {esc(e.reason)}</p>"
            "</section>"
        )
    only = _("Only what is marked {m} or lower is included.")
    cap = f"<p>{esc(only.format(m=d.capped_at))}</p>" if d.capped_at else ""
    banner = f"<div class='banner' style='background:{colour}'>{esc(d.marking)}</div>"
    reported = esc(_("{n} contributions, reported {day}.").format(n=d.total, day=d.generated))
    counts, audience = esc(_("Counts by audience and disposition")), esc(_("audience"))
    moderated, contributions = esc(_("rejected at moderation")), esc(_("Contributions"))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{esc(_title(d))}</title><style>"
        "body{font-family:serif;margin:2em}.banner{color:#fff;text-align:center;"
        "font-weight:bold;padding:2px}table{border-collapse:collapse}td,th{border:1px solid "
        "#999;padding:2px 6px}blockquote{color:#555;border-left:3px solid #ccc;margin-left:0;"
        "padding-left:8px}.entry{page-break-inside:avoid}"
        f"</style></head><body>{banner}<h1>{esc(_title(d))}</h1>"
        f"<p>{reported}"
        f"</p>{cap}<h2>{counts}</h2><table><tr>"
        f"<th>{audience}</th>{head}<th>{moderated}</th></tr>"
        f"{''.join(rows)}</table><h2>{contributions}</h2>{''.join(entries)}"
        f"{banner}</body></html>"
    )


def to_pdf(d: ReportData) -> bytes:
    return pdf.from_html(to_html(d))


def to_docx(d: ReportData) -> bytes:
    from docx import Document

    doc = cast(Any, Document())
    for part in (doc.sections[0].header, doc.sections[0].footer):
        part.paragraphs[0].add_run(d.marking).bold = True
    doc.add_heading(_title(d), level=0)
    doc.add_paragraph(_("{n} contributions, reported {day}.").format(n=d.total, day=d.generated))
    if d.capped_at:
        doc.add_paragraph(_("Only what is marked {m} or lower is included.").format(m=d.capped_at))
    doc.add_heading(_("Counts by audience and disposition"), level=1)
    table = doc.add_table(rows=1, cols=len(DISPOSITION_ORDER) + 2)
    header = [
        _("audience"),
        *map(disposition_label, DISPOSITION_ORDER),
        _("rejected at moderation"),
    ]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for aud, per in sorted(d.counts.items()):
        cells = table.add_row().cells
        values = [
            aud,
            *(str(per.get(x, 0)) for x in DISPOSITION_ORDER),
            str(d.moderated_out.get(aud, 0)),
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    doc.add_heading(_("Contributions"), level=1)
    for n, e in enumerate(d.entries, start=1):
        times = f" (×{e.count})" if e.count > 1 else ""
        doc.add_heading(f"{n}. {e.on} — {e.round} ({e.audience}){times}", level=2)
        doc.add_paragraph("; ".join(e.organisations))
        if e.quote:
            doc.add_paragraph(e.quote, style="Quote")
        doc.add_paragraph(_("You said") + f": {e.text}")
        if e.proposal:
            doc.add_paragraph(_("Proposed text") + f": {e.proposal}")
        doc.add_paragraph(_("We did") + f": {_did(e)}. {e.reason}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(d: ReportData, fmt: str) -> bytes:
    if fmt == "md":
        return to_markdown(d).encode("utf-8")
    if fmt == "html":
        return to_html(d).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(d)
    return to_docx(d)
