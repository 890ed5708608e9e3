"""Worker processes that prepare chunks of an ingestion while the ingesting process stores.

``pipeline.ingest(workers=N)`` hands chunks to N spawned processes (a fresh interpreter each,
never a fork of a process holding database connections) and prepares chunks itself whenever
the next one to store is not back yet; see ``prepare_in_workers``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.horizon import pipeline
from grandstrategy.horizon.ingest.raw import RawDocument

AUTO_WORKERS_FROM = 2000  # documents in a batch from which a worker process pays its start
STEALABLE = 2  # chunks queued for the workers that this process may still take back
MAX_READY = 32  # prepared chunks waiting for their turn to be stored


def auto_workers(documents: int | None) -> int:
    """Worker processes worth starting for a batch of about ``documents``: none for a small
    batch (starting one costs a second or two) or on one core, else one per spare core, at
    most three (beyond that the storing process is the bound)."""
    cores = os.cpu_count() or 1
    if documents is None or documents < AUTO_WORKERS_FROM:  # None: a feed, a few dozen
        return 0
    return max(0, min(cores - 1, 3))


def prepare_in_workers(
    chunks: Iterator[list[RawDocument]],
    url: str,
    workers: int,
    story_features: bool,
    here: Callable[[list[RawDocument]], list[pipeline.Prepared]],
) -> Iterator[list[pipeline.Prepared]]:
    """Prepared chunks in input order, from ``workers`` processes and this one.

    Chunks are queued for the workers a few deep. When the next chunk
    to store is not back yet, this process takes the last queued chunk that no worker has
    started (``Future.cancel`` succeeds only then) and prepares it itself, so it never waits
    while there is work, and the share each side takes follows their speeds. Prepared
    chunks wait for their turn, at most ``MAX_READY`` of them. A chunk a worker fails on is
    prepared here (so an error that is not the worker's own shows here), and if the workers
    cannot run at all (one died), the rest is prepared here."""
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    # spawn: a fresh interpreter, never a fork of a process holding database connections
    with ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_worker_start,
        initargs=(url, story_features),
    ) as pool:
        docs_of: dict[int, list[RawDocument]] = {}
        pending: dict[int, Future[list[pipeline.Prepared]]] = {}
        ready: dict[int, list[pipeline.Prepared]] = {}
        read = out = 0
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


def _worker_start(url: str, story_features: bool) -> None:
    from grandstrategy.core.db import make_engine, make_sessionmaker

    _worker["factory"] = make_sessionmaker(make_engine(url))
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
    prepared = pipeline._prepare_here(_worker["factory"], docs, _worker["story_features"])
    return [p.compact() for p in prepared]


def shareable_url(factory: sessionmaker[Session]) -> str | None:
    """The URL worker processes can open, or None (a test's connection, in-memory SQLite)."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine):
        return None
    url = bind.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)
