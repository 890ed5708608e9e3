"""Ingestion throughput: read, detect language, split, classify, find actors, store and index.

Runs the real ``pipeline.ingest`` over generated ~500-word documents in EN/FR/NL/DE (see
``corpus.py``) or over a JSONL corpus, and times each stage from inside that one run: the
stage functions the pipeline calls are wrapped with timers for the duration of the run (no
file under ``src/`` is touched), so the per-stage figures and the overall figure come from
the same work. A stage's docs/s is the number of documents divided by the seconds spent in
that stage alone; the overall figure is documents divided by the wall time of the whole run.

Before each run the bare reference pipeline (``reference_pipeline.py``: JSON lines, sha256,
paragraphs, hashed-bigram linear classifier, SQLite WAL + FTS5) ingests the same documents in
the same process, and each run prints one JSON line with its speed as a ratio to it, so the
figure holds on a machine loaded by other work. The corpus is streamed line by line (a
generated one is written to a temp file first), so no reader size limit applies to it.
Runs: "no-embed" (the encoder off altogether, as without it installed or with
``GRANDSTRATEGY_EMBEDDINGS=false``: stories by character n-grams at once) and "shipped" (as
``horizon ingest`` does by default: documents stored, labelled by rules and model and indexed,
their vectors left to the vector job, which then runs and is timed on its own line). Each run
reports the starter-split macro-F1 of the labels as ingestion stores them and, for
"shipped", once the vector job has added the embedding signal. With ``--store-only``, a third
run, "store-only", ingests the same documents as "no-embed" with every chunk prepared
beforehand and untimed: what remains is the storing process's own work (read, deduplicate,
store and index, stories, alerts), the ceiling of ingestion however many cores prepare.

The learned model is trained once (``engine.train``, a few minutes with tuning) and cached in
the temp folder, keyed by the training data and code, so later runs start at once.

Prints figures; never asserts on time. Usage:
    .venv/bin/python benchmarks/ingest.py --docs 2000 --no-embed
    .venv/bin/python benchmarks/ingest.py --docs 2000 --embed-docs 300   # both runs
    .venv/bin/python benchmarks/ingest.py --docs 3000 --embed           # "shipped" only
    .venv/bin/python benchmarks/ingest.py --docs 3000 --no-embed --store-only  # the ceiling
    .venv/bin/python benchmarks/ingest.py --docs 3000 --no-embed --days 10     # 300 a day
    .venv/bin/python benchmarks/ingest.py --corpus news.jsonl --profile --json
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import hashlib
import importlib.metadata
import inspect
import io
import json
import os
import pstats
import resource
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
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
import reference_pipeline

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal
from grandstrategy.core.db import make_engine, make_sessionmaker, unit_of_work, upgrade
from grandstrategy.horizon import analysis, embed, pipeline
from grandstrategy.horizon.classify import engine, learn
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.classify.rules import RuleMatcher
from grandstrategy.horizon.entities import EntityFinder
from grandstrategy.horizon.ingest import workers as ingest_workers
from grandstrategy.horizon.ingest.language import detect_language
from grandstrategy.horizon.ingest.readers import (
    RawDocument,
    ReadFailure,
    read_path,
)
from grandstrategy.horizon.models import Document, TrainedModel

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
    ("store", "store: rows (bulk INSERTs, FTS5 trigger)"),
    ("flush", "store: ORM flush"),
    ("audit", "store: audit events (hash chain)"),
    ("commit", "store: commit (one per chunk)"),
    ("stories", "stories + alerts hook (after each chunk)"),
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
    p.set(pipeline, "store", _timed(pipeline.store, t, "store"))  # a document at a time
    p.set(pipeline, "store_many", _timed(pipeline.store_many, t, "store"))  # a chunk at once
    p.set(analysis, "after_chunk", _timed(analysis.after_chunk, t, "stories"))
    p.set(analysis, "after_batch", _timed(analysis.after_batch, t, "stories"))
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


def prepare_ahead(factory: Any, source: Path, n: int, chunk: int, patches: Patches) -> None:
    """Prepare every chunk of the first ``n`` documents now (language, passages, labels,
    actors, story features: all the work workers or a cluster can take), untimed, and make
    the pipeline's ``prepare_with`` hand out those results. The run then measures what only
    the storing process can do (read, deduplicate, store and index, stories, alerts): the
    ceiling of ingestion however many cores prepare."""
    size = chunk or int(inspect.signature(pipeline.ingest).parameters["chunk"].default)
    with factory() as s:
        clf = engine.classifier(s, use_embeddings=False)  # as the pipeline gets it
    docs = [d for d in islice(read_path(source, fmt="jsonl"), n) if isinstance(d, RawDocument)]
    ready: dict[tuple[str, ...], list[Any]] = {}
    for k in range(0, len(docs), size):
        part = docs[k : k + size]
        ready[tuple(d.origin for d in part)] = pipeline.prepare_with(clf, part, story_features=True)
    prepare = pipeline.prepare_with

    def handed_out(clf: Any, docs: list[RawDocument], *, story_features: bool = False) -> list[Any]:
        found = ready.pop(tuple(d.origin for d in docs), None)
        return found if found is not None else prepare(clf, docs, story_features=story_features)

    patches.set(pipeline, "prepare_with", handed_out)


# --------------------------------------------------------------------------------------------
# The trained model, cached across runs


def _model_key() -> str:
    """Changes when the training data, the taxonomy or the training code changes."""
    h = hashlib.sha256()
    pkg = resources.files("grandstrategy")
    for rel in (
        "horizon/taxonomy.yaml",
        "horizon/classify/learn.py",
        "horizon/classify/evaluate.py",
        "horizon/classify/engine.py",
        "horizon/classify/labels.py",
        "horizon/classify/fit.py",
        "horizon/embed.py",
        "horizon/classify/rules.py",
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
    worker_cpu_seconds: float = 0.0  # the worker processes' CPU, all together
    load_before: float = 0.0
    reference_docs: int = 0
    reference_seconds: float = 0.0
    macro_f1: float | None = None  # labels once the vectors are in (the full classifier)
    macro_f1_at_ingest: float | None = None  # labels as ingestion stores them (rules + model)
    vector_passages: int = 0  # passages the vector job encoded after the ingest
    vector_seconds: float = 0.0
    workers: int = 0  # worker processes preparing beside the storing one
    worker_start: str = ""  # how they started: "fork" or "spawn" (ingest/workers.py)
    days: int | None = None  # days the generated documents' dates spread over (None: --corpus)

    @property
    def reference_docs_per_s(self) -> float:
        return self.reference_docs / self.reference_seconds if self.reference_seconds else 0.0

    @property
    def ratio(self) -> float | None:
        ref = self.reference_docs_per_s
        return (self.docs / self.seconds) / ref if ref and self.seconds else None

    def json_line(self) -> str:
        """The run's headline figures, one JSON object on one line."""
        return json.dumps(
            {
                "run": self.label,
                "docs": self.docs,
                "passages": self.passages,
                "docs_per_s": round(self.docs / self.seconds, 1) if self.seconds else None,
                "reference_docs_per_s": round(self.reference_docs_per_s, 1),
                "ratio": None if self.ratio is None else round(self.ratio, 3),
                "failed": self.failed,
                "macro_f1": None if self.macro_f1 is None else round(self.macro_f1, 3),
                "macro_f1_at_ingest": _round(self.macro_f1_at_ingest, 3),
                "vector_passages": self.vector_passages,
                "vector_passages_per_s": _round(self._vector_rate, 1),
                "load": round(self.load_before, 1),
                "workers": self.workers,
                "worker_start": self.worker_start or None,
                "days": self.days,
            }
        )

    @property
    def _vector_rate(self) -> float | None:
        return self.vector_passages / self.vector_seconds if self.vector_seconds else None

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
            "worker_cpu_seconds": round(self.worker_cpu_seconds, 3),
            "load_before": self.load_before,
            "reference_docs_per_s": round(self.reference_docs_per_s, 2),
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "macro_f1": self.macro_f1,
            "macro_f1_at_ingest": self.macro_f1_at_ingest,
            "vector_passages": self.vector_passages,
            "vector_seconds": round(self.vector_seconds, 3),
            "workers": self.workers,
            "worker_start": self.worker_start or None,
            "days": self.days,
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


