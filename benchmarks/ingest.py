"""Ingestion throughput: read, detect language, split, classify, find actors, store and index.

Runs the real ``pipeline.ingest`` over generated ~500-word documents in EN/FR/NL/DE (see
``corpus.py``) or over a JSONL corpus, and times each stage from inside that one run: the
stage functions the pipeline calls are wrapped with timers for the duration of the run (no
file under ``src/`` is touched), so the per-stage figures and the overall figure come from
the same work. A stage's docs/s is the number of documents divided by the seconds spent in
that stage alone; the overall figure is documents divided by the wall time of the whole run.

The learned model is trained once (``engine.train``, a few minutes with tuning) and cached in
the temp folder, keyed by the training data and code, so later runs start at once.

Prints figures; never asserts on time. Usage:
    .venv/bin/python benchmarks/ingest.py --docs 2000 --no-embed
    .venv/bin/python benchmarks/ingest.py --docs 2000 --embed-docs 300   # both runs
    .venv/bin/python benchmarks/ingest.py --corpus news.jsonl --profile --json
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal
from grandstrategy.core.db import make_engine, make_sessionmaker, unit_of_work, upgrade
from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking
from grandstrategy.core.models import AuditEvent, AuditHead
from grandstrategy.horizon import embed, engine, learn, pipeline
from grandstrategy.horizon.classify import Classifier, rollup
from grandstrategy.horizon.entities import EntityFinder, default_finder
from grandstrategy.horizon.ingest.language import detect_language, detect_many
from grandstrategy.horizon.ingest.passages import split_passages
from grandstrategy.horizon.ingest.readers import (
    RawDocument,
    ReadFailure,
    read_bytes,
    read_path,
)
from grandstrategy.horizon.models import Document, Label, Mention, Passage, Source, TrainedModel
from grandstrategy.horizon.rules import RuleMatcher

CACHE = Path(tempfile.gettempdir()) / "grandstrategy-bench"
_TEMP_FOLDERS: list[Path] = []


def temp_folder(tag: str) -> Path:
    """A fresh folder for one database; removed at exit unless ``--keep``."""
    folder = Path(tempfile.mkdtemp(prefix=f"gs-ingest-{tag}-"))
    _TEMP_FOLDERS.append(folder)
    return folder


def remove_temp_folders() -> None:
    for folder in _TEMP_FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)


STAGES = (
    ("read", "read/parse (JSONL reader)"),
    ("hash", "content hash"),
    ("language", "language detection"),
    ("split", "passage split"),
    ("clf_load", "classifier lookup/load"),
    ("rules", "classify: rules"),
    ("model", "classify: model (TF-IDF + linear)"),
    ("embed", "classify: embeddings (encode)"),
    ("knn", "classify: embeddings (k-NN, prototypes)"),
    ("combine", "classify: combine + labels"),
    ("entities", "entities"),
    ("store", "store: rows (Core INSERTs, FTS5 trigger)"),
    ("flush", "store: ORM flush"),
    ("audit", "store: audit events (hash chain)"),
    ("commit", "store: commit (one per chunk)"),
    ("other", "other (dedup query, sessions, loop)"),
)


# --------------------------------------------------------------------------------------------
# Timers wrapped around the pipeline's stage functions


@dataclass
class Stage:
    seconds: float = 0.0
    calls: int = 0


@dataclass
class Timings:
    """Exclusive time per stage: a timed call nested in another (rules inside classify, store
    inside a unit of work) is counted once, in its own stage, and not in its caller's."""

    stages: dict[str, Stage] = field(default_factory=lambda: {k: Stage() for k, _ in STAGES})
    _children: list[float] = field(default_factory=list)

    def enter(self) -> float:
        self._children.append(0.0)
        return time.perf_counter()

    def leave(self, key: str, t0: float) -> None:
        elapsed = time.perf_counter() - t0
        st = self.stages[key]
        st.seconds += elapsed - self._children.pop()
        st.calls += 1
        if self._children:
            self._children[-1] += elapsed


class Patches:
    """Replace attributes for the duration of a run and put them back afterwards."""

    def __init__(self) -> None:
        self._saved: list[tuple[object, str, object]] = []

    def set(self, owner: object, name: str, value: object) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def undo(self) -> None:
        for owner, name, value in reversed(self._saved):
            setattr(owner, name, value)
        self._saved.clear()


