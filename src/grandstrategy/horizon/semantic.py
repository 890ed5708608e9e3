"""Semantic search: passages close in meaning to a query, for hybrid ranking.

Passages ingested while the sentence encoder was in use carry a vector (``PassageVector``).
The vectors of one database are held in memory once, as float32 (2 KB a passage, 2 GB for a
million; stored as float16 in the database) and extended as passages arrive; a query is
encoded and compared with all of them by one matrix-vector product (converting float16 rows
for every query cost more than the product itself). The nearest candidates then go through
the same restricted, filtered SQL as keyword search (negated query terms included), so a user
never gets a passage above their clearance, or one they excluded, from this path either.

Keyword and semantic lists are merged by reciprocal rank fusion: each passage scores
``sum(1 / (RRF_K + rank))`` over the lists it appears in (Cormack, Clarke and Büttcher,
SIGIR 2009), which needs no calibration between keyword scores and cosines. There is no
fixed cosine cut: a short query and a passage rarely reach a cosine of 0.3 even when the
passage is the best answer (and in another language, below that still), so the
``NEAREST`` closest visible passages always take part, by their rank.

The nearest passages are those the reader may see: when too few of the closest
``CANDIDATES`` pass the restricted query, more are examined, so which passages come back
never depends on how many hidden passages lie closer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.horizon import embed
from grandstrategy.horizon.models import PassageVector

RRF_K = 60
CANDIDATES = 400  # nearest passages re-checked against clearance and filters
NEAREST = 20  # closest visible passages fused with the keyword ranking
CHECK_CHUNK = 5_000  # ids checked against clearance and filters in one query

_lock = threading.Lock()


RECOUNT_SECONDS = 30.0  # how often the stored vectors are counted (see ``_store``)


@dataclass
class _Store:
    ids: np.ndarray  # (n,) int64, ascending
    vectors: np.ndarray  # (n, 512) float32
    upto: int  # highest passage id loaded
    counted_at: float = -RECOUNT_SECONDS  # time.monotonic() of the last full count


_stores: dict[str, _Store] = {}


def _empty() -> _Store:
    return _Store(np.zeros(0, np.int64), np.zeros((0, embed.DIM), np.float32), 0)


def _load(session: Session, store: _Store) -> _Store:
    """``store`` extended with the vectors of passages above its highest id."""
    rows = session.execute(
        select(PassageVector.passage_id, PassageVector.vector)
        .where(PassageVector.passage_id > store.upto)
        .order_by(PassageVector.passage_id)
    ).all()
    if not rows:
        return store
    ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    vecs = np.frombuffer(b"".join(r[1] for r in rows), np.float16).reshape(len(rows), embed.DIM)
    return _Store(
        np.concatenate([store.ids, ids]),
        np.vstack([store.vectors, vecs.astype(np.float32)]),
        int(ids[-1]),
        store.counted_at,
    )


def _store(session: Session) -> _Store:
    """This database's vectors, loading only what arrived since the last call.

    Each call reads the highest stored passage id (one index look-up) and loads the vectors
    above the highest loaded. Counting every vector costs a scan of the table (40 ms at
    100,000 passages), so it is done every ``RECOUNT_SECONDS`` only: it catches vectors
    committed below the highest loaded id (two ingesters finishing out of order) and a
    database made again, and reloads them all.
    """
    bind = session.get_bind()
    key = str(bind.engine.url)
    top = int(session.execute(select(func.max(PassageVector.passage_id))).scalar() or 0)
    with _lock:
        store = _stores.get(key) or _empty()
        if top < store.upto:
            store = _empty()
        if top > store.upto:
            store = _load(session, store)
        now = time.monotonic()
        if now - store.counted_at >= RECOUNT_SECONDS:
            count = session.execute(select(func.count()).select_from(PassageVector)).scalar()
            if count != len(store.ids):
                store = _load(session, _empty())
            store.counted_at = now
        _stores[key] = store
        return store


def nearest(
    session: Session, text: str, visible: Callable[[list[int]], set[int]], k: int = NEAREST
) -> list[tuple[int, float]]:
    """Up to ``k`` (passage id, cosine) closest to ``text``, best first, among the ids that
    ``visible`` keeps (the caller's restricted, filtered query). Empty without the encoder
    or without stored vectors."""
    if not embed.available() or not text.strip():
        return []
    store = _store(session)
    if not len(store.ids):
        return []
    query = embed.encode([text])[0].astype(np.float32)
    sims = store.vectors @ query
    n = min(CANDIDATES, len(sims))
    while True:
        top = np.argpartition(-sims, n - 1)[:n] if n < len(sims) else np.arange(len(sims))
        top = top[np.lexsort((store.ids[top], -sims[top]))]  # closest first, then lower id
        ids = [int(i) for i in store.ids[top]]
        keep: set[int] = set()
        for at in range(0, len(ids), CHECK_CHUNK):  # a bounded number of SQL parameters
            keep |= visible(ids[at : at + CHECK_CHUNK])
        out = [(int(store.ids[i]), float(sims[i])) for i in top if int(store.ids[i]) in keep]
        if len(out) >= k or n >= len(sims):
            return out[:k]
        n = min(len(sims), n * 4)


def fuse(*ranked: list[int]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked id lists: (id, fused score), best first."""
    scores: dict[int, float] = {}
    for ids in ranked:
        for rank, pid in enumerate(ids, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def clear_cache() -> None:
    with _lock:
        _stores.clear()