def load_items(args: argparse.Namespace, seed: int, n: int) -> tuple[Path, dict[str, str]]:
    """The JSONL file to read (the corpus, or generated documents written to a temp file, so
    that it is streamed line by line like a real export and no upload size limit applies)
    and the true language by origin."""
    if args.corpus:
        return Path(args.corpus), {}
    records = corpus.documents(n, seed=seed, days=args.days)
    path = temp_folder("corpus") / "bench.jsonl"
    path.write_bytes(corpus.to_jsonl(records))
    truth = {
        f"{path.as_posix()}:{i + 1}": str(r["expected_language"]) for i, r in enumerate(records)
    }
    return path, truth


def run_reference(path: Path, n: int) -> reference_pipeline.ReferenceResult:
    """The bare reference pipeline over the same first ``n`` lines, in this process."""
    clf = _reference_classifier()
    db = temp_folder("reference") / "reference.db"
    with path.open("rb") as f:
        return reference_pipeline.run(islice(f, n), db, clf)


_REFERENCE: list[reference_pipeline.ReferenceClassifier] = []


def _reference_classifier() -> reference_pipeline.ReferenceClassifier:
    if not _REFERENCE:  # trained once (a second), outside the timed work
        _REFERENCE.append(reference_pipeline.ReferenceClassifier.train())
    return _REFERENCE[0]


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def starter_f1(factory: Any, *, with_embeddings: bool) -> float:
    """Macro-F1 of the stored model on the starter test split, with or without the
    embedding signal (ingestion labels without it; the vector job adds it)."""
    from grandstrategy.horizon.classify import evaluate
    from grandstrategy.horizon.classify.labels import Classifier
    from grandstrategy.horizon.taxonomy import load_taxonomy

    with factory() as s:
        full = engine.classifier(s, use_embeddings=with_embeddings)
    taxonomy = load_taxonomy()
    clf = Classifier(
        taxonomy,
        model=full.model,
        index=full.index if with_embeddings else None,
        use_embeddings=with_embeddings and full.index is not None,
    )
    test = evaluate.load_starter("test")
    predicted = [
        frozenset(lb.category for lb in labels)
        for labels in clf.classify(
            [e.text for e in test], [e.language for e in test], explain=False
        )
    ]
    return evaluate.score(
        [e.labels for e in test], predicted, taxonomy.ids(), [e.language or "other" for e in test]
    ).macro_f1


