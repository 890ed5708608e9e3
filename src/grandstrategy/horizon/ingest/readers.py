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

import io
import logging
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from grandstrategy.horizon.ingest.bulk import _bytes_lines, _file_lines, _read_feed, _read_jsonl
from grandstrategy.horizon.ingest.formats import SINGLE_READERS
from grandstrategy.horizon.ingest.raw import (
    _OLE_MAGIC,
    RawDocument,
    ReadFailure,
    _one_line,
    _size,
    _Unreadable,
    normalise_text,
)

__all__ = ["FORMATS", "RawDocument", "ReadFailure", "normalise_text", "read_bytes", "read_path"]

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
            yield SINGLE_READERS[kind](data, origin)
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
