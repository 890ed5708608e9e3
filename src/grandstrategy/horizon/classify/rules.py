"""The keyword rules engine: scores a passage against every category of the taxonomy.

Why not one regular expression per rule: with some 150 rules, scanning a 500-word passage
once per rule costs about 10 ms in Python's ``re`` (case-insensitive alternations defeat its
prefix optimisations), a third of the budget for the whole pipeline. Instead the passage is cut
into words once, by one compiled regex, and every word is looked up in a dictionary of the
taxonomy's first words: exact words directly, wildcard stems by their prefixes. Only a phrase
whose first word matched is then checked, by its own compiled regex anchored at that word. The
result is the same as matching each term as ``(?<!\\w)term(?!\\w)`` with ``*`` as ``\\w*``,
but every term occurrence is found even when terms overlap, at well under a millisecond.

Scores: a rule adds its weight once when it fires, however many of its terms occur.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from grandstrategy.horizon import casefold
from grandstrategy.horizon.taxonomy import (
    MIN_WILDCARD_STEM,
    SEPARATOR_CHARS,
    Rule,
    Taxonomy,
    load_taxonomy,
    term_words,
)

_TOKEN = re.compile(r"\w+")
# The separators after a word and the word that follows them.
_GAP_WORD = re.compile(f"[{SEPARATOR_CHARS}]+(\\w+)")
_SEP = f"[{SEPARATOR_CHARS}]+"
# The per-word lookup cache is cleared when it grows past this many distinct words.
_CACHE_LIMIT = 200_000


class TermHit(NamedTuple):
    """One occurrence of a term: the pattern as written in the taxonomy and where it matched.

    A named tuple: a passage full of terms makes hundreds of them, and a tuple is made in a
    fraction of a frozen dataclass's time."""

    term: str
    start: int
    end: int


@dataclass(frozen=True)
class RuleHit:
    """A category's result for one passage."""

    category: str
    score: float
    fired: bool
    hits: list[TermHit]
    rules: list[str]  # labels of the rules that fired, in taxonomy order

    def matched(self, text: str) -> list[str]:
        """The distinct words matched, lower-cased, in order: for "matched: ransomware, …"."""
        seen: dict[str, None] = {}
        for hit in self.hits:
            seen.setdefault(text[hit.start : hit.end].lower(), None)
        return list(seen)


@dataclass(frozen=True, slots=True)
class _Term:
    text: str  # as written in the taxonomy
    phrase: re.Pattern[str] | None  # None for a single word: the token match is the match


@dataclass(frozen=True, slots=True)
class _Rule:
    category: int
    label: str
    weight: float
    any: frozenset[int]
    all: tuple[frozenset[int], ...]
    none: frozenset[int]
    languages: frozenset[str] | None
    shown: frozenset[int]  # the terms whose hits explain the rule: any plus all groups


def _phrase_regex(words: list[tuple[str, bool]]) -> re.Pattern[str]:
    parts = [re.escape(w) + (r"\w*" if wild else "") for w, wild in words]
    return re.compile(_SEP.join(parts) + r"(?!\w)", re.IGNORECASE)