def _timed(fn: Callable[..., Any], t: Timings, key: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = t.enter()
        try:
            return fn(*args, **kwargs)
        finally:
            t.leave(key, t0)

    return wrapper


def instrument(t: Timings) -> Patches:
    """Wrap every stage function the pipeline reaches; what it does not call stays at zero."""
    p = Patches()
    for name, key in (
        ("content_hash", "hash"),
        ("detect_language", "language"),
        ("split_passages", "split"),
    ):
        if hasattr(pipeline, name):
            p.set(pipeline, name, _timed(getattr(pipeline, name), t, key))
    if hasattr(pipeline, "detect_many"):  # a batched detector, should the pipeline adopt it
        p.set(pipeline, "detect_many", _timed(pipeline.detect_many, t, "language"))
    p.set(engine, "classifier", _timed(engine.classifier, t, "clf_load"))
    p.set(RuleMatcher, "score", _timed(RuleMatcher.score, t, "rules"))
    p.set(learn.Model, "predict_proba", _timed(learn.Model.predict_proba, t, "model"))
    p.set(embed, "encode", _timed(embed.encode, t, "embed"))
    p.set(embed.ExampleIndex, "knn_scores", _timed(embed.ExampleIndex.knn_scores, t, "knn"))
    p.set(
        embed.ExampleIndex,
        "prototype_scores",
        _timed(embed.ExampleIndex.prototype_scores, t, "knn"),
    )
    p.set(Classifier, "classify", _timed(Classifier.classify, t, "combine"))
    p.set(EntityFinder, "find", _timed(EntityFinder.find, t, "entities"))
    p.set(pipeline, "store", _timed(pipeline.store, t, "store"))
    p.set(audit, "record", _timed(audit.record, t, "audit"))
    if hasattr(audit, "record_many"):
        p.set(audit, "record_many", _timed(audit.record_many, t, "audit"))
    p.set(Session, "flush", _timed(Session.flush, t, "flush"))
    original_uow = unit_of_work

    @contextmanager
    def timed_uow(factory: Any) -> Iterator[Any]:
        t0 = t.enter()
        try:
            with original_uow(factory) as s:
                yield s
        finally:
            t.leave("commit", t0)  # what store did inside is its own

    p.set(pipeline, "unit_of_work", timed_uow)
    return p


def timed_items(
    items: Iterable[RawDocument | ReadFailure], t: Timings
) -> Iterator[RawDocument | ReadFailure]:
    it = iter(items)
    while True:
        t0 = t.enter()
        try:
            item = next(it)
        except StopIteration:
            t.leave("read", t0)
            return
        t.leave("read", t0)
        yield item


# --------------------------------------------------------------------------------------------
# The trained model, cached across runs


def _model_key() -> str:
    """Changes when the training data, the taxonomy or the training code changes."""
    h = hashlib.sha256()
    pkg = resources.files("grandstrategy")
    for rel in (
        "horizon/taxonomy.yaml",
        "horizon/learn.py",
        "horizon/evaluate.py",
        "horizon/engine.py",
        "horizon/classify.py",
        "horizon/embed.py",
        "horizon/rules.py",
    ):
        h.update(pkg.joinpath(rel).read_bytes())
    for lang in corpus.LANGUAGES:
        h.update(pkg.joinpath(f"examples/labelled/{lang}.jsonl").read_bytes())
    h.update(importlib.metadata.version("scikit-learn").encode())
    h.update(b"embed" if embed.available() else b"no-embed")
    return h.hexdigest()[:16]


def ensure_model(factory: Any, user: Principal, console: Console, retrain: bool) -> str:
    """Put a trained model in the database: from the cache, else train (and cache) one."""
    with factory() as s:
        if engine.latest_model_id(s) is not None and not retrain:
            return "already in the database"
    CACHE.mkdir(parents=True, exist_ok=True)
    key = _model_key()
    blob_path, meta_path = CACHE / f"model-{key}.joblib", CACHE / f"model-{key}.json"
    if blob_path.exists() and meta_path.exists() and not retrain:
        meta = json.loads(meta_path.read_text())
        with factory() as s:
            s.add(
                TrainedModel(
                    trained_by=user.username,
                    n_examples=meta["n_examples"],
                    n_feedback=0,
                    blob=blob_path.read_bytes(),
                    metrics=meta["metrics"],
                )
            )
            s.commit()
        return f"cached ({blob_path.name}, trained in {meta['seconds']:.0f} s)"
    console.print("[dim]training the model once (engine.train with tuning); it is cached[/dim]")
    t0 = time.perf_counter()
    with factory() as s:
        report = engine.train(s, user=user)
        s.commit()
        row = s.get(TrainedModel, report.model_id)
        assert row is not None
        seconds = time.perf_counter() - t0
        blob_path.write_bytes(row.blob)
        meta_path.write_text(
            json.dumps({"n_examples": row.n_examples, "metrics": row.metrics, "seconds": seconds})
        )
    return f"trained now in {seconds:.0f} s (macro-F1 {report.macro_f1:.3f})"


# --------------------------------------------------------------------------------------------
# One run


@dataclass
class RunResult:
    label: str
    docs: int
    passages: int
    duplicates: int
    failed: int
    seconds: float
    stages: dict[str, Stage]
    language_accuracy: float | None
    embeddings: bool
    warmup_seconds: float
    cpu_seconds: float = 0.0
    load_before: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "docs": self.docs,
            "passages": self.passages,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "seconds": round(self.seconds, 4),
            "docs_per_s": round(self.docs / self.seconds, 2) if self.seconds else None,
            "passages_per_s": round(self.passages / self.seconds, 2) if self.seconds else None,
            "embeddings": self.embeddings,
            "warmup_seconds": round(self.warmup_seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "load_before": self.load_before,
            "language_accuracy": self.language_accuracy,
            "stages": {
                k: {
                    "seconds": round(st.seconds, 4),
                    "calls": st.calls,
                    "share": round(st.seconds / self.seconds, 4) if self.seconds else None,
                    "docs_per_s": round(self.docs / st.seconds, 1) if st.seconds else None,
                    "passages_per_s": round(self.passages / st.seconds, 1) if st.seconds else None,
                }
                for k, st in self.stages.items()
            },
        }


def load_items(args: argparse.Namespace, seed: int, n: int) -> tuple[bytes | Path, dict[str, str]]:
    """The input (JSONL bytes, or the corpus path) and the true language by origin."""
    if args.corpus:
        return Path(args.corpus), {}
    records = corpus.documents(n, seed=seed)
    truth = {f"bench.jsonl:{i + 1}": str(r["expected_language"]) for i, r in enumerate(records)}
    return corpus.to_jsonl(records), truth


def run_once(
    args: argparse.Namespace,
    console: Console,
    *,
    label: str,
    n: int,
    seed: int,
    use_embeddings: bool,
    profiler: cProfile.Profile | None = None,
) -> RunResult:
    if args.db:
        url = args.db
    else:
        folder = temp_folder("run")
        url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    user = Principal.operator("bench")
    how = ensure_model(factory, user, console, args.retrain)
    console.print(f"[dim]{label}: database {url}; model {how}[/dim]")
    with factory() as s:
        before = s.query(Document).count()
    if before:
        console.print(f"[yellow]the database already holds {before} documents[/yellow]")

    source, truth = load_items(args, seed, n)
    items: Iterable[RawDocument | ReadFailure]
    if isinstance(source, Path):
        items = islice(read_path(source, fmt="jsonl"), n)
    else:
        items = read_bytes("bench.jsonl", source, fmt="jsonl")

    # One-off costs a long-running ingester pays once: model load, lingua and encoder start.
    t0 = time.perf_counter()
    with factory() as s:
        engine.classifier(s, use_embeddings=use_embeddings)
    detect_language("Warm-up text for the language detector, long enough.")
    if use_embeddings:
        embed.encode(["warm-up"])
    warm = time.perf_counter() - t0

    timings = Timings()
    patches = instrument(timings)
    kwargs: dict[str, Any] = {"use_embeddings": use_embeddings}
    if args.chunk:
        kwargs["chunk"] = args.chunk
    if args.ingest_workers:
        # The preparing stages then run in the workers, where these timers do not reach:
        # they read zero and the wait for the workers is in "other". Worker start-up
        # (interpreter, imports, model load) is inside the overall time.
        kwargs["workers"] = args.ingest_workers
    try:
        if profiler:
            profiler.enable()
        load = os.getloadavg()[0]
        c0 = time.process_time()
        t0 = time.perf_counter()
        report = pipeline.ingest(
            factory, user=user, items=timed_items(items, timings), source="bench", **kwargs
        )
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        if profiler:
            profiler.disable()
    finally:
        patches.undo()

    st = timings.stages
    accounted = sum(v.seconds for k, v in st.items() if k != "other")
    st["other"].seconds = max(0.0, seconds - accounted)
    st["other"].calls = 1

    accuracy = None
    if truth:
        with factory() as s:
            got = dict(s.query(Document.origin, Document.language).all())
        hits = sum(1 for origin, lang in got.items() if truth.get(origin) == lang)
        accuracy = hits / len(got) if got else None
    return RunResult(
        label=label,
        docs=report.ingested,
        passages=report.passages,
        duplicates=report.duplicates,
        failed=len(report.failed),
        seconds=seconds,
        stages=st,
        language_accuracy=accuracy,
        embeddings=use_embeddings,
        warmup_seconds=warm,
        cpu_seconds=cpu,
        load_before=load,
    )


# --------------------------------------------------------------------------------------------
# Variants (--variants): what the same documents cost with other shapes of the pipeline.
# These are measurements of proposals, written here so that src/ stays untouched.


def fresh_factory(tag: str) -> tuple[str, Any]:
    folder = temp_folder(tag)
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    return url, make_sessionmaker(make_engine(url))


def store_core(
    session: Any,
    p: pipeline.Prepared,
    *,
    user: Principal,
    source_id: int,
    marking: Marking,
    events: list[dict[str, Any]] | None = None,
) -> int | None:
    """The rows ``pipeline.store`` writes, with Core executemany instead of ORM objects.

    On SQLite the ORM inserts one row per statement (it wants each new id back and SQLite
    cannot return them in order for a batch: "insertmanyvalues ... batch not supported"), so
    a document with 8 passages, 10 labels and 30 mentions costs about 50 statements. Here:
    one for the document, one executemany each for passages, labels and mentions, and one
    select for the new passage ids. With ``events``, the audit event is appended there for
    :func:`audit_many` instead of being written at once.
    """
    conn = session.connection()
    if conn.execute(select(Document.id).where(Document.content_hash == p.content_hash)).scalar():
        return None
    own = Marking.parse(p.raw.marking) if p.raw.marking else Marking()
    mark = marking.join(own)
    if not user.can_read(mark):
        raise Invalid(f"marking {mark} is above your clearance")
    finder = default_finder()
    doc_id = conn.execute(
        insert(Document).returning(Document.id),
        {
            "source_id": source_id,
            "title": (p.raw.title or p.raw.origin)[:500],
            "url": p.raw.url[:2000],
            "published": p.raw.date,
            "language": p.language,
            "content_hash": p.content_hash,
            "text": p.raw.text,
            "origin": p.raw.origin[:1000],
            "ingested_by": user.username,
            "categories": rollup(p.labels),
            "given_labels": list(p.raw.labels),
            "actors": [[e.id, n] for e, n in finder.summarise([m for _, m in p.mentions])],
            "marking_level": mark.level,
            "marking_compartments": mark.column_compartments,
        },
    ).scalar_one()
    conn.execute(
        insert(Passage),
        [
            {
                "document_id": doc_id,
                "seq": seq,
                "start": a,
                "end": b,
                "language": p.language,
                "text": p.raw.text[a:b],
                "marking_level": mark.level,
                "marking_compartments": mark.column_compartments,
            }
            for seq, (a, b) in enumerate(p.spans)
        ],
    )
    ids = (
        conn.execute(select(Passage.id).where(Passage.document_id == doc_id).order_by(Passage.seq))
        .scalars()
        .all()
    )
    labels = [
        {
            "passage_id": ids[seq],
            "document_id": doc_id,
            "category": lb.category,
            "score": float(lb.score),
            "rule_score": float(lb.rule_score),
            "model_prob": None if lb.model_prob is None else float(lb.model_prob),
            "terms": [[t.term, t.start, t.end] for t in lb.terms],
        }
        for seq, lbs in enumerate(p.labels)
        for lb in lbs
    ]
    if labels:
        conn.execute(insert(Label), labels)
    mentions = [
        {
            "document_id": doc_id,
            "passage_id": ids[seq],
            "entity_id": m.entity_id,
            "start": m.start,
            "end": m.end,
            "how": m.how,
        }
        for seq, m in p.mentions
    ]
    if mentions:
        conn.execute(insert(Mention), mentions)
    event = {
        "actor": user,
        "action": "horizon.ingest",
        "object_type": "document",
        "object_id": doc_id,
        "marking": mark,
        "after": {"title": p.raw.title, "hash": p.content_hash, "origin": p.raw.origin},
    }
    if events is None:
        audit.record(session, **event)
    else:
        events.append(event)
    return int(doc_id)


def audit_many(session: Any, events: list[dict[str, Any]]) -> None:
    """The events ``audit.record`` would write one by one, chained the same way, written with
    one executemany and one move of the head (a proposal for ``core/audit.py``)."""
    if not events:
        return
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=audit.GENESIS)
        session.add(head)
        session.flush()
    seq, prev = head.seq, head.hash
    rows = []
    for e in events:
        seq += 1
        mark: Marking = e["marking"]
        ev = AuditEvent(
            seq=seq,
            at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            actor=e["actor"].username,
            request_id=audit.request_id_var.get(),
            action=e["action"],
            object_type=e["object_type"],
            object_id=str(e["object_id"]),
            marking_level=mark.level,
            marking_compartments=mark.column_compartments,
            before=audit.canonical(None),
            after=audit.canonical(e["after"]),
            prev_hash=prev,
        )
        prev = audit.entry_hash(prev, ev)
        rows.append({c: getattr(ev, c) for c in _AUDIT_COLUMNS} | {"hash": prev})
    session.connection().execute(insert(AuditEvent), rows)
    head.seq, head.hash = seq, prev
    session.flush()


