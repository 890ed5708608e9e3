"""Foresight service: ingestion, duplicates, resume, bad files, restriction of search."""

import json

import pytest
from sqlalchemy import func, select

from grandstrategy.core.authz import Principal
from grandstrategy.horizon import pipeline, search, service
from grandstrategy.horizon.ingest.readers import read_path
from grandstrategy.horizon.models import Document, Passage
from tests.helpers import NEWS, make_user


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in NEWS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(factory, user, paths, **kw):
    max_bytes = kw.pop("max_bytes", 10**7)
    items = (it for p in paths for it in read_path(p, max_bytes=max_bytes))
    return pipeline.ingest(factory, user=user, items=items, **kw)


def count(session, model=Document):
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_ingest_folder_then_duplicates(factory, session, operator, corpus):
    r1 = run(factory, operator, [corpus], source="press")
    assert r1.ingested == 3 and r1.failed == [] and r1.passages >= 3
    r2 = run(factory, operator, [corpus], source="press")
    assert r2.ingested == 0 and r2.duplicates == 3
    assert count(session) == 3
    docs, total = service.list_documents(session, user=operator)
    assert total == 3 and {d.source for d in docs} == {"press"}
    cats = {c for d in docs for c, _ in d.categories}
    assert {"hybrid", "cyber", "climate"} <= cats


def test_passages_cite_offsets_into_immutable_text(factory, session, operator, corpus):
    run(factory, operator, [corpus])
    for doc in session.execute(select(Document)).scalars():
        view = service.get_document(session, user=operator, doc_id=doc.id)
        for p in view.passages:
            assert doc.text[p.start : p.end] == p.text


def test_actors_are_found(factory, session, operator, corpus):
    run(factory, operator, [corpus])
    docs, _ = service.list_documents(session, user=operator, actor="state:RU")
    assert [d.title for d in docs] == ["Undersea cable cut near Zeebrugge"]


