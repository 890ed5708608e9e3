"""Worker processes prepare chunks while this one stores, and this one prepares too.

``workers.prepare_in_workers`` hands chunks to real worker processes (forked from this one
where it runs a single thread, else spawned, as in ``horizon ingest --workers``); whenever
the next chunk to store is not back, the storing process prepares a queued chunk no worker
has started. Chunks come out in input order whoever prepared them, and a worker that cannot
prepare leaves the work to this process. Workers open no database: they are handed the
batch's classifier.
"""

import datetime as dt
import os
import sys
import threading
import time

import pytest

from grandstrategy.horizon import pipeline
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.entities import default_finder
from grandstrategy.horizon.ingest import workers
from grandstrategy.horizon.ingest.raw import RawDocument
from grandstrategy.horizon.taxonomy import load_taxonomy

TEXT = (
    "A ransomware attack encrypted the servers of a regional hospital network; the national "
    "cyber security centre helped restore the patient records from backups.\n\n"
    "Separately, a drone flew over the port of Antwerp and the police closed the quay."
)
PARENT = os.getpid()


def raw(n: int) -> RawDocument:
    return RawDocument(
        title=f"Report {n}",
        text=f"{TEXT} Report number {n}.",
        date=dt.date(2026, 5, 1 + n % 28),
        url="",
        language="en",
        source="wire",
        marking=None,
        labels=[],
        origin=f"doc-{n}",
    )


def origins(chunks):
    return [[p.raw.origin for p in chunk] for chunk in chunks]


class FailsInWorkers(Classifier):
    """Classifies here; raises in a worker process (or ends it, with ``die``)."""

    die = False

    def classify(self, *args, **kwargs):
        if os.getpid() != PARENT:
            if self.die:
                os._exit(3)
            raise RuntimeError("this worker cannot classify")
        return super().classify(*args, **kwargs)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_chunks_come_back_in_order_prepared_by_the_workers_and_by_this_process(start):
    clf = Classifier(load_taxonomy())
    chunks = [[raw(2 * k), raw(2 * k + 1)] for k in range(30)]
    here_took = []

    def here(docs):
        here_took.append(docs[0].origin)
        time.sleep(0.25)  # slower than a worker once started, so both take a share
        return pipeline.prepare_with(clf, docs, story_features=True)

    got = list(
        workers.prepare_in_workers(
            iter(chunks), 1, here, classifier=clf, story_features=True, start=start
        )
    )
    assert origins(got) == [[d.origin for d in chunk] for chunk in chunks]
    by_worker = [chunk for chunk in got if chunk[0].raw.origin not in here_took]
    # this process prepared the first chunk (and worked while a spawned worker started),
    # and the worker took its share after
    assert here_took[0] == "doc-0" and by_worker
    finder = default_finder()
    for chunk in got:  # both sides prepared in full: labels, actors, what stories compare
        for p in chunk:
            assert p.spans and p.story_features is not None
            assert p.story_features[0].shape == (64,)
    for chunk in by_worker:  # a worker sends rows back, the same as preparing here gives
        again = pipeline.prepare_with(clf, [p.raw for p in chunk], story_features=True)
        for p, q in zip(chunk, again, strict=True):
            assert p.labels == [] and p.rows is not None
            assert p.rows == pipeline.rows_of(q, finder)
            assert {seq for seq, *_ in p.rows.labels} == set(range(len(p.spans)))


@pytest.mark.parametrize("die", [False, True], ids=["raises", "dies"])
def test_a_worker_that_cannot_prepare_leaves_its_chunks_to_this_process(die):
    clf = FailsInWorkers(load_taxonomy())
    clf.die = die
    chunks = [[raw(k)] for k in range(6)]
    here_took = []

    def here(docs):
        here_took.append(docs[0].origin)
        return pipeline.prepare_with(clf, docs)

    got = list(
        workers.prepare_in_workers(
            iter(chunks), 1, here, classifier=clf, story_features=False, start="fork"
        )
    )
    assert origins(got) == [[d.origin for d in chunk] for chunk in chunks]
    assert sorted(here_took) == sorted(d.origin for chunk in chunks for d in chunk)
    assert all(p.labels for chunk in got for p in chunk)  # labelled here, not left empty


def test_chunks_of_duplicates_only_pass_before_any_worker_starts():
    """A batch run again after an interruption starts with chunks whose documents are all
    stored already (empty once duplicates are dropped): they pass at once, and the workers
    start once a chunk with documents has been prepared here; with none, none starts."""
    clf = Classifier(load_taxonomy())
    chunks = [[], [], [raw(1), raw(2)], [], [raw(3)], [raw(4)]]
    how = []

    def here(docs):
        return pipeline.prepare_with(clf, docs)

    got = list(
        workers.prepare_in_workers(
            iter(chunks), 1, here, classifier=clf, story_features=False, started=how.append
        )
    )
    assert origins(got) == [[d.origin for d in chunk] for chunk in chunks]
    assert len(how) == 1 and how[0] in ("fork", "spawn")
    how.clear()
    empty = list(
        workers.prepare_in_workers(
            iter([[], []]), 1, here, classifier=clf, story_features=False, started=how.append
        )
    )
    assert empty == [[], []] and how == []


def test_workers_fork_only_from_a_process_that_runs_one_thread():
    if threading.active_count() == 1 and sys.platform.startswith("linux"):
        assert workers.start_method() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # a web server's request threads: a fork could inherit a lock another thread held
        assert workers.start_method() == "spawn"
    finally:
        stop.set()
        other.join()


def test_a_batch_starts_workers_only_where_they_pay(monkeypatch):
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    assert workers.auto_workers(20, "fork") == 0  # a few documents: not worth starting one
    assert workers.auto_workers(1000, "fork") == 1  # a forked worker starts at once
    assert workers.auto_workers(1000, "spawn") == 0  # measured: the start costs as much
    assert workers.auto_workers(5000, "spawn") == 1
    assert workers.auto_workers(None, "fork") == 0  # a feed: its length is unknown, short
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 1)
    assert workers.auto_workers(5000, "fork") == 0
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 16)
    assert workers.auto_workers(5000, "spawn") == 3
