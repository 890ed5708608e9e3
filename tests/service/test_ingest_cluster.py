"""``horizon ingest --cluster``: chunks prepared on a Dask cluster, stored by this process alone.

The same documents ingested through a cluster give the same documents, passages, labels and
actors as a local ingest; a chunk that fails on a worker is reported document by document and
the rest is stored, and running the batch again stores what failed; the CLI takes a scheduler's
address; a missing package or a wrong address is a clear error.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import joblib
import pytest
from sqlalchemy import select

from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import pipeline
from grandstrategy.horizon.classify import engine, evaluate, learn
from grandstrategy.horizon.ingest import cluster as dask_cluster
from grandstrategy.horizon.ingest.readers import RawDocument
from grandstrategy.horizon.models import Document, Label, Mention, Passage, TrainedModel
from grandstrategy.horizon.taxonomy import load_taxonomy
from tests.conftest import unavailable

try:
    import distributed
except ImportError:  # the optional extra 'cluster'
    distributed = None


def need_dask() -> None:
    if distributed is None:
        unavailable("Dask distributed (pip install -e '.[cluster]')")


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[Any]:
    """Two in-process workers, one thread each, reachable over TCP (as a real cluster)."""
    need_dask()
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:
        yield cluster


@pytest.fixture
def client(local_cluster) -> Iterator[Any]:
    with distributed.Client(local_cluster, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def model_blob() -> bytes:
    """A small learned model (a tenth of the starter training split: seconds, not minutes),
    so that the workers classify with rules and model, as ingestion does."""
    model = learn.train(evaluate.load_starter("train")[::10], load_taxonomy().ids(), seed=0)
    buf = io.BytesIO()
    joblib.dump((model, None), buf)
    return buf.getvalue()


def add_model(factory, blob: bytes) -> None:
    with factory() as s:
        row = TrainedModel(trained_by="test", n_examples=1, n_feedback=0, blob=blob, metrics={})
        row.marking = Marking()
        s.add(row)
        s.commit()


def documents(n: int = 20) -> list[RawDocument]:
    """``n`` multilingual documents of four starter passages each, and one repeated."""
    examples = evaluate.load_starter("test")
    docs = [
        RawDocument(
            title=f"starter {i}",
            text="\n\n".join(e.text for e in examples[4 * i : 4 * i + 4]),
            date=None,
            url="",
            language=None,
            source=None,
            marking=None,
            labels=[],
            origin=f"starter:{i}",
        )
        for i in range(n)
    ]
    return [*docs, docs[3]]


def snapshot(factory) -> dict[str, Any]:
    """What is stored, keyed by content (ids differ from one run to the next)."""
    with factory() as s:
        docs = {
            h: (title, lang, json.dumps(cats), json.dumps(actors))
            for h, title, lang, cats, actors in s.execute(
                select(
                    Document.content_hash,
                    Document.title,
                    Document.language,
                    Document.categories,
                    Document.actors,
                )
            ).all()
        }
        passages = set(
            s.execute(
                select(
                    Document.content_hash, Passage.seq, Passage.start, Passage.end, Passage.language
                ).join(Passage, Passage.document_id == Document.id)
            ).all()
        )
        labels = {
            (h, seq, cat, round(score, 9), round(rule, 9), None if p is None else round(p, 9))
            for h, seq, cat, score, rule, p in s.execute(
                select(
                    Document.content_hash,
                    Passage.seq,
                    Label.category,
                    Label.score,
                    Label.rule_score,
                    Label.model_prob,
                )
                .join(Passage, Passage.document_id == Document.id)
                .join(Label, Label.passage_id == Passage.id)
            ).all()
        }
        mentions = set(
            s.execute(
                select(Document.content_hash, Mention.entity_id, Mention.start, Mention.end).join(
                    Mention, Mention.document_id == Document.id
                )
            ).all()
        )
    return {"documents": docs, "passages": passages, "labels": labels, "mentions": mentions}


def ingest(factory, user, items, **kw):
    return pipeline.ingest(factory, user=user, items=items, chunk=4, use_embeddings=False, **kw)


def test_cluster_ingest_stores_what_a_local_ingest_stores(
    connection, factory, operator, model_blob, client
):
    add_model(factory, model_blob)
    docs = documents()
    local_run = connection.begin_nested()  # the local ingest, undone once looked at
    local = ingest(factory, operator, docs)
    expected = snapshot(factory)
    local_run.rollback()
    assert snapshot(factory)["documents"] == {}

    r = ingest(factory, operator, docs, cluster=client)
    assert (r.ingested, r.duplicates, r.passages, r.failed) == (20, 1, local.passages, [])
    got = snapshot(factory)
    assert got == expected
    assert len(got["passages"]) == r.passages and any(p is not None for *_, p in got["labels"])
    assert {cat for *_, cat, _s, _r, _p in got["labels"]} - {"none"}  # threats were found


def test_a_chunk_that_fails_on_a_worker_is_reported_and_the_rest_stored(
    factory, operator, client, monkeypatch
):
    docs = documents(12)  # three chunks of four, then the repeated one
    real = pipeline.prepare_with

    def poisoned(clf, chunk):
        if any(d.origin == "starter:5" for d in chunk):
            raise RuntimeError("worker ran out of memory")
        return real(clf, chunk)

    monkeypatch.setattr(pipeline, "prepare_with", poisoned)  # in-process workers see it
    r = ingest(factory, operator, docs, cluster=client.scheduler.address)
    failed = dict(r.failed)
    assert sorted(failed) == ["starter:4", "starter:5", "starter:6", "starter:7"]
    assert all(
        "not prepared on the cluster" in why and "worker ran out of memory" in why
        for why in failed.values()
    )
    assert r.ingested == 8 and r.duplicates == 1
    stored = snapshot(factory)["documents"]
    assert sorted(t for t, *_ in stored.values()) == sorted(
        f"starter {i}" for i in (0, 1, 2, 3, 8, 9, 10, 11)
    )

    monkeypatch.setattr(pipeline, "prepare_with", real)
    again = ingest(factory, operator, docs, cluster=client)  # resumes: stores what failed
    assert (again.ingested, again.duplicates, again.failed) == (4, 9, [])


def test_worker_processes_classify_with_the_broadcast_model(tmp_path, operator, model_blob):
    """Workers in their own processes (as on other machines): they open no database."""
    from grandstrategy.core import db as core_db

    need_dask()
    url = f"sqlite:///{tmp_path / 'c.db'}"
    core_db.upgrade(url)
    factory = core_db.make_sessionmaker(core_db.make_engine(url))
    add_model(factory, model_blob)
    docs = documents(8)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        r = ingest(factory, operator, docs, cluster=cluster.scheduler_address)
    assert (r.ingested, r.duplicates, r.failed) == (8, 1, [])
    expected = [p.labels for p in pipeline.prepare_with(load_classifier(factory), docs[:8])]
    with factory() as s:
        got: dict[tuple[str, int], set[str]] = {}
        for title, seq, cat in s.execute(
            select(Document.title, Passage.seq, Label.category)
            .join(Passage, Passage.document_id == Document.id)
            .join(Label, Label.passage_id == Passage.id)
        ).all():
            got.setdefault((title, seq), set()).add(cat)
    want = {
        (f"starter {i}", seq): {lb.category for lb in labels}
        for i, doc_labels in enumerate(expected)
        for seq, labels in enumerate(doc_labels)
        if labels
    }
    assert got == want


def load_classifier(factory):
    with factory() as s:
        return engine.classifier(s, use_embeddings=False)


def test_cli_ingest_on_a_cluster(tmp_path, local_cluster, capsys, monkeypatch):
    from grandstrategy.cli.main import main

    monkeypatch.setenv("GRANDSTRATEGY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRANDSTRATEGY_NO_EMBED", "1")
    folder = tmp_path / "news"
    folder.mkdir()
    for doc in documents(6)[:6]:
        (folder / f"{doc.origin.replace(':', '-')}.txt").write_text(doc.text, encoding="utf-8")
    db = ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]
    address = local_cluster.scheduler_address
    assert address.startswith("tcp://")

    def gs(*args: str, command: tuple[str, ...] = ("horizon", "ingest")) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main([*db, *command, *args])
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, err

    assert gs(command=("db", "upgrade"))[0] == 0
    code, out, err = gs(str(folder), "--cluster", address, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["ingested"], report["failed"]) == (6, [])
    code, out, err = gs(str(folder), "--cluster", address, "--json")  # again: all stored
    assert code == 0 and json.loads(out)["duplicates"] == 6

    monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT_S", 1)
    code, _out, err = gs(str(folder), "--cluster", "tcp://127.0.0.1:1")
    assert code == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in err

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    code, _out, err = gs(str(folder), "--cluster", address)
    assert code == 1 and "Dask distributed" in err and "grandstrategy[cluster]" in err


def test_a_cluster_address_must_be_given():
    need_dask()
    with pytest.raises(Invalid, match="scheduler address"):
        dask_cluster.connect("  ")