_AUDIT_COLUMNS = (
    "seq",
    "at",
    "actor",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "marking_level",
    "marking_compartments",
    "before",
    "after",
    "prev_hash",
)


def _source_id(factory: Any) -> int:
    with factory() as s:
        src = s.execute(select(Source).where(Source.name == "bench")).scalar()
        if src is None:
            src = Source(name="bench", kind="file")
            src.marking = Marking()
            s.add(src)
            s.commit()
        return int(src.id)


def store_all(
    factory: Any, prepared: list[pipeline.Prepared], *, how: str, chunk: int, user: Principal
) -> float:
    """Store prepared documents one of three ways; returns the seconds spent."""
    base = Marking()
    sid = _source_id(factory)
    t0 = time.perf_counter()
    if how == "orm":
        for p in prepared:
            with unit_of_work(factory) as s:
                pipeline.store(s, p, user=user, source="bench", marking=base)
    elif how == "core-doc":
        for p in prepared:
            with unit_of_work(factory) as s:
                store_core(s, p, user=user, source_id=sid, marking=base)
    else:  # core-chunk: one transaction per chunk, a savepoint per document
        for i in range(0, len(prepared), chunk):
            with unit_of_work(factory) as s:
                for p in prepared[i : i + chunk]:
                    try:
                        with s.begin_nested():
                            store_core(s, p, user=user, source_id=sid, marking=base)
                    except Invalid:
                        continue
    return time.perf_counter() - t0


