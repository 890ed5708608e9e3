"""Readers for many documents in one file: JSONL bulk exports and RSS/Atom feeds."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from grandstrategy.horizon.ingest.formats import _html_to_text
from grandstrategy.horizon.ingest.raw import (
    RawDocument,
    ReadFailure,
    _clean_title,
    _first_line,
    _one_line,
    _size,
    _to_date,
    _Unreadable,
    normalise_text,
)

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
