"""Each passage's folded words, stored once beside the keyword index, so that ranking a
search's candidates reads numbers instead of folding texts.

Search ranks the newest ``search.CANDIDATES`` matches of a query by ``wordforms.scores``, a
score that depends on the query and on each passage's own text only. Folding 500 texts into
words cost more than anything else a search did at a million passages (about 20 µs a text,
and the texts had to be read from the database first). The keyword index
(``horizon.index``) therefore keeps, in its folder under ``words/``, every passage's words as
``wordforms.words`` gives them, each as a number into a vocabulary:

* ``vocabulary.txt``: the words, one per line, the line number being the word's number;
* ``tokens.u32``: the numbers of every passage's words, one passage after the other;
* ``spans.i64``: per passage id, where its words start and end in ``tokens.u32``
  (-1: not stored);
* ``state.json``: the highest passage id whose words are all stored (``upto``), and how
  much of each file is complete (anything beyond was left by an interrupted write and is cut
  off before the next one).

:meth:`WordStore.scores` gives exactly ``wordforms.scores`` from those numbers with numpy:
a word's weight is 1 when it is one of the query word's forms or has its stem in the
passage's language (each vocabulary word's stems are worked out once, when it is read), 0.5
when it begins with the stem's prefix; phrases and ``prefix*`` terms are matched as written.
The store holds words only, no marking: which passages are candidates, and who may see them,
is decided before (``search._by_index``).
"""

from __future__ import annotations

import json
import uuid
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grandstrategy.horizon import wordforms

LANGS = tuple(wordforms.LANGUAGES)  # the stemmed languages, in the stem matrix's column order
NO_STEM = 0  # the stem number of every word in a language that is not stemmed
SORTED_TAIL = 4_096  # vocabulary words searched one by one for a prefix before sorting again


@dataclass
class _State:
    upto: int = 0  # every passage with an id up to this one has its words stored
    tokens: int = 0  # numbers in tokens.u32 that belong to stored passages
    vocabulary: int = 0  # words in vocabulary.txt
    vocabulary_bytes: int = 0
    spans: int = 0  # passage ids covered by spans.i64
    generation: str = ""  # changed by every reset


@dataclass
class _View:
    """What a search reads, replaced as a whole when the store changes (a search running
    while another thread writes keeps a consistent view)."""

    words: list[str]  # number -> word; only appended to
    ids: dict[str, int]  # word -> number
    stems: np.ndarray  # (words, len(LANGS) + 1) stem numbers; the last column NO_STEM
    stem_ids: dict[tuple[int, str], int]  # (column, stem) -> number, from 1
    spans: np.ndarray  # (passage ids, 2): start, end
    tokens: np.ndarray
    upto: int
    ordered: tuple[list[str], np.ndarray] = field(default=([], np.zeros(0, np.int64)))


def _empty_spans() -> np.ndarray:
    return np.zeros((0, 2), np.int64)