def test_bad_files_fail_alone_and_leave_nothing_partial(factory, session, operator, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    (folder / "big.txt").write_text("word " * 5000)
    (folder / "good.txt").write_text(
        "Terrorists planned an attack on the Brussels metro, "
        "police said after arrests in Molenbeek."
    )
    r = run(factory, operator, [folder], max_bytes=10_000)
    assert r.ingested == 1
    reasons = dict(r.failed)
    assert len(reasons) == 4
    assert any("empty" in v for v in reasons.values())
    assert any("UTF-8" in v for v in reasons.values())
    assert any("PDF" in v for v in reasons.values())
    assert any("limit" in v for v in reasons.values())
    assert count(session) == 1
    orphans = session.execute(
        select(func.count())
        .select_from(Document)
        .where(~Document.id.in_(select(Passage.document_id)))
    ).scalar_one()
    assert orphans == 0


def test_interrupted_batch_resumes(factory, session, operator, tmp_path):
    bulk = tmp_path / "bulk.jsonl"
    lines = [
        json.dumps(
            {
                "title": f"Item {i}",
                "text": f"Report number {i} on drug trafficking "
                f"through the port of Antwerp by criminal gangs, seizure {i}.",
            }
        )
        for i in range(30)
    ]
    bulk.write_text("\n".join(lines[:12]) + "\n")
    assert run(factory, operator, [bulk]).ingested == 12  # the first run "stopped" here
    bulk.write_text("\n".join(lines) + "\n")
    again = run(factory, operator, [bulk])
    assert again.ingested == 18 and again.duplicates == 12
    assert count(session) == 30


def test_marking_above_clearance_is_refused(factory, session):
    analyst = make_user(session, "an1", "analyst", "RESTRICTED")
    session.commit()
    from grandstrategy.core.errors import Invalid

    with pytest.raises(Invalid):
        pipeline.ingest(factory, user=analyst, items=[], marking="SECRET")


@pytest.fixture
def marked(factory, session, operator, tmp_path):
    files = {
        ("open.txt", None): "Cyber attack on the port of Antwerp disrupted container traffic.",
        ("nato.txt", "RESTRICTED//NATO"): "Cyber attack on NATO headquarters networks in "
        "Brussels was contained by the alliance's response team.",
        ("conf.txt", "CONFIDENTIAL"): "Cyber attack attributed to a hostile intelligence "
        "service targeted the federal government's classified network.",
    }
    for (name, marking), text in files.items():
        f = tmp_path / name
        f.write_text(text)
        run(factory, operator, [f], marking=marking, source=f"src-{name}")
    return files


@pytest.mark.parametrize(
    ("clearance", "comps", "expected"),
    [
        ("UNCLASSIFIED", [], 1),
        ("SECRET", [], 2),
        ("RESTRICTED", ["NATO"], 2),
        ("SECRET", ["NATO"], 3),
    ],
)
def test_search_counts_and_facets_follow_clearance(session, marked, clearance, comps, expected):
    user = make_user(session, f"u{clearance.lower()}{len(comps)}", "analyst", clearance, comps)
    r = search.search(session, user=user, query="cyber attack")
    assert r.total == expected and len(r.hits) == expected
    assert sum(n for _, n in r.facets["source"]) == expected
    assert sum(n for _, n in r.facets["language"]) == expected
    _docs, total = service.list_documents(session, user=user)
    assert total == expected
    assert service.stats(session, user=user)["documents"] == expected
    for h in r.hits:
        assert (
            h.matches
            and "<mark>" in h.snippet_html
            and h.citation.startswith(f"doc {h.document_id}")
        )


def test_hidden_document_is_not_found(session, marked, operator):
    low = make_user(session, "low1", "analyst")
    conf = session.execute(select(Document).where(Document.marking_level == 2)).scalar_one()
    from grandstrategy.core.errors import NotFound

    with pytest.raises(NotFound):
        service.get_document(session, user=low, doc_id=conf.id)
    assert service.get_document(session, user=Principal.operator(), doc_id=conf.id)


def test_query_syntax(session, marked, operator):
    # A phrase or a prefix is exact: the semantic half adds nothing to it.
    assert search.search(session, user=operator, query='"port of Antwerp"').total == 1
    assert search.search(session, user=operator, query="headquart*").total == 1
    # Words: the keyword half's syntax (the semantic half, on by default, is left out here:
    # among three passages every one is "near" in meaning).
    assert search.search(session, user=operator, query="cyber -antwerp", semantic=False).total == 2
    assert (
        search.search(session, user=operator, query="antwerp OR brussels", semantic=False).total
        == 2
    )
    from grandstrategy.core.errors import Invalid

    with pytest.raises(Invalid):
        search.search(session, user=operator, query="-cyber")


def test_verdicts_change_the_next_training(factory, session, operator, tmp_path):
    """A confirmed label becomes a training example: the next model leans towards it."""
    from grandstrategy.horizon.classify import engine

    text = (
        "The municipal orchestra announced a new season of baroque concerts in the cathedral, "
        "with tickets on sale from Monday at the town hall."
    )
    (tmp_path / "concert.txt").write_text(text)
    run(factory, operator, [tmp_path / "concert.txt"], use_embeddings=False)
    before = engine.train(session, user=operator, tune=False)
    pid = session.execute(select(Passage.id)).scalars().first()
    model = engine.classifier(session, use_embeddings=False).model
    assert model is not None
    col = model.categories.index("nuclear")
    p_before = model.predict_proba([text])[0][col]

    service.give_verdict(
        session, user=operator, passage_id=pid, category="nuclear", verdict="confirm", note="test"
    )
    service.give_verdict(session, user=operator, passage_id=pid, category="none", verdict="reject")
    examples, n = engine.feedback_examples(session)
    assert n == 1 and examples[0].labels == frozenset({"nuclear"})
    after = engine.train(session, user=operator, tune=False)
    assert after.n_feedback == 1 and after.n_examples == before.n_examples + 1
    model = engine.classifier(session, use_embeddings=False).model
    assert model is not None
    assert model.predict_proba([text])[0][col] > p_before + 0.05


def test_semantic_search_finds_passages_without_shared_words(factory, session, operator, tmp_path):
    from grandstrategy.horizon import embed, semantic
    from grandstrategy.horizon.classify import engine

    if not embed.available():
        pytest.skip("the sentence encoder is not installed")
    engine.train(session, user=operator, tune=False)
    session.commit()
    semantic.clear_cache()
    docs = {
        "navy.txt": "Warships closed the harbour entrance and turned back every merchant vessel.",
        "flood.txt": "Heavy rain flooded the valley and the river burst its banks overnight.",
        "hack.txt": "Hackers encrypted the hospital's computers and demanded a ransom payment.",
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text)
    run(factory, operator, [tmp_path], use_embeddings=True)
    r = search.search(session, user=operator, query="naval blockade of the port")
    assert r.hits, "a passage close in meaning is found though no word is shared"
    assert "Warships" in r.hits[0].snippet
    assert r.hits[0].cosine is not None and "close in meaning" in r.hits[0].why(search.Filters())
    assert r.total == len(r.hits)
    low = make_user(session, "low-sem", "analyst", "UNCLASSIFIED")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "s.txt").write_text("Frigates sealed off the estuary, stopping all shipping.")
    run(factory, operator, [secret], use_embeddings=True, marking="CONFIDENTIAL")
    seen = search.search(session, user=low, query="naval blockade of the port")
    assert all("Frigates" not in h.snippet for h in seen.hits)
    assert seen.total == r.total
    without = search.search(session, user=operator, query="naval blockade of the port -warships")
    assert all("Warships" not in h.snippet for h in without.hits)


