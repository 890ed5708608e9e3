"""Cut a document's text into passages: the unit that is classified, searched and cited.

Passages are (start, end) offsets into the document text rather than copies, so a citation
always points at the exact characters of the stored original. They follow the author's
paragraphs where possible: short paragraphs (headings, one-line points) are joined to what
follows so that each passage carries enough context to classify, and paragraphs longer than
``max_chars`` are cut at sentence ends, then at spaces, and only as a last resort mid-word
(a URL or a script written without spaces), so that no passage is ever over the limit.

Guarantees: every span is non-empty, starts and ends on a non-whitespace character, is at most
``max_chars`` long, and the spans are in order and together cover every non-whitespace
character of the text exactly once.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

Span = tuple[int, int]

# A blank line: a newline, optional spaces, another newline (and any whitespace after it).
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
# Sentence-final punctuation with any closing quotes or brackets, before whitespace.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_OPENERS = "\"'“‘«(["


def split_passages(text: str, *, max_chars: int = 1200, min_chars: int = 200) -> list[Span]:
    """Passage spans of ``text``, in order; see the module docstring for the guarantees."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    pieces: list[Span] = []
    for start, end in _paragraphs(text):
        if end - start <= max_chars:
            pieces.append((start, end))
        else:
            pieces.extend(_split_long(text, start, end, max_chars))
    return _merge_short(pieces, min_chars, max_chars)


def _paragraphs(text: str) -> list[Span]:
    spans: list[Span] = []
    position = 0
    for separator in _BLANK_LINE.finditer(text):
        span = _trim(text, position, separator.start())
        if span:
            spans.append(span)
        position = separator.end()
    span = _trim(text, position, len(text))
    if span:
        spans.append(span)
    return spans


def _trim(text: str, start: int, end: int) -> Span | None:
    """``[start, end)`` without leading and trailing whitespace; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """Cut one over-long paragraph into pieces of at most ``max_chars``, of similar length
    (so the last piece is not a stub), preferring sentence ends."""
    breaks = _sentence_breaks(text, start, end)
    pieces: list[Span] = []
    while end - start > max_chars:
        count = -(-(end - start) // max_chars)  # pieces still needed, rounded up
        ideal = start + (end - start) // count
        limit = start + max_chars
        cut = _nearest_break(breaks, start + max_chars // 4, limit, ideal)
        if cut is None:
            cut = _nearest_space(text, start, limit, ideal)
        if cut is None:
            cut = _hard_cut(text, start, ideal)
        piece = _trim(text, start, cut)
        if piece:
            pieces.append(piece)
        rest = _trim(text, cut, end)
        if rest is None:
            return pieces
        start = rest[0]
    pieces.append((start, end))
    return pieces


def _sentence_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets just after sentence-final punctuation that is followed by a line break or by
    a capital letter (possibly behind an opening quote or bracket)."""
    breaks = []
    for match in _SENTENCE_END.finditer(text, start, end):
        after = match.end()
        gap_end = after
        while gap_end < end and text[gap_end].isspace():
            gap_end += 1
        if "\n" in text[after:gap_end]:
            breaks.append(after)
            continue
        while gap_end < end and text[gap_end] in _OPENERS:
            gap_end += 1
        if gap_end < end and text[gap_end].isupper():
            breaks.append(after)
    return breaks


def _nearest_break(breaks: list[int], low: int, high: int, ideal: int) -> int | None:
    """The sentence break in ``[low, high]`` closest to ``ideal``."""
    first = bisect.bisect_left(breaks, low)
    last = bisect.bisect_right(breaks, high)
    if first >= last:
        return None
    index = bisect.bisect_left(breaks, ideal, first, last)
    candidates = [breaks[i] for i in (index - 1, index) if first <= i < last]
    return min(candidates, key=lambda b: abs(b - ideal))


def _nearest_space(text: str, start: int, limit: int, ideal: int) -> int | None:
    """A whitespace offset in ``(start, limit]`` closest to ``ideal`` (the piece ends there)."""
    for distance in range(max(ideal - start, limit - ideal) + 1):
        for position in (ideal - distance, ideal + distance):
            if start < position <= limit and position < len(text) and text[position].isspace():
                return position
    return None


def _hard_cut(text: str, start: int, cut: int) -> int:
    """Cut mid-word at ``cut``, stepping back so a combining accent stays with its letter."""
    while cut > start + 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


def _merge_short(pieces: list[Span], min_chars: int, max_chars: int) -> list[Span]:
    """Join a passage shorter than ``min_chars`` to the one after it while the result stays
    within ``max_chars`` (a heading goes with its section); a short last passage joins the one
    before it if it fits."""
    merged: list[Span] = []
    for start, end in pieces:
        if merged:
            first, last = merged[-1]
            if last - first < min_chars and end - first <= max_chars:
                merged[-1] = (first, end)
                continue
        merged.append((start, end))
    if len(merged) >= 2:
        (first, _), (start, end) = merged[-2], merged[-1]
        if end - start < min_chars and end - first <= max_chars:
            merged[-2:] = [(first, end)]
    return merged
