"""Nearest passages through the inverted file (``horizon.ann``): the same top-k as the exact
product at small n, hidden passages that never appear nor move what a reader gets, vectors
that join the index as they arrive, and a narrow filter answered exactly."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from grandstrategy.horizon import ann, embed, search, semantic
from grandstrategy.horizon.ingest.readers import RawDocument
from grandstrategy.horizon.models import Document, Passage, PassageVector
from tests.helpers import make_user

DIM = 64


class Reader:
    def __init__(self, clearance: int, compartments: frozenset[str] = frozenset()) -> None:
        self.clearance = clearance
        self.compartments = compartments


def unit(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=-1, keepdims=True)).astype(np.float32)


def clustered(n: int, dim: int, seed: int, clusters: int = 12) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = unit(rng.normal(size=(clusters, dim)))
    return unit(centres[rng.integers(clusters, size=n)] + rng.normal(0, 0.15, (n, dim)))


@pytest.fixture
def small_lists(monkeypatch):
    """An inverted file from a few dozen vectors, trained in the query that wants it."""
    monkeypatch.setattr(ann, "INDEX_FROM", 40)
    monkeypatch.setattr(ann, "LIST_SIZE", 10)
    monkeypatch.setattr(ann, "MIN_PROBE", 1)
    monkeypatch.setattr(ann, "PROBE_SHARE", 0.3)
    monkeypatch.setattr(semantic, "TRAIN_IN_BACKGROUND", False)


def filled(vectors: np.ndarray, levels=None, comps=None, ids=None) -> ann.Vectors:
    n = len(vectors)
    store = ann.Vectors(vectors.shape[1])
    store.add(
        np.arange(1, n + 1, dtype=np.int64) if ids is None else ids,
        vectors,
        np.zeros(n, np.int16) if levels is None else levels,
        ["|"] * n if comps is None else comps,
    )
    store.train(background=False)
    return store


def test_every_list_probed_gives_the_exact_top_k(small_lists, monkeypatch):
    vecs = clustered(600, DIM, seed=1)
    store = filled(vecs)
    assert store.lists is not None and len(store.lists.centroids) == 60
    queries = clustered(20, DIM, seed=2)
    monkeypatch.setattr(store.lists, "probe", len(store.lists.centroids))
    for q in queries:
        exact = store.scan(q, None, exact=True).best(10)
        probed = store.scan(q, None).best(10)
        assert probed[0].tolist() == exact[0].tolist()
        assert np.allclose(probed[1], exact[1])


def test_a_few_lists_find_nearly_all_of_the_top_10(small_lists):
    store = filled(clustered(2_000, DIM, seed=3))
    assert store.lists is not None and store.lists.probe < len(store.lists.centroids)
    found = []
    for q in clustered(30, DIM, seed=4):
        exact = set(store.scan(q, None, exact=True).best(10)[0].tolist())
        scan = store.scan(q, None)
        assert not scan.exact and len(scan) < len(store)  # only some lists were read
        found.append(len(exact & set(scan.best(10)[0].tolist())) / 10)
    assert np.mean(found) >= 0.9


def test_hidden_rows_neither_appear_nor_move_the_visible_ones(small_lists):
    rng = np.random.default_rng(5)
    public = clustered(400, DIM, seed=6)
    queries = clustered(10, DIM, seed=7)
    hidden = unit(np.repeat(queries, 6, axis=0) + rng.normal(0, 0.01, (60, DIM)))  # closest
    levels = np.array([0] * 400 + [3] * 30 + [1] * 30, np.int16)
    comps = ["|"] * 400 + ["|"] * 30 + ["|NATO|"] * 30
    both = np.vstack([public, hidden])
    order = rng.permutation(len(both))  # hidden rows interleaved with the others
    mixed = filled(both[order], levels[order], [comps[i] for i in order])
    ids_of_public = np.flatnonzero(order < 400) + 1
    alone = filled(public[order[order < 400]], ids=ids_of_public.astype(np.int64))
    reader = Reader(1, frozenset({"EU"}))  # sees level 0 and 1, without NATO
    assert mixed.lists is not None and alone.lists is not None
    for q in queries:
        got = mixed.scan(q, reader).best(20)
        assert got[0].tolist() == alone.scan(q, reader).best(20)[0].tolist()
        assert set(got[0].tolist()) <= set(ids_of_public.tolist())
    nato = Reader(1, frozenset({"NATO"}))
    assert set(mixed.scan(queries[9], nato, exact=True).best(5)[0].tolist()).isdisjoint(
        ids_of_public.tolist()
    ), "a reader who may see them does get the close ones"


def test_vectors_join_their_list_as_they_arrive(small_lists):
    store = filled(clustered(300, DIM, seed=8))
    lists = store.lists
    q = clustered(1, DIM, seed=9)[0]
    store.add(np.array([1_000], np.int64), q[None, :], np.zeros(1, np.int16), ["|"])
    assert store.lists is lists, "not trained again for one vector"
    ids, sims = store.scan(q, None).best(1)
    assert ids.tolist() == [1_000] and sims[0] == pytest.approx(1.0, abs=1e-5)


def test_training_again_reorders_rows_and_keeps_those_that_came_meanwhile(small_lists, monkeypatch):
    vecs = clustered(900, DIM, seed=20)
    store = filled(vecs[:300])
    first = store.lists
    train = ann.Lists.train

    def arriving(sample, lists):  # rows stored while the lists are being trained
        store.add(
            np.arange(801, 901, dtype=np.int64), vecs[800:], np.zeros(100, np.int16), ["|"] * 100
        )
        return train(sample, lists)

    store.add(
        np.arange(301, 801, dtype=np.int64), vecs[300:800], np.zeros(500, np.int16), ["|"] * 500
    )
    monkeypatch.setattr(ann.Lists, "train", arriving)
    store.train(background=False)
    assert store.lists is not first and len(store) == 900
    assert store.ids.tolist() == list(range(1, 901))
    monkeypatch.setattr(store.lists, "probe", len(store.lists.centroids))
    for q in clustered(10, DIM, seed=21):
        exact = store.scan(q, None, exact=True)
        assert store.scan(q, None).best(10)[0].tolist() == exact.best(10)[0].tolist()
        ids, sims = exact.best(50)
        again = store.among(q, sorted(ids.tolist()))
        assert dict(zip(again.ids.tolist(), again.sims.tolist(), strict=True)) == pytest.approx(
            dict(zip(ids.tolist(), sims.tolist(), strict=True))
        )
        assert np.allclose(sims, vecs[ids - 1] @ q, atol=1e-5), "each id keeps its own vector"


# ---- through search.search, on the database


def ingest(factory, operator, texts, marking=None, language="en", name=None):
    from grandstrategy.horizon import pipeline

    items = [
        RawDocument(
            title=f"ann-{name or marking or 'open'}-{i}",
            text=t,
            date=None,
            url="",
            language=language,
            source="ann",
            marking=marking,
            labels=[],
            origin=f"ann-{name or marking or 'open'}-{i}",
        )
        for i, t in enumerate(texts)
    ]
    report = pipeline.ingest(factory, user=operator, items=items, use_embeddings=False)
    assert report.ingested == len(texts), report.failed


def store_vectors(session, titles_to_vectors):
    rows = session.execute(
        select(Passage.id, Document.title).join(Document, Document.id == Passage.document_id)
    ).all()
    by_title = {title: pid for pid, title in rows}
    for title, vec in titles_to_vectors.items():
        half = np.zeros(embed.DIM, np.float16)
        half[: len(vec)] = vec
        session.add(PassageVector(passage_id=by_title[title], vector=half.tobytes()))
    session.flush()
    return by_title


@pytest.fixture
def encoded(small_lists, monkeypatch):
    """The encoder replaced: every query is the first direction of ``clustered(…, seed=11)``."""
    query = np.zeros(embed.DIM, np.float32)
    query[:DIM] = clustered(1, DIM, seed=11)[0]
    monkeypatch.setattr(embed, "available", lambda: True)
    monkeypatch.setattr(embed, "encode", lambda texts: np.tile(query, (len(texts), 1)))
    semantic.clear_cache()
    yield query[:DIM]
    semantic.clear_cache()


def answers(session, user, query="ordnance", **kw):
    r = search.search(session, user=user, query=query, **kw)
    return r.total, [(h.passage_id, h.score, h.cosine) for h in r.hits]


def near(query: np.ndarray, n: int, seed: int, spread: float = 0.12) -> np.ndarray:
    """``n`` vectors around ``query`` (a cosine of about 0.7 with it at this spread)."""
    rng = np.random.default_rng(seed)
    return unit(query + rng.normal(0, spread, (n, len(query))))


def test_hidden_vectors_never_appear_nor_change_totals(factory, session, operator, encoded):
    texts = [f"Harbour logistics note {i} on cranes and berths." for i in range(60)]
    ingest(factory, operator, texts)
    vecs = near(encoded, 60, seed=12)
    store_vectors(session, {f"ann-open-{i}": v for i, v in enumerate(vecs)})
    low = make_user(session, "ann-low", "analyst", "UNCLASSIFIED")
    before = answers(session, low)
    assert before[0] == semantic.NEAREST  # no keyword match: the nearest passages only
    assert semantic._store(session).vectors.lists is not None, "the inverted file answered"

    ingest(factory, operator, [f"Secret annex {i} on berths." for i in range(5)], "SECRET")
    by_title = store_vectors(session, {f"ann-SECRET-{i}": encoded for i in range(5)})
    assert answers(session, low) == before
    high = make_user(session, "ann-high", "analyst", "SECRET")
    top = answers(session, high)[1][:5]
    assert {pid for pid, _, _ in top} == {by_title[f"ann-SECRET-{i}"] for i in range(5)}, (
        "vectors that arrived later are found by a reader who may see them"
    )


def test_a_narrow_filter_is_answered_over_every_passage_that_passes(
    factory, session, operator, encoded, monkeypatch
):
    ingest(factory, operator, [f"Harbour logistics note {i} on cranes." for i in range(60)])
    ingest(factory, operator, ["Note logistique du port."], language="fr", name="fr")
    elsewhere = unit(np.random.default_rng(14).normal(size=(2, DIM)))
    elsewhere -= np.outer(elsewhere @ encoded, encoded)  # at right angles to the query
    elsewhere = unit(elsewhere)
    vecs = np.vstack(
        [near(encoded, 20, seed=13), near(elsewhere[0], 20, 15), near(elsewhere[1], 20, 16)]
    )
    far = unit(elsewhere[1] + 0.25 * encoded)  # among the lists no query near ``encoded`` reads
    titles = {f"ann-open-{i}": v for i, v in enumerate(vecs)}
    by_title = store_vectors(session, titles | {"ann-fr-0": far})
    calls = []
    among = ann.Vectors.among

    def spy(self, query, ids):
        calls.append(ids)
        return among(self, query, ids)

    monkeypatch.setattr(ann.Vectors, "among", spy)
    french = search.Filters(language="fr")
    r = search.search(session, user=operator, query="ordnance", filters=french)
    assert r.total == 1 and r.hits[0].passage_id == by_title["ann-fr-0"]
    assert r.hits[0].cosine == pytest.approx(float(far @ encoded), abs=1e-2)
    assert calls == [[by_title["ann-fr-0"]]], "answered by the exact product over the filter"