class WordStore:
    """The folded words of every passage up to ``upto``, as numbers (module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pending: list[tuple[int, list[int]]] = []
        self.load()
        self._work = _State(**self.state.__dict__)

    # ---- files

    def _path(self, name: str) -> Path:
        return self.folder / name

    def _read_state(self) -> _State:
        try:
            return _State(**json.loads(self._path("state.json").read_text()))
        except (OSError, ValueError, TypeError):
            return _State()

    @property
    def upto(self) -> int:
        return self.view.upto

    def changed(self) -> bool:
        """Whether another process wrote since this one last read."""
        return self._read_state() != self.state

    def load(self) -> None:
        """Read the store as the state file describes it."""
        state = self._read_state()
        words: list[str] = []
        if state.vocabulary:
            with self._path("vocabulary.txt").open("rb") as f:
                raw = f.read(state.vocabulary_bytes)
            words = raw.decode("utf-8", "surrogatepass").split("\n")[: state.vocabulary]
            if len(words) != state.vocabulary:
                state, words = _State(), []
        self.state = state
        stems = np.zeros((0, len(LANGS) + 1), np.int32)
        view = _View(words, {}, stems, {}, _empty_spans(), np.zeros(0, np.uint32), 0)
        self.view = self._grown(view, words, state)
        self._pending = []

    def _grown(self, view: _View, new: list[str], state: _State) -> _View:
        """``view`` with the words ``new`` (already appended to ``view.words``) given their
        numbers and stems, and the arrays mapped as ``state`` says."""
        first = len(view.words) - len(new)
        view.ids.update(zip(new, range(first, first + len(new)), strict=True))
        rows = np.full((len(new), len(LANGS) + 1), NO_STEM, np.int32)
        numbers = view.stem_ids
        for col, lang in enumerate(LANGS):
            rows[:, col] = [
                numbers.setdefault((col, s), len(numbers) + 1)
                for s in wordforms.stems_of(new, lang)
            ]
        stems = np.concatenate([view.stems, rows]) if len(new) else view.stems
        spans, tokens = _empty_spans(), np.zeros(0, np.uint32)
        # plain arrays over the maps: indexing a np.memmap costs a Python call each time
        if state.spans:
            spans = np.memmap(self._path("spans.i64"), np.int64, "r", shape=(state.spans, 2))
            spans = spans.view(np.ndarray)
        if state.tokens:
            tokens = np.memmap(self._path("tokens.u32"), np.uint32, "r", shape=(state.tokens,))
            tokens = tokens.view(np.ndarray)
        return _View(
            view.words, view.ids, stems, view.stem_ids, spans, tokens, state.upto, view.ordered
        )

    def reset(self) -> None:
        """Forget every passage (the index is rebuilt): a new generation, so that another
        process reads the store again rather than as an extension of what it knew."""
        for name in ("state.json", "vocabulary.txt", "tokens.u32", "spans.i64"):
            self._path(name).unlink(missing_ok=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_state(_State(generation=uuid.uuid4().hex))
        self.load()

    # ---- writing (the caller holds the index's writer, so one process writes at a time)

    def begin(self) -> None:
        """Start adding: read what another process may have written, and cut off what an
        interrupted write left beyond the state."""
        if self.changed() or len(self.view.words) != self.state.vocabulary:
            self.load()
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, size in (
            ("vocabulary.txt", self.state.vocabulary_bytes),
            ("tokens.u32", self.state.tokens * 4),
            ("spans.i64", self.state.spans * 16),
        ):
            path = self._path(name)
            if path.exists() and path.stat().st_size != size:
                with path.open("r+b") as f:
                    f.truncate(size)
        self._pending = []
        self._work = _State(**self.state.__dict__)

    def add(self, pid: int, text: str) -> None:
        """Store the words of passage ``pid`` (written by :meth:`flush` or :meth:`commit`)."""
        view = self.view
        ids, words = view.ids, view.words
        numbers = []
        for w in wordforms.split_words(text):
            n = ids.get(w)
            if n is None:
                n = ids[w] = len(words)
                words.append(w)
            numbers.append(n)
        self._pending.append((pid, numbers))

    def flush(self) -> None:
        """Write the words added so far; they count once :meth:`commit` records them."""
        work, words = self._work, self.view.words
        new = words[work.vocabulary :]
        if new:
            text = ("\n" if work.vocabulary else "") + "\n".join(new)
            data = text.encode("utf-8", "surrogatepass")
            with self._path("vocabulary.txt").open("ab") as f:
                f.write(data)
            work.vocabulary_bytes += len(data)
            work.vocabulary = len(words)
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        flat = np.fromiter((n for _pid, numbers in pending for n in numbers), np.uint32)
        with self._path("tokens.u32").open("ab") as f:
            f.write(flat.tobytes())
        lo = min(min(pid for pid, _ in pending), work.spans)
        hi = max(max(pid for pid, _ in pending) + 1, work.spans)
        block = np.full((hi - lo, 2), -1, np.int64)
        path = self._path("spans.i64")
        with path.open("r+b" if path.exists() else "w+b") as f:
            keep = min(work.spans, hi) - lo
            if keep > 0:
                f.seek(lo * 16)
                block[:keep] = np.frombuffer(f.read(keep * 16), np.int64).reshape(keep, 2)
            at = work.tokens
            for pid, numbers in pending:
                block[pid - lo] = (at, at + len(numbers))
                at += len(numbers)
            f.seek(lo * 16)
            f.write(block.tobytes())
        work.tokens, work.spans = at, hi

    def commit(self, upto: int) -> None:
        """Write what was added, and record that every passage up to ``upto`` is stored."""
        self.flush()
        old = self.state
        state = _State(**{**self._work.__dict__, "upto": upto})
        self._write_state(state)
        self.view = self._grown(self.view, self.view.words[old.vocabulary :], state)

    def _write_state(self, state: _State) -> None:
        tmp = self._path("state.json.tmp")
        tmp.write_text(json.dumps(state.__dict__))
        tmp.replace(self._path("state.json"))
        self.state = state

    def refresh(self) -> None:
        """Follow what another process wrote (it only appends, or resets)."""
        disk = self._read_state()
        if disk == self.state:
            return
        old, view = self.state, self.view
        if (
            disk.generation != old.generation
            or disk.vocabulary < old.vocabulary
            or disk.vocabulary_bytes < old.vocabulary_bytes
        ):
            self.load()
            return
        new: list[str] = []
        if disk.vocabulary > old.vocabulary:
            with self._path("vocabulary.txt").open("rb") as f:
                f.seek(old.vocabulary_bytes)
                raw = f.read(disk.vocabulary_bytes - old.vocabulary_bytes)
            text = raw.decode("utf-8", "surrogatepass")
            new = (text[1:] if old.vocabulary else text).split("\n")
            if len(new) != disk.vocabulary - old.vocabulary or len(view.words) != old.vocabulary:
                self.load()
                return
            view.words.extend(new)
        self.state = disk
        self.view = self._grown(view, new, disk)

    # ---- scoring

    def scores(
        self, terms: Sequence[Any], passages: Sequence[tuple[int, str]]
    ) -> list[float | None]:
        """``wordforms.scores`` of each (passage id, language); None for a passage whose
        words are not stored (the caller scores it from its text)."""
        view = self.view
        n = len(passages)
        out: list[float | None] = [None] * n
        if n == 0 or len(view.spans) == 0:
            return out
        pids = np.fromiter((p for p, _ in passages), np.int64, n)
        inside = (pids <= view.upto) & (pids < len(view.spans)) & (pids >= 0)
        at = np.flatnonzero(inside)
        span = view.spans[pids[at]]
        stored = span[:, 0] >= 0
        at, span = at[stored], span[stored]
        if len(at) == 0:
            return out
        code = {lang: i for i, lang in enumerate(LANGS)}
        other = len(LANGS)  # the column of a language without a stemmer
        langs = np.fromiter(
            (code.get(passages[i][1], other) for i in at.tolist()), np.int64, len(at)
        )
        words = _Words(view, span[:, 0], span[:, 1] - span[:, 0], langs)
        lens = words.lens
        norm = wordforms.K1 * (1 - wordforms.B + wordforms.B * lens / wordforms.AVERAGE_TOKENS)
        total = np.zeros(len(at))
        for term in terms:
            if term.negated:
                continue
            if len(term.words) > 1 or term.prefix or term.quoted:
                tf = _written(view, term, words)
            else:
                tf = _word(view, term.words[0], words)
            total = total + np.where(tf != 0, tf * (wordforms.K1 + 1) / (tf + norm), 0.0)
        for i, value in zip(at.tolist(), _rounded(total), strict=True):
            out[i] = value
        return out

    def words_of(self, pid: int) -> list[str] | None:
        """``wordforms.words`` of passage ``pid``'s text, or None when not stored."""
        view = self.view
        if not 0 <= pid <= view.upto or pid >= len(view.spans):
            return None
        start, end = (int(x) for x in view.spans[pid])
        if start < 0:
            return None
        words = view.words
        return [words[i] for i in view.tokens[start:end].tolist()]


