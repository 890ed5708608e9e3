"""Storing prepared documents: what preparing yields (``Prepared``, with its rows), and the
multi-row INSERTs of a chunk's documents, passages, labels and mentions with their audit
events, in the caller's transaction (``pipeline`` runs the batch around them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, restrict
from grandstrategy.core.bulkwrite import insert_rows
from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking
from grandstrategy.core.models import utcnow
from grandstrategy.horizon.classify.labels import Prediction, rollup
from grandstrategy.horizon.entities import ActorMatch, default_finder
from grandstrategy.horizon.ingest.raw import RawDocument
from grandstrategy.horizon.models import Document, Label, Mention, Passage, Source


@dataclass
class Prepared:
    raw: RawDocument
    content_hash: str
    language: str
    spans: list[tuple[int, int]]
    labels: list[list[Prediction]] = field(default_factory=list)
    mentions: list[tuple[int, ActorMatch]] = field(default_factory=list)  # (passage seq, m)
    refused: str = ""  # why the document is not stored (nothing else is computed for it)
    # What stories compare (``stories.features`` of its title and opening), when asked for
    # at preparation, so that it is computed where preparing runs (a worker process).
    story_features: tuple[np.ndarray, np.ndarray] | None = None
    document_id: int | None = None  # once stored
    rows: Rows | None = None  # what ``store_many`` writes from labels and mentions

    def compact(self) -> Prepared:
        """The same document with its labels and mentions as plain rows only: what a worker
        sends back (tuples of numbers and strings cost a fraction of the objects to send and
        to read back, and the storing process no longer builds them)."""
        if self.rows is None and not self.refused:
            self.rows = rows_of(self, default_finder())
        self.labels, self.mentions = [], []
        return self


LabelRow = tuple[int, str, float, float, float | None, list[list[object]]]
MentionRow = tuple[int, str, int, int, str]


@dataclass
class Rows:
    """A document's values for the documents, labels and mentions tables, ids left out:
    labels are (passage seq, category, score, rule score, model probability, terms as
    [term, start, end]); mentions are (passage seq, entity, start, end, how)."""

    categories: dict[str, float]
    actors: list[list[object]]
    labels: list[LabelRow]
    mentions: list[MentionRow]


def rows_of(p: Prepared, finder: Any) -> Rows:
    return Rows(
        categories=rollup(p.labels),
        actors=[[e.id, n] for e, n in finder.summarise([m for _, m in p.mentions])],
        labels=[
            (
                seq,
                lb.category,
                float(lb.score),
                float(lb.rule_score),
                None if lb.model_prob is None else float(lb.model_prob),
                [[t.term, t.start, t.end] for t in lb.terms],
            )
            for seq, passage_labels in enumerate(p.labels)
            for lb in passage_labels
        ],
        mentions=[(seq, m.entity_id, m.start, m.end, m.how) for seq, m in p.mentions],
    )


def stored_title(raw: RawDocument) -> str:
    return (raw.title or raw.origin)[:500]


def _visible_hashes(session: Session, user: Principal, hashes: list[str]) -> set[str]:
    """Those of ``hashes`` whose text is stored in a document ``user`` may see.

    De-duplication is scoped to the uploader's view: a text identical to a document they
    cannot see is stored again, at their marking (one copy per marking, see
    ``Document``), so "duplicate" never tells them that a hidden document holds it."""
    if not hashes:
        return set()
    q = restrict(
        select(Document.content_hash).where(Document.content_hash.in_(hashes)), user, Document
    )
    return set(session.execute(q).scalars())


def _source(session: Session, name: str) -> int:
    src = session.execute(select(Source.id).where(Source.name == name)).scalar()
    if src is None:
        row = Source(name=name, kind="file")
        row.marking = Marking()
        session.add(row)
        session.flush()
        src = row.id
    return int(src)


def store(
    session: Session,
    p: Prepared,
    *,
    user: Principal,
    source: str,
    marking: Marking,
    events: list[audit.Event] | None = None,
    sources: dict[str, int] | None = None,
) -> int | None:
    """Store one prepared document; None when an identical text is already stored."""
    stored, _duplicates, failed = store_many(
        session, [p], user=user, source=source, marking=marking, events=events, sources=sources
    )
    if failed:
        raise Invalid(failed[0][1])
    return stored[0][0] if stored else None


def store_many(
    session: Session,
    prepared: list[Prepared],
    *,
    user: Principal,
    source: str,
    marking: Marking,
    events: list[audit.Event] | None = None,
    sources: dict[str, int] | None = None,
) -> tuple[list[tuple[int, int]], int, list[tuple[str, str]]]:
    """Store prepared documents in the caller's transaction: ((document id, passages) of each
    stored, duplicates skipped, (origin, reason) of each refused).

    Rows are written with SQLAlchemy Core, one multi-row INSERT per table for all the
    documents (the ORM would issue one ``INSERT … RETURNING`` per row: about 50 statements
    for one 500-word document); new ids are read back by content hash and (document, seq).
    The audit events are written at once, or appended to ``events`` for the caller to write
    with ``audit.record_many`` in the same transaction. ``sources`` caches source ids.
    """
    conn = session.connection()
    failed: list[tuple[str, str]] = []
    todo: dict[str, tuple[Prepared, Marking]] = {}
    duplicates = 0
    for p in prepared:
        own = Marking.parse(p.raw.marking) if p.raw.marking else Marking()
        mark = marking.join(own)
        if p.refused:
            failed.append((p.raw.origin, p.refused))
        elif not user.can_read(mark):
            failed.append((p.raw.origin, f"marking {mark} is above your clearance"))
        elif p.content_hash in todo:
            duplicates += 1
        else:
            todo[p.content_hash] = (p, mark)
    if todo:  # a duplicate only of what the uploader may see (see ``_visible_hashes``)
        for known in _visible_hashes(session, user, list(todo)):
            del todo[known]
            duplicates += 1
    if not todo:
        return [], duplicates, failed
    sources = {} if sources is None else sources
    finder = default_finder()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for h, (p, mark) in todo.items():
        name = p.raw.source or source
        if name not in sources:
            sources[name] = _source(session, name)
        if p.rows is None:
            p.rows = rows_of(p, finder)
        rows.append(
            {
                "source_id": sources[name],
                "title": stored_title(p.raw),
                "url": p.raw.url[:2000],
                "published": p.raw.date,
                "language": p.language,
                "content_hash": h,
                "text": p.raw.text,
                "origin": p.raw.origin[:1000],
                "ingested_at": now,
                "ingested_by": user.username,
                "categories": p.rows.categories,
                "given_labels": list(p.raw.labels),
                "actors": p.rows.actors,
                "marking_level": mark.level,
                "marking_compartments": mark.column_compartments,
            }
        )
    insert_rows(session, Document, rows)
    wanted = {(h, mark.level, mark.column_compartments) for h, (_p, mark) in todo.items()}
    doc_ids: dict[str, int] = {
        h: int(i)
        for h, level, comps, i in conn.execute(
            select(
                Document.content_hash,
                Document.marking_level,
                Document.marking_compartments,
                Document.id,
            ).where(Document.content_hash.in_(list(todo)))
        ).all()
        if (h, level, comps) in wanted
    }
    passages = [
        {
            "document_id": doc_ids[h],
            "seq": seq,
            "start": a,
            "end": b,
            "language": p.language,
            "text": p.raw.text[a:b],
            "marking_level": mark.level,
            "marking_compartments": mark.column_compartments,
        }
        for h, (p, mark) in todo.items()
        for seq, (a, b) in enumerate(p.spans)
    ]
    insert_rows(session, Passage, passages)
    pid: dict[tuple[int, int], int] = {
        (int(d), int(q)): int(i)
        for d, q, i in conn.execute(
            select(Passage.document_id, Passage.seq, Passage.id).where(
                Passage.document_id.in_(list(doc_ids.values()))
            )
        ).all()
    }
    labels: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    for h, (p, _mark) in todo.items():
        d = doc_ids[h]
        assert p.rows is not None
        labels += [
            {
                "passage_id": pid[d, seq],
                "document_id": d,
                "category": category,
                "score": score,
                "rule_score": rule_score,
                "model_prob": model_prob,
                "terms": terms,
            }
            for seq, category, score, rule_score, model_prob, terms in p.rows.labels
        ]
        mentions += [
            {
                "document_id": d,
                "passage_id": pid[d, seq],
                "entity_id": entity,
                "start": start,
                "end": end,
                "how": how,
            }
            for seq, entity, start, end, how in p.rows.mentions
        ]
    insert_rows(session, Label, labels)
    insert_rows(session, Mention, mentions)
    new = [
        audit.Event(
            actor=user,
            action="horizon.ingest",
            object_type="document",
            object_id=doc_ids[row["content_hash"]],
            marking=mark,
            after={"title": row["title"], "hash": row["content_hash"], "origin": row["origin"]},
        )
        for row, (_p, mark) in zip(rows, todo.values(), strict=True)
    ]
    if events is None:
        audit.record_many(session, new)
    else:
        events += new
    for h, (p, _mark) in todo.items():
        p.document_id = doc_ids[h]
    stored = [(doc_ids[h], len(p.spans)) for h, (p, _mark) in todo.items()]
    return stored, duplicates, failed