def test_negated_terms_hold_for_semantic_candidates(session, marked, operator, monkeypatch):
    """A passage holding a word the query excludes never comes back through the semantic side."""
    from grandstrategy.horizon import semantic

    every = list(session.execute(select(Passage.id)).scalars())

    def all_close(_session, _text, visible, k=50, started=None):  # every passage "close in meaning"
        keep = visible(every)
        return [(pid, 0.9) for pid in every if pid in keep]

    monkeypatch.setattr(semantic, "nearest", all_close)
    monkeypatch.setattr(semantic, "start", lambda *_a: object())  # as if vectors were stored
    r = search.search(session, user=operator, query="cyber -antwerp -brussels")
    assert r.total == 1 and len(r.hits) == 1
    assert all("Antwerp" not in h.snippet and "Brussels" not in h.snippet for h in r.hits)
    both = search.search(session, user=operator, query="port")
    assert both.total == 3  # the semantic side adds the passages without the word


def test_two_databases_never_share_a_model(tmp_path, operator):
    """The trained classifier is cached per database: a new database classifies by rules."""
    from grandstrategy.core import db as core_db
    from grandstrategy.horizon.classify import engine

    factories = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        core_db.upgrade(url)
        factories.append(core_db.make_sessionmaker(core_db.make_engine(url)))
    with core_db.unit_of_work(factories[0]) as s:
        engine.train(s, user=operator, tune=False)
    with factories[0]() as s:
        assert engine.classifier(s, use_embeddings=False).model is not None
    with factories[1]() as s:
        assert engine.classifier(s, use_embeddings=False).model is None
    with factories[0]() as s:
        assert engine.classifier(s, use_embeddings=False).model is not None


def test_a_clash_in_a_chunk_falls_back_to_one_savepoint_per_document(
    factory, session, operator, corpus, monkeypatch
):
    """When the chunk cannot be written whole, each document is still stored whole, once."""
    from sqlalchemy.exc import IntegrityError

    from grandstrategy.core import audit

    whole = pipeline.store_many

    def clash(s, prepared, **kw):
        if len(prepared) > 1:
            raise IntegrityError("INSERT", {}, Exception("stored meanwhile"))
        return whole(s, prepared, **kw)

    monkeypatch.setattr(pipeline, "store_many", clash)
    r = run(factory, operator, [corpus])
    assert r.ingested == 3 and r.failed == [] and len(r.document_ids) == 3
    assert count(session) == 3 and count(session, Passage) == r.passages
    assert audit.verify(session).ok


