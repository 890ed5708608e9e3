"""The tantivy keyword index: same answers as FTS, the same restriction, catch-up, rebuild,
and a stale or tampered index that never shows what the database does not allow."""

import json
import shutil

import pytest
from sqlalchemy import select

from grandstrategy.core.config import Settings
from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import index as kindex
from grandstrategy.horizon import search, search_sql, wordforms
from grandstrategy.horizon.models import Passage
from tests.conftest import unavailable
from tests.helpers import make_user
from tests.service.test_horizon import marked, run  # noqa: F401  (a fixture, reused)


@pytest.fixture
def idx(tmp_path):
    if not kindex.available():
        unavailable("tantivy (pip install -e '.[search]')")
    return kindex.KeywordIndex(tmp_path / "index")


def ids(result):
    return {h.passage_id for h in result.hits}


QUERIES = [
    "cyber attack",
    '"port of Antwerp"',
    "cyber -antwerp",
    "headquart*",
    "antwerp OR brussels",
    "cyber attack -brussels OR classified",
    "network*",
    "CYBER Attack",
]


@pytest.mark.parametrize("query", QUERIES)
def test_same_hits_as_fts(session, marked, operator, idx, query):  # noqa: F811
    fts = search.search(session, user=operator, query=query, semantic=False)
    tv = search.search(session, user=operator, query=query, semantic=False, index=idx)
    assert fts.backend == "fts" and tv.backend == "tantivy"
    assert ids(tv) == ids(fts) and tv.total == fts.total
    assert tv.facets["source"] == fts.facets["source"]
    assert all(h.matches for h in tv.hits)


@pytest.mark.parametrize(
    ("clearance", "comps", "expected"),
    [
        ("UNCLASSIFIED", [], 1),
        ("SECRET", [], 2),
        ("RESTRICTED", ["NATO"], 2),
        ("SECRET", ["NATO"], 3),
        ("SECRET", ["EU"], 2),
    ],
)
def test_counts_hits_and_facets_follow_clearance(
    session,
    marked,  # noqa: F811
    idx,
    clearance,
    comps,
    expected,
):
    name = f"k{clearance.lower()}{''.join(comps).lower()}"
    user = make_user(session, name, "analyst", clearance, comps)
    r = search.search(session, user=user, query="cyber attack", index=idx)
    assert r.backend == "tantivy"
    assert r.total == expected and len(r.hits) == expected
    assert sum(n for _, n in r.facets["source"]) == expected
    assert sum(n for _, n in r.facets["language"]) == expected
    assert all(user.can_read(search.Marking.parse(h.marking)) for h in r.hits)
    assert ids(r) == ids(search.search(session, user=user, query="cyber attack"))


def test_new_passages_are_found_at_the_next_search(factory, session, operator, idx, tmp_path):
    f = tmp_path / "one.txt"
    f.write_text("Drone sightings over the nuclear plant at Doel worried the operator.")
    run(factory, operator, [f], source="one")
    assert search.search(session, user=operator, query="drone", index=idx).total == 1
    # the keyword half alone: with one passage stored, it is the nearest in meaning to anything
    nothing = search.search(session, user=operator, query="Zeebrugge", index=idx, semantic=False)
    assert nothing.total == 0
    g = tmp_path / "two.txt"
    g.write_text("A second drone was seen near Zeebrugge harbour on Friday night.")
    run(factory, operator, [g], source="two")
    r = search.search(session, user=operator, query="drone", index=idx)
    assert r.total == 2 and r.backend == "tantivy"
    found = search.search(session, user=operator, query="zeebrugge", index=idx, semantic=False)
    assert found.total == 1
    assert idx.state.docs == 2


def test_reindex_rebuilds_and_a_lost_state_rebuilds_itself(session, marked, operator, idx):  # noqa: F811
    before = ids(search.search(session, user=operator, query="cyber", index=idx))
    assert idx.rebuild(session) == 3
    assert ids(search.search(session, user=operator, query="cyber", index=idx)) == before
    (idx.folder / "state.json").unlink()
    again = kindex.KeywordIndex(idx.folder)
    assert ids(search.search(session, user=operator, query="cyber", index=again)) == before
    assert again.state.docs == 3


def _ranking(result):
    return [(h.passage_id, h.score) for h in result.hits]