class RuleMatcher:
    """A taxonomy compiled for matching. Build once and reuse: building is the slow part."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._terms: list[_Term] = []
        self._second: list[tuple[str | None, bool]] = []  # per term: phrase's second word
        self._unsafe = casefold.unsafe_characters()
        self._term_ids: dict[tuple[tuple[str, bool], ...], int] = {}
        self._exact: dict[str, list[int]] = {}
        self._stems: dict[str, list[int]] = {}
        self._rules: list[_Rule] = []
        self._rules_by_term: dict[int, list[int]] = {}
        self._categories = [c.id for c in taxonomy.categories]
        self._thresholds = [c.threshold for c in taxonomy.categories]
        for ci, cat in enumerate(taxonomy.categories):
            for rule in cat.rules:
                self._add_rule(ci, rule)
        self._stem_lengths = sorted({len(s) for s in self._stems})
        self._stem_heads = frozenset(s[:MIN_WILDCARD_STEM] for s in self._stems)
        self._word_cache: dict[str, tuple[tuple[int, str | None, bool], ...]] = {}

    def _term_id(self, term: str) -> int:
        words = term_words(term)
        key = tuple(words)
        found = self._term_ids.get(key)
        if found is not None:
            return found
        tid = len(self._terms)
        self._term_ids[key] = tid
        self._terms.append(_Term(term, _phrase_regex(words) if len(words) > 1 else None))
        if len(words) == 1:
            self._second.append((None, False))
        elif casefold.available():
            self._second.append((casefold.fold(words[1][0]), words[1][1]))
        else:  # no screening possible: "" as a stem lets every word through
            self._second.append(("", True))
        first, wild = words[0]
        (self._stems if wild else self._exact).setdefault(first, []).append(tid)
        return tid

    def _ids(self, terms: Iterable[str]) -> frozenset[int]:
        return frozenset(self._term_id(t) for t in terms)

    def _add_rule(self, category: int, rule: Rule) -> None:
        any_ = self._ids(rule.any)
        all_ = tuple(self._ids(group) for group in rule.all)
        compiled = _Rule(
            category=category,
            label=rule.label,
            weight=rule.weight,
            any=any_,
            all=all_,
            none=self._ids(rule.none),
            languages=frozenset(rule.languages) if rule.languages else None,
            shown=any_.union(*all_),
        )
        index = len(self._rules)
        self._rules.append(compiled)
        for tid in any_:
            self._rules_by_term.setdefault(tid, []).append(index)

    def _candidates(self, word: str) -> tuple[tuple[int, str | None, bool], ...]:
        """Terms whose first word matches ``word`` (cached: most words recur across texts),
        each as (term index, folded second word of a phrase or None, whether it is a stem)."""
        lower = word.lower()
        found = list(self._exact.get(lower, ()))
        if lower[:MIN_WILDCARD_STEM] in self._stem_heads:
            for n in self._stem_lengths:
                if n > len(lower):
                    break
                found.extend(self._stems.get(lower[:n], ()))
        result = tuple((tid, *self._second[tid]) for tid in found)
        if len(self._word_cache) >= _CACHE_LIMIT:
            self._word_cache.clear()
        self._word_cache[word] = result
        return result

    def find(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """Every term occurrence in ``text``: term index -> (start, end) spans.

        A phrase is tried with its regex only when the word after its first word could be its
        second word (compared folded, as IGNORECASE compares; a text with characters whose
        lower case differs from that is not pre-screened), which spares most regex calls.
        """
        found: dict[int, list[tuple[int, int]]] = {}
        cache_get = self._word_cache.get
        terms = self._terms
        screen: bool | None = None  # may phrases be pre-screened in this text? (lazily)
        for m in _TOKEN.finditer(text):
            word = m.group()
            candidates = cache_get(word)
            if candidates is None:
                candidates = self._candidates(word)
            if not candidates:
                continue
            after: str | None = None  # the next word, folded, if only separators lead to it
            for tid, second, stem in candidates:
                if second is None:
                    found.setdefault(tid, []).append(m.span())
                    continue
                if screen is None:
                    screen = self._unsafe is not None and self._unsafe.search(text) is None
                if screen:
                    if after is None:
                        gm = _GAP_WORD.match(text, m.end())
                        after = gm.group(1).lower() if gm is not None else ""
                    if not (after == second or (stem and after.startswith(second))):
                        continue
                phrase = terms[tid].phrase
                assert phrase is not None
                pm = phrase.match(text, m.start())
                if pm is not None:
                    found.setdefault(tid, []).append(pm.span())
        return found

    def score(self, text: str, language: str | None = None) -> dict[str, RuleHit]:
        """Score ``text`` against every category; only categories with a positive score.

        ``language`` (``"fr"``, ``"nl-BE"``…) switches off rules restricted to other languages;
        with ``None`` every rule applies. Offsets refer to the NFC form of ``text``, which is
        ``text`` itself unless it arrived decomposed.
        """
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        found = self.find(text)
        if not found:
            return {}
        present = set(found)
        scores: dict[int, float] = {}
        labels: dict[int, list[str]] = {}
        shown: dict[int, set[int]] = {}
        for rule in self._firing(present, present, language):
            c = rule.category
            scores[c] = scores.get(c, 0.0) + rule.weight
            labels.setdefault(c, []).append(rule.label)
            shown.setdefault(c, set()).update(present.intersection(rule.shown))
        out: dict[str, RuleHit] = {}
        terms = self._terms
        for c in sorted(scores):
            total = scores[c]
            if total <= 0:
                continue
            # (start, end, term) tuples sort and deduplicate as the TermHits would, cheaper
            spans = sorted({(s, e, terms[t].text) for t in shown[c] for s, e in found[t]})
            category = self._categories[c]
            out[category] = RuleHit(
                category=category,
                score=total,
                fired=total >= self._thresholds[c],
                hits=[TermHit(term, s, e) for s, e, term in spans],
                rules=labels[c],
            )
        return out

    def _firing(
        self,
        present: set[int] | frozenset[int],
        vetoes: set[int] | frozenset[int],
        language: str | None,
    ) -> list[_Rule]:
        """The rules that fire, in taxonomy order, given the terms ``present`` (which make a
        rule fire) and ``vetoes`` (the terms that can veto one: normally the same set)."""
        lang = language.split("-")[0].lower() if language else None
        candidates: set[int] = set()
        rules_by_term = self._rules_by_term
        for tid in present:
            ids = rules_by_term.get(tid)
            if ids is not None:
                candidates.update(ids)
        out: list[_Rule] = []
        rules = self._rules
        for ri in sorted(candidates):
            rule = rules[ri]
            if lang is not None and rule.languages is not None and lang not in rule.languages:
                continue
            if rule.all and any(present.isdisjoint(group) for group in rule.all):
                continue
            if rule.none and not vetoes.isdisjoint(rule.none):
                continue
            out.append(rule)
        return out

    def terms_in(self, text: str) -> frozenset[int]:
        """The indices of the terms that occur in ``text`` (for ``scores_with``)."""
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        return frozenset(self.find(text))

    def scores_with(
        self, present: frozenset[int], language: str | None, known: frozenset[int] | set[int]
    ) -> dict[str, float]:
        """Category scores (positive ones) as if the taxonomy held only the ``known`` terms.

        ``present``: ``terms_in(text)``. A rule's own terms count only when known; its veto
        terms always do. Tuning uses this to ask how the rules do on a passage whose words
        nobody had seen when the terms were written (see ``evaluate.tune``).
        """
        totals: dict[int, float] = {}
        for rule in self._firing(present & known, present, language):
            totals[rule.category] = totals.get(rule.category, 0.0) + rule.weight
        return {self._categories[c]: v for c, v in sorted(totals.items()) if v > 0}

    def fired(self, text: str, language: str | None = None) -> list[str]:
        """The ids of the categories that fire, or ``["none"]`` when none does."""
        ids = [cid for cid, hit in self.score(text, language).items() if hit.fired]
        return ids or ["none"]


@cache
def default_matcher() -> RuleMatcher:
    """The matcher for the packaged taxonomy, built on first use."""
    return RuleMatcher(load_taxonomy())