def test_workers_prepare_while_this_process_stores(tmp_path, operator, corpus):
    from grandstrategy.core import audit
    from grandstrategy.core import db as core_db

    url = f"sqlite:///{tmp_path / 'w.db'}"
    core_db.upgrade(url)
    factory = core_db.make_sessionmaker(core_db.make_engine(url))
    items = list(read_path(corpus)) * 2  # each text twice: stored once
    r = pipeline.ingest(factory, user=operator, items=items, chunk=2, workers=1)
    assert r.ingested == 3 and r.duplicates == 3 and r.failed == []
    with factory() as s:
        docs, total = service.list_documents(s, user=operator)
        assert total == 3 and {"hybrid", "cyber", "climate"} <= {
            c for d in docs for c, _ in d.categories
        }
        assert audit.verify(s).ok and audit.verify(s).entries == 3


def test_workers_serve_any_database_as_they_open_none(factory, operator, corpus):
    """Workers are handed the classifier and open no database, so they also serve a
    session bound to a test's connection, on SQLite and on PostgreSQL."""
    from grandstrategy.core import audit

    items = list(read_path(corpus))
    one = pipeline.ingest(factory, user=operator, items=items, chunk=1, workers=1)
    assert one.workers == 1 and one.worker_start in ("fork", "spawn")
    assert one.ingested == 3 and one.failed == []
    with factory() as s:
        docs, total = service.list_documents(s, user=operator)
        assert total == 3 and {"hybrid", "cyber", "climate"} <= {
            c for d in docs for c, _ in d.categories
        }
        assert audit.verify(s).ok


def test_facets_count_the_best_candidates_and_the_total_stops_at_the_cap(
    session, marked, monkeypatch
):
    """Past CANDIDATES matches the facets count the newest ones only (and say so); past
    COUNT_CAP the total reads "at least"; both stay within the user's clearance."""
    low = make_user(session, "low-cap", "analyst", "RESTRICTED", ["NATO"])
    full = search.search(session, user=low, query="cyber attack")
    assert full.total == 2 and full.total_exact and full.facets_exact
    assert full.facets_over == 2 and sum(n for _, n in full.facets["source"]) == 2
    monkeypatch.setattr(search, "CANDIDATES", 1)
    part = search.search(session, user=low, query="cyber attack", limit=1)
    assert part.total == 2 and part.total_exact and part.total_text == "2"
    assert not part.facets_exact and part.facets_over == 1
    assert sum(n for _, n in part.facets["source"]) == 1
    newest = max(h.passage_id for h in full.hits)  # past CANDIDATES, the newest are ranked
    assert [h.passage_id for h in part.hits] == [newest]
    monkeypatch.setattr(search, "COUNT_CAP", 1)
    capped = search.search(session, user=low, query="cyber attack", limit=1)
    assert capped.total == 1 and not capped.total_exact and capped.total_text == "1+"
    second = search.search(session, user=low, query="cyber attack", limit=1, offset=1)
    assert [h.passage_id for h in second.hits] == [full.hits[1].passage_id]


def test_semantic_store_catches_vectors_committed_out_of_order(session, marked, monkeypatch):
    import numpy as np
    from sqlalchemy import delete

    from grandstrategy.horizon import embed, semantic
    from grandstrategy.horizon.models import PassageVector

    session.execute(delete(PassageVector))  # ingestion filled them: start with none
    ids = sorted(session.execute(select(Passage.id)).scalars())
    vec = np.ones(embed.DIM, np.float16).tobytes()
    semantic.clear_cache()
    try:
        session.add(PassageVector(passage_id=ids[-1], vector=vec))
        session.flush()
        assert list(semantic._store(session).ids) == [ids[-1]]
        session.add(PassageVector(passage_id=ids[0], vector=vec))  # lower id, committed later
        session.flush()
        assert list(semantic._store(session).ids) == [ids[-1]]  # not counted again yet
        monkeypatch.setattr(semantic, "RECOUNT_SECONDS", 0.0)
        store = semantic._store(session)
        assert list(store.ids) == [ids[0], ids[-1]] and store.vectors.dtype == np.float32
    finally:
        semantic.clear_cache()


def test_a_name_no_passage_holds_finds_nothing_even_by_meaning(session, marked, operator):
    """Among three passages every one is the nearest to something: a passage found by meaning
    alone must be close enough to count (search.MEANING_ONLY_MIN)."""
    assert search.search(session, user=operator, query="vanilla flower show").total == 0
    assert search.search(session, user=operator, query="cyber attack").total == 3
