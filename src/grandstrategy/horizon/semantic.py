"""Semantic search: passages close in meaning to a query, for hybrid ranking.

Passages ingested while the sentence encoder was in use carry a vector (``PassageVector``).
The vectors of one database are held in memory once (float16, 1 KB a passage) and extended
as passages arrive; a query is encoded and compared with all of them by one matrix-vector
product. The nearest candidates then go through the same restricted, filtered SQL as keyword
search, so a user never gets a passage above their clearance from this path either.

Keyword and semantic lists are merged by reciprocal rank fusion: each passage scores
``sum(1 / (RRF_K + rank))`` over the lists it appears in (Cormack, Clarke and Büttcher,
SIGIR 2009), which needs no calibration between BM25 scores and cosines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.horizon import embed
from grandstrategy.horizon.models import PassageVector

RRF_K = 60
CANDIDATES = 400  # nearest passages re-checked against clearance and filters
MIN_COSINE = 0.3  # below this a passage is not "close in meaning" to the query

_lock = threading.Lock()


@dataclass
class _Store:
    ids: np.ndarray  # (n,) int64, ascending
    vectors: np.ndarray  # (n, 512) float16
    upto: int  # highest passage id loaded
    count: int


_stores: dict[str, _Store] = {}


def _store(session: Session) -> _Store:
    """This database's vectors, loading only what arrived since the last call."""
    bind = session.get_bind()
    key = str(bind.engine.url)
    count, top = session.execute(select(func.count(), func.max(PassageVector.passage_id))).one()
    top = int(top or 0)
    with _lock:
        store = _stores.get(key)
        if store is None or top < store.upto or count < store.count:
            store = _Store(np.zeros(0, np.int64), np.zeros((0, embed.DIM), np.float16), 0, 0)
        if top > store.upto or count != store.count:
            rows = session.execute(
                select(PassageVector.passage_id, PassageVector.vector)
                .where(PassageVector.passage_id > store.upto)
                .order_by(PassageVector.passage_id)
            ).all()
            if rows:
                ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
                vecs = np.frombuffer(b"".join(r[1] for r in rows), np.float16)
                store = _Store(
                    np.concatenate([store.ids, ids]),
                    np.vstack([store.vectors, vecs.reshape(len(rows), embed.DIM)]),
                    int(ids[-1]),
                    store.count + len(rows),
                )
            store.count = count
        _stores[key] = store
        return store


def nearest(
    session: Session, text: str, visible: Callable[[list[int]], set[int]], k: int = 50
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
    sims = (
        store.vectors.astype(np.float32) @ query
        if len(store.ids) < 50_000
        else _chunked(store.vectors, query)
    )
    n = min(CANDIDATES, len(sims))
    top = np.argpartition(-sims, n - 1)[:n]
    top = top[np.argsort(-sims[top])]
    top = top[sims[top] >= MIN_COSINE]
    if not len(top):
        return []
    keep = visible([int(i) for i in store.ids[top]])
    out = [(int(store.ids[i]), float(sims[i])) for i in top if int(store.ids[i]) in keep]
    return out[:k]


def _chunked(vectors: np.ndarray, query: np.ndarray, size: int = 65_536) -> np.ndarray:
    """Cosines in chunks, so a million float16 rows never become one float32 copy."""
    out = np.empty(len(vectors), np.float32)
    for start in range(0, len(vectors), size):
        out[start : start + size] = vectors[start : start + size].astype(np.float32) @ query
    return out


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
