"""Word-level differences between two texts: which words went, which came, in order.

Texts are cut into words and the whitespace or punctuation between them, so a change shows
as the few words that changed rather than the whole field. Lists (links, indicators) are
turned into readable text first, one item per line, so a diff never shows Python lists.
Used by the strategy's history (page and ``strategy diff``) and by drafting's diffs.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from grandstrategy.core.i18n import _

TOKEN = re.compile(r"\d+(?:[-./:,]\d+)+|\w+|[^\w\s]|\s+")  # a date or number is one word


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def as_text(value: Any) -> str:
    """A field's value as the words a reader sees (lists one item per line)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {as_text(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):
        return "\n".join(as_text(v) for v in value)
    return str(value)


def diff_words(before: str, after: str) -> list[tuple[str, str]]:
    """``(op, text)`` runs with op ``same``, ``del`` or ``ins``; adjacent runs are merged.

    >>> diff_words("the quick fox", "the slow fox")
    [('same', 'the '), ('del', 'quick'), ('ins', 'slow'), ('same', ' fox')]
    """
    a, b = tokens(before), tokens(after)
    out: list[tuple[str, str]] = []

    def put(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            put("same", "".join(a[i1:i2]))
        else:
            put("del", "".join(a[i1:i2]))
            put("ins", "".join(b[j1:j2]))
    return _slide(out)


def _slide(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A change that starts with the same whitespace as the unchanged text after it starts
    with a word instead (``x[-\ny-]\nz`` reads ``x\n[-y\n-]z``): list items stay whole."""
    out = list(runs)
    for i in range(1, len(out) - 1):
        op, text = out[i]
        if op == "same" or out[i - 1][0] != "same":
            continue
        j = i + 1 if out[i + 1][0] == "same" else i + 2  # a del may be followed by its ins
        if j >= len(out) or out[j][0] != "same":
            continue
        lead = re.match(r"\s+", text)
        if lead is None:
            continue
        ws = lead.group()
        changes = out[i:j]
        if not all(t.startswith(ws) for _op, t in changes) or not out[j][1].startswith(ws):
            continue
        out[i - 1] = ("same", out[i - 1][1] + ws)
        for k, (cop, t) in enumerate(changes, start=i):
            out[k] = (cop, t[len(ws) :] + ws)
        out[j] = ("same", out[j][1][len(ws) :])
    return [(op, t) for op, t in out if t]


def field_runs(before: Any, after: Any) -> list[tuple[str, str]]:
    """The word runs between two values of one field, whatever their type."""
    return diff_words(as_text(before), as_text(after))


def compact(runs: list[tuple[str, str]], context: int = 4) -> list[tuple[str, str]]:
    """The runs with long unchanged stretches cut to ``context`` words either side of a
    change ("…" in between), for one-line summaries: a history row, a terminal table."""
    out: list[tuple[str, str]] = []
    for i, (op, text) in enumerate(runs):
        if op != "same":
            out.append((op, text))
            continue
        words = tokens(text)
        keep = 2 * context  # word and separator tokens
        head = words[:keep] if i > 0 else []
        tail = words[-keep:] if i < len(runs) - 1 else []
        if len(head) + len(tail) >= len(words):
            out.append((op, text))
        else:
            cut = "".join(head) + ("…" if head or tail else "") + "".join(tail)
            if cut:
                out.append((op, cut))
    return out


def changed_words(before: str, after: str) -> tuple[list[str], list[str]]:
    """The words removed and the words added (for tests and summaries)."""
    runs = diff_words(before, after)
    gone = [w for op, t in runs if op == "del" for w in re.findall(r"\w+", t)]
    came = [w for op, t in runs if op == "ins" for w in re.findall(r"\w+", t)]
    return gone, came


def render_plain(runs: list[tuple[str, str]]) -> str:
    """One line of text with ``[-removed-]`` and ``{+added+}`` marks (as ``git --word-diff``)."""
    out = []
    for op, text in runs:
        out.append(text if op == "same" else f"[-{text}-]" if op == "del" else f"{{+{text}+}}")
    return "".join(out)
