"""Word forms for keyword search: which words a query word stands for, and how well a
passage matches, scored from the passage alone.

Recall: a query word matches its own form, the forms that share its stem in English,
French, Dutch or German (Snowball stemmers: ``drone`` finds ``drones``, ``attacks`` finds
``attack``), and words that begin with its shortest stem when that stem has at least
``PREFIX_MIN`` letters (``cyber`` finds ``cyberattaque`` and ``cyber-attack``, ``sanction``
finds ``sanctions`` and ``sanctionné``). Every keyword backend (tantivy, FTS5, PostgreSQL)
is asked for the same forms, so they find the same passages.

Ranking: BM25's saturation of term frequency and its length normalisation, with the average
length a constant and every term weighted alike, so that a passage's score depends on the
query and on that passage's own text only. Corpus statistics (document frequencies, the
average length) would make a score depend on every passage indexed, those the reader may
not see included: two public passages that differ in one word would score differently
because hidden passages contain that word. A token matching a query word by its form counts
1, by the stem's prefix ``PREFIX_WEIGHT``, so exact forms rank first.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from typing import Any, Protocol

PREFIX_MIN = 4  # letters a stem needs before words that begin with it match too
PREFIX_WEIGHT = 0.5
K1, B = 1.2, 0.75
AVERAGE_TOKENS = 80.0  # a typical passage, in words: a constant, never measured
SNIPPET_TOKENS = 36
WORDS_CACHE = 50_000  # passages whose words are remembered (about 60 MB)
STEMS_CACHE = 200_000  # (word, language) stems remembered: a search meets thousands of words
WEIGHTS_KEPT = 20_000  # tokens whose weight is remembered, per query word and language
LANGUAGES = {"en": "english", "fr": "french", "nl": "dutch", "de": "german"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class QueryTerm(Protocol):
    """A parsed query term (``search.Term``)."""

    @property
    def words(self) -> tuple[str, ...]: ...
    @property
    def prefix(self) -> bool: ...
    @property
    def negated(self) -> bool: ...
    @property
    def quoted(self) -> bool: ...


@lru_cache(maxsize=262_144)
def fold(word: str) -> str:
    """Lowercase without accents, as the indexes store words (``Sécurité`` → ``securite``)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) of each word of ``text``; offsets into ``text``."""
    return [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


# Every ASCII byte as ``words`` keeps it: a letter lowercased, a digit as is, anything else a
# space, so that ``split`` then gives the words of ASCII text as ``_WORD`` does.
_ASCII_WORDS = bytes(
    (c | 0x20 if chr(c).isalpha() else c) if chr(c).isalnum() else 0x20 for c in range(128)
) + bytes(range(128, 256))
_COMBINING = re.compile("[\u0300-\u036f]")
# After decomposition, anything but ASCII and the combining accents (which folding drops).
_NOT_FOLDED = re.compile("[^\x00-\x7f\u0300-\u036f]")
# Characters that folding a whole text would change differently from folding word by word
# (``Ŀ`` becomes ``L·``, ``½`` becomes ``1⁄2``, ``₨`` becomes ``Rs``, Greek final sigma, …):
# everything outside ASCII, Latin letters, general punctuation and currency signs.
_FOLDS_APART = re.compile(
    "[^\x00-\xbb\xbf-\u013e\u0141-\u024f\u1e00-\u1eff\u2000-\u20a7\u20a9-\u20cf\ufb00-\ufb06]"
)
_SHARED: dict[str, str] = {}  # one copy of each word the remembered texts hold
SHARED_MAX = 500_000


def _shared(found: list[str]) -> tuple[str, ...]:
    """``found`` with each word replaced by the one copy kept of it (``sys.intern`` costs
    twice as much): a remembered text's words take a pointer each, not a string each."""
    if len(_SHARED) > SHARED_MAX:
        _SHARED.clear()
    return tuple(map(_SHARED.setdefault, found, found))


