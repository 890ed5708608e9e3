"""Worker processes that prepare chunks of an ingestion while the ingesting process stores.

``pipeline.ingest(workers=N)`` hands chunks to N processes and prepares chunks itself whenever
the next one to store is not back yet; see ``prepare_in_workers``. A worker never opens the
database: it is handed the batch's classifier (the model current when the batch began) and
only computes, so workers serve any database, an in-memory one included.

How a worker starts (``start_method``):

* **forked**, on Linux where the ingesting process runs one thread (the command line, a
  script): the fork happens once this process has prepared the batch's first chunk with
  documents, so a worker begins with the classifier, the language detector, the actor
  patterns and the n-gram caches already in memory, in a few milliseconds. The child
  inherits the parent's database connections as open files but never touches them, and
  ends as multiprocessing's children do (``os._exit``), so nothing of them is closed or
  flushed from the child.
* **spawned** elsewhere (a web server's request threads: forking a process with threads can
  leave the child waiting on a lock another thread held; other systems): a fresh
  interpreter imports scikit-learn and unpickles the classifier, two or three seconds, which
  is why a spawned worker is used only for large batches (``auto_workers``).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal

from grandstrategy.horizon import pipeline
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.ingest.raw import RawDocument

# Documents in a batch from which a worker pays its start, measured on 2 cores: a forked one
# starts in milliseconds, a spawned one in two or three seconds.
AUTO_WORKERS_FROM = {"fork": 256, "spawn": 2000}
STEALABLE = 2  # chunks queued for the workers that this process may still take back
MAX_READY = 32  # prepared chunks waiting for their turn to be stored

Start = Literal["fork", "spawn"]


def start_method() -> Start:
    """How workers would start from here now: forked on Linux when this process runs a
    single thread, else spawned (macOS offers fork, but some of its system libraries do not
    survive one, which is why Python spawns there by default)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def auto_workers(documents: int | None, start: Start | None = None) -> int:
    """Worker processes worth starting for a batch of about ``documents``: none for a small
    batch (below ``AUTO_WORKERS_FROM`` for how they would start) or on one core, else one per
    spare core, at most three (beyond that the storing process is the bound)."""
    cores = os.cpu_count() or 1
    threshold = AUTO_WORKERS_FROM[start or start_method()]
    if documents is None or documents < threshold:  # None: a feed, a few dozen items
        return 0
    return max(0, min(cores - 1, 3))


def prepare_in_workers(
    chunks: Iterator[list[RawDocument]],
    workers: int,
    here: Callable[[list[RawDocument]], list[pipeline.Prepared]],
    *,
    classifier: Classifier,
    story_features: bool,
    start: Start | None = None,
    started: Callable[[Start], None] | None = None,
) -> Iterator[list[pipeline.Prepared]]:
    """Prepared chunks in input order, from ``workers`` processes and this one.

    The first chunk that holds documents is prepared here before any worker starts (a forked
    worker then inherits everything it loaded). Chunks are queued for the workers a few
    deep. When the next chunk to store is not back yet, this process takes the last queued
    chunk that no worker has started (``Future.cancel`` succeeds only then) and prepares it
    itself, so it never waits while there is work, and the share each side takes follows
    their speeds. Prepared chunks wait for their turn, at most ``MAX_READY`` of them. A
    chunk a worker fails on is prepared here (so an error that is not the worker's own shows
    here), and if the workers cannot run at all (one died), the rest is prepared here.
    ``start``: how the workers start (default: ``start_method()``, decided once the first
    chunk is prepared), which ``started`` is told."""
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    while True:  # chunks of duplicates only pass at once; workers start for documents
        docs = next(chunks, None)
        if docs is None:
            return
        first = here(docs)
        if docs:
            break
        yield first
    ready: dict[int, list[pipeline.Prepared]] = {0: first}
    docs_of: dict[int, list[RawDocument]] = {0: docs}
    read, out = 1, 0
    method = start or start_method()
    if started:
        started(method)
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_worker_start,
        initargs=(classifier, story_features),
    ) as pool:
        pending: dict[int, Future[list[pipeline.Prepared]]] = {}
        exhausted = broken = False
        while True:
            # The executor hands workers + 1 chunks on at once (they can no longer be
            # taken back); those queued beyond are the ones this process may take.
            while not exhausted and len(pending) < workers + 1 + STEALABLE:
                if len(ready) >= MAX_READY:
                    break
                docs = next(chunks, None)
                if docs is None:
                    exhausted = True
                    break
                docs_of[read] = docs
                if broken:
                    ready[read] = here(docs)
                else:
                    pending[read] = pool.submit(_worker_prepare, docs)
                read += 1
            if out == read:
                return
            if out in ready:
                docs_of.pop(out)
                yield ready.pop(out)
                out += 1
                continue
            future = pending[out]
            if not future.done():
                stolen = next(
                    (i for i in sorted(pending, reverse=True) if pending[i].cancel()), None
                )
                if stolen is not None:
                    del pending[stolen]
                    ready[stolen] = here(docs_of[stolen])
                    continue
            try:
                ready[out] = future.result()
            except BrokenProcessPool:  # no worker left: the rest is prepared here
                broken = True
                for i in sorted(pending):
                    ready[i] = here(docs_of[i])
                pending.clear()
                continue
            except Exception:  # prepared here instead: an error not the worker's shows here
                ready[out] = here(docs_of[out])
            del pending[out]


_worker: dict[str, Any] = {}


def _worker_start(classifier: Classifier, story_features: bool) -> None:
    _worker["classifier"] = classifier
    _worker["story_features"] = story_features
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when the ingester that started it is gone (killed, even with
    ``kill -9``): a worker waiting for chunks would otherwise live on, holding the
    ingester's output open."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _worker_prepare(docs: list[RawDocument]) -> list[pipeline.Prepared]:
    prepared = pipeline.prepare_with(
        _worker["classifier"], docs, story_features=_worker["story_features"]
    )
    return [p.compact() for p in prepared]
