"""Word-level differences between two texts: which words went, which came, in order.

Texts are cut into words and the whitespace or punctuation between them, so a change shows
as the few words that changed rather than the whole field. Lists (links, indicators) are
turned into readable text first, one item per line, so a diff never shows Python lists.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def as_text(value: Any) -> str:
    """A field's value as the words a reader sees (lists one item per line)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
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