def _drop_fts_trigger(factory: Any) -> str:
    with factory() as s:
        sql = s.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'horizon_fts_insert'")
        ).scalar_one()
        s.execute(text("DROP TRIGGER horizon_fts_insert"))
        s.commit()
    return str(sql)


_worker: dict[str, Any] = {}


def _worker_init(url: str, lang_chars: int, no_explain: bool) -> None:
    """A preparing process: its own engine and classifier; optionally the language sample cut
    short and no explanation sentences built when ``classify(explain=False)`` (proposals)."""
    _worker["factory"] = make_sessionmaker(make_engine(url))
    if no_explain:
        Classifier._explain = lambda self, *a, **k: ""  # type: ignore[method-assign]
    if lang_chars:
        detect = detect_language

        def shorter(txt: str, languages: tuple[str, ...] = pipeline.LANGUAGES) -> str:
            return detect(txt[:lang_chars], languages)

        name = "detect_language"  # the pipeline's own reference to it
        setattr(pipeline, name, shorter)
    with _worker["factory"]() as s:
        engine.classifier(s, use_embeddings=False)
    detect_language("Warm-up text for the language detector, long enough.")


def _worker_prepare(docs: list[RawDocument]) -> list[pipeline.Prepared]:
    if not docs:
        return []
    with _worker["factory"]() as s:
        return pipeline.prepare(s, docs, use_embeddings=False)


