"""What a reader yields, and the small helpers every format shares.

``RawDocument.text`` is final once it leaves the readers: ``normalise_text`` is the one place
text is cleaned, so character offsets stay valid wherever the text is read again.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

TITLE_MAX_CHARS = 200
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


def normalise_text(text: str) -> str:
    """The one canonical form of document text, so offsets stay valid wherever text is reread.

    NFC, Unix newlines, no control characters, no trailing spaces, at most two blank lines in
    a row, no leading or trailing blank space.

    Most texts hold no carriage return, control or odd line break, so one scan looks for all
    of them before any is replaced; trailing spaces go line by line (``str.rstrip`` takes
    the same blank characters a regex would, without a regex's attempt at every space).
    """
    if _ODD_CHAR.search(text):
        text = text.replace("\r\n", "\n").translate(_NEWLINE_LIKE)
        text = _CONTROL.sub("", text)
    # after the controls are gone: one between a letter and its accent kept them apart
    text = unicodedata.normalize("NFC", text)
    text = "\n".join([line.rstrip() for line in text.split("\n")])
    if "\n\n\n\n" in text:
        text = _MANY_BLANK_LINES.sub("\n\n\n", text)
    return text.strip()


_NEWLINE_LIKE = str.maketrans({"\r": "\n", "\f": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n"})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufeff]")
_ODD_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff\u2028\u2029]")  # \r, \f, \v and controls
_MANY_BLANK_LINES = re.compile(r"\n{4,}")


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


def _decode_utf8(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable("not UTF-8 text (it is UTF-16; save it as UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from None
