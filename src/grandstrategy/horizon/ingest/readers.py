"""Turn files, folders, uploads and feeds into plain text with whatever metadata they carry.

Everything downstream (passages, classification, citations) works on character offsets into
``RawDocument.text``, so this is the one place where text is cleaned: once a document leaves
here its text is final. Readers never raise for a bad input: a corrupt PDF in a folder of two
hundred files becomes one ``ReadFailure`` with a one-line reason a person can act on, and the
rest are still read. Only a programming error (an unknown ``fmt``) raises, and it raises at call
time rather than half-way through a batch.

No database and no network here, apart from ``read_feed_url``, which fetches only the address a
user typed in.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

FORMATS = ("auto", "txt", "md", "html", "pdf", "docx", "jsonl", "feed")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TITLE_MAX_CHARS = 200

_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt container


@dataclass
class RawDocument:
    """One document as read, before it is stored; ``origin`` says where it came from."""

    title: str
    text: str
    date: dt.date | None
    url: str
    language: str | None
    source: str | None
    marking: str | None
    labels: list[str]
    origin: str  # "path/to/file.pdf", "feed.xml#3" (entry 3), "bulk.jsonl:17" (line 17)


@dataclass(frozen=True)
class ReadFailure:
    """An input that could not be read, with one line saying what is wrong with it."""

    origin: str
    reason: str


class _Unreadable(Exception):
    """Raised inside a format reader; its message becomes the ReadFailure reason."""


# ---------------------------------------------------------------------------------------------
# Public entry points


def read_path(
    path: Path, *, fmt: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | ReadFailure]:
    """Read a file, or every file under a folder (sorted, hidden files and folders skipped).

    With ``fmt="auto"`` the format comes from the extension, or from the first bytes when the
    extension is unknown. JSONL files are streamed line by line, so for them ``max_bytes`` caps
    each line rather than the file: bulk exports are expected to be large.
    """
    _check_format(fmt)
    return _read_path(Path(path), fmt, max_bytes)


def read_bytes(
    name: str, data: bytes, *, fmt: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | ReadFailure]:
    """Read an upload held in memory; ``name`` (the client's file name) picks the format."""
    _check_format(fmt)
    return _read_upload(name, data, fmt, max_bytes)


def read_feed_url(
    url: str, *, timeout: float = 20, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | ReadFailure]:
    """Fetch an RSS or Atom feed that a user asked for, and read its entries.

    The download is done here rather than by feedparser so that it has a timeout and a size
    cap, and so that only http(s) is followed: feedparser would happily open a local path or a
    file:// URL, which a server must never do on behalf of a user.
    """
    import urllib.error
    import urllib.parse
    import urllib.request  # pulls in http.client and ssl; only feed fetching needs it

    if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
        yield ReadFailure(url, "not an http(s) URL")
        return
    request = urllib.request.Request(  # noqa: S310 - scheme checked just above
        url,
        headers={
            "User-Agent": "grandstrategy-feed-reader/0.1",
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        yield ReadFailure(url, f"could not fetch the feed (HTTP {exc.code} {exc.reason})")
        return
    except urllib.error.URLError as exc:
        yield ReadFailure(url, f"could not fetch the feed ({_one_line(exc.reason)})")
        return
    except (OSError, ValueError) as exc:
        yield ReadFailure(url, f"could not fetch the feed ({_one_line(exc)})")
        return
    if len(data) > max_bytes:
        yield ReadFailure(url, f"over the size limit (more than {_size(max_bytes)})")
        return
    yield from _read_data(data, url, "feed")


def normalise_text(text: str) -> str:
    """The one canonical form of document text, so offsets stay valid wherever text is reread.

    NFC, Unix newlines, no control characters, no trailing spaces, at most two blank lines in
    a row, no leading or trailing blank space.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").translate(_NEWLINE_LIKE)
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _MANY_BLANK_LINES.sub("\n\n\n", text)
    return text.strip()


_NEWLINE_LIKE = str.maketrans({"\r": "\n", "\f": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n"})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufeff]")
_TRAILING_SPACE = re.compile(r"[^\S\n]+(?=\n|\Z)")
_MANY_BLANK_LINES = re.compile(r"\n{4,}")


# ---------------------------------------------------------------------------------------------
# Dispatch


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def _read_path(path: Path, fmt: str, max_bytes: int) -> Iterator[RawDocument | ReadFailure]:
    if path.is_dir():
        for file in _walk(path):
            yield from _read_file(file, fmt, max_bytes)
    elif path.exists():
        yield from _read_file(path, fmt, max_bytes)
    else:
        yield ReadFailure(path.as_posix(), "no such file or folder")


def _walk(root: Path) -> list[Path]:
    """Files under ``root`` sorted by their path (as ``find | sort`` would list them), hidden
    entries skipped, links to folders not followed (they can loop)."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(folder, name) for name in files if not name.startswith("."))
    return sorted(found, key=lambda path: path.relative_to(root).parts)


def _read_file(path: Path, fmt: str, max_bytes: int) -> Iterator[RawDocument | ReadFailure]:
    origin = path.as_posix()
    try:
        if not path.is_file():
            yield ReadFailure(origin, "not a regular file")
            return
        size = path.stat().st_size
        kind = fmt if fmt != "auto" else _EXTENSIONS.get(path.suffix.lower(), "auto")
        if size == 0:
            yield ReadFailure(origin, "empty file")
        elif kind == "jsonl":
            yield from _read_jsonl(_file_lines(path, max_bytes), origin)
        elif size > max_bytes:
            yield ReadFailure(origin, f"over the size limit ({_size(size)} > {_size(max_bytes)})")
        else:
            yield from _read_data(path.read_bytes(), origin, kind)
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read the file ({exc.strerror or _one_line(exc)})")


def _read_upload(
    name: str, data: bytes, fmt: str, max_bytes: int
) -> Iterator[RawDocument | ReadFailure]:
    if len(data) > max_bytes:
        yield ReadFailure(name, f"over the size limit ({_size(len(data))} > {_size(max_bytes)})")
        return
    kind = fmt if fmt != "auto" else _EXTENSIONS.get(Path(name).suffix.lower(), "auto")
    yield from _read_data(data, name, kind)


def _read_data(data: bytes, origin: str, kind: str) -> Iterator[RawDocument | ReadFailure]:
    """Read bytes of a known kind ("auto" sniffs); any failure becomes one ReadFailure."""
    if not data:
        yield ReadFailure(origin, "empty file")
        return
    try:
        if kind == "auto":
            kind = _sniff(data)
        if kind == "jsonl":
            yield from _read_jsonl(_bytes_lines(data), origin)
        elif kind == "feed":
            yield from _read_feed(data, origin)
        else:
            yield _SINGLE_READERS[kind](data, origin)
    except _Unreadable as exc:
        yield ReadFailure(origin, str(exc))
    except Exception as exc:  # a library choking on one bad file must not stop a batch
        yield ReadFailure(origin, f"could not be read ({type(exc).__name__}: {_one_line(exc)})")


def _sniff(data: bytes) -> str:
    """Guess the format of a file whose extension says nothing."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except (zipfile.BadZipFile, OSError):
            pass
        raise _Unreadable("unknown format (a ZIP archive that is not a DOCX document)")
    if data.startswith(_OLE_MAGIC):
        raise _Unreadable("old Office binary format (.doc); save it as .docx or PDF")
    head = data[:4096].decode("latin-1").lower()
    found = {kind: head.find(tag) for kind, tag in _SNIFF_TAGS if tag in head}
    if found:
        return min(found, key=lambda kind: found[kind])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            "unknown format: not PDF, DOCX, HTML, a feed or UTF-8 text "
            f"(byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from None
    return "txt"


# Whichever of these tags comes first decides; a feed may quote HTML further down.
_SNIFF_TAGS = (
    ("feed", "<rss"),
    ("feed", "<feed"),
    ("feed", "<rdf:rdf"),
    ("html", "<!doctype html"),
    ("html", "<html"),
)


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


def _decode_utf8(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable("not UTF-8 text (it is UTF-16; save it as UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from None


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


# ---------------------------------------------------------------------------------------------
# JSONL


def _read_jsonl(
    lines: Iterable[tuple[int, bytes | int]], origin: str
) -> Iterator[RawDocument | ReadFailure]:
    """One document per line; a bad line is reported by number and the rest still count."""
    any_content = False
    for number, line in lines:
        where = f"{origin}:{number}"
        if isinstance(line, int):
            yield ReadFailure(where, f"line {number}: over the size limit ({_size(line)})")
            any_content = True
            continue
        if not line.strip():
            continue
        any_content = True
        try:
            yield _json_document(line, number, where)
        except _Unreadable as exc:
            yield ReadFailure(where, f"line {number}: {exc}")
    if not any_content:
        yield ReadFailure(origin, "no documents (only blank lines)")


def _json_document(line: bytes, number: int, origin: str) -> RawDocument:
    try:
        raw = line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"not UTF-8 text (byte 0x{line[exc.start]:02x} at position {exc.start})"
        ) from None
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise _Unreadable("not a JSON object")
    for key in ("title", "text"):
        if key not in record or record[key] is None:
            raise _Unreadable(f"{key!r} is missing")
        if not isinstance(record[key], str):
            raise _Unreadable(f"{key!r} must be a string")
    text = normalise_text(record["text"])
    if not text:
        raise _Unreadable("'text' is empty")
    optional: dict[str, str | None] = {}
    for key in ("url", "language", "source", "marking"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise _Unreadable(f"{key!r} must be a string")
        optional[key] = (value.strip() or None) if isinstance(value, str) else None
    labels = record.get("labels")
    if labels is None:
        labels = []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise _Unreadable("'labels' must be a list of strings")
    date_value = record.get("date")
    date: dt.date | None = None
    if date_value is not None:
        date = _to_date(date_value) if isinstance(date_value, str) else None
        if date is None:
            raise _Unreadable(f"'date' is not an ISO date ({date_value!r})")
    language = optional["language"]
    return RawDocument(
        title=_clean_title(record["title"]) or _first_line(text),
        text=text,
        date=date,
        url=optional["url"] or "",
        language=language.split("-")[0].split("_")[0].lower() if language else None,
        source=optional["source"],
        marking=optional["marking"],
        labels=[label.strip() for label in labels if label.strip()],
        origin=origin,
    )


def _file_lines(path: Path, max_line: int) -> Iterator[tuple[int, bytes | int]]:
    """(number, line) from a file without holding more than one line; an over-long line comes
    back as its length so it can be reported and skipped."""
    with path.open("rb") as handle:
        number = 0
        while line := handle.readline(max_line + 1):
            number += 1
            if len(line) <= max_line or line.endswith(b"\n"):
                yield number, line
                continue
            length = len(line)
            while line and not line.endswith(b"\n"):
                line = handle.readline(1024 * 1024)
                length += len(line)
            yield number, length


def _bytes_lines(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    yield from enumerate(data.split(b"\n"), start=1)


# ---------------------------------------------------------------------------------------------
# RSS and Atom


def _read_feed(data: bytes, origin: str) -> Iterator[RawDocument | ReadFailure]:
    """One document per entry. feedparser is handed bytes, never a string: given a string it
    would treat it as a URL or file name and go and open it."""
    import feedparser  # type: ignore[import-untyped]

    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        detail = f" ({_one_line(problem)})" if problem else ""
        raise _Unreadable(f"not an RSS or Atom feed{detail}")
    if not parsed.entries:
        raise _Unreadable("the feed has no entries")
    source = _clean_title(parsed.feed.get("title", "")) or None
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#{number}"
        title = _clean_title(_plain(entry.get("title", ""), entry.get("title_detail")))
        text = normalise_text(_entry_body(entry)) or title
        if not text:
            yield ReadFailure(where, "entry has neither a title nor text")
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        yield RawDocument(
            title=title or _first_line(text),
            text=text,
            date=dt.date(*stamp[:3]) if stamp else None,
            url=entry.get("link", "") or "",
            language=None,
            source=source,
            marking=None,
            labels=[],
            origin=where,
        )


def _entry_body(entry: Any) -> str:
    """The fullest body an entry offers, as text: its longest content block, else its summary."""
    bodies = [_plain(c.get("value") or "", c) for c in entry.get("content", [])]
    bodies.append(_plain(entry.get("summary", "") or "", entry.get("summary_detail")))
    return max(bodies, key=len)


def _plain(value: str, detail: Any) -> str:
    """Feed text as plain text; feedparser marks which fields hold (already sanitised) HTML."""
    kind = (detail or {}).get("type", "text/html")
    return _html_to_text(value)[1] if "html" in kind else value


# ---------------------------------------------------------------------------------------------
# Small helpers


def _document(
    text: str,
    origin: str,
    *,
    title: str | None,
    date: dt.date | None = None,
    url: str = "",
    source: str | None = None,
) -> RawDocument:
    return RawDocument(
        title=_clean_title(title or "") or _clean_title(Path(origin).stem) or origin,
        text=text,
        date=date,
        url=url,
        language=None,
        source=source,
        marking=None,
        labels=[],
        origin=origin,
    )


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return _clean_title(line)
    return ""


def _clean_title(title: str) -> str:
    title = " ".join(unicodedata.normalize("NFC", title).split())
    return title[:TITLE_MAX_CHARS].rstrip()


_PLACEHOLDER_TITLE = re.compile(
    r"(?i)^(?:untitled\b.*|document\s*\d*|microsoft (?:word|powerpoint) - .*|title|\W*)$"
)


def _meaningful_title(title: str | None) -> str | None:
    """A title from file metadata, unless it is a placeholder an application left behind."""
    if not title or _PLACEHOLDER_TITLE.match(title.strip()):
        return None
    return title


def _to_date(value: object) -> dt.date | None:
    """A date from an ISO date or date-time string (or a YAML date); None if it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _size(n: int) -> str:
    """A byte count as people read it: "312 bytes", "4.5 KB", "31.2 MB", "20 MB"."""
    if n < 1024:
        return f"{n} bytes"
    unit, scale = ("KB", 1024) if n < 1024**2 else ("MB", 1024**2)
    return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"


def _one_line(exc: object) -> str:
    message = " ".join(str(exc).split())
    if not message and isinstance(exc, BaseException):
        message = type(exc).__name__
    return message[:160]


_SINGLE_READERS = {
    "txt": _read_txt,
    "md": _read_md,
    "html": _read_html,
    "pdf": _read_pdf,
    "docx": _read_docx,
}