def parallel_pipeline(
    url: str,
    factory: Any,
    data: bytes,
    *,
    workers: int,
    chunk: int,
    lang_chars: int,
    batch_audit: bool,
    no_explain: bool = False,
) -> tuple[float, int, float]:
    """Read here, prepare in ``workers`` processes while this one stores (Core, one
    transaction per chunk, a savepoint per document); returns (seconds, documents stored,
    seconds this process waited for the workers).
    Worker start-up (imports, model load) is not counted: a long-running ingester pays it
    once."""
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing import get_context

    user = Principal.operator("bench")
    sid = _source_id(factory)
    with ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_worker_init,
        initargs=(url, lang_chars, no_explain),
    ) as pool:
        default_finder()  # compiled once per process; not part of the throughput
        warm = [pool.submit(_worker_prepare, []) for _ in range(workers)]
        for w in warm:
            w.result()
        t0 = time.perf_counter()
        reader = read_bytes("bench.jsonl", data, fmt="jsonl")

        def chunks() -> Iterator[list[RawDocument]]:
            while batch := list(islice(reader, chunk)):
                yield [d for d in batch if isinstance(d, RawDocument)]

        pending: list[Future[list[pipeline.Prepared]]] = []
        stored = 0
        it = chunks()
        for c in islice(it, workers + 1):
            pending.append(pool.submit(_worker_prepare, c))
        waited = 0.0
        while pending:
            tw = time.perf_counter()
            prepared = pending.pop(0).result()
            waited += time.perf_counter() - tw
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(_worker_prepare, nxt))
            with unit_of_work(factory) as s:
                events: list[dict[str, Any]] | None = [] if batch_audit else None
                for p in prepared:
                    with s.begin_nested():
                        got = store_core(
                            s, p, user=user, source_id=sid, marking=Marking(), events=events
                        )
                        stored += got is not None
                if events is not None:
                    audit_many(s, events)
        return time.perf_counter() - t0, stored, waited


