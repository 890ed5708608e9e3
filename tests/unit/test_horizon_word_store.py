"""The keyword index's word store (``horizon.wordstore``): scores from the stored words equal
``wordforms.scores`` from the texts, whatever the texts and the query; another process's
writes are followed; an interrupted write is cut off; a passage not stored is left to the
caller."""

from __future__ import annotations

import random

import pytest

from grandstrategy.horizon import search, wordforms, wordstore
from grandstrategy.horizon.wordstore import WordStore
from tests.unit.test_horizon_word_scores import QUERIES as SCORE_QUERIES
from tests.unit.test_horizon_word_scores import TEXTS

LANGS = ("en", "fr", "nl", "de", "xx")
QUERIES = [
    *SCORE_QUERIES,
    "drones",
    "attacks",
    "sanction OR drohnen",
    '"the drone"',
    '"drone operator was"',
    '"a a"',
    "cyb*",
    '"drone op*"',
    "straße",
    "zz_unknown",
    "a -drone",
    "cyberaanval haven",
    "gesperrt OR cafe",
]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = [w for t in TEXTS for w in t.split()] + ["a", "a", "drone", "drones", "cyb", "é"]
    alphabet = list("abcdeéèßøæ ΣΑς½-’«»\u0301")
    out = []
    for _ in range(n):
        words = rng.choices(vocab, k=rng.randint(0, 30))
        if rng.random() < 0.3:
            words.append("".join(rng.choices(alphabet, k=rng.randint(1, 12))))
        out.append(" ".join(words))
    return out


@pytest.fixture
def passages() -> list[tuple[int, str, str]]:
    texts = TEXTS + _random_texts(300, 5)
    rng = random.Random(3)
    return [(i * 2 + 1, text, rng.choice(LANGS)) for i, text in enumerate(texts)]


def _filled(folder, passages) -> WordStore:
    store = WordStore(folder)
    store.begin()
    for pid, text, _lang in passages[:100]:
        store.add(pid, text)
    store.flush()  # written in two parts, as the index writes its batches
    for pid, text, _lang in passages[100:]:
        store.add(pid, text)
    store.commit(passages[-1][0])
    return store


@pytest.mark.parametrize("tail", [4_096, 3])  # prefixes looked up one by one, or sorted
def test_stored_words_score_as_the_texts(tmp_path, passages, monkeypatch, tail):
    monkeypatch.setattr(wordstore, "SORTED_TAIL", tail)
    store = _filled(tmp_path / "words", passages)
    for query in QUERIES:
        terms = search.parse(query)
        expected = wordforms.scores(terms, [(t, lang) for _pid, t, lang in passages])
        got = store.scores(terms, [(pid, lang) for pid, _t, lang in passages])
        assert got == expected, query
    # read back from the files by another store (another process)
    again = WordStore(tmp_path / "words")
    terms = search.parse("drone OR cyber*")
    assert again.scores(terms, [(p, lang) for p, _t, lang in passages]) == wordforms.scores(
        terms, [(t, lang) for _p, t, lang in passages]
    )


def test_passages_not_stored_are_left_to_the_caller(tmp_path, passages):
    store = _filled(tmp_path / "words", passages[:10])
    terms = search.parse("drone")
    asked = [(1, "en"), (2, "en"), (10_000, "en"), (passages[11][0], "en")]
    got = store.scores(terms, asked)
    assert got[0] == wordforms.scores(terms, [(passages[0][1], "en")])[0]
    assert got[1:] == [None, None, None]  # a gap, beyond the spans, beyond ``upto``
    assert WordStore(tmp_path / "empty").scores(terms, asked) == [None] * 4


def test_another_process_writes_are_followed(tmp_path, passages):
    reader = WordStore(tmp_path / "words")
    writer = _filled(tmp_path / "words", passages[:50])
    reader.refresh()
    terms = search.parse("sanction OR drone*")
    asked = [(p, lang) for p, _t, lang in passages[:50]]
    assert reader.scores(terms, asked) == writer.scores(terms, asked)
    writer.begin()
    for pid, text, _lang in passages[50:]:
        writer.add(pid, text)
    writer.add(passages[-1][0] + 2, "Ŀlobregat quux-brandneu mot_nouveau")
    writer.commit(passages[-1][0] + 2)
    reader.refresh()
    asked = [(p, lang) for p, _t, lang in passages] + [(passages[-1][0] + 2, "de")]
    texts = [(t, lang) for _p, t, lang in passages] + [("Ŀlobregat quux-brandneu", "de")]
    for query in ("brandneu", "quux*", "llobregat", "drone"):
        terms = search.parse(query)
        assert reader.scores(terms, asked)[:-1] == wordforms.scores(terms, texts)[:-1]
        assert reader.scores(terms, asked) == writer.scores(terms, asked)
    assert reader.scores(search.parse("brandneu"), asked)[-1] > 0


