"""Worker processes prepare chunks while this one stores, and this one prepares too.

``workers.prepare_in_workers`` hands chunks to real worker processes (spawned, as in
``horizon ingest --workers``); whenever the next chunk to store is not back, the storing
process prepares a queued chunk no worker has started. Chunks come out in input order
whoever prepared them, and a worker that cannot prepare leaves the work to this process.
"""

import datetime as dt
import time

from grandstrategy.core import db as core_db
from grandstrategy.horizon import pipeline
from grandstrategy.horizon.entities import default_finder
from grandstrategy.horizon.ingest import workers
from grandstrategy.horizon.ingest.raw import RawDocument

TEXT = (
    "A ransomware attack encrypted the servers of a regional hospital network; the national "
    "cyber security centre helped restore the patient records from backups.\n\n"
    "Separately, a drone flew over the port of Antwerp and the police closed the quay."
)


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


def test_chunks_come_back_in_order_prepared_by_the_workers_and_by_this_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    core_db.upgrade(url)
    factory = core_db.make_sessionmaker(core_db.make_engine(url))
    chunks = [[raw(2 * k), raw(2 * k + 1)] for k in range(30)]
    here_took = []

    def here(docs):
        here_took.append(docs[0].origin)
        time.sleep(0.25)  # slower than a worker once started, so both take a share
        return pipeline._prepare_here(factory, docs, True)

    got = list(workers.prepare_in_workers(iter(chunks), url, 1, True, here))
    assert origins(got) == [[d.origin for d in chunk] for chunk in chunks]
    by_worker = [chunk for chunk in got if chunk[0].raw.origin not in here_took]
    # this process worked while the worker started, and the worker took its share after
    assert here_took and by_worker
    finder = default_finder()
    for chunk in got:  # both sides prepared in full: labels, actors, what stories compare
        for p in chunk:
            assert p.spans and p.story_features is not None
            assert p.story_features[0].shape == (64,)
    for chunk in by_worker:  # a worker sends rows back, the same as preparing here gives
        again = pipeline._prepare_here(factory, [p.raw for p in chunk], True)
        for p, q in zip(chunk, again, strict=True):
            assert p.labels == [] and p.rows is not None
            assert p.rows == pipeline.rows_of(q, finder)
            assert {seq for seq, *_ in p.rows.labels} == set(range(len(p.spans)))


def test_a_worker_that_cannot_prepare_leaves_its_chunks_to_this_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    core_db.upgrade(url)
    factory = core_db.make_sessionmaker(core_db.make_engine(url))
    unreachable = f"sqlite:///{tmp_path / 'no such folder' / 'w.db'}"  # cannot be opened
    chunks = [[raw(k)] for k in range(6)]
    here_took = []

    def here(docs):
        here_took.append(docs[0].origin)
        return pipeline._prepare_here(factory, docs, False)

    got = list(workers.prepare_in_workers(iter(chunks), unreachable, 1, False, here))
    assert origins(got) == [[d.origin for d in chunk] for chunk in chunks]
    assert sorted(here_took) == sorted(d.origin for chunk in chunks for d in chunk)


def test_a_batch_starts_workers_only_where_they_pay(monkeypatch):
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    assert workers.auto_workers(20) == 0  # a few documents: not worth starting one
    assert workers.auto_workers(1000) == 0  # measured: as fast without (the start costs)
    assert workers.auto_workers(5000) == 1
    assert workers.auto_workers(None) == 0  # a feed: its length is unknown, and it is short
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 1)
    assert workers.auto_workers(5000) == 0
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 16)
    assert workers.auto_workers(5000) == 3
