"""The keyword index's newest matches with a capped count (``KeywordIndex.newest`` with
``enough``): searched window by window from the newest ids, the same ids as one search over
everything, and the count exact up to ``enough``, only "more" beyond."""

import random

import pytest

from grandstrategy.horizon import index as kindex
from tests.conftest import unavailable

PASSAGES = 3_000


def _words(rng: random.Random, pid: int) -> str:
    words = ["common"]
    if rng.random() < 0.01:
        words.append("rare")
    if rng.random() < 0.5:
        words.append("half")
    if pid > 2_600 and rng.random() < 0.5:  # dense among the newest only
        words.append("late")
    if pid < 300:  # among the oldest only
        words.append("early")
    return " ".join(words)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """An index of PASSAGES passages written straight to tantivy (no database needed)."""
    if not kindex.available():
        unavailable("tantivy (pip install -e '.[search]')")
    idx = kindex.KeywordIndex(tmp_path_factory.mktemp("windows") / "index")
    rng = random.Random(11)
    writer = idx.index.writer(15_000_000, 1)
    for pid in range(1, PASSAGES + 1):
        comps = "|NATO|" if rng.random() < 0.1 else ""
        row = (pid, _words(rng, pid), rng.randrange(4), comps, "en", None, "src")
        writer.add_document(idx._doc(row, [], []))
        if pid % 1_000 == 0:
            writer.commit()  # several segments, as a growing index has
    writer.commit()
    writer.wait_merging_threads()
    idx.index.reload()
    idx.searcher = idx.index.searcher()
    idx.state.upto = PASSAGES
    return idx


def _query(idx, word: str, level: int = 3):
    tv = kindex._tv()
    q, occur = tv.Query, tv.Occur
    return q.boolean_query(
        [
            (occur.Must, q.term_query(idx.schema, "text", word)),
            (
                occur.Must,
                q.range_query(idx.schema, "level", tv.FieldType.Unsigned, 0, level),
            ),
            (occur.MustNot, q.term_query(idx.schema, "comps", "NATO")),
        ]
    )


@pytest.mark.parametrize("window", [2, 7, 32, 5_000])
@pytest.mark.parametrize("word", ["common", "rare", "half", "late", "early", "absent"])
def test_windows_give_the_newest_ids_and_a_count_exact_up_to_enough(
    filled, monkeypatch, window, word
):
    monkeypatch.setattr(kindex, "WINDOWED_FROM", 0)
    monkeypatch.setattr(kindex, "WINDOW", window)
    for level in (1, 3):
        query = _query(filled, word, level)
        for depth in (1, 7, 50, 500):
            ids, count = filled.newest(query, depth)
            assert ids == sorted(ids, reverse=True) and len(ids) == min(depth, count)
            for enough in (0, 3, 60, 400, 1_000, 10_000):
                got, counted = filled.newest(query, depth, enough)
                assert got == ids, (depth, enough)
                if count <= enough:
                    assert counted == count
                else:
                    assert enough < counted <= count


def test_small_indexes_search_once(filled, monkeypatch):
    calls = []
    one = filled._newest

    def counted(*args):
        calls.append(args[2:])
        return one(*args)

    monkeypatch.setattr(filled, "_newest", counted)
    query = _query(filled, "common")
    filled.newest(query, 10, 20)  # fewer ids than WINDOWED_FROM: one search, no bounds
    assert calls == [(None, None)]
    monkeypatch.setattr(kindex, "WINDOWED_FROM", 0)
    calls.clear()
    _ids, count = filled.newest(query, 10, 20)
    assert count > 20 and len(calls) == 1 and calls[0][0] > 0  # the newest window sufficed


@pytest.mark.parametrize(
    "query",
    ["common", "rare", "half late", "late OR early", "common -half", '"common half"', "hal*", "x"],
)
def test_most_is_never_fewer_than_the_matches(filled, query):
    from grandstrategy.horizon.query import parse

    terms = parse(query)
    matches = filled.searcher.search(filled.text_query(terms), 1, count=True).count
    assert filled.most(terms) >= matches
    if query == "rare":
        assert filled.most(terms) == matches  # one word: its own count