def test_an_index_made_before_the_word_store_fills_it_and_ranks_the_same(
    session,
    marked,  # noqa: F811
    operator,
    idx,
    monkeypatch,
):
    queries = ["cyber attack", "port OR antwerp", '"port of Antwerp"', "network*", "cyber -x"]
    fts = {q: search.search(session, user=operator, query=q, semantic=False) for q in queries}
    search.search(session, user=operator, query="cyber", semantic=False, index=idx)
    assert idx.words.upto == idx.state.upto > 0
    shutil.rmtree(idx.folder / "words")  # as an index written by an earlier version
    older = kindex.KeywordIndex(idx.folder)
    assert older.words.upto == 0 and older.state.upto == idx.state.upto  # not rebuilt
    read: list[int] = []
    scores = wordforms.scores

    def counted(terms, rows):
        read.append(len(rows))
        return scores(terms, rows)

    monkeypatch.setattr(wordforms, "scores", counted)
    for q in queries:
        r = search.search(session, user=operator, query=q, semantic=False, index=older)
        assert r.backend == "tantivy"
        assert _ranking(r) == _ranking(fts[q]), q
    assert older.words.upto == older.state.upto
    assert read == []  # every candidate ranked from the stored words, no text folded
    assert older.rebuild(session) == 3 and older.words.upto == older.state.upto
    r = search.search(session, user=operator, query="cyber attack", semantic=False, index=older)
    assert _ranking(r) == _ranking(fts["cyber attack"]) and read == []


def test_a_lagging_word_store_fills_over_the_next_searches(
    factory,
    session,
    marked,  # noqa: F811
    operator,
    idx,
    monkeypatch,
    tmp_path,
):
    search.search(session, user=operator, query="cyber", semantic=False, index=idx)
    shutil.rmtree(idx.folder / "words")
    older = kindex.KeywordIndex(idx.folder)
    monkeypatch.setattr(kindex, "BATCH", 1)  # one passage per search
    monkeypatch.setattr(kindex, "FILL_SECONDS", 0.0)
    search.search(session, user=operator, query="cyber", semantic=False, index=older)
    assert 0 < older.words.upto < older.state.upto
    f = tmp_path / "late.txt"  # a passage indexed while the store lags
    f.write_text("A late cyber attack on the port of Antwerp, and its network.")
    run(factory, operator, [f], source="late")
    queries = ["cyber attack", "port OR antwerp", '"port of Antwerp"', "network*", "cyber"]
    fts = {q: search.search(session, user=operator, query=q, semantic=False) for q in queries}
    for q in queries * 2:
        r = search.search(session, user=operator, query=q, semantic=False, index=older)
        assert r.backend == "tantivy" and _ranking(r) == _ranking(fts[q]), q
    assert (
        older.words.upto == older.state.upto == max(session.execute(select(Passage.id)).scalars())
    )


def _plant(idx, pid, level, text="cyber attack on everything"):
    """Write a document straight into the index, as a stale or tampered index would hold."""
    tv = kindex._tv()
    writer = idx.index.writer(50_000_000, 1)
    writer.delete_documents_by_term("pid", pid)
    doc = tv.Document()
    doc.add_unsigned("pid", pid)
    doc.add_text("text", text)
    doc.add_unsigned("level", level)
    doc.add_text("language", "en")
    doc.add_text("source", "planted")
    writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    idx.index.reload()
    idx.searcher = idx.index.searcher()


def test_a_stale_index_never_shows_what_the_database_does_not_allow(
    session,
    marked,  # noqa: F811
    idx,
):
    low = make_user(session, "k-low", "analyst")
    assert search.search(session, user=low, query="cyber", index=idx).total == 1
    secret = session.execute(select(Passage.id).where(Passage.marking_level == 2)).scalar_one()
    _plant(idx, secret, level=0)  # the index now says the CONFIDENTIAL passage is open
    _plant(idx, 10**9, level=0)  # and holds a passage the database never had
    r = search.search(session, user=low, query="cyber", index=idx)
    assert r.backend == "tantivy"
    assert secret not in ids(r) and 10**9 not in ids(r)
    assert r.total == 1 and len(r.hits) == 1
    assert sum(n for _, n in r.facets["source"]) == 1


def test_a_foreign_watermark_rebuilds_the_index(session, marked, operator, idx):  # noqa: F811
    search.search(session, user=operator, query="cyber", index=idx)
    _plant(idx, 10**9, level=0)
    state = json.loads((idx.folder / "state.json").read_text())
    state["fingerprint"] = "another database's passage"
    (idx.folder / "state.json").write_text(json.dumps(state))
    r = search.search(session, user=operator, query="cyber", index=idx)
    assert r.total == 3 and idx.searcher.num_docs == 3


