"""Semantic vectors, filled in behind ingestion by a job that catches up.

Encoding passages with the sentence encoder is most of what an ingest with embeddings costs
(about 240 passages/s on two cores, against thousands for everything else), so ingestion no
longer waits for it. A stored document is at once searchable by keyword and labelled by the
rules and the learned model; its passages join the queue of passages without a vector. The
job takes them oldest first, a few whole documents at a time, and for each batch:

1. encodes the passages (outside any transaction);
2. stores their vectors and labels them again with the embedding signal added (the full
   classifier: macro-F1 0.79 on the starter test split, against 0.755 for rules and model
   alone), replacing the passages' automatic labels and their documents' category roll-up
   in one transaction;
3. groups the documents into stories and, when due, refreshes the alerts (with the encoder
   in use, stories wait for the vectors: a French and a Dutch report of one event meet only
   through them).

Who runs the job: ``grandstrategy serve`` runs it in the background (``vector_worker``
setting, on by default), ``grandstrategy horizon vectors`` runs it now with a progress bar,
and an ingest asked to wait (``wait_vectors``) runs it for its own documents before it
returns. The queue's length is shown on the horizon page and by ``GET /api/horizon/vectors``,
counted over what the reader may see only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.db import (
    GATE_WAIT_S,
    DatabaseBusy,
    RequestScope,
    WriteGate,
    gate_for,
    request_scope,
    unit_of_work,
)
from grandstrategy.horizon import embed
from grandstrategy.horizon.classify import engine
from grandstrategy.horizon.classify.labels import NONE, Prediction
from grandstrategy.horizon.models import Document, Label, Passage, PassageVector

log = logging.getLogger(__name__)

BATCH_PASSAGES = 256  # about a second of encoding on two cores
IDLE_SECONDS = 2.0  # how long the background job sleeps when the queue is empty
# Per database: (floor, witness): every passage below ``floor`` has its vector, and the
# passage ``witness`` (the highest below the floor with a vector) proves the floor still
# holds: SQLite reuses the ids of rolled-back rows, and a reused id has no vector yet.
_low: dict[str, tuple[int, int]] = {}
_low_lock = threading.Lock()


def in_use(session: Session | None = None, enabled: bool = True) -> bool:
    """Whether passages get vectors: the encoder installed and not switched off."""
    return enabled and embed.available()


def background_vectors(settings: Any) -> bool:
    """Whether a server with these settings runs the vector job in the background."""
    return bool(settings.vector_worker and settings.embeddings and in_use())


def _missing() -> ColumnElement[bool]:
    return ~exists().where(PassageVector.passage_id == Passage.id)


def _key(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _floor(session: Session) -> int:
    key = _key(session)
    with _low_lock:
        floor, witness = _low.get(key, (0, 0))
    if not floor:
        return 0
    held = session.execute(
        select(PassageVector.passage_id)
        .join(Passage, Passage.id == PassageVector.passage_id)
        .where(PassageVector.passage_id == witness)
    ).first()
    if held is None:  # rows rolled back, ids reused: start from the bottom again
        with _low_lock:
            _low.pop(key, None)
        return 0
    return floor


def _raise_floor(session: Session, value: int) -> None:
    witness = session.execute(
        select(func.max(PassageVector.passage_id)).where(PassageVector.passage_id < value)
    ).scalar()
    if witness is None:  # nothing below to prove it by: keep no floor
        return
    with _low_lock:
        key = _key(session)
        if value > _low.get(key, (0, 0))[0]:
            _low[key] = (value, int(witness))


@dataclass
class QueueStatus:
    """The queue as one reader sees it: passages waiting, and passages with a vector."""

    waiting: int
    enabled: bool


def status(session: Session, *, user: Principal, enabled: bool = True) -> QueueStatus:
    """Passages the reader may see that wait for their vector (0 when vectors are off)."""
    require(user, "horizon.read")
    if not in_use(session, enabled):
        return QueueStatus(waiting=0, enabled=False)
    q = select(func.count(Passage.id)).where(Passage.id >= _floor(session), _missing())
    waiting = int(session.execute(restrict(q, user, Passage)).scalar_one())
    return QueueStatus(waiting=waiting, enabled=True)


def _next_batch(
    session: Session, document_ids: list[int] | None, limit: int
) -> list[tuple[int, int, str, str]]:
    """(passage id, document id, text, language) of the next whole documents in the queue:
    the oldest first, up to about ``limit`` passages (at least one document)."""
    q = select(Passage.document_id).where(Passage.id >= _floor(session), _missing())
    if document_ids is not None:
        q = q.where(Passage.document_id.in_(document_ids))
    first = session.execute(q.order_by(Passage.id).limit(1)).scalar()
    if first is None:
        if document_ids is None:
            top = session.execute(select(func.max(Passage.id))).scalar() or 0
            _raise_floor(session, int(top) + 1)
        return []
    if document_ids is None:
        low = session.execute(
            select(func.min(Passage.id)).where(Passage.document_id == first)
        ).scalar_one()
        _raise_floor(session, int(low))
    docs = list(
        session.execute(
            q.with_only_columns(Passage.document_id)
            .group_by(Passage.document_id)
            .order_by(Passage.document_id)
            .limit(max(1, limit // 4))
        ).scalars()
    )
    rows = session.execute(
        select(Passage.id, Passage.document_id, Passage.text, Passage.language)
        .where(Passage.document_id.in_(docs), _missing())
        .order_by(Passage.document_id, Passage.seq)
    ).all()
    out: list[tuple[int, int, str, str]] = []
    for pid, did, text, lang in rows:
        if out and len(out) >= limit and did != out[-1][1]:
            break
        out.append((int(pid), int(did), str(text), str(lang)))
    return out


def _store(
    session: Session,
    rows: list[tuple[int, int, str, str]],
    vecs: np.ndarray,
    labels: list[list[Prediction]],
) -> list[int]:
    """Vectors and new labels of one batch; the documents whose roll-up changed."""
    ids = [r[0] for r in rows]
    have = set(
        session.execute(
            select(PassageVector.passage_id).where(PassageVector.passage_id.in_(ids))
        ).scalars()
    )  # filled meanwhile by another worker: keep theirs
    todo = [i for i, r in enumerate(rows) if r[0] not in have]
    if not todo:
        return []
    half = vecs.astype(np.float16)
    session.execute(
        insert(PassageVector),
        [{"passage_id": rows[i][0], "vector": half[i].tobytes()} for i in todo],
    )
    session.execute(delete(Label).where(Label.passage_id.in_([rows[i][0] for i in todo])))
    new = [
        {
            "passage_id": rows[i][0],
            "document_id": rows[i][1],
            "category": lb.category,
            "score": float(lb.score),
            "rule_score": float(lb.rule_score),
            "model_prob": None if lb.model_prob is None else float(lb.model_prob),
            "terms": [[t.term, t.start, t.end] for t in lb.terms],
        }
        for i in todo
        for lb in labels[i]
    ]
    if new:
        session.execute(insert(Label), new)
    docs = sorted({rows[i][1] for i in todo})
    best: dict[int, dict[str, float]] = {d: {} for d in docs}
    for d, cat, score in session.execute(
        select(Label.document_id, Label.category, Label.score).where(Label.document_id.in_(docs))
    ):
        best[d][cat] = max(best[d].get(cat, 0.0), float(score))
    for d, cats in best.items():
        if len(cats) > 1:
            cats.pop(NONE, None)  # as ``classify.rollup``: 'none' only when nothing else
        rolled = dict(sorted(cats.items(), key=lambda kv: (-kv[1], kv[0])))
        session.execute(update(Document).where(Document.id == d).values(categories=rolled))
    return docs


def catch_up(
    factory: sessionmaker[Session],
    *,
    document_ids: list[int] | None = None,
    limit: int | None = None,
    batch: int = BATCH_PASSAGES,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    gate: WriteGate | None = None,
) -> int:
    """Fill the queue (or only ``document_ids``' passages); the number of passages done.

    Part of ingestion, run by the system: the documents were checked and stored by their
    ingester, and nothing here is shown to anyone. ``limit`` bounds the passages of one call;
    ``progress`` is told the running total after each batch; ``stop`` ends it between
    batches. ``gate``: the server's write gate (``core/db.py``), held while each batch is
    written (vectors, labels, stories, alerts) so the job never writes beside a request;
    reading and encoding happen outside it."""
    from grandstrategy.horizon import analysis  # stories and alerts follow the vectors

    done = 0
    stories = analysis.Batch()
    while limit is None or done < limit:
        if stop is not None and stop.is_set():
            break
        with unit_of_work(factory) as s:
            rows = _next_batch(s, document_ids, batch)
            clf = engine.classifier(s, use_embeddings=True) if rows else None
        if not rows or clf is None:
            break
        texts = [r[2] for r in rows]
        vecs = embed.encode(texts)
        labels = clf.classify(texts, [r[3] for r in rows], explain=False, vectors=vecs)
        with _holding(gate):
            with unit_of_work(factory) as s:
                docs = _store(s, rows, vecs, labels)
            analysis.after_chunk(factory, docs, stories)
        done += len(rows)
        if progress:
            progress(done)
    with _holding(gate):
        analysis.after_batch(factory, stories)
    return done


@contextmanager
def _holding(gate: WriteGate | None) -> Iterator[None]:
    """Hold the write gate (when given) for a block of writes, as a writing request does."""
    if gate is None:
        yield
        return
    if not gate.try_acquire(GATE_WAIT_S):
        raise DatabaseBusy("the vector job waited too long for the database")
    try:
        with request_scope(RequestScope(writer=True)):
            yield
    finally:
        gate.release()


class Worker:
    """The background job of a server: catches up whenever passages wait (one thread)."""

    def __init__(self, factory: sessionmaker[Session], engine: Engine) -> None:
        self.factory = factory
        self.gate = gate_for(engine)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="horizon-vectors", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                done = catch_up(
                    self.factory, limit=BATCH_PASSAGES * 4, stop=self.stop, gate=self.gate
                )
            except DatabaseBusy:  # requests went first (core/db.py): expected under load
                log.warning("the vector job waited for the database; it tries again shortly")
                done = 0
            except Exception:  # a vanished row, anything unexpected: log, wait, try again
                log.exception("the vector job failed; it tries again shortly")
                done = 0
            if not done:
                self.stop.wait(IDLE_SECONDS)
            else:
                time.sleep(0)  # let request threads in between batches
