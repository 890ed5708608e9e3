"""The server's vector job: it fills the queue in the background, holding the write gate
while it writes, so a request writing at the same time neither fails nor waits for ever."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from grandstrategy.core.authz import Principal
from grandstrategy.core.db import (
    RequestScope,
    gate_for,
    make_engine,
    make_sessionmaker,
    request_scope,
    unit_of_work,
    upgrade,
)
from grandstrategy.horizon import embed, pipeline, story_service, vectors
from grandstrategy.horizon.ingest.raw import RawDocument
from grandstrategy.horizon.models import Source

pytestmark = pytest.mark.skipif(not embed.available(), reason="the sentence encoder is absent")


def doc(title: str, text: str, day: int) -> RawDocument:
    return RawDocument(
        title=title,
        text=text,
        date=dt.date(2026, 3, day),
        url="",
        language="en",
        source="wire",
        marking=None,
        labels=(),
        origin=f"{title}.txt",
    )


def test_the_worker_fills_the_queue_beside_writing_requests(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    op = Principal.operator("worker-test")
    items = [
        doc(f"Cable cut {i}", f"A data cable in the Baltic was cut, report {i}.", 1 + i % 5)
        for i in range(12)
    ]
    report = pipeline.ingest(factory, user=op, items=items, wait_vectors=False)
    assert report.vectors_waiting == report.passages > 0
    worker = vectors.Worker(factory, engine)
    stop_writing = threading.Event()
    written: list[int] = []

    def request_like_writer() -> None:  # writes under the gate, as a writing request does
        gate = gate_for(engine)
        while not stop_writing.is_set():
            assert gate.try_acquire(30)
            try:
                with request_scope(RequestScope(writer=True)), unit_of_work(factory) as s:
                    s.add(Source(name=f"beside-{len(written)}"))
                written.append(1)
            finally:
                gate.release()
            time.sleep(0.01)

    writer = threading.Thread(target=request_like_writer)
    writer.start()
    worker.start()
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            with factory() as s:
                if vectors.status(s, user=op).waiting == 0:
                    break
            time.sleep(0.2)
    finally:
        worker.close()
        stop_writing.set()
        writer.join(30)
    with factory() as s:
        assert vectors.status(s, user=op).waiting == 0
        assert story_service.list_stories(s, user=op)  # stories followed the vectors
    assert len(written) > 0
    assert "vector job failed" not in caplog.text  # never a locked database