@dataclass
class Variant:
    group: str
    name: str
    seconds: float
    docs: int
    passages: int
    note: str = ""


VARIANT_GROUPS = ("language", "prepare", "store", "pipeline")


def run_variants(
    args: argparse.Namespace, console: Console, n: int, seed: int, groups: set[str]
) -> list[Variant]:
    """Language detection, chunk size, storage shapes and a parallel pipeline."""
    out: list[Variant] = []
    records = corpus.documents(n, seed=seed)
    truth = [str(r["expected_language"]) for r in records]
    data = corpus.to_jsonl(records)
    raws = [d for d in read_bytes("v.jsonl", data, fmt="jsonl") if isinstance(d, RawDocument)]
    passages = sum(len(split_passages(d.text)) for d in raws)
    user = Principal.operator("bench")
    detect_language("Warm-up text for the language detector, long enough.")
    if "language" in groups:
        out += _language_variants(raws, truth, passages)
    prepared: list[pipeline.Prepared] = []
    if groups & {"prepare", "store"}:
        _url, factory = fresh_factory("variants")
        ensure_model(factory, user, console, False)
        for chunk in (64, 256) if "prepare" in groups else (64,):
            with factory() as s:
                engine.classifier(s, use_embeddings=False)
                t0 = time.perf_counter()
                prepared = []
                for i in range(0, len(raws), chunk):
                    prepared += pipeline.prepare(s, raws[i : i + chunk], use_embeddings=False)
                sec = time.perf_counter() - t0
            name = f"pipeline.prepare, chunks of {chunk} docs, 1 process"
            out.append(Variant("prepare", name, sec, len(raws), passages))
        if "prepare" not in groups:
            out.pop()
    if "store" in groups:
        out += _store_variants(prepared, passages, user)
    if "pipeline" in groups:
        out += _pipeline_variants(args, console, data, passages, user)
    return out


def _language_variants(raws: list[RawDocument], truth: list[str], passages: int) -> list[Variant]:
    out = []
    for chars in (2000, 1000, 600, 300):
        t0 = time.perf_counter()
        got = [detect_language(d.text[:chars], pipeline.LANGUAGES) for d in raws]
        sec = time.perf_counter() - t0
        agree = sum(a == b for a, b in zip(got, truth, strict=True)) / len(truth)
        name = f"detect_language, first {chars} chars"
        out.append(Variant("language", name, sec, len(raws), passages, f"{agree:.1%} agree"))
    for chars in (2000, 600):
        t0 = time.perf_counter()
        got = detect_many([d.text[:chars] for d in raws], pipeline.LANGUAGES)
        sec = time.perf_counter() - t0
        agree = sum(a == b for a, b in zip(got, truth, strict=True)) / len(truth)
        name = f"detect_many (lingua, all cores), {chars} chars"
        out.append(Variant("language", name, sec, len(raws), passages, f"{agree:.1%} agree"))
    return out


def _store_variants(
    prepared: list[pipeline.Prepared], passages: int, user: Principal
) -> list[Variant]:
    """The same prepared documents stored three ways, each on a fresh database."""
    out = []
    for how, name in (
        ("orm", "pipeline.store (ORM), 1 transaction per document (today)"),
        ("core-doc", "Core executemany, 1 transaction per document"),
        ("core-chunk", "Core executemany, 1 transaction per 64 docs, savepoint per doc"),
    ):
        _, f = fresh_factory(how)
        sec = store_all(f, prepared, how=how, chunk=64, user=user)
        out.append(Variant("store", name, sec, len(prepared), passages))
    _, f = fresh_factory("nofts")
    trigger = _drop_fts_trigger(f)
    sec = store_all(f, prepared, how="core-chunk", chunk=64, user=user)
    name = "same, without the FTS5 insert trigger"
    out.append(Variant("store", name, sec, len(prepared), passages, "FTS share = difference"))
    with f() as s:
        t0 = time.perf_counter()
        s.execute(text("INSERT INTO horizon_fts(horizon_fts) VALUES ('rebuild')"))
        s.execute(text(trigger))
        s.commit()
        name = "FTS5 'rebuild' of those passages afterwards"
        out.append(Variant("store", name, time.perf_counter() - t0, len(prepared), passages))
    return out


