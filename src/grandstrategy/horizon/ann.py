"""Nearest passage vectors for semantic search: every vector scanned, or an inverted file.

The vectors (float32, unit length, so a dot product is a cosine) are held in memory with the
marking and language of their passage. A scan considers only the rows the reader may see (in
the language asked for, when a search is filtered by one): the marking is checked here,
before anything is ranked, so a hidden passage never takes the place of a visible one among
the candidates, and which visible passages come back cannot depend on the hidden ones (DESIGN
§4.14). The caller still checks every candidate in SQL (``restrict`` and the filters): the
index proposes, the database disposes.

Below ``INDEX_FROM`` vectors a query scans them all: one matrix-vector product, exact. Above,
an inverted file (the coarse quantiser of Jégou, Douze and Schmid, "Product quantization for
nearest neighbor search", TPAMI 2011): the vectors are grouped around centroids found by
spherical k-means, and a query scans only the lists whose centroids are closest to it
(``PROBE_SHARE`` of them, about 2 % of the vectors), with exact cosines inside them. The
centroids are trained on the passages every reader may see (UNCLASSIFIED, no compartment)
and on nothing else, and their number and the moments of training are set by how many such
passages there are: the grouping carries nothing of a hidden passage. With fewer than
``INDEX_FROM`` of them there is no index and every query is exact.

The index is not stored: it is trained again in each process, in a background thread, when
those passages first number ``INDEX_FROM`` and whenever they have doubled since (the exact
scan answers meanwhile). New vectors join the list of their nearest centroid as they arrive.
Training is deterministic: the sample and the starting centroids are evenly spaced rows.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

INDEX_FROM = 50_000  # vectors every reader may see: fewer, and every query scans them all
LIST_SIZE = 1_000  # vectors per list, on average, when trained
MAX_LISTS = 4_096
PROBE_SHARE = 0.02  # share of the lists a query scans
MIN_PROBE = 8
TRAIN_PER_LIST = 32  # k-means sample: vectors per list
TRAIN_ROUNDS = 8
CHUNK = 32_768  # rows per matrix product when assigning
PUBLIC = ""  # the compartments of a passage without any


class Reader(Protocol):
    """Who reads (``core.authz.Principal``): the highest level, the compartments ("*": all)."""

    @property
    def clearance(self) -> int: ...
    @property
    def compartments(self) -> frozenset[str]: ...


def _compartments(text: str) -> frozenset[str]:
    return frozenset(c for c in text.strip("|").split("|") if c)


@dataclass
class Scan:
    """The rows a query considered, with their cosines; ``exact``: every row the reader may
    see was considered (no list was left out)."""

    ids: np.ndarray  # int64
    sims: np.ndarray  # float32
    exact: bool

    def __len__(self) -> int:
        return len(self.ids)

    def best(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``count`` closest (ids, cosines), closest first, then the lower id."""
        count = min(count, len(self.ids))
        if count <= 0:
            return self.ids[:0], self.sims[:0]
        top = (
            np.argpartition(-self.sims, count - 1)[:count]
            if count < len(self.ids)
            else np.arange(len(self.ids))
        )
        top = top[np.lexsort((self.ids[top], -self.sims[top]))]
        return self.ids[top], self.sims[top]


