"""Ingestion: read, split into passages, detect language, classify, find actors, store.

Documents are prepared in chunks (so the classifier sees many passages at once) and stored
one transaction per document: a crash, even ``kill -9``, leaves only whole documents, and
running the same batch again skips what is stored (by content hash) and carries on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.db import unit_of_work
from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import embed, engine
from grandstrategy.horizon.classify import Label as PassageLabel
from grandstrategy.horizon.classify import rollup
from grandstrategy.horizon.entities import Mention as EntityMention
from grandstrategy.horizon.entities import default_finder
from grandstrategy.horizon.ingest.language import detect_language
from grandstrategy.horizon.ingest.passages import split_passages
from grandstrategy.horizon.ingest.readers import RawDocument, ReadFailure
from grandstrategy.horizon.models import (
    Document,
    Label,
    Mention,
    Passage,
    PassageVector,
    Source,
)

LANGUAGES = ("en", "fr", "nl", "de")


@dataclass
class Prepared:
    raw: RawDocument
    content_hash: str
    language: str
    spans: list[tuple[int, int]]
    labels: list[list[PassageLabel]] = field(default_factory=list)
    vectors: np.ndarray | None = None  # (passages, 512) float16, when the encoder is in use
    mentions: list[tuple[int, EntityMention]] = field(default_factory=list)  # (passage seq, m)


@dataclass
class IngestReport:
    ingested: int = 0
    duplicates: int = 0
    passages: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    document_ids: list[int] = field(default_factory=list)

    @property
    def docs_per_second(self) -> float:
        return (self.ingested + self.duplicates) / self.seconds if self.seconds else 0.0


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare(
    session: Session, docs: list[RawDocument], *, use_embeddings: bool | None = None
) -> list[Prepared]:
    """Everything but storage, for a chunk of documents at once.

    ``use_embeddings``: None uses the sentence encoder when it is installed."""
    out = []
    for raw in docs:
        lang = (raw.language or "").lower()[:2] or detect_language(raw.text[:2000], LANGUAGES)
        out.append(Prepared(raw, content_hash(raw.text), lang, split_passages(raw.text)))
    texts = [raw.raw.text[s:e] for raw in out for s, e in raw.spans]
    langs: list[str | None] = [p.language for p in out for _ in p.spans]
    clf = engine.classifier(session, use_embeddings=use_embeddings)
    vectors = embed.encode(texts) if clf.index is not None and texts else None
    labels = clf.classify(texts, langs, explain=False, vectors=vectors) if texts else []
    finder = default_finder()
    i = 0
    for p in out:
        p.labels = labels[i : i + len(p.spans)]
        if vectors is not None:
            p.vectors = vectors[i : i + len(p.spans)].astype(np.float16)
        i += len(p.spans)
        for seq, (s, e) in enumerate(p.spans):
            for m in finder.find(p.raw.text[s:e]):
                p.mentions.append((seq, replace(m, start=s + m.start, end=s + m.end)))
    return out


def _source(session: Session, name: str, marking: Marking) -> Source:
    src = session.execute(select(Source).where(Source.name == name)).scalar()
    if src is None:
        src = Source(name=name, kind="file")
        src.marking = Marking()
        session.add(src)
        session.flush()
    return src


def store(
    session: Session, p: Prepared, *, user: Principal, source: str, marking: Marking
) -> int | None:
    """Store one prepared document; None when an identical text is already stored."""
    exists = session.execute(
        select(Document.id).where(Document.content_hash == p.content_hash)
    ).scalar()
    if exists is not None:
        return None
    own = Marking.parse(p.raw.marking) if p.raw.marking else Marking()
    mark = marking.join(own)
    if not user.can_read(mark):
        raise Invalid(f"marking {mark} is above your clearance")
    src = _source(session, p.raw.source or source, Marking())
    finder = default_finder()
    doc = Document(
        source_id=src.id,
        title=(p.raw.title or p.raw.origin)[:500],
        url=p.raw.url[:2000],
        published=p.raw.date,
        language=p.language,
        content_hash=p.content_hash,
        text=p.raw.text,
        origin=p.raw.origin[:1000],
        ingested_by=user.username,
        categories=rollup(p.labels),
        given_labels=list(p.raw.labels),
        actors=[[e.id, n] for e, n in finder.summarise([m for _, m in p.mentions])],
    )
    doc.marking = mark
    session.add(doc)
    session.flush()
    passages = []
    for seq, (s, e) in enumerate(p.spans):
        row = Passage(
            document_id=doc.id, seq=seq, start=s, end=e, language=p.language, text=p.raw.text[s:e]
        )
        row.marking = mark
        passages.append(row)
    session.add_all(passages)
    session.flush()
    for row, labels in zip(passages, p.labels, strict=True):
        for lb in labels:
            session.add(
                Label(
                    passage_id=row.id,
                    document_id=doc.id,
                    category=lb.category,
                    score=float(lb.score),
                    rule_score=float(lb.rule_score),
                    model_prob=None if lb.model_prob is None else float(lb.model_prob),
                    terms=[[t.term, t.start, t.end] for t in lb.terms],
                )
            )
    if p.vectors is not None:
        session.add_all(
            PassageVector(passage_id=row.id, vector=p.vectors[k].tobytes())
            for k, row in enumerate(passages)
        )
    for seq, m in p.mentions:
        session.add(
            Mention(
                document_id=doc.id,
                passage_id=passages[seq].id,
                entity_id=m.entity_id,
                start=m.start,
                end=m.end,
                how=m.how,
            )
        )
    audit.record(
        session,
        actor=user,
        action="horizon.ingest",
        object_type="document",
        object_id=doc.id,
        marking=mark,
        after={"title": doc.title, "hash": p.content_hash, "origin": doc.origin},
    )
    return doc.id


def ingest(
    factory: sessionmaker[Session],
    *,
    user: Principal,
    items: Iterable[RawDocument | ReadFailure],
    source: str = "manual",
    marking: str | None = None,
    chunk: int = 64,
    progress: Callable[[IngestReport], None] | None = None,
    use_embeddings: bool | None = None,
) -> IngestReport:
    """Ingest documents; one transaction each; failures are reported, never fatal."""
    require(user, "horizon.ingest")
    base = Marking.parse(marking) if marking else Marking()
    if not user.can_read(base):
        raise Invalid(f"marking {base} is above your clearance")
    report = IngestReport()
    t0 = time.perf_counter()
    it: Iterator[RawDocument | ReadFailure] = iter(items)
    while batch := list(islice(it, chunk)):
        docs = []
        for item in batch:
            if isinstance(item, ReadFailure):
                report.failed.append((item.origin, item.reason))
            else:
                docs.append(item)
        with factory() as s:
            known = set(
                s.execute(
                    select(Document.content_hash).where(
                        Document.content_hash.in_([content_hash(d.text) for d in docs])
                    )
                ).scalars()
            )
            fresh = [d for d in docs if content_hash(d.text) not in known]
            report.duplicates += len(docs) - len(fresh)
            prepared = prepare(s, fresh, use_embeddings=use_embeddings)
        for p in prepared:
            try:
                with unit_of_work(factory) as s:
                    doc_id = store(s, p, user=user, source=source, marking=base)
            except Invalid as exc:
                report.failed.append((p.raw.origin, exc.message))
                continue
            if doc_id is None:
                report.duplicates += 1
            else:
                report.ingested += 1
                report.passages += len(p.spans)
                report.document_ids.append(doc_id)
        report.seconds = time.perf_counter() - t0
        if progress:
            progress(report)
    report.seconds = time.perf_counter() - t0
    return report
