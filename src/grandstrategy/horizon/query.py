"""The search query language: words (all must occur), ``"a phrase"``, ``prefix*``, ``OR``
between terms, ``-word`` to exclude; parsed into terms and written as an FTS5 or a PostgreSQL
tsquery expression, each word widened to its other forms (``horizon.wordforms``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import wordforms

TOKEN = re.compile(r'(-?)"([^"]+)"|\b(OR)\b|(-?)([\w][\w\'-]*\*?)', re.UNICODE)
MAX_QUERY = 500


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False
    negated: bool = False
    or_before: bool = False
    quoted: bool = False  # "a word" in quotes: that form only, no other forms


def parse(query: str) -> list[Term]:
    """The user's query as terms; refuses queries with nothing to look for."""
    if len(query) > MAX_QUERY:
        raise Invalid(f"query too long ({len(query)} characters, at most {MAX_QUERY})")
    terms: list[Term] = []
    pending_or = False
    for m in TOKEN.finditer(query):
        if m.group(3):
            pending_or = bool(terms)
            continue
        neg = bool(m.group(1) or m.group(4))
        raw = m.group(2) if m.group(2) is not None else m.group(5)
        prefix = raw.endswith("*") and m.group(2) is None
        words = tuple(w.lower() for w in re.findall(r"\w+", raw.rstrip("*")))
        if not words:
            continue
        quoted = m.group(2) is not None
        terms.append(Term(words, prefix, neg, pending_or and not neg, quoted))
        pending_or = False
    if not any(not t.negated for t in terms):
        raise Invalid("the query has no words to look for")
    return terms


def to_fts5(terms: list[Term]) -> str:
    out = ""
    for t in terms:
        expr = '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")
        forms = wordforms.expanded(t)
        if forms is not None:
            words, prefix = forms
            alts = [f'"{w}"' for w in words] + ([f'"{prefix}"*'] if prefix else [])
            expr = "(" + " OR ".join(alts) + ")"
        if not out:
            out = expr
        elif t.negated:
            out = f"{out} NOT {expr}"
        else:
            out = f"{out} {'OR' if t.or_before else 'AND'} {expr}"
    return out


def to_tsquery(terms: list[Term]) -> str:
    out = ""
    for t in terms:
        parts = [f"'{w}'" for w in t.words]
        if t.prefix:
            parts[-1] += ":*"
        expr = "(" + " <-> ".join(parts) + ")"
        forms = wordforms.expanded(t)
        if forms is not None:
            words, prefix = forms
            alts = [f"'{w}'" for w in words] + ([f"'{prefix}':*"] if prefix else [])
            expr = "(" + " | ".join(alts) + ")"
        if not out:
            out = expr
        elif t.negated:
            out = f"{out} & !{expr}"
        else:
            out = f"{out} {'|' if t.or_before else '&'} {expr}"
    return out
