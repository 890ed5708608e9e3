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

Training puts the rows of each list next to each other, so a query reads a few contiguous
blocks rather than gathering scattered rows (that gather cost more than the products); rows
that arrive later join the list of their nearest centroid at the end. The index is not
stored: it is trained again in each process, in a background thread, when those passages
first number ``INDEX_FROM`` and whenever they have doubled since (the exact scan answers
meanwhile; the reordering holds a second copy of the vectors for a moment). Training is
deterministic: the sample and the starting centroids are evenly spaced rows.
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
    """The inverted file: centroids; the rows of each list trained with them, next to each
    other (``bounds``); and the rows that joined a list since, at the end (``later``)."""

    def __init__(self, centroids: np.ndarray) -> None:
        self.centroids = centroids  # (lists, dim) float32, unit length
        self.bounds = np.zeros(len(centroids) + 1, np.int64)  # list i: rows bounds[i]:bounds[i+1]
        self.later: list[np.ndarray] = [np.zeros(0, np.int64) for _ in range(len(centroids))]
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

    def nearest(self, vectors: np.ndarray) -> np.ndarray:
        """The list of each row."""
        return _nearest(vectors, self.centroids)

    def join(self, vectors: np.ndarray, start: int, stop: int) -> None:
        """Add rows ``start:stop`` (arrived after training) to the list of their nearest
        centroid."""
        if stop <= start:
            return
        nearest = self.nearest(vectors[start:stop])
        for lst in np.unique(nearest).tolist():
            rows = np.flatnonzero(nearest == lst) + start
            self.later[lst] = np.concatenate([self.later[lst], rows])

    def closest(self, query: np.ndarray) -> np.ndarray:
        """The ``probe`` lists whose centroids are closest to ``query``."""
        closeness = self.centroids @ query
        near: np.ndarray = np.argpartition(-closeness, self.probe - 1)[: self.probe]
        return near

    def sizes(self) -> np.ndarray:
        sizes: np.ndarray = np.diff(self.bounds) + np.array([len(r) for r in self.later])
        return sizes


def _nearest(rows: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows), np.int64)
    for at in range(0, len(rows), CHUNK):
        out[at : at + CHUNK] = np.argmax(rows[at : at + CHUNK] @ centroids.T, axis=1)
    return out


_COLUMNS = ("_ids", "_levels", "_groups", "_languages")


@dataclass(frozen=True)
class _Snapshot:
    n: int
    vectors: np.ndarray
    ids: np.ndarray
    levels: np.ndarray
    groups: np.ndarray
    languages: np.ndarray
    by_id: np.ndarray  # the ids held, ascending
    rows_by_id: np.ndarray  # the row of each of them
    compartments: tuple[frozenset[str], ...]
    language_codes: dict[str, int]
    lists: Lists | None