def _pipeline_variants(
    args: argparse.Namespace, console: Console, data: bytes, passages: int, user: Principal
) -> list[Variant]:
    """The whole pipeline reshaped: preparing processes, this one reading and storing."""
    out = []
    w = args.workers
    for name, lang_chars, batch_audit, no_explain, chunk in (
        (f"read + {w} prepare processes + Core store per chunk", 0, False, False, 64),
        ("same, language on the first 600 chars", 600, False, False, 64),
        ("same, plus the audit chain written per chunk (audit_many)", 600, True, False, 64),
        ("same, plus no explanation text when explain=False", 600, True, True, 64),
        ("same, chunks of 256 documents", 600, True, True, 256),
    ):
        for _ in range(args.repeat):
            u, f = fresh_factory("parallel")
            ensure_model(f, user, console, False)
            load = os.getloadavg()[0]
            sec, stored, waited = parallel_pipeline(
                u,
                f,
                data,
                workers=w,
                chunk=chunk,
                lang_chars=lang_chars,
                batch_audit=batch_audit,
                no_explain=no_explain,
            )
            with f() as s:
                chain = audit.verify(s)
                n_pass = s.execute(select(func.count()).select_from(Passage)).scalar_one()
            note = (
                f"{n_pass} passages; audit chain {'ok' if chain.ok else 'BROKEN'}; "
                f"store process waited {waited:.1f} s; load before {load:.1f}"
            )
            out.append(Variant("pipeline", name, sec, stored, passages, note))
    return out


def variants_table(vs: list[Variant]) -> Table:
    t = Table(title="Variants on the same documents (proposals; src/ unchanged)")
    for col in ("group", "variant", "seconds", "docs/s", "passages/s", "note"):
        t.add_column(col, justify="right" if col in ("seconds", "docs/s", "passages/s") else "left")
    group = ""
    for v in vs:
        if group and v.group != group:
            t.add_section()
        group = v.group
        t.add_row(
            v.group,
            v.name,
            f"{v.seconds:.2f}",
            f"{v.docs / v.seconds:,.0f}",
            f"{v.passages / v.seconds:,.0f}",
            v.note,
        )
    return t


# --------------------------------------------------------------------------------------------
# Output


def stage_table(r: RunResult) -> Table:
    emb = "with" if r.embeddings else "without"
    t = Table(title=f"{r.label}: {r.docs} documents, {r.passages} passages, {emb} embeddings")
    for col in ("stage", "seconds", "share", "docs/s", "passages/s", "calls"):
        t.add_column(col, justify="left" if col == "stage" else "right")
    for key, name in STAGES:
        s = r.stages[key]
        if s.calls == 0 and s.seconds == 0:
            continue
        t.add_row(
            name,
            f"{s.seconds:.2f}",
            f"{100 * s.seconds / r.seconds:.1f} %",
            f"{r.docs / s.seconds:,.0f}" if s.seconds > 0 else "-",
            f"{r.passages / s.seconds:,.0f}" if s.seconds > 0 else "-",
            f"{s.calls:,}",
        )
    t.add_section()
    t.add_row(
        "[bold]overall (wall time of pipeline.ingest)[/bold]",
        f"{r.seconds:.2f}",
        "100 %",
        f"[bold]{r.docs / r.seconds:,.1f}[/bold]",
        f"{r.passages / r.seconds:,.0f}",
        "",
    )
    return t


def summary_table(results: list[RunResult], target: float) -> Table:
    t = Table(title="Ingestion throughput (overall)")
    cols = ("run", "docs", "passages", "seconds", "CPU s", "load", "docs/s", "passages/s", "target")
    for col in cols:
        t.add_column(col, justify="left" if col == "run" else "right")
    for r in results:
        rate = r.docs / r.seconds if r.seconds else 0.0
        note = f"{rate / target:.2f}× of {target:.0f}" if not r.embeddings else "-"
        t.add_row(
            r.label,
            str(r.docs),
            str(r.passages),
            f"{r.seconds:.2f}",
            f"{r.cpu_seconds:.2f}",
            f"{r.load_before:.1f}",
            f"{rate:,.1f}",
            f"{r.passages / r.seconds:,.0f}" if r.seconds else "-",
            note,
        )
    return t


def profile_table(prof: cProfile.Profile, total: float, top: int) -> Table:
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (filename, line, fname), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = filename.split("site-packages/")[-1].split("src/")[-1]
        rows.append((tt, ct, nc, f"{where}:{line}({fname})"))
    t = Table(title=f"cProfile: top {top} functions by own time (share of {total:.1f} s)")
    for col in ("own s", "own %", "cumulative s", "calls", "function"):
        t.add_column(col, justify="left" if col == "function" else "right")
    for tt, ct, nc, name in sorted(rows, reverse=True)[:top]:
        t.add_row(f"{tt:.2f}", f"{100 * tt / total:.1f}", f"{ct:.2f}", f"{nc:,}", name)
    return t


