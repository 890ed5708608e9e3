"""Prepare ingestion chunks on a Dask distributed cluster while this process stores them.

``horizon ingest --cluster ADDRESS``: documents are read and checked against what is stored
here; each chunk goes to a worker of the cluster, which finds its language, passages, labels
(rules and the learned model) and actors (``pipeline.prepare_with``: no database), and this
process stores the prepared chunks in input order as they come back. The database stays the
only writer, so nothing about storage changes: a document is stored whole or not at all, and
a batch interrupted is resumed by running it again (what is stored is skipped by content hash).

The classifier is loaded here, once per batch, and sent to every worker once
(``scatter(broadcast=True)``). Chunks in flight are bounded (twice the cluster's threads), so a
batch larger than memory streams through and a slow store holds the workers back. A chunk that
fails on the cluster (an error in a worker, a worker lost more often than the scheduler
allows, the scheduler gone) is reported document by document with the reason and the batch
goes on.

Workers must have grandstrategy installed, at the same version as here, and the optional extra
``cluster`` (Dask distributed) must be installed here and on them.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _, current, language
from grandstrategy.horizon import pipeline
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.ingest.readers import RawDocument

CONNECT_TIMEOUT_S = 30  # to reach the scheduler
WORKERS_TIMEOUT_S = 60  # for a first worker to join a cluster that has none yet
IN_FLIGHT_PER_THREAD = 2  # chunks submitted and not yet stored, per worker thread
REASON_CHARS = 300

INSTALL_HINT = "pip install 'grandstrategy[cluster]'"


def _client_class() -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise Invalid(
            _(
                "--cluster needs Dask distributed, which is not installed; install it with: "
                "{command}"
            ).format(command=INSTALL_HINT)
        ) from None
    return Client


def connect(cluster: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for ``cluster`` (a scheduler address or a client) that has at
    least one worker, and whether it is this module's to close."""
    client_class = _client_class()
    if isinstance(cluster, client_class):
        client, owned = cluster, False
    elif isinstance(cluster, str) and cluster.strip():
        address = cluster.strip()
        try:
            client = client_class(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise Invalid(
                _("cannot reach the Dask scheduler at {address}: {reason}").format(
                    address=address, reason=_describe(exc)
                )
            ) from None
        owned = True
    else:
        raise Invalid(_("--cluster takes a Dask scheduler address, e.g. tcp://host:8786"))
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        if owned:
            client.close()
        raise Invalid(
            _("the Dask cluster has no worker ({reason})").format(reason=_describe(exc))
        ) from None
    return client, owned


def in_flight(client: Any) -> int:
    """How many chunks to keep submitted: twice the cluster's threads, at least two."""
    threads = int(sum(client.nthreads().values()))
    return max(2, IN_FLIGHT_PER_THREAD * threads)


def prepare_chunks(
    chunks: Iterator[list[RawDocument]], clf: Classifier, cluster: Any
) -> Iterator[list[pipeline.Prepared]]:
    """Each chunk prepared on the cluster, in input order (for ``pipeline.ingest``).

    Connects at once (a wrong address or a missing package is an ``Invalid`` before anything
    is read or stored); the client made here is closed when the chunks are done."""
    client, owned = connect(cluster)
    try:
        shared = client.scatter(clf, broadcast=True, hash=False)
        limit = in_flight(client)
    except Exception:
        if owned:
            client.close()
        raise
    return _stream(client, owned, shared, chunks, limit)


def _stream(
    client: Any, owned: bool, shared: Any, chunks: Iterator[list[RawDocument]], limit: int
) -> Iterator[list[pipeline.Prepared]]:
    lang = current()  # the reasons a worker gives are in the language of this command
    pending: deque[tuple[list[RawDocument], Any]] = deque()
    try:
        for docs in chunks:
            pending.append((docs, _submit(client, shared, docs, lang)))
            if len(pending) >= limit:
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())
    finally:
        for _docs, future in pending:  # left behind when the caller stops early
            if hasattr(future, "cancel"):
                future.cancel()
        if owned:
            client.close()


def _submit(client: Any, shared: Any, docs: list[RawDocument], lang: str) -> Any:
    """The chunk's future; None for an empty chunk; the error when it cannot be submitted."""
    if not docs:
        return None
    try:
        return client.submit(prepare_task, shared, docs, lang, pure=False)
    except Exception as exc:  # the client closed, the scheduler gone
        return exc


def _collect(docs: list[RawDocument], future: Any) -> list[pipeline.Prepared]:
    """The prepared chunk; or, when the cluster failed it, its documents refused with why."""
    if future is None:
        return []
    try:
        if isinstance(future, Exception):
            raise future
        prepared: list[pipeline.Prepared] = future.result()
        return prepared
    except Exception as exc:  # raised in the worker, or the worker or scheduler lost
        reason = _("not prepared on the cluster: {reason}").format(reason=_describe(exc))
        return [refused(doc, reason) for doc in docs]


def refused(doc: RawDocument, reason: str) -> pipeline.Prepared:
    """A document that was not prepared: stored as failed, with ``reason``."""
    lang = (doc.language or "").lower()[:2]
    return pipeline.Prepared(doc, pipeline.content_hash(doc.text), lang, [], refused=reason)


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:REASON_CHARS]


# --------------------------------------------------------------------------------------------
# On the workers

_local = threading.local()


def prepare_task(clf: Classifier, docs: list[RawDocument], lang: str) -> list[pipeline.Prepared]:
    """Run on a worker: prepare one chunk with the broadcast classifier."""
    with language(lang):
        return [p.compact() for p in pipeline.prepare_with(_own_copy(clf), docs)]


def _own_copy(clf: Classifier) -> Classifier:
    """This thread's copy of ``clf``: the classifier keeps word caches that are not safe to
    share between threads (a worker may run several tasks at once, and workers of one
    process share the object scattered to them). Copied once per thread and classifier."""
    held = getattr(_local, "held", None)
    if held is None or held[0] is not clf:
        held = _local.held = (clf, copy.deepcopy(clf))
    own: Classifier = held[1]
    return own