class Vectors:
    """Passage vectors in memory, with their markings and languages, growing as passages
    arrive. (A passage's text, language and marking never change once it is stored.)

    Rows arrive in ascending passage id; training reorders them by list. Readers work on a
    snapshot (the arrays and rows present when they started), so neither appending nor a
    reordering disturbs a query under way.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.lock = threading.Lock()
        self._n = 0
        self._vectors = np.zeros((0, dim), np.float32)
        self._ids = np.zeros(0, np.int64)
        self._levels = np.zeros(0, np.int16)
        self._groups = np.zeros(0, np.int32)  # index into ``_compartments``
        self._languages = np.zeros(0, np.int16)  # index into ``_language_of``
        self._by_id = np.zeros(0, np.int64)
        self._rows_by_id = np.zeros(0, np.int64)
        self._compartments: list[frozenset[str]] = []
        self._group_of: dict[str, int] = {}
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
        """The passage ids held, ascending."""
        return self._by_id[: self._n]

    @property
    def dtype(self) -> np.dtype[np.float32]:
        return self._vectors.dtype

    @property
    def nbytes(self) -> int:
        """Memory held: the arrays (with room to grow) and the lists."""
        arrays: list[np.ndarray] = [self._vectors, self._by_id, self._rows_by_id]
        arrays += [getattr(self, c) for c in _COLUMNS]
        if self.lists is not None:
            arrays += [self.lists.centroids, *self.lists.later]
        return int(sum(a.nbytes for a in arrays))

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
            self._by_id[start:stop] = ids
            self._rows_by_id[start:stop] = np.arange(start, stop)
            public = self._group_of.get(PUBLIC, -1)
            self.public += int(
                np.count_nonzero(
                    (self._levels[start:stop] == 0) & (self._groups[start:stop] == public)
                )
            )
            if self.lists is not None:
                self.lists.join(self._vectors, start, stop)
            self._n = stop

    def _grow(self, rows: int) -> None:
        n = self._n
        vectors = np.zeros((rows, self.dim), np.float32)
        vectors[:n] = self._vectors[:n]
        self._vectors = vectors
        for name in (*_COLUMNS, "_by_id", "_rows_by_id"):
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
            return _Snapshot(
                self._n,
                self._vectors,
                self._ids,
                self._levels,
                self._groups,
                self._languages,
                self._by_id,
                self._rows_by_id,
                tuple(self._compartments),
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
            public_group = self._group_of.get(PUBLIC, -1)
            public = np.flatnonzero((snap.levels[:n] == 0) & (snap.groups[:n] == public_group))
            lists = min(MAX_LISTS, len(public) // LIST_SIZE)
            if lists < 2:
                return
            public = public[np.argsort(snap.ids[public], kind="stable")]  # in passage order
            take = min(len(public), lists * TRAIN_PER_LIST)
            sample = snap.vectors[public[np.linspace(0, len(public) - 1, take).astype(np.int64)]]
            trained = Lists.train(sample, lists)
            nearest = trained.nearest(snap.vectors[:n])
            order = np.lexsort((snap.ids[:n], nearest))  # by list, then by passage id
            trained.bounds = np.searchsorted(nearest[order], np.arange(lists + 1))
            vectors = snap.vectors[order]
            columns = {c: getattr(snap, c.lstrip("_"))[order] for c in _COLUMNS}
            by_id = np.argsort(columns["_ids"], kind="stable")
            self._install(trained, n, vectors, columns, by_id, len(public), t0)
        finally:
            self._training = False

    def _install(
        self,
        trained: Lists,
        n: int,
        vectors: np.ndarray,
        columns: dict[str, np.ndarray],
        by_id: np.ndarray,
        public: int,
        t0: float,
    ) -> None:
        """The rows reordered by list take the place of the old ones; rows that arrived while
        training follow them, in the lists of their nearest centroids."""
        with self.lock:
            stop = self._n
            room = max(stop, len(self._ids))
            new = np.zeros((room, self.dim), np.float32)
            new[:n] = vectors
            old_rows = self._rows_by_id[n:stop]  # ids that arrived meanwhile: rows n: in order
            new[n:stop] = self._vectors[old_rows]
            for name in _COLUMNS:
                col = np.zeros(room, columns[name].dtype)
                col[:n] = columns[name]
                col[n:stop] = getattr(self, name)[old_rows]
                setattr(self, name, col)
            self._vectors = new
            self._by_id = np.zeros(room, np.int64)
            self._by_id[:stop] = self._ids[np.concatenate([by_id, np.arange(n, stop)])]
            self._rows_by_id = np.zeros(room, np.int64)
            self._rows_by_id[:stop] = np.concatenate([by_id, np.arange(n, stop)])
            trained.join(self._vectors, n, stop)
            self.lists = trained
            self.trained_public = public
            self.train_seconds = time.perf_counter() - t0

    # ---- queries

    def _allowed(
        self,
        snap: _Snapshot,
        reader: Reader | None,
        language: str | None,
        pick: slice | np.ndarray,
    ) -> np.ndarray:
        """Which of the rows ``pick`` the reader may see, in ``language`` when one is named."""
        levels = snap.levels[pick]
        allowed = np.ones(len(levels), bool)
        if reader is not None:
            every = "*" in reader.compartments
            held = np.array(
                [every or c <= reader.compartments for c in snap.compartments] or [True], bool
            )
            allowed &= (levels <= reader.clearance) & held[snap.groups[pick]]
        if language is not None:
            allowed &= snap.languages[pick] == snap.language_codes.get(language, -1)
        return allowed

    def _part(
        self,
        snap: _Snapshot,
        query: np.ndarray,
        reader: Reader | None,
        language: str | None,
        pick: slice | np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        keep = self._allowed(snap, reader, language, pick)
        return snap.ids[pick][keep], (snap.vectors[pick] @ query)[keep]

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
            return Scan(*self._part(snap, query, reader, language, slice(0, snap.n)), True)
        parts = []
        for lst in snap.lists.closest(query).tolist():
            start, stop = int(snap.lists.bounds[lst]), int(snap.lists.bounds[lst + 1])
            if stop > start:
                parts.append(self._part(snap, query, reader, language, slice(start, stop)))
            later = snap.lists.later[lst]
            later = later[later < snap.n]
            if len(later):
                parts.append(self._part(snap, query, reader, language, later))
        if not parts:
            return Scan(np.zeros(0, np.int64), np.zeros(0, np.float32), False)
        return Scan(
            np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), False
        )

    def among(self, query: np.ndarray, ids: list[int]) -> Scan:
        """Exact cosines of the given passages (those held), e.g. every one a reader may see
        under a filter."""
        snap = self._snapshot()
        held = snap.by_id[: snap.n]
        want = np.asarray(ids, np.int64)
        at = np.searchsorted(held, want)
        ok = at < snap.n
        ok[ok] = held[at[ok]] == want[ok]
        rows = snap.rows_by_id[at[ok]]
        return Scan(snap.ids[rows], snap.vectors[rows] @ query, True)