def profile_rows(prof: cProfile.Profile, top: int) -> list[dict[str, Any]]:
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (filename, line, fname), (_cc, nc, tt, ct, _c) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{filename}:{line}({fname})", "own": tt, "cum": ct, "calls": nc})
    return sorted(rows, key=lambda r: -float(r["own"]))[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000, help="documents without embeddings")
    ap.add_argument("--corpus", type=Path, help="a JSONL corpus instead of generated documents")
    ap.add_argument(
        "--embed",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="--embed: only the run with embeddings; --no-embed: only the run without; "
        "neither: both",
    )
    ap.add_argument("--embed-docs", type=int, default=300, help="documents for the embedding run")
    ap.add_argument("--db", default="", help="database URL (default: a fresh temp SQLite file)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=0, help="pipeline chunk size (default: its own)")
    ap.add_argument("--retrain", action="store_true", help="train again instead of the cache")
    ap.add_argument("--keep", action="store_true", help="keep the temp databases (for a look)")
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the run(s) and print hot spots"
    )
    ap.add_argument("--top", type=int, default=30, help="functions shown by --profile")
    ap.add_argument("--target", type=float, default=330.0, help="docs/s shown for comparison")
    ap.add_argument(
        "--variants",
        nargs="?",
        const="all",
        default="",
        help="also measure other shapes: all, or some of " + ",".join(VARIANT_GROUPS),
    )
    ap.add_argument(
        "--ingest-workers",
        type=int,
        default=0,
        help="pipeline.ingest(workers=N): processes preparing chunks while this one stores",
    )
    ap.add_argument("--repeat", type=int, default=1, help="repeats of each pipeline variant")
    ap.add_argument("--no-runs", action="store_true", help="only the variants")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="for --variants")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = ap.parse_args()
    console = Console(stderr=args.json, width=150)
    if not args.keep:
        atexit.register(remove_temp_folders)

    runs: list[tuple[str, int, bool]] = []
    if args.embed is not True:
        runs.append(("no-embed", args.docs, False))
    if args.embed is not False:
        if not embed.available():
            console.print(
                "[yellow]the sentence encoder is not installed: no embedding run[/yellow]"
            )
        else:
            n = args.docs if args.embed is True else min(args.embed_docs, args.docs)
            runs.append(("embed", n, True))
    if args.no_runs:
        runs = []

    t0 = time.perf_counter()
    corpus.vocabulary()
    gen_docs = corpus.documents(200, seed=args.seed)
    gen = time.perf_counter() - t0
    words = sum(len(str(d["text"]).split()) for d in gen_docs) / max(1, len(gen_docs))

    results: list[RunResult] = []
    profiles: dict[str, list[dict[str, Any]]] = {}
    for i, (label, n, use_emb) in enumerate(runs):
        prof = cProfile.Profile() if args.profile else None
        r = run_once(
            args,
            console,
            label=label,
            n=n,
            seed=args.seed + i,
            use_embeddings=use_emb,
            profiler=prof,
        )
        results.append(r)
        if not args.json:
            console.print(stage_table(r))
            if r.language_accuracy is not None:
                console.print(
                    f"language detection agreed with the generator on "
                    f"{100 * r.language_accuracy:.1f} % of documents; one-off warm-up "
                    f"(model load, detector, encoder) {r.warmup_seconds:.1f} s, not counted"
                )
        if prof is not None:
            profiles[label] = profile_rows(prof, args.top)
            if not args.json:
                console.print(profile_table(prof, r.seconds, args.top))

    variants: list[Variant] = []
    if args.variants:
        groups = set(VARIANT_GROUPS if args.variants == "all" else args.variants.split(","))
        variants = run_variants(args, console, args.docs, args.seed + 7, groups)
        if not args.json:
            console.print(variants_table(variants))

    if args.json:
        print(
            json.dumps(
                {
                    "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                    "variants": [
                        {
                            "group": v.group,
                            "variant": v.name,
                            "seconds": round(v.seconds, 4),
                            "docs_per_s": round(v.docs / v.seconds, 1),
                            "passages_per_s": round(v.passages / v.seconds, 1),
                            "note": v.note,
                        }
                        for v in variants
                    ],
                    "generated_words_per_doc": round(words, 1),
                    "target_docs_per_s": args.target,
                    "runs": [r.as_dict() for r in results],
                    "profiles": profiles,
                },
                indent=2,
            )
        )
    else:
        console.print(summary_table(results, args.target))
        console.print(
            f"[dim]{os.cpu_count()} CPUs; generated documents average {words:.0f} words "
            f"(generator warm-up {gen:.1f} s, not counted)[/dim]"
        )


if __name__ == "__main__":
    main()
