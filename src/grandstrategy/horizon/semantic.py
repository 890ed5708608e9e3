"""Semantic search: passages close in meaning to a query, for hybrid ranking.

Passages ingested while the sentence encoder was in use carry a vector (``PassageVector``,
float16 in the database). The vectors of one database are held in memory once, as float32
with their passages' markings (``horizon.ann``: 2 KB a passage, 2 GB for a million), and
extended as passages arrive. A query is encoded and compared with the vectors the reader may
see: all of them up to ``ann.INDEX_FROM``, above that those of the closest lists of an
inverted file. The closest then go through the same restricted, filtered SQL as keyword
search (negated query terms included), so a user never gets a passage above their clearance,
or one they excluded, from this path either.

Keyword and semantic lists are merged by reciprocal rank fusion: each passage scores
``sum(1 / (RRF_K + rank))`` over the lists it appears in (Cormack, Clarke and Büttcher,
SIGIR 2009), which needs no calibration between keyword scores and cosines. There is no
fixed cosine cut: a short query and a passage rarely reach a cosine of 0.3 even when the
passage is the best answer (and in another language, below that still), so the
``NEAREST`` closest visible passages always take part, by their rank.

The nearest passages are those the reader may see: hidden rows are left out before anything
is ranked (``ann``), and when too few of the closest ``CANDIDATES`` pass the restricted,
filtered query (negated words, a filter), up to ``PROBED_CHECKED`` are examined. When still
too few pass, a filter that at most ``NARROW`` passages pass is answered by the exact product
over all of them; a broader one by every vector the reader may see, checked closest first.
So which passages come back never depends on hidden passages, however close they lie.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.horizon import ann, embed
from grandstrategy.horizon.models import Passage, PassageVector

RRF_K = 60
CANDIDATES = 400  # nearest passages re-checked against clearance and filters
NEAREST = 20  # closest visible passages fused with the keyword ranking
CHECK_CHUNK = 100_000  # ids checked against clearance and filters in one query
PROBED_CHECKED = 1_600  # nearest checked before asking whether the filter is narrow
NARROW = 5_000  # a filter that at most these pass is answered over all of them, exactly
LOAD_CHUNK = 50_000  # vectors read from the database at a time
RECOUNT_SECONDS = 30.0  # how often the recent vectors are counted (see ``_store``)
RECOUNT_WINDOW = 50_000  # passage ids below the highest loaded that are counted again
QUERIES_KEPT = 2_048  # query vectors remembered (2 KB each)
TRAIN_IN_BACKGROUND = True  # False: the inverted file is trained in the query that wants it

_lock = threading.Lock()
_queries: OrderedDict[tuple[str, object], np.ndarray] = OrderedDict()  # see ``query_vector``
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="semantic")  # see ``start``


@dataclass
class Check:
    """Which passages a reader may be shown: ``keep(ids)`` are those of ``ids`` that pass the
    reader's restricted, filtered query; ``every(n)`` every passage that passes it, or None
    when more than ``n`` do."""

    reader: ann.Reader
    keep: Callable[[list[int]], set[int]]
    every: Callable[[int], list[int] | None]
    language: str | None = None  # the search's language filter: also applied before ranking

    def __call__(self, ids: list[int]) -> set[int]:
        return self.keep(ids)


@dataclass
class _Store:
    vectors: ann.Vectors = field(default_factory=lambda: ann.Vectors(embed.DIM))
    upto: int = 0  # highest passage id loaded
    counted_at: float = -RECOUNT_SECONDS  # time.monotonic() of the last count

    @property
    def ids(self) -> np.ndarray:
        return self.vectors.ids


_stores: dict[str, _Store] = {}


def _load(session: Session, store: _Store) -> _Store:
    """``store`` extended with the vectors of passages above its highest id."""
    while True:
        rows = session.execute(
            select(
                PassageVector.passage_id,
                PassageVector.vector,
                Passage.marking_level,
                Passage.marking_compartments,
                Passage.language,
            )
            .join(Passage, Passage.id == PassageVector.passage_id)
            .where(PassageVector.passage_id > store.upto)
            .order_by(PassageVector.passage_id)
            .limit(LOAD_CHUNK)
        ).all()
        if not rows:
            return store
        ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        half = np.frombuffer(b"".join(r[1] for r in rows), np.float16)
        levels = np.fromiter((r[2] for r in rows), np.int16, len(rows))
        store.vectors.add(
            ids,
            half.reshape(len(rows), embed.DIM),
            levels,
            [r[3] for r in rows],
            [r[4] for r in rows],
        )
        store.upto = int(ids[-1])


def _store(session: Session) -> _Store:
    """This database's vectors, loading only what arrived since the last call.

    Each call reads the highest stored passage id (one index look-up) and loads the vectors
    above the highest loaded. Every ``RECOUNT_SECONDS`` the vectors of the last
    ``RECOUNT_WINDOW`` passage ids are counted (counting them all costs a scan of the table,
    half a second at a million): a vector committed below the highest loaded id (two
    ingesters finishing out of order) makes the store load them all again, as does a
    database made again with fewer passages.
    """
    bind = session.get_bind()
    key = str(bind.engine.url)
    top = int(session.execute(select(func.max(PassageVector.passage_id))).scalar() or 0)
    with _lock:
        store = _stores.get(key) or _Store()
        if top < store.upto:
            store = _Store()
        if top > store.upto:
            store = _load(session, store)
        now = time.monotonic()
        if now - store.counted_at >= RECOUNT_SECONDS:
            low = store.upto - RECOUNT_WINDOW
            counted = session.execute(
                select(func.count())
                .select_from(PassageVector)
                .where(PassageVector.passage_id > low, PassageVector.passage_id <= store.upto)
            ).scalar_one()
            held = len(store.ids) - int(np.searchsorted(store.ids, low, side="right"))
            if counted != held:
                store = _load(session, _Store())
            store.counted_at = now
        _stores[key] = store
    store.vectors.train(background=TRAIN_IN_BACKGROUND)
    return store


@dataclass
class Started:
    """A query being encoded and scanned in the background (``start``)."""

    store: _Store
    reader: ann.Reader | None
    language: str | None
    work: Future[tuple[np.ndarray, ann.Scan]]


def start(
    session: Session, text: str, reader: ann.Reader | None, language: str | None = None
) -> Started | None:
    """Encode ``text`` and scan the vectors ``reader`` may see (in ``language``) in a
    background thread, while the caller does something else (hybrid search: the keyword
    half); ``nearest(..., started=)`` picks the result up. The encoder and the scan are
    numpy products that release the interpreter lock, so on two cores the two halves of a
    hybrid search overlap. The store is read here, in the caller's thread (it may query the
    database). None without the encoder, an empty query or without stored vectors."""
    if not embed.available() or not text.strip():
        return None
    store = _store(session)
    if not len(store.ids):
        return None

    def work() -> tuple[np.ndarray, ann.Scan]:
        query = query_vector(text)
        return query, store.vectors.scan(query, reader, language)

    return Started(store, reader, language, _pool.submit(work))


def query_vector(text: str) -> np.ndarray:
    """The query's vector, remembered for ``QUERIES_KEPT`` queries: a reader paging through
    results, or many readers asking the same question, pay for the encoder once (a short
    query costs 5–10 ms of CPU on this machine, several times that when cores are busy).
    The vector depends on the text and the encoder alone."""
    key = (text, embed.encode)  # a different encoder (tests) is a different key
    with _lock:
        found = _queries.get(key)
        if found is not None:
            _queries.move_to_end(key)
            return found
    vector: np.ndarray = np.array(embed.encode([text])[0], dtype=np.float32)
    vector.setflags(write=False)
    with _lock:
        _queries[key] = vector
        while len(_queries) > QUERIES_KEPT:
            _queries.popitem(last=False)
    return vector


def nearest(
    session: Session,
    text: str,
    visible: Callable[[list[int]], set[int]],
    k: int = NEAREST,
    started: Started | None = None,
) -> list[tuple[int, float]]:
    """Up to ``k`` (passage id, cosine) closest to ``text``, best first, among the ids that
    ``visible`` keeps (the caller's restricted, filtered query; a ``Check`` also names the
    reader, whose hidden passages are then left out before ranking). Empty without the
    encoder or without stored vectors. ``started``: the same query begun by ``start`` with
    the same reader and language."""
    reader = visible.reader if isinstance(visible, Check) else None
    language = visible.language if isinstance(visible, Check) else None
    if started is None:
        started = start(session, text, reader, language)
        if started is None:
            return []
    store = started.store
    query, scan = started.work.result()
    out = _checked(scan, visible, k, PROBED_CHECKED)
    if len(out) >= k or (scan.exact and len(scan) <= PROBED_CHECKED):
        return out
    passing = visible.every(NARROW) if isinstance(visible, Check) else None
    if passing is not None:  # a narrow filter: the exact product over all that pass it
        ids, sims = store.vectors.among(query, passing).best(k)
        return [(int(i), float(s)) for i, s in zip(ids, sims, strict=True)]
    if not scan.exact:  # a broad one: every vector, checked closest first until k pass
        scan = store.vectors.scan(query, reader, language, exact=True)
    return _checked(scan, visible, k)


def _checked(
    scan: ann.Scan, visible: Callable[[list[int]], set[int]], k: int, most: int | None = None
) -> list[tuple[int, float]]:
    """The ``k`` closest of a scan that ``visible`` keeps: the closest ``CANDIDATES`` are
    checked first, then four times as many, and so on through the scan (or up to ``most``)."""
    end = len(scan) if most is None else min(len(scan), most)
    n = min(CANDIDATES, end)
    checked = 0
    keep: set[int] = set()
    while True:
        ids, sims = scan.best(n)
        fresh = [int(i) for i in ids[checked:]]
        for at in range(0, len(fresh), CHECK_CHUNK):  # one parameter (search_sql.among), bounded
            keep |= visible(fresh[at : at + CHECK_CHUNK])
        checked = len(ids)
        out = [(int(i), float(s)) for i, s in zip(ids, sims, strict=True) if int(i) in keep]
        if len(out) >= k or n >= end:
            return out[:k]
        n = min(end, n * 4)


def fuse(*ranked: list[int]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked id lists: (id, fused score), best first."""
    scores: dict[int, float] = {}
    for ids in ranked:
        for rank, pid in enumerate(ids, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def warm(session: Session) -> int:
    """Read this database's vectors into memory now (and train the inverted file when they
    are many): the first search otherwise waits for it. The number of vectors held."""
    return len(_store(session).ids)


def clear_cache() -> None:
    with _lock:
        _stores.clear()
        _queries.clear()