def run_once(
    args: argparse.Namespace,
    console: Console,
    *,
    label: str,
    n: int,
    seed: int,
    use_embeddings: bool,
    profiler: cProfile.Profile | None = None,
    prepared_ahead: bool = False,
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
        row = s.get(TrainedModel, engine.latest_model_id(s))
        f1: Any = (row.metrics or {}).get("macro_f1") if row is not None else None
    with factory() as s:
        before = s.query(Document).count()
    if before:
        console.print(f"[yellow]the database already holds {before} documents[/yellow]")

    source, truth = load_items(args, seed, n)
    items: Iterable[RawDocument | ReadFailure] = islice(read_path(source, fmt="jsonl"), n)
    ref = run_reference(source, n)

    # "no-embed": the encoder is off altogether (not installed, or GRANDSTRATEGY_EMBEDDINGS
    # false): stories by character n-grams at once, no vector queue. "shipped": as
    # 'horizon ingest' runs by default: vectors left to the vector job, timed after it.
    saved_env = os.environ.get("GRANDSTRATEGY_NO_EMBED")
    if not use_embeddings:
        os.environ["GRANDSTRATEGY_NO_EMBED"] = "1"
    at_ingest = starter_f1(factory, with_embeddings=False)
    # One-off costs a long-running ingester pays once: model load, lingua and encoder start.
    t0 = time.perf_counter()
    with factory() as s:
        engine.classifier(s, use_embeddings=use_embeddings)
    detect_language("Warm-up text for the language detector, long enough.")
    if use_embeddings:
        embed.encode(["warm-up"])
    from grandstrategy.horizon import alerts, watch_reviews  # noqa: F401 - imported once

    warm = time.perf_counter() - t0

    ahead = Patches()
    if prepared_ahead:
        prepare_ahead(factory, source, n, args.chunk, ahead)
    timings = Timings()
    patches = instrument(timings)
    kwargs: dict[str, Any] = {"use_embeddings": use_embeddings, "wait_vectors": False}
    if args.chunk:
        kwargs["chunk"] = args.chunk
    # As 'horizon ingest' chooses by default (ingest.workers.auto_workers), unless given. What the
    # workers prepare is out of these timers' reach: the stages read what this process did
    # (it prepares too while the workers start or lag) and the waits are in "other".
    # Worker start-up (interpreter, imports, model load) is inside the overall time.
    auto = ingest_workers.auto_workers(n)
    workers = auto if args.ingest_workers is None else args.ingest_workers
    if prepared_ahead:  # every chunk prepared already (before the timers): this one stores
        workers = 0
    kwargs["workers"] = workers
    try:
        if profiler:
            profiler.enable()
        load = os.getloadavg()[0]
        c0 = time.process_time()
        w0 = _children_cpu()
        t0 = time.perf_counter()
        report = pipeline.ingest(
            factory, user=user, items=timed_items(items, timings), source="bench", **kwargs
        )
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        worker_cpu = _children_cpu() - w0  # the pool's processes have ended by now
        if profiler:
            profiler.disable()
    finally:
        patches.undo()
        ahead.undo()
    vector_passages, vector_seconds = 0, 0.0
    if use_embeddings and report.vectors_waiting:
        from grandstrategy.horizon import vectors

        t1 = time.perf_counter()
        vector_passages = vectors.catch_up(factory)
        vector_seconds = time.perf_counter() - t1
        console.print(
            f"[dim]{label}: the vector job then encoded {vector_passages:,} passages in "
            f"{vector_seconds:.1f} s ({vector_passages / max(vector_seconds, 1e-9):,.0f} "
            f"passages/s), labelling them again and grouping their documents into stories[/dim]"
        )
    if saved_env is None:
        os.environ.pop("GRANDSTRATEGY_NO_EMBED", None)
    else:
        os.environ["GRANDSTRATEGY_NO_EMBED"] = saved_env

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
        worker_cpu_seconds=worker_cpu,
        load_before=load,
        reference_docs=ref.docs,
        reference_seconds=ref.seconds,
        macro_f1=(None if f1 is None else float(f1)) if use_embeddings else at_ingest,
        macro_f1_at_ingest=at_ingest,
        vector_passages=vector_passages,
        vector_seconds=vector_seconds,
        workers=workers,
        worker_start=report.worker_start,
        days=None if args.corpus else args.days,
    )


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
    if r.failed:
        t.add_row(f"[red]{r.failed} documents failed to read or store[/red]", "", "", "", "", "")
    t.add_row(
        "[bold]overall (wall time of pipeline.ingest)[/bold]",
        f"{r.seconds:.2f}",
        "100 %",
        f"[bold]{r.docs / r.seconds:,.1f}[/bold]",
        f"{r.passages / r.seconds:,.0f}",
        "",
    )
    return t