HOSTILE = [
    'cyber "attack',
    "cyber:attack",
    "text:cyber OR level:0",
    "(cyber AND attack) OR (",
    "cyber^10 attack~2",
    "pid:[0 TO 99999999]",
    "*",
    "cyber* * -* OR OR",
    "'; DROP TABLE horizon_passages; --",
    "a" * 60,
    "cyber " * 80,
    "éèê ßtraße Ünïcödé",
    "\\x00 \x00 cyber",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_or_refuse_clearly(session, marked, operator, idx, query):  # noqa: F811
    low = make_user(session, "k-hostile", "analyst")
    try:
        r = search.search(session, user=low, query=query, index=idx)
    except Invalid:
        return
    assert r.backend == "tantivy"
    assert all(h.marking == "UNCLASSIFIED" for h in r.hits)


def test_too_long_a_query_is_refused(session, idx, operator):
    with pytest.raises(Invalid):
        search.search(session, user=operator, query="cyber " * 200, index=idx)


def test_negated_terms_hold_for_semantic_candidates(session, marked, operator, idx, monkeypatch):  # noqa: F811
    from grandstrategy.horizon import semantic

    every = list(session.execute(select(Passage.id)).scalars())

    def all_close(_session, _text, visible, k=50, started=None):
        keep = visible(every)
        return [(pid, 0.9) for pid in every if pid in keep]

    monkeypatch.setattr(semantic, "nearest", all_close)
    monkeypatch.setattr(semantic, "start", lambda *_a: object())  # as if vectors were stored
    r = search.search(session, user=operator, query="cyber -antwerp -brussels", index=idx)
    assert r.total == 1 and len(r.hits) == 1 and r.backend == "tantivy"
    assert search.search(session, user=operator, query="port", index=idx).total == 3


def test_the_backend_follows_the_setting_and_the_database(tmp_path):
    assert kindex.choose("fts", "sqlite:///x.db") == "fts"
    assert kindex.choose("auto", "postgresql://h/db") == "fts"
    with pytest.raises(ValueError):
        kindex.choose("lucene", "sqlite:///x.db")
    if not kindex.available():
        unavailable("tantivy (pip install -e '.[search]')")
    assert kindex.choose("auto", "sqlite:///x.db") == "tantivy"
    s = Settings(db=f"sqlite:///{tmp_path / 'a.db'}", data_dir=tmp_path)
    assert kindex.for_settings(s) is kindex.for_settings(s)
    assert kindex.for_settings(s.model_copy(update={"search_backend": "fts"})) is None
    other = Settings(db=f"sqlite:///{tmp_path / 'b.db'}", data_dir=tmp_path)
    assert kindex.for_settings(other).folder != kindex.for_settings(s).folder


def _answer(result):
    return (
        [(h.passage_id, h.score, h.snippet, h.matches) for h in result.hits],
        result.total,
        result.total_exact,
        result.facets,
        result.facets_exact,
    )


@pytest.mark.parametrize("query", QUERIES)
def test_a_capped_count_by_windows_answers_the_same(
    session,
    marked,  # noqa: F811
    operator,
    idx,
    monkeypatch,
    query,
):
    """Searching the newest ids first (``KeywordIndex.newest`` with ``enough``), as a large
    index does, changes no answer, past CANDIDATES and COUNT_CAP too."""
    low = make_user(session, "low-windows", "analyst", "RESTRICTED", ["NATO"])
    for user in (operator, low):
        for cap, candidates in ((10_000, 500), (1, 1), (0, 1)):
            monkeypatch.setattr(search, "COUNT_CAP", cap)
            monkeypatch.setattr(search, "CANDIDATES", candidates)
            monkeypatch.setattr(kindex, "WINDOWED_FROM", 10**9)
            once = search.search(session, user=user, query=query, semantic=False, index=idx)
            monkeypatch.setattr(kindex, "WINDOWED_FROM", 0)
            monkeypatch.setattr(kindex, "WINDOW", 2)
            windowed = search.search(session, user=user, query=query, semantic=False, index=idx)
            assert windowed.backend == once.backend == "tantivy"
            assert _answer(windowed) == _answer(once)


def test_one_recheck_statement_serves_every_filter_value(
    session,
    marked,  # noqa: F811
    operator,
    idx,
):
    """The re-check's filter values are parameters: the statement made for the first value
    answers for the next ones as FTS does."""
    search_sql.STATEMENTS.clear()
    for source in ("src-open.txt", "src-nato.txt", "src-conf.txt", "nowhere"):
        f = search.Filters(source=source)
        fts = search.search(session, user=operator, query="cyber", filters=f, semantic=False)
        tv = search.search(
            session, user=operator, query="cyber", filters=f, semantic=False, index=idx
        )
        assert tv.backend == "tantivy" and ids(tv) == ids(fts) and tv.total == fts.total
        assert tv.total == (0 if source == "nowhere" else 1)
    rechecks = [k for k in search_sql.STATEMENTS if k[0] == "recheck"]
    assert len(rechecks) == 1


@pytest.mark.parametrize("query", QUERIES)
def test_most_bounds_the_matches(session, marked, operator, idx, query):  # noqa: F811
    from grandstrategy.horizon.query import parse

    assert idx.sync(session)
    terms = parse(query)
    matches = idx.searcher.search(idx.text_query(terms), 1, count=True).count
    assert idx.most(terms) >= matches
