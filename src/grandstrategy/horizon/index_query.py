"""How the keyword index turns a parsed query into tantivy queries: the words and their forms,
phrases, prefixes (one ending a phrase expanded over the reader's words), the reader's
clearance and compartments and the filters, and an upper bound of a query's matches from the
index's word counts. ``index.KeywordIndex`` takes these methods from ``QueryBuilding``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.horizon import wordforms

if TYPE_CHECKING:
    from grandstrategy.horizon.index import State

PREFIX_FREQS = 64  # words of a prefix counted one by one for ``most``; beyond, roughly
PHRASE_PREFIX_WORDS = 2_000  # words the prefix ending a phrase may stand for ("a b*")
EPOCH = dt.date(1970, 1, 1)


def _tv() -> Any:
    import tantivy  # type: ignore[import-not-found, unused-ignore]  # optional extra 'search'

    return tantivy


class QueryBuilding:
    """Query building for a keyword index (its schema, analyzer, searcher and state)."""

    schema: Any
    analyzer: Any
    searcher: Any
    state: State

    def tokens(self, words: tuple[str, ...]) -> list[str]:
        return [str(t) for t in self.analyzer.analyze(" ".join(words))]

    def text_query(self, terms: list[Any], visible: Any = None) -> Any:
        """The parsed terms as tantivy queries, read as FTS5 reads them: OR joins AND-groups,
        a negation binds to its group. Built from objects, never from the user's string.
        ``visible``: the passages the reader may see (``visible``), whose words a prefix
        ending a phrase stands for."""
        tv = _tv()
        q, occur = tv.Query, tv.Occur
        groups: list[list[tuple[Any, Any]]] = [[]]
        for t in terms:
            if t.or_before:
                groups.append([])
            words = self.tokens(t.words)
            forms = wordforms.expanded(t) if len(words) == 1 else None
            if not words:
                sub = q.empty_query()
            elif forms is not None:  # a word: its forms (``horizon.wordforms``)
                exact, prefix = forms
                alts = [q.term_query(self.schema, "text", w) for w in self.tokens(exact)]
                if prefix:
                    alts.append(q.regex_query(self.schema, "text", re.escape(prefix) + ".*"))
                sub = q.boolean_query([(occur.Should, a) for a in alts])
            elif t.prefix and len(words) == 1:
                sub = q.regex_query(self.schema, "text", words[0] + ".*")
            elif t.prefix:
                sub = self._phrase_prefix(words, visible)
            elif len(words) > 1:
                sub = q.phrase_query(self.schema, "text", words)
            else:
                sub = q.term_query(self.schema, "text", words[0])
            groups[-1].append((occur.MustNot if t.negated else occur.Must, sub))
        parts = [q.boolean_query(g) for g in groups if any(o == occur.Must for o, _ in g)]
        if len(parts) == 1:
            return parts[0]
        return q.boolean_query([(occur.Should, p) for p in parts])

    def _phrase_prefix(self, words: list[str], visible: Any) -> Any:
        """ "a b*": the phrase ended by each word that starts with its last word, among the
        words of the passages ``visible`` matches. (Tantivy's own phrase-prefix query tries
        the first 50 such words of the whole index: it missed matches, and which 50 it tried
        depended on passages the reader may not see.)"""
        tv = _tv()
        q = tv.Query
        found = self.searcher.terms_with_prefix("text", words[-1], filter_query=visible)
        if len(found) > PHRASE_PREFIX_WORDS:
            raise Invalid(
                _(
                    "“{prefix}*” at the end of a phrase starts too many words: give it more letters"
                ).format(prefix=words[-1])
            )
        phrases = [q.phrase_query(self.schema, "text", [*words[:-1], w]) for w, _n in found]
        if not phrases:
            return q.empty_query()
        return q.boolean_query([(tv.Occur.Should, p) for p in phrases])

    def visible(self, user: Principal, filters: Any) -> Any:
        """Every passage the user may see that passes the filters."""
        return self.restricted(user, _tv().Query.all_query(), filters)

    def most(self, terms: list[Any]) -> int:
        """At most how many passages ``text_query(terms)`` can match (before the marking and
        the filters), from the index's word counts alone: the sum over OR-groups of the
        least of each group's terms, a term counting every passage holding one of its words
        (a word's forms, a prefix's words) or, for a phrase, its rarest word. Deleted
        passages still counted make it larger, never smaller."""
        searcher = self.searcher

        def freq(word: str) -> int:
            return int(searcher.doc_freq("text", word))

        def prefixed(prefix: str) -> int:
            found = searcher.terms_with_prefix("text", prefix)
            if len(found) > PREFIX_FREQS:  # the listed counts (occurrences: never fewer)
                return sum(int(n) for _w, n in found)
            return sum(freq(w) for w, _n in found)

        def of(t: Any) -> int:
            words = self.tokens(t.words)
            forms = wordforms.expanded(t) if len(words) == 1 else None
            if not words:
                return 0
            if forms is not None:
                exact, prefix = forms
                if not prefix:
                    return sum(map(freq, self.tokens(exact)))
                others = [w for w in self.tokens(exact) if not w.startswith(prefix)]
                return sum(map(freq, others)) + prefixed(prefix)  # each word once
            if t.prefix:
                return prefixed(words[0]) if len(words) == 1 else min(map(freq, words[:-1]))
            return min(map(freq, words))

        groups: list[list[Any]] = [[]]
        for t in terms:
            if t.or_before:
                groups.append([])
            if not t.negated:
                groups[-1].append(t)
        return sum(min(map(of, g)) for g in groups if g)

    def restricted(self, user: Principal, text_q: Any, filters: Any) -> Any:
        """``text_q`` within the user's clearance and compartments, and the filters."""
        tv = _tv()
        q, occur, ft = tv.Query, tv.Occur, tv.FieldType
        clauses = [
            (occur.Must, text_q),
            (occur.Must, q.range_query(self.schema, "level", ft.Unsigned, 0, user.clearance)),
        ]
        if "*" not in user.compartments:  # one clause per compartment: a term set query
            # reads every passage holding one before the first match (0.5 ms at 1M)
            for comp in self.state.compartments:
                if comp not in user.compartments:
                    clauses.append((occur.MustNot, q.term_query(self.schema, "comps", comp)))
        for name in ("category", "actor", "language", "source"):
            value = getattr(filters, name)
            if value:
                clauses.append((occur.Must, q.term_query(self.schema, name, value)))
        if filters.since or filters.until:
            low = (filters.since - EPOCH).days if filters.since else None
            high = (filters.until - EPOCH).days if filters.until else None
            dates = q.range_query(self.schema, "published", ft.Integer, low, high)
            clauses.append((occur.Must, dates))
        return q.boolean_query(clauses)
