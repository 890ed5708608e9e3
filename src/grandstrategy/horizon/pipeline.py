"""Ingestion: read, split into passages, detect language, classify, find actors, store.

Documents are prepared in chunks (so the classifier sees many passages at once) and stored
one transaction per chunk with a savepoint per document: a document that fails is rolled
back alone and the batch carries on; a crash, even ``kill -9``, leaves only whole documents
(the chunk in flight is lost whole), and running the same batch again skips what is stored
(by content hash) and carries on. Rows go in with one multi-row INSERT per table and the
chunk's audit events with one ``audit.record_many``, which is most of the speed
(``ingest/store.py``; this module runs the batch around it).
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.db import unit_of_work
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import stories
from grandstrategy.horizon.classify.engine import classifier as current_classifier
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.entities import ActorMatch, default_finder
from grandstrategy.horizon.ingest.language import detect_language
from grandstrategy.horizon.ingest.passages import split_passages
from grandstrategy.horizon.ingest.readers import RawDocument, ReadFailure
from grandstrategy.horizon.ingest.store import LabelRow as LabelRow
from grandstrategy.horizon.ingest.store import MentionRow as MentionRow
from grandstrategy.horizon.ingest.store import Prepared as Prepared
from grandstrategy.horizon.ingest.store import Rows as Rows
from grandstrategy.horizon.ingest.store import _visible_hashes
from grandstrategy.horizon.ingest.store import rows_of as rows_of
from grandstrategy.horizon.ingest.store import store as store
from grandstrategy.horizon.ingest.store import store_many as store_many
from grandstrategy.horizon.ingest.store import stored_title as stored_title

LANGUAGES = ("en", "fr", "nl", "de")
# Caps on one document, so that a decompression bomb or a runaway file is refused at once
# with a reason instead of occupying the ingester for minutes: about 600 pages of text.
MAX_TEXT_CHARS = 2_000_000
MAX_PASSAGES = 2_000


@dataclass
class IngestReport:
    ingested: int = 0
    duplicates: int = 0
    passages: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    document_ids: list[int] = field(default_factory=list)
    vectors_waiting: int = 0  # passages left to the vector job (0 when waited for or off)
    vector_seconds: float = 0.0  # time spent waiting for this ingest's vectors
    workers: int = 0  # worker processes that prepared beside this one
    worker_start: str = ""  # how they started: "fork" or "spawn" (see ingest/workers.py)

    @property
    def docs_per_second(self) -> float:
        return (self.ingested + self.duplicates) / self.seconds if self.seconds else 0.0


def too_long(chars: int) -> str:
    return _("text too long ({n:,} characters; at most {limit:,} a document)").format(
        n=chars, limit=MAX_TEXT_CHARS
    )


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare(
    session: Session, docs: list[RawDocument], *, use_embeddings: bool | None = None
) -> list[Prepared]:
    """Everything but storage, for a chunk of documents at once.

    Labels come from the rules and the learned model at once; the embedding signal is added
    when the passages' vectors are filled in (``vectors.py``). ``use_embeddings`` is kept
    for callers of the old signature and has no effect here."""
    return prepare_with(current_classifier(session, use_embeddings=False), docs)


def prepare_with(
    clf: Classifier, docs: list[RawDocument], *, story_features: bool = False
) -> list[Prepared]:
    """``prepare`` with the classifier given: no database, so it runs anywhere (a cluster's
    worker, see ``ingest/cluster.py``). ``story_features``: also what stories compare by
    character n-grams (for stories formed at once, without the encoder)."""
    out = []
    for raw in docs:
        lang = (raw.language or "").lower()[:2] or detect_language(raw.text, LANGUAGES)
        spans = split_passages(raw.text)
        refused = ""
        if len(spans) > MAX_PASSAGES:
            refused = _("too many passages ({n:,}; at most {limit:,} a document)").format(
                n=len(spans), limit=MAX_PASSAGES
            )
            spans = []
        out.append(Prepared(raw, content_hash(raw.text), lang, spans, refused=refused))
    texts = [raw.raw.text[s:e] for raw in out for s, e in raw.spans]
    langs: list[str | None] = [p.language for p in out for _ in p.spans]
    labels = clf.classify(texts, langs, explain=False) if texts else []
    finder = default_finder()
    i = 0
    for p in out:
        p.labels = labels[i : i + len(p.spans)]
        i += len(p.spans)
        for seq, (s, e) in enumerate(p.spans):
            for m in finder.find(p.raw.text[s:e]):
                p.mentions.append(
                    (seq, ActorMatch(m.entity_id, m.surface, s + m.start, s + m.end, m.how))
                )
        if story_features and not p.refused:
            p.story_features = stories.features(stories.head_text(stored_title(p.raw), p.raw.text))
    return out


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
    workers: int = 0,
    wait_vectors: bool = True,
    cluster: Any = None,
) -> IngestReport:
    """Ingest documents; each one whole or not at all; failures are reported, never fatal.

    Stored documents are searchable by keyword and labelled (rules and model) at once. With
    the encoder in use (``use_embeddings`` None: when installed; False: not for this ingest,
    so its stories are grouped by character n-grams at once), their passages' vectors, the
    labels with the embedding signal, stories and alerts follow: before this returns when
    ``wait_vectors``, else from the vector job (``vectors.py``), and ``vectors_waiting``
    says how many passages wait.

    ``workers``: processes that prepare chunks (language, passages, classification, actors)
    while this one stores; 0 prepares here. This process prepares too whenever the next
    chunk to store is not ready (the first chunk, and while a spawned worker starts), so
    nothing waits idle; see ``ingest/workers.py``. The whole batch is labelled by the model
    that was current when it began, whoever prepares a chunk.

    ``cluster``: a Dask scheduler's address or a ``distributed.Client``; chunks are then
    prepared on that cluster's workers (``workers`` is not used) while this process stores:
    see ``ingest/cluster.py``.
    """
    from grandstrategy.horizon import analysis, vectors  # stories and alerts, after chunks
    from grandstrategy.horizon.ingest import workers as local_workers

    require(user, "horizon.ingest")
    base = Marking.parse(marking) if marking else Marking()
    if not user.can_read(base):
        raise Invalid(f"marking {base} is above your clearance")
    report = IngestReport()
    t0 = time.perf_counter()
    with unit_of_work(factory) as s:
        encoding = vectors.in_use(s)
    encoder = encoding and use_embeddings is not False
    batch = analysis.Batch(use_encoder=encoder)
    # Stories (and so alerts) follow the vectors: when the vector job is left to add them,
    # it also brings the documents into stories and alerts, and doing it here as well cost
    # a writing request a refresh of the alerts over the whole archive for nothing.
    analyse = not (encoder and not wait_vectors)
    # Stories by character n-grams right after each chunk: what they compare is computed
    # where the chunk is prepared (in a worker, when there are workers).
    chars = analyse and not encoder
    chunks = _fresh_chunks(factory, iter(items), chunk, report, user)
    with factory() as s:  # the batch is labelled by the model current when it began
        clf = current_classifier(s, use_embeddings=False)

    def here(docs: list[RawDocument]) -> list[Prepared]:
        return prepare_with(clf, docs, story_features=chars) if docs else []

    prepared_chunks: Iterator[list[Prepared]]
    if cluster is not None:
        from grandstrategy.horizon.ingest import cluster as dask_cluster

        prepared_chunks = dask_cluster.prepare_chunks(chunks, clf, cluster)
    elif workers > 0:

        def started(method: str) -> None:
            report.workers, report.worker_start = workers, method

        prepared_chunks = local_workers.prepare_in_workers(
            chunks, workers, here, classifier=clf, story_features=chars, started=started
        )
    else:
        prepared_chunks = (here(docs) for docs in chunks)
    sources: dict[str, int] = {}  # source ids, looked up once per batch
    with _long_lived_frozen() as settled:
        for prepared in prepared_chunks:
            stored_before = len(report.document_ids)
            _store_chunk(
                factory,
                prepared,
                report,
                user=user,
                source=source,
                marking=base,
                known_sources=sources,
            )
            if analyse:
                features = {
                    p.document_id: p.story_features
                    for p in prepared
                    if p.document_id is not None and p.story_features is not None
                }
                analysis.after_chunk(
                    factory, report.document_ids[stored_before:], batch, features=features
                )
            settled()
            report.seconds = time.perf_counter() - t0
            if progress:
                progress(report)
    if analyse:
        analysis.after_batch(factory, batch)  # the alerts, once the batch is stored
    report.seconds = time.perf_counter() - t0
    if encoder and wait_vectors and report.document_ids:
        t1 = time.perf_counter()
        ids = report.document_ids
        for k in range(0, len(ids), 500):
            vectors.catch_up(factory, document_ids=ids[k : k + 500])
        report.vector_seconds = time.perf_counter() - t1
    elif encoding:
        report.vectors_waiting = report.passages
    return report


@contextmanager
def _long_lived_frozen() -> Iterator[Callable[[], None]]:
    """Keep what lives as long as the process out of the batch's full garbage collections.

    A batch allocates millions of objects, which sets off dozens of full collections, and
    each one walked every object of the process (models, vocabularies, caches, the ORM's
    tables): about a tenth of the ingestion time. ``gc.freeze`` moves the objects alive now
    out of the collector's sight, once at the start and once more after the first chunk (the
    classifier and its caches are loaded by then); ``gc.unfreeze`` at the end gives them
    back, so nothing is held longer than the batch. The call yielded marks a chunk done.
    """
    gc.freeze()
    chunks = 0

    def settled() -> None:
        nonlocal chunks
        chunks += 1
        if chunks == 1:
            gc.freeze()

    try:
        yield settled
    finally:
        gc.unfreeze()


def _fresh_chunks(
    factory: sessionmaker[Session],
    it: Iterator[RawDocument | ReadFailure],
    chunk: int,
    report: IngestReport,
    user: Principal,
) -> Iterator[list[RawDocument]]:
    """Chunks of the documents not stored yet (read failures and duplicates are counted)."""
    while batch := list(islice(it, chunk)):
        docs = []
        for item in batch:
            if isinstance(item, ReadFailure):
                report.failed.append((item.origin, item.reason))
            elif len(item.text) > MAX_TEXT_CHARS:
                report.failed.append((item.origin, too_long(len(item.text))))
            else:
                docs.append(item)
        hashes = [content_hash(d.text) for d in docs]
        with factory() as s:
            known = _visible_hashes(s, user, list(set(hashes)))
        fresh, seen = [], known
        for d, h in zip(docs, hashes, strict=True):
            if h not in seen:  # stored already, or twice in this chunk: prepare once
                seen.add(h)
                fresh.append(d)
        report.duplicates += len(docs) - len(fresh)
        yield fresh


def _store_chunk(
    factory: sessionmaker[Session],
    prepared: list[Prepared],
    report: IngestReport,
    *,
    user: Principal,
    source: str,
    marking: Marking,
    known_sources: dict[str, int] | None = None,
) -> None:
    """One transaction for the chunk. ``known_sources``: source ids stored by earlier
    chunks, looked up once per batch (those this chunk adds are added once committed).

    The chunk is first written whole inside a savepoint (documents above the user's
    clearance are refused before anything is written). Should a row clash (the same text
    stored meanwhile by a concurrent ingester), that savepoint is rolled back and the
    documents are written one by one, each in its own savepoint: no partial document, and
    the rest of the chunk is stored. A crash before the commit loses the chunk's documents
    whole, and running the batch again stores them (they are not known by content hash yet).
    The chunk's audit events are chained and written together, in the same transaction.
    """
    if not prepared:
        return
    events: list[audit.Event] = []
    stored: list[tuple[int, int]] = []  # (document id, passages)
    failed: list[tuple[str, str]] = []
    duplicates = 0
    sources = dict(known_sources or {})
    with unit_of_work(factory) as s:
        try:  # the whole chunk at once (a few statements), unless a row clashes
            with s.begin_nested():
                batch: list[audit.Event] = []
                stored, duplicates, failed = store_many(
                    s,
                    prepared,
                    user=user,
                    source=source,
                    marking=marking,
                    events=batch,
                    sources=sources,
                )
            events += batch
        except IntegrityError:  # e.g. a text stored meanwhile by another ingester
            sources.clear()  # a source made in the rolled-back savepoint is gone too
            for p in prepared:  # ids handed out in the rolled-back savepoint are gone too
                p.document_id = None
            for p in prepared:  # then document by document, each in its own savepoint
                try:
                    with s.begin_nested():
                        doc_id = store(
                            s,
                            p,
                            user=user,
                            source=source,
                            marking=marking,
                            events=events,
                            sources=sources,
                        )
                except Invalid as exc:
                    failed.append((p.raw.origin, exc.message))
                    continue
                except IntegrityError:
                    sources.clear()
                    duplicates += 1
                    continue
                if doc_id is None:
                    duplicates += 1
                else:
                    stored.append((doc_id, len(p.spans)))
        audit.record_many(s, events)
    if known_sources is not None:
        known_sources.update(sources)
    report.failed += failed
    report.duplicates += duplicates
    report.ingested += len(stored)
    report.passages += sum(n for _, n in stored)
    report.document_ids += [d for d, _ in stored]