class Lists:
    """The inverted file: centroids, and the rows nearest to each."""

    def __init__(self, centroids: np.ndarray) -> None:
        self.centroids = centroids  # (lists, dim) float32, unit length
        self.rows: list[np.ndarray] = [np.zeros(0, np.int32) for _ in range(len(centroids))]
        self.probe = min(len(centroids), max(MIN_PROBE, math.ceil(len(centroids) * PROBE_SHARE)))

    @classmethod
    def train(cls, sample: np.ndarray, lists: int) -> Lists:
        """Spherical k-means over ``sample`` (unit rows), started from evenly spaced rows."""
        start = np.linspace(0, len(sample) - 1, lists).round().astype(np.int64)
        centroids = sample[start].copy()
        for _ in range(TRAIN_ROUNDS):
            nearest = _nearest(sample, centroids)
            order = np.argsort(nearest, kind="stable")
            counts = np.bincount(nearest, minlength=lists)
            full = np.flatnonzero(counts)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[full]
            sums = np.add.reduceat(sample[order], starts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            ok = norms[:, 0] > 0
            centroids[full[ok]] = sums[ok] / norms[ok]  # an empty list keeps its centroid
        return cls(centroids)

    def assign(self, vectors: np.ndarray, start: int, stop: int) -> None:
        """Put rows ``start:stop`` of ``vectors`` into the list of their nearest centroid."""
        if stop <= start:
            return
        nearest = np.concatenate(
            [
                _nearest(vectors[at : min(stop, at + CHUNK)], self.centroids)
                for at in range(start, stop, CHUNK)
            ]
        )
        order = np.argsort(nearest, kind="stable")
        rows = (order + start).astype(np.int32)
        counts = np.bincount(nearest, minlength=len(self.centroids))
        at = 0
        for lst, count in enumerate(counts.tolist()):
            if count:
                self.rows[lst] = np.concatenate([self.rows[lst], rows[at : at + count]])
                at += count

    def probed(self, query: np.ndarray, below: int) -> np.ndarray:
        """The rows (under ``below``) of the ``probe`` lists closest to ``query``."""
        closeness = self.centroids @ query
        near = np.argpartition(-closeness, self.probe - 1)[: self.probe]
        rows = np.concatenate([self.rows[i] for i in near])
        return rows[rows < below]

    def sizes(self) -> np.ndarray:
        return np.array([len(r) for r in self.rows])


def _nearest(rows: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows), np.int64)
    for at in range(0, len(rows), CHUNK):
        out[at : at + CHUNK] = np.argmax(rows[at : at + CHUNK] @ centroids.T, axis=1)
    return out


@dataclass(frozen=True)
class _Snapshot:
    n: int
    vectors: np.ndarray
    ids: np.ndarray
    levels: np.ndarray
    groups: np.ndarray
    compartments: tuple[frozenset[str], ...]
    languages: np.ndarray
    language_codes: dict[str, int]
    lists: Lists | None