def test_an_interrupted_write_is_cut_off(tmp_path, passages):
    store = _filled(tmp_path / "words", passages[:20])
    size = (tmp_path / "words" / "tokens.u32").stat().st_size
    store.begin()
    store.add(10_001, "never committed words zzzq")
    store.flush()  # written, but the state does not count it
    crashed = WordStore(tmp_path / "words")  # a new process after the crash
    assert crashed.upto == passages[19][0]
    assert crashed.scores(search.parse("zzzq"), [(10_001, "en")]) == [None]
    crashed.begin()
    assert (tmp_path / "words" / "tokens.u32").stat().st_size == size
    crashed.add(10_003, "zzzq after")
    crashed.commit(10_003)
    terms = search.parse("zzzq")
    assert crashed.scores(terms, [(10_003, "en")]) == wordforms.scores(
        terms, [("zzzq after", "en")]
    )
    # the same process goes on after a failed write: what it had not committed is dropped
    store.begin()
    store.add(10_005, "zzzq zzzq")
    store.commit(10_005)
    got = store.scores(terms, [(10_003, "en"), (10_005, "en")])
    assert got == wordforms.scores(terms, [("zzzq after", "en"), ("zzzq zzzq", "en")])


def test_reset_forgets_every_passage(tmp_path, passages):
    store = _filled(tmp_path / "words", passages)
    store.reset()
    assert store.upto == 0
    assert store.scores(search.parse("drone"), [(1, "en")]) == [None]


def test_short_passages_and_phrases_longer_than_them(tmp_path):
    rows = [(1, "a", "en"), (2, "", "en"), (3, "a b", "fr"), (5, "b a b c", "xx"), (6, "", "de")]
    store = WordStore(tmp_path / "words")
    store.begin()
    for pid, text, _lang in rows:
        store.add(pid, text)
    store.commit(6)
    for query in ['"a b"', '"a b c d e"', '"b c"', "a", '"b a b"', "b*", '"c"']:
        terms = search.parse(query)
        got = store.scores(terms, [(pid, lang) for pid, _t, lang in rows])
        assert got == wordforms.scores(terms, [(t, lang) for _pid, t, lang in rows]), query
        one = store.scores(terms, [(1, "en")])
        assert one == wordforms.scores(terms, [("a", "en")]), query


def test_the_words_of_a_stored_passage(tmp_path, passages):
    store = _filled(tmp_path / "words", passages)
    for pid, text, _lang in passages:
        assert store.words_of(pid) == list(wordforms.words(text))
    assert store.words_of(2) is None and store.words_of(10**7) is None


def test_a_store_rebuilt_by_another_process_is_read_again(tmp_path, passages):
    writer = _filled(tmp_path / "words", passages[:5])
    reader = WordStore(tmp_path / "words")
    writer.reset()  # a rebuild: the same numbers now stand for other words, and more of them
    writer.begin()
    for pid, text, _lang in reversed(passages):
        writer.add(pid, text)
    writer.commit(passages[-1][0])
    reader.refresh()
    terms = search.parse("drone OR sanction*")
    asked = [(p, lang) for p, _t, lang in passages]
    assert reader.scores(terms, asked) == wordforms.scores(
        terms, [(t, lang) for _p, t, lang in passages]
    )


def test_words_added_while_a_search_reads_are_ignored_by_it(tmp_path, passages):
    store = _filled(tmp_path / "words", passages[:20])
    store.begin()
    store.add(10_001, "brandnewword brandnewprefixed")  # not committed: the view lacks them
    terms = search.parse("brandnewword OR brandnew*")
    asked = [(p, lang) for p, _t, lang in passages[:20]]
    assert store.scores(terms, asked) == [0.0] * 20
