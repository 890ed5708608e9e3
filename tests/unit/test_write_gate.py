"""The write gate serves the requests queued for it before worker threads that ask later:
under many audited reads (threads that must write), a queued writer once waited out its
whole timeout and answered 503 "busy" (benchmarks/load.py on PostgreSQL)."""

from __future__ import annotations

import threading
import time

import anyio

from grandstrategy.core.db import WriteGate


def test_a_queued_request_goes_before_a_thread_that_asks_later():
    gate = WriteGate()
    assert gate.try_acquire()  # someone writes
    order: list[str] = []

    def request() -> None:
        async def main() -> None:
            assert await gate.acquire(timeout=5)
            order.append("queued request")
            await anyio.sleep(0.05)
            gate.release()

        anyio.run(main)

    def reader() -> None:
        assert gate.try_acquire(5)
        order.append("thread")
        gate.release()

    queued = threading.Thread(target=request)
    queued.start()
    while not gate._queue:  # the request is waiting in the queue
        time.sleep(0.001)
    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.05)  # the thread waits too, on the lock
    gate.release()
    queued.join(5)
    thread.join(5)
    assert order == ["queued request", "thread"]


def test_a_thread_gives_up_at_its_timeout_and_takes_a_free_gate_at_once():
    gate = WriteGate()
    assert gate.try_acquire()
    t0 = time.monotonic()
    assert not gate.try_acquire(0.05)
    assert 0.04 <= time.monotonic() - t0 < 1
    assert not gate.try_acquire()  # no wait at all
    gate.release()
    assert gate.try_acquire()