class Vectors:
    """Passage vectors in memory, with their markings and languages, growing as passages
    arrive. (A passage's text, language and marking never change once it is stored.)

    Rows are appended in ascending passage id. Readers work on a snapshot (the rows present
    when they started), so appending never disturbs a query under way.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.lock = threading.Lock()
        self._n = 0
        self._vectors = np.zeros((0, dim), np.float32)
        self._ids = np.zeros(0, np.int64)
        self._levels = np.zeros(0, np.int16)
        self._groups = np.zeros(0, np.int32)  # index into ``_compartments``
        self._compartments: list[frozenset[str]] = []
        self._group_of: dict[str, int] = {}
        self._languages = np.zeros(0, np.int16)  # index into ``_language_of``
        self._language_of: dict[str, int] = {}
        self.public = 0  # rows every reader may see (level 0, no compartment)
        self.lists: Lists | None = None
        self.trained_public = 0  # ``public`` when the lists were trained
        self.train_seconds = 0.0
        self._training = False

    def __len__(self) -> int:
        return self._n

    @property
    def ids(self) -> np.ndarray:
        return self._ids[: self._n]

    @property
    def dtype(self) -> np.dtype[np.float32]:
        return self._vectors.dtype

    @property
    def nbytes(self) -> int:
        """Memory held: the arrays (with room to grow) and the lists."""
        arrays = (self._vectors, self._ids, self._levels, self._groups, self._languages)
        held = sum(a.nbytes for a in arrays)
        if self.lists is not None:
            held += self.lists.centroids.nbytes + int(self.lists.sizes().sum()) * 4
        return held

    def add(
        self,
        ids: np.ndarray,
        vectors: np.ndarray,
        levels: np.ndarray,
        compartments: list[str],
        languages: list[str] | None = None,
    ) -> None:
        """Append rows: ids above every id held, unit vectors, their passages' markings
        (level, and compartments as stored: ``|A|B|``) and languages."""
        if not len(ids):
            return
        with self.lock:
            start, stop = self._n, self._n + len(ids)
            if stop > len(self._ids):
                self._grow(max(stop, len(self._ids) * 3 // 2))
            self._vectors[start:stop] = vectors
            self._ids[start:stop] = ids
            self._levels[start:stop] = levels
            self._groups[start:stop] = [self._group(c) for c in compartments]
            self._languages[start:stop] = [
                self._language_of.setdefault(lang, len(self._language_of))
                for lang in languages or [""] * len(ids)
            ]
            public = self._group_of.get(PUBLIC, -1)
            self.public += int(
                np.count_nonzero(
                    (self._levels[start:stop] == 0) & (self._groups[start:stop] == public)
                )
            )
            if self.lists is not None:
                self.lists.assign(self._vectors, start, stop)
            self._n = stop

    def _grow(self, rows: int) -> None:
        n = self._n
        vectors = np.zeros((rows, self.dim), np.float32)
        vectors[:n] = self._vectors[:n]
        self._vectors = vectors
        for name in ("_ids", "_levels", "_groups", "_languages"):
            old = getattr(self, name)
            new = np.zeros(rows, old.dtype)
            new[:n] = old[:n]
            setattr(self, name, new)

    def _group(self, compartments: str) -> int:
        key = "|".join(sorted(_compartments(compartments)))
        if key not in self._group_of:
            self._group_of[key] = len(self._compartments)
            self._compartments.append(_compartments(compartments))
        return self._group_of[key]

    def _snapshot(self) -> _Snapshot:
        with self.lock:
            n = self._n
            return _Snapshot(
                n,
                self._vectors,
                self._ids,
                self._levels,
                self._groups,
                tuple(self._compartments),
                self._languages,
                dict(self._language_of),
                self.lists,
            )

    # ---- the index

    def wants_lists(self) -> bool:
        """True when the lists should be trained (again): when the rows every reader may see
        first number ``INDEX_FROM``, then each time they have doubled."""
        if self._training or self.public < INDEX_FROM:
            return False
        return self.lists is None or self.public >= 2 * max(self.trained_public, 1)

    def train(self, background: bool = True) -> None:
        """Train the lists when they are wanted: in a thread, or (``background=False``) now."""
        with self.lock:
            if not self.wants_lists():
                return
            self._training = True
        if background:
            threading.Thread(target=self._train, name="ann-train", daemon=True).start()
        else:
            self._train()

    def _train(self) -> None:
        try:
            t0 = time.perf_counter()
            snap = self._snapshot()
            n = snap.n
            public = np.flatnonzero(
                (snap.levels[:n] == 0) & (snap.groups[:n] == self._group_of.get(PUBLIC, -1))
            )
            lists = min(MAX_LISTS, len(public) // LIST_SIZE)
            if lists < 2:
                return
            take = min(len(public), lists * TRAIN_PER_LIST)
            sample = snap.vectors[public[np.linspace(0, len(public) - 1, take).astype(np.int64)]]
            trained = Lists.train(sample, lists)
            trained.assign(snap.vectors, 0, n)
            with self.lock:
                trained.assign(self._vectors, n, self._n)  # rows that came meanwhile
                self.lists = trained
                self.trained_public = len(public)
                self.train_seconds = time.perf_counter() - t0
        finally:
            self._training = False

    # ---- queries

    def _allowed(
        self,
        snap: _Snapshot,
        reader: Reader | None,
        language: str | None,
        rows: np.ndarray | None,
    ) -> np.ndarray:
        """Which rows (all when ``rows`` is None) the reader may see, in ``language`` when
        one is named."""
        pick = slice(0, snap.n) if rows is None else rows
        allowed = np.ones(snap.n if rows is None else len(rows), bool)
        if reader is not None:
            every = "*" in reader.compartments
            held = np.array(
                [every or c <= reader.compartments for c in snap.compartments] or [True], bool
            )
            allowed &= (snap.levels[pick] <= reader.clearance) & held[snap.groups[pick]]
        if language is not None:
            allowed &= snap.languages[pick] == snap.language_codes.get(language, -1)
        return allowed

    def scan(
        self,
        query: np.ndarray,
        reader: Reader | None,
        language: str | None = None,
        exact: bool = False,
    ) -> Scan:
        """The rows the reader may see (in ``language``, when named) that a query considers,
        with their cosines: those of the closest lists, or (no lists yet, or ``exact``)
        every one."""
        snap = self._snapshot()
        if snap.lists is None or exact:
            sims = snap.vectors[: snap.n] @ query
            keep = self._allowed(snap, reader, language, None)
            return Scan(snap.ids[: snap.n][keep], sims[keep], True)
        rows = snap.lists.probed(query, snap.n)
        rows = rows[self._allowed(snap, reader, language, rows)]
        return Scan(snap.ids[rows], snap.vectors[rows] @ query, False)

    def among(self, query: np.ndarray, ids: list[int]) -> Scan:
        """Exact cosines of the given passages (those held), e.g. every one a reader may see
        under a filter."""
        snap = self._snapshot()
        held = snap.ids[: snap.n]
        want = np.asarray(ids, np.int64)
        at = np.searchsorted(held, want)
        ok = at < snap.n
        ok[ok] = held[at[ok]] == want[ok]
        rows = at[ok]
        return Scan(held[rows], snap.vectors[rows] @ query, True)