@lru_cache(maxsize=WORDS_CACHE)
def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, as ``tokens`` gives them, without offsets.

    Remembered for the last ``WORDS_CACHE`` texts (``split_words`` folds them): a search
    ranks up to a thousand passages by their words, and the newest passages are ranked again
    and again."""
    return _shared(split_words(text))


def split_words(text: str) -> list[str]:
    """``words(text)``, worked out each time and not remembered (the keyword index's word
    store folds every passage once).

    Folded as a whole where that splits it at the same places as folding word by word (ASCII
    and Latin text: a few microseconds, not one step per word): lowercased and split as bytes
    where the decomposed text is ASCII once its accents are dropped."""
    if not text.isascii():
        if _FOLDS_APART.search(text):
            return [fold(w) for w in _WORD.findall(text)]  # ``fold`` remembers its words
        text = unicodedata.normalize("NFKD", text.lower())
        if _NOT_FOLDED.search(text):
            return _WORD.findall(_COMBINING.sub("", text))
        text = text.encode("ascii", "ignore").decode()  # drops the combining accents only
    return text.encode().translate(_ASCII_WORDS).decode().split()


@cache
def _stemmer(language: str) -> Any:
    import snowballstemmer  # type: ignore[import-untyped]  # has no type information

    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=STEMS_CACHE)
def stem(word: str, language: str) -> str:
    """``word`` (folded) stemmed in ``language`` ("en", "fr", "nl", "de"); unknown: as is."""
    name = LANGUAGES.get(language)
    return str(_stemmer(name).stemWord(word)) if name else word


def stems_of(words: list[str], language: str) -> list[str]:
    """``stem(w, language)`` of each of ``words``, in one call to the stemmer."""
    name = LANGUAGES.get(language)
    return [str(s) for s in _stemmer(name).stemWords(words)] if name else list(words)


@dataclass(frozen=True)
class Forms:
    """What one query word stands for."""

    word: str  # folded
    exact: tuple[str, ...]  # whole words that match (the word, and its stems as words)
    prefix: str  # words beginning with it match too; "" when the stem is too short
    stems: dict[str, str]  # language -> stem of the word

    def weight(self, token: str, language: str) -> float:
        """How well ``token`` (folded) of a passage in ``language`` stands for this word."""
        if token == self.word:
            return 1.0
        if language in self.stems and stem(token, language) == self.stems[language]:
            return 1.0
        if token in self.exact:
            return 1.0
        if self.prefix and token.startswith(self.prefix):
            return PREFIX_WEIGHT
        return 0.0


@lru_cache(maxsize=4096)
def forms(word: str) -> Forms:
    """The forms of one query word (see the module docstring)."""
    w = fold(word)
    stems = {lang: stem(w, lang) for lang in LANGUAGES}
    heads = [s for s in {w, *stems.values()} if w.startswith(s) and len(s) >= PREFIX_MIN]
    exact = {w, word.lower(), *stems.values()} - {""}  # unfolded too: PostgreSQL keeps accents
    if heads:
        return Forms(w, tuple(sorted(exact)), min(heads, key=len), stems)
    return Forms(w, tuple(sorted(exact | {w + "s"})), "", stems)  # "war" finds "wars"


def expanded(t: QueryTerm) -> tuple[tuple[str, ...], str] | None:
    """For a one-word term: (whole words, prefix or "") to ask an index for; None for a
    phrase, a quoted word or an explicit ``prefix*`` term, which are taken as written."""
    if len(t.words) != 1 or t.prefix or t.quoted:
        return None
    f = forms(t.words[0])
    return f.exact, f.prefix


# ---- scoring and snippets, from a passage's own text


def _positions(
    terms: Sequence[QueryTerm], toks: list[tuple[str, int, int]], language: str
) -> list[list[tuple[int, float]]]:
    """Per positive term, (token index, weight) of each place where it matches."""
    return _found(terms, [t for t, _, _ in toks], language)


def _found(
    terms: Sequence[QueryTerm], folded: Sequence[str], language: str
) -> list[list[tuple[int, float]]]:
    """``_positions`` from the folded words alone."""
    out: list[list[tuple[int, float]]] = []
    for term in terms:
        if term.negated:
            continue
        if len(term.words) > 1 or term.prefix or term.quoted:  # as written
            out.append(_written(term, folded))
            continue
        weights = _weights(term.words[0], language)
        out.append([(i, weights[w]) for i, w in enumerate(folded) if weights[w]])
    return out


def _written_count(
    term: QueryTerm, folded: Sequence[str], heads: dict[str, dict[str, bool]]
) -> float:
    """How many tokens ``_written`` would find, without a step per token in Python."""
    wanted = [fold(w) for w in term.words]
    n = len(wanted)
    if n == 1 and not term.prefix:
        return float(folded.count(wanted[0]))
    if n == 1:
        begins = heads.setdefault(wanted[0], {})
        for token in set(folded).difference(begins):
            begins[token] = token.startswith(wanted[0])
        return float(sum(map(begins.__getitem__, folded)))
    count, at, last = 0, -1, len(folded) - n
    first = wanted[0]
    while True:
        try:
            at = folded.index(first, at + 1, last + 1)
        except ValueError:
            return float(count * n)
        head_ok = all(folded[at + k] == wanted[k] for k in range(1, n - 1))
        tail = folded[at + n - 1]
        if head_ok and (tail.startswith(wanted[-1]) if term.prefix else tail == wanted[-1]):
            count += 1


def _written(term: QueryTerm, folded: Sequence[str]) -> list[tuple[int, float]]:
    """(token index, 1.0) of each token of each place where a phrase, a ``prefix*`` or a
    quoted word occurs as written (a token of two overlapping places twice)."""
    n = len(term.words)
    wanted = [fold(w) for w in term.words]
    if n == 1:
        word = wanted[0]
        if term.prefix:
            return [(i, 1.0) for i, token in enumerate(folded) if token.startswith(word)]
        return [(i, 1.0) for i, token in enumerate(folded) if token == word]
    found: list[tuple[int, float]] = []
    at, last = -1, len(folded) - n
    while True:
        try:
            at = folded.index(wanted[0], at + 1, last + 1)
        except ValueError:
            return found
        head_ok = all(folded[at + k] == wanted[k] for k in range(1, n - 1))
        tail = folded[at + n - 1]
        if head_ok and (tail.startswith(wanted[-1]) if term.prefix else tail == wanted[-1]):
            found += [(at + k, 1.0) for k in range(n)]


def score(terms: Sequence[QueryTerm], text: str, language: str) -> float:
    """A passage's relevance to the query, from its own text alone (module docstring)."""
    return scores(terms, [(text, language)])[0]


