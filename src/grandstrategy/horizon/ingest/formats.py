"""Readers for single-document formats: plain text, Markdown, HTML, PDF and DOCX.

Each takes the file's bytes and where they came from, and returns one ``RawDocument`` or
raises ``_Unreadable`` with a reason a person can act on.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

from grandstrategy.core.i18n import _
from grandstrategy.horizon.ingest.raw import (
    _OLE_MAGIC,
    RawDocument,
    _clean_title,
    _decode_utf8,
    _document,
    _first_line,
    _meaningful_title,
    _one_line,
    _to_date,
    _Unreadable,
    normalise_text,
)

_log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Plain text and Markdown


def _read_txt(data: bytes, origin: str) -> RawDocument:
    text = normalise_text(_decode_utf8(data))
    if not text:
        raise _Unreadable("no readable text (only blank space)")
    return _document(text, origin, title=_first_line(text))


def _read_md(data: bytes, origin: str) -> RawDocument:
    source = _decode_utf8(data)
    meta, source = _front_matter(source)
    text = normalise_text(_strip_markdown(source))
    if not text:
        raise _Unreadable("no readable text (only blank space)")
    title = meta.get("title")
    date = meta.get("date")
    return _document(
        text,
        origin,
        title=title if isinstance(title, str) else _first_line(text),
        date=_to_date(date),
    )


def _front_matter(source: str) -> tuple[dict[str, Any], str]:
    """Title and date from a YAML front-matter block (Hugo, Jekyll, Obsidian exports)."""
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", source, re.DOTALL)
    if not match:
        return {}, source
    import yaml  # only needed for the few files that carry front matter

    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, source  # not front matter after all; keep the text as written
    if not isinstance(meta, dict):
        return {}, source
    return meta, source[match.end() :]


# Light Markdown stripping: enough that passages read as prose, not a Markdown parser.
_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, flags), replacement)
    for pattern, replacement, flags in (
        (r"<!--.*?-->", "", re.DOTALL),
        (r"^[ \t]*(?:```|~~~).*$", "", re.MULTILINE),  # code fences (the code stays)
        (r"^ {0,3}\[[^\]\n]+\]:[ \t]+\S.*$", "", re.MULTILINE),  # link reference definitions
        (r"^ {0,3}(?:=+|-+|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})[ \t]*$", "", re.MULTILINE),  # rules
        (r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", r"\1", re.MULTILINE),  # headings
        (r"^ {0,3}#{1,6}[ \t]*$", "", re.MULTILINE),  # empty headings
        (r"^ {0,3}>[ \t]?", "", re.MULTILINE),  # block quotes
        (r"!\[([^\]\n]*)\]\([^)\n]*\)", r"\1", 0),  # images → alt text
        (r"\[([^\]\n]+)\]\([^)\n]*\)", r"\1", 0),  # links → link text
        (r"\[([^\]\n]+)\]\[[^\]\n]*\]", r"\1", 0),  # reference links
        (r"<(https?://[^>\s]+)>", r"\1", 0),  # autolinks
        (r"`([^`\n]+)`", r"\1", 0),  # inline code
        (r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", 0),  # strong
        (r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", r"\1", 0),  # emphasis with *
        (r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)", r"\1", 0),  # emphasis with _
        (r"~~(?=\S)(.+?)(?<=\S)~~", r"\1", 0),  # strikethrough
    )
)


def _strip_markdown(source: str) -> str:
    for pattern, replacement in _MD_RULES:
        source = pattern.sub(replacement, source)
    return source


# ---------------------------------------------------------------------------------------------
# HTML


def _read_html(data: bytes, origin: str) -> RawDocument:
    """Main text via trafilatura (drops navigation, footers, comments); plain strip if that
    finds nothing, so a short or oddly built page still yields its words."""
    import trafilatura
    from trafilatura.settings import Document

    extracted = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,
        # Only dates the page states in its markup; the extensive search guesses from
        # copyright lines and the like, which misdates documents on a timeline.
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "max_date": dt.date.today().isoformat(),
        },
    )
    found = extracted if isinstance(extracted, Document) else None
    # trafilatura puts each block (paragraph, heading, list item) on its own line; blank lines
    # between them make them paragraphs for the passage splitter.
    text = normalise_text("\n\n".join((found.text or "").splitlines())) if found else ""
    page_title = ""
    if not text:
        from trafilatura.utils import decode_file

        page_title, plain = _html_to_text(decode_file(data))
        text = normalise_text(plain)
    if not text:
        raise _Unreadable("no readable text")
    return _document(
        text,
        origin,
        title=(found.title if found else None) or page_title or _first_line(text),
        date=_to_date(found.date if found else None),
        url=(found.url if found else None) or "",
        source=(found.sitename if found else None) or None,
    )


class _TextCollector(HTMLParser):
    """Visible text of an HTML fragment, with block elements kept as paragraphs."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
    _BLOCK = frozenset(
        {"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"}
        | {"figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li"}
        | {"main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCK:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def _html_to_text(markup: str) -> tuple[str, str]:
    """(title, text) of an HTML page or fragment; text keeps paragraph breaks."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = "".join(collector.parts).split("\n")
    text = "\n".join(line.strip() for line in lines)
    return _clean_title("".join(collector.title)), re.sub(r"\n{3,}", "\n\n", text).strip()


# ---------------------------------------------------------------------------------------------
# PDF and DOCX


def _read_pdf(data: bytes, origin: str) -> RawDocument:
    import pypdf
    from pypdf.errors import DependencyError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
    except Exception as exc:
        raise _Unreadable(f"not a valid PDF ({_one_line(exc)})") from None
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # many "protected" PDFs only restrict printing
        except DependencyError:
            raise _Unreadable(
                "encrypted PDF (decrypting it needs the 'cryptography' package)"
            ) from None
        except Exception as exc:
            raise _Unreadable(
                f"encrypted PDF that could not be opened ({_one_line(exc)})"
            ) from None
        if not opened:
            raise _Unreadable("encrypted PDF (needs a password)")
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise _Unreadable(f"not a valid PDF ({_one_line(exc)})") from None
    texts: list[str] = []
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one damaged page should not cost the rest of the document
            _log.info("%s: skipped page %d (%s)", origin, len(texts) + 1, _one_line(exc))
            texts.append("")
    text = normalise_text("\n\n".join(t for t in texts if t.strip()))
    if not text:
        raise _Unreadable("no extractable text (scanned PDF?)")
    title: str | None = None
    date: dt.date | None = None
    try:
        if reader.metadata is not None:
            title = _meaningful_title(reader.metadata.title)
            # Stamped when the PDF was produced, which is usually close to publication.
            created = reader.metadata.creation_date
            date = created.date() if created else None
    except Exception as exc:  # malformed metadata is common, never worth losing the text over
        _log.info("%s: ignored unreadable PDF metadata (%s)", origin, _one_line(exc))
    return _document(text, origin, title=title or _first_line(text), date=date)


def _read_docx(data: bytes, origin: str) -> RawDocument:
    """Body paragraphs and tables in reading order; headers and footers are boilerplate.

    The document date is left empty: Word's "created" stamp travels with templates (files made
    by python-docx all claim 2013-12-23), so it would misplace documents on a timeline.
    """
    if data.startswith(_OLE_MAGIC):
        raise _Unreadable("old Word binary format (.doc); save it as .docx or PDF")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _Unreadable("not a valid DOCX (not a ZIP package)")
    _check_unpacked(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise _Unreadable(f"not a valid DOCX ({_one_line(exc)})") from None
    blocks = list(_docx_blocks(document.iter_inner_content()))
    text = normalise_text("\n\n".join(blocks))
    if not text:
        raise _Unreadable("no readable text")
    title = _meaningful_title(document.core_properties.title)
    return _document(text, origin, title=title or _first_line(text))


MAX_DOCX_XML = 32 * 1024 * 1024  # bytes of XML a DOCX may unpack to (its text is within)


def _check_unpacked(data: bytes) -> None:
    """Refuse a DOCX whose XML parts would unpack to more than ``MAX_DOCX_XML`` (a "zip
    bomb": 175 KB that expand to 50 MB of text), before anything is decompressed. The sizes
    are those the archive declares; ``zipfile`` never reads past a declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist() if i.filename.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _Unreadable(_("not a valid DOCX ({reason})").format(reason=_one_line(exc))) from None
    if unpacked > MAX_DOCX_XML:
        raise _Unreadable(
            _("DOCX unpacks to too much ({size} MB of XML; at most {limit} MB)").format(
                size=unpacked // 2**20, limit=MAX_DOCX_XML // 2**20
            )
        )


def _docx_blocks(items: Iterable[Any]) -> Iterator[str]:
    """Text blocks from paragraphs and tables; a row of short cells stays one line
    ("Risk | Likelihood | Impact"), while layout tables holding whole sections are unrolled."""
    from docx.table import Table

    for item in items:
        if not isinstance(item, Table):
            if item.text.strip():
                yield item.text
            continue
        for row in item.rows:
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) not in seen:  # merged cells repeat across the row
                    seen.add(id(cell._tc))
                    cells.append(cell)
            texts = [cell.text.strip() for cell in cells]
            if all("\n" not in t and len(t) <= 200 for t in texts):
                line = " | ".join(t for t in texts if t)
                if line:
                    yield line
            else:
                for cell in cells:
                    yield from _docx_blocks(cell.iter_inner_content())


SINGLE_READERS: dict[str, Callable[[bytes, str], RawDocument]] = {
    "txt": _read_txt,
    "md": _read_md,
    "html": _read_html,
    "pdf": _read_pdf,
    "docx": _read_docx,
}