def _children_cpu() -> float:
    """CPU seconds of this process's ended child processes (the ingest workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def summary_table(results: list[RunResult]) -> Table:
    t = Table(title="Ingestion throughput (overall)")
    cols = (
        "run",
        "docs",
        "passages",
        "workers",
        "seconds",
        "CPU s (this process)",
        "CPU s (workers)",
        "load",
        "docs/s",
        "reference docs/s",
        "ratio",
        "macro-F1",
    )
    for col in cols:
        t.add_column(col, justify="left" if col == "run" else "right")
    for r in results:
        rate = r.docs / r.seconds if r.seconds else 0.0
        t.add_row(
            r.label,
            str(r.docs),
            str(r.passages),
            f"{r.workers} ({r.worker_start})" if r.worker_start else str(r.workers),
            f"{r.seconds:.2f}",
            f"{r.cpu_seconds:.2f}",
            f"{r.worker_cpu_seconds:.2f}",
            f"{r.load_before:.1f}",
            f"{rate:,.1f}",
            f"{r.reference_docs_per_s:,.1f}",
            "-" if r.ratio is None else f"{r.ratio:.3f}×",
            "-" if r.macro_f1 is None else f"{r.macro_f1:.3f}",
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
    ap.add_argument(
        "--days",
        type=int,
        default=corpus.DAYS,
        help="days the generated documents' dates spread over (default %(default)s: a quiet "
        "feed; 10 for 3,000 documents: 300 a day, where stories compare each document with "
        "hundreds of others)",
    )
    ap.add_argument("--chunk", type=int, default=0, help="pipeline chunk size (default: its own)")
    ap.add_argument("--retrain", action="store_true", help="train again instead of the cache")
    ap.add_argument("--keep", action="store_true", help="keep the temp databases (for a look)")
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the run(s) and print hot spots"
    )
    ap.add_argument("--top", type=int, default=30, help="functions shown by --profile")
    ap.add_argument(
        "--ingest-workers",
        type=int,
        default=None,
        help="pipeline.ingest(workers=N): processes preparing chunks while this one stores "
        "(default: as 'horizon ingest' chooses for the batch; 0: one process)",
    )
    ap.add_argument(
        "--store-only",
        action="store_true",
        help="also a run 'store-only': the no-embed ingest with every chunk prepared "
        "beforehand (untimed), so only the storing process's work is timed: the ceiling "
        "however many workers or cluster nodes prepare",
    )
    ap.add_argument(
        "--json",
        action="store_true",
        help="after the per-run JSON lines, one line with every figure, instead of tables",
    )
    args = ap.parse_args()
    console = Console(stderr=args.json, width=150)
    if not args.keep:
        atexit.register(remove_temp_folders)

    runs: list[tuple[str, int, bool]] = []
    if args.embed is not True:
        runs.append(("no-embed", args.docs, False))
        if args.store_only:
            runs.append(("store-only", args.docs, False))
    if args.embed is not False:
        if not embed.available():
            console.print(
                "[yellow]the sentence encoder is not installed: no embedding run[/yellow]"
            )
        else:
            n = args.docs if args.embed is True else min(args.embed_docs, args.docs)
            runs.append(("shipped", n, True))

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
            seed=args.seed + (0 if label == "store-only" else i),  # same documents
            use_embeddings=use_emb,
            profiler=prof,
            prepared_ahead=label == "store-only",
        )
        results.append(r)
        print(r.json_line(), flush=True)
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
            if os.environ.get("GS_PROFILE_DUMP"):
                prof.dump_stats(f"{os.environ['GS_PROFILE_DUMP']}-{label}.prof")
            if not args.json:
                console.print(profile_table(prof, r.seconds, args.top))

    if args.json:
        print(
            json.dumps(
                {
                    "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                    "generated_words_per_doc": round(words, 1),
                    "runs": [r.as_dict() for r in results],
                    "profiles": profiles,
                }
            )
        )
    else:
        console.print(summary_table(results))
        console.print(
            f"[dim]{os.cpu_count()} CPUs; generated documents average {words:.0f} words "
            f"(generator warm-up {gen:.1f} s, not counted)[/dim]"
        )


if __name__ == "__main__":
    main()