class _Weights(dict[str, float]):
    """How well each token stands for one query word in one language, worked out once per
    token met (``Forms.weight``); forgotten past ``WEIGHTS_KEPT`` tokens."""

    def __init__(self, forms: Forms, language: str) -> None:
        super().__init__()
        self.forms, self.language = forms, language

    def __missing__(self, token: str) -> float:
        if len(self) >= WEIGHTS_KEPT:
            self.clear()
        weight = self[token] = self.forms.weight(token, self.language)
        return weight


@lru_cache(maxsize=128)
def _weights(word: str, language: str) -> _Weights:
    return _Weights(forms(word), language)


def scores(terms: Sequence[QueryTerm], passages: Sequence[tuple[str, str]]) -> list[float]:
    """``score`` of each (text, language), the tokens' weights worked out once for all."""
    positive = [t for t in terms if not t.negated]
    heads: dict[str, dict[str, bool]] = {}  # prefix -> token -> begins with it
    out = []
    for text, language in passages:
        toks = words(text)
        norm = K1 * (1 - B + B * len(toks) / AVERAGE_TOKENS)
        total = 0.0
        for term in positive:
            if len(term.words) > 1 or term.prefix or term.quoted:  # as written
                tf = _written_count(term, toks, heads)
            else:
                tf = sum(map(_weights(term.words[0], language).__getitem__, toks))
            if tf:
                total += tf * (K1 + 1) / (tf + norm)
        out.append(round(total, 6))
    return out


@dataclass(frozen=True)
class Snippet:
    """An extract of a passage: plain text, where it starts in the passage, and the
    (start, end) of each match inside the extract."""

    text: str
    start: int
    matches: list[tuple[int, int]]


def snippet(
    terms: Sequence[QueryTerm],
    text: str,
    language: str,
    folded: Sequence[str] | None = None,
) -> Snippet:
    """The ``SNIPPET_TOKENS`` words of the passage with the most matches, and the matches.

    Chosen from the folded words (``folded``: ``words(text)`` when already known); only the
    words of the extract are located in the text."""
    if folded is None:
        folded = words(text)
    hits = sorted({i for found in _found(terms, folded, language) for i, _ in found})
    if not folded:
        return Snippet(text[:300], 0, [])
    best, best_n = 0, -1
    for i in hits or [0]:
        lo = max(0, min(i - SNIPPET_TOKENS // 3, len(folded) - SNIPPET_TOKENS))
        n = bisect_left(hits, lo + SNIPPET_TOKENS) - bisect_left(hits, lo)  # hits in the window
        if n > best_n:
            best, best_n = lo, n
    first, last = best, min(len(folded), best + SNIPPET_TOKENS) - 1
    spans = [m.span() for m in islice(_WORD.finditer(text), first, last + 1)]
    if len(spans) != last - first + 1:  # ``folded`` was not this text's words
        return snippet(terms, text, language)
    start = 0 if first == 0 else spans[0][0]
    end = len(text) if last == len(folded) - 1 else spans[-1][1]
    matches = [
        (spans[h - first][0] - start, spans[h - first][1] - start)
        for h in hits
        if first <= h <= last
    ]
    return Snippet(text[start:end], start, matches)


def highlighted(s: Snippet, mark: tuple[str, str], escape: Any) -> str:
    """The extract with each match between ``mark``; the text passed through ``escape``."""
    out, pos = [], 0
    for a, b in s.matches:
        out += [escape(s.text[pos:a]), mark[0], escape(s.text[a:b]), mark[1]]
        pos = b
    out.append(escape(s.text[pos:]))
    return "".join(out)
