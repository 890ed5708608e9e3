"""A search query is encoded once: paging through results or asking again reuses its vector."""

import numpy as np
import pytest

from grandstrategy.horizon import embed, semantic


def test_a_query_is_encoded_once_and_its_vector_cannot_be_changed(monkeypatch):
    semantic.clear_cache()
    calls: list[list[str]] = []

    def encode(texts):
        calls.append(list(texts))
        return np.ones((len(texts), embed.DIM), np.float32)

    monkeypatch.setattr(embed, "encode", encode)
    first = semantic.query_vector("drone overflights")
    again = semantic.query_vector("drone overflights")
    other = semantic.query_vector("cable sabotage")
    assert calls == [["drone overflights"], ["cable sabotage"]]
    assert again is first and other is not first
    with pytest.raises(ValueError):
        first[0] = 2.0  # shared between readers: read-only


def test_another_encoder_is_never_served_the_old_vectors(monkeypatch):
    semantic.clear_cache()
    monkeypatch.setattr(embed, "encode", lambda t: np.ones((len(t), embed.DIM), np.float32))
    assert semantic.query_vector("port of Antwerp").all()
    monkeypatch.setattr(embed, "encode", lambda t: np.zeros((len(t), embed.DIM), np.float32))
    assert not semantic.query_vector("port of Antwerp").any()


def test_only_so_many_queries_are_kept(monkeypatch):
    semantic.clear_cache()
    monkeypatch.setattr(semantic, "QUERIES_KEPT", 3)
    monkeypatch.setattr(embed, "encode", lambda t: np.ones((len(t), embed.DIM), np.float32))
    for i in range(5):
        semantic.query_vector(f"query {i}")
    assert len(semantic._queries) == 3
    assert [k[0] for k in semantic._queries] == ["query 2", "query 3", "query 4"]