def _rounded(values: np.ndarray) -> list[float]:
    """``round(v, 6)`` of each value. numpy's rounding (scaled, to the nearest integer, scaled
    back) gives the same float except where the scaled value lies next to a half; those are
    rounded by Python."""
    scaled = values * 1e6
    out: list[float] = (np.rint(scaled) / 1e6).tolist()
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        out[i] = round(float(values[i]), 6)
    return out


class _Words:
    """The stored words of some passages, one after the other, where each passage's are,
    and (worked out when first asked) each word's stem in its passage's language."""

    def __init__(self, view: _View, starts: np.ndarray, lens: np.ndarray, langs: np.ndarray):
        self.view, self.lens, self.langs = view, lens, langs
        ends = np.cumsum(lens)
        firsts = ends - lens
        count = int(ends[-1]) if len(lens) else 0
        self.ids = view.tokens[np.repeat(starts - firsts, lens) + np.arange(count)].astype(np.int64)
        self.some = lens > 0
        self.heads = firsts[self.some]  # where each passage with words begins
        self._stems: np.ndarray | None = None

    @property
    def stems(self) -> np.ndarray:
        """Each word's stem number in its passage's language (NO_STEM when not stemmed)."""
        if self._stems is None:
            cols = np.repeat(self.langs, self.lens)
            self._stems = self.view.stems.ravel()[self.ids * (len(LANGS) + 1) + cols]
        return self._stems

    def per_passage(self, values: np.ndarray) -> np.ndarray:
        """The sum of ``values`` (one per word) over each passage's words."""
        out = np.zeros(len(self.lens))
        if len(self.heads):
            out[self.some] = np.add.reduceat(values, self.heads, dtype=np.float64)
        return out


def _with_prefix(view: _View, prefix: str) -> np.ndarray:
    """The numbers of the vocabulary's words that begin with ``prefix``."""
    words = view.words
    ordered, numbers = view.ordered
    if len(words) - len(ordered) > SORTED_TAIL:
        numbers = np.array(sorted(range(len(words)), key=words.__getitem__), np.int64)
        ordered = [words[i] for i in numbers.tolist()]
        view.ordered = (ordered, numbers)
    lo = bisect_left(ordered, prefix)
    hi = bisect_left(ordered, prefix + "\U0010ffff", lo)
    found = numbers[lo:hi].tolist()
    found += [i for i in range(len(ordered), len(words)) if words[i].startswith(prefix)]
    return np.asarray(found, np.int64)


def _mask(view: _View, numbers: Any, value: Any = True, dtype: Any = bool) -> np.ndarray:
    """Per word of the view's vocabulary, ``value`` for those in ``numbers``. Words that a
    writer in this process added after the view was made are left out (none of the view's
    passages holds them)."""
    mask = np.zeros(len(view.stems), dtype)
    numbers = np.asarray(numbers, np.int64)
    mask[numbers[numbers < len(mask)]] = value
    return mask


def _word(view: _View, word: str, words: _Words) -> np.ndarray:
    """Term frequency per passage of one query word and its forms (``Forms.weight``)."""
    f = wordforms.forms(word)
    # per vocabulary word: 2 one of the word's forms, 1 begins with its prefix, 0 neither
    kind = _mask(view, [view.ids[w] for w in {f.word, *f.exact} if w in view.ids], 2, np.uint8)
    if f.prefix:
        kind = np.maximum(kind, _mask(view, _with_prefix(view, f.prefix), 1, np.uint8))
    kinds = kind[words.ids]
    stems = [view.stem_ids.get((col, f.stems[lang])) for col, lang in enumerate(LANGS)]
    wanted = [n for n in stems if n is not None]
    if wanted:  # the word's stem in its passage's language (numbers differ per language)
        match = np.zeros(len(view.stem_ids) + 1, bool)
        match[wanted] = True
        kinds[match[words.stems]] = 2
    weight = np.take(np.array([0.0, wordforms.PREFIX_WEIGHT, 1.0]), kinds)
    return words.per_passage(weight)


def _written(view: _View, term: Any, words: _Words) -> np.ndarray:
    """Term frequency per passage of a phrase, a quoted word or a ``prefix*`` term, matched
    as written (``wordforms._written_count``)."""
    wanted = [wordforms.fold(w) for w in term.words]
    k = len(wanted)
    ids = words.ids
    if len(ids) < k:
        return np.zeros(len(words.lens))
    numbers = [view.ids.get(w, -1) for w in wanted]
    last = ids[k - 1 :]  # ok[i]: the place starting at word i ends as the term does
    ok = _mask(view, _with_prefix(view, wanted[-1]))[last] if term.prefix else last == numbers[-1]
    for i in range(k - 1):
        ok &= ids[i : len(ids) - k + 1 + i] == numbers[i]
    starts = np.zeros(len(ids), bool)  # places that start and end within one passage
    starts[: len(ok)] = ok
    if k > 1:
        ends = np.cumsum(words.lens)
        tails = (ends[:, None] - np.arange(1, k)[None, :]).ravel()  # a passage's last k-1
        starts[tails[tails >= np.repeat(ends - words.lens, k - 1)]] = False
    return words.per_passage(starts) * k
