"""A prefix ending a phrase finds every match, as FTS5 does: ``cyber-att*`` is the phrase
"cyber att…", and so is a French elision such as ``l'att*`` ("l att…").

Tantivy's own phrase-prefix query tried only the first 50 words of the prefix in the whole
index: beyond them matches were missed, and which words were tried depended on passages the
reader may not see. The index now expands the prefix itself, over the words of the passages
the reader may see.
"""

import datetime as dt

import pytest

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import index as kindex
from grandstrategy.horizon import index_query, pipeline, search
from grandstrategy.horizon.ingest.raw import RawDocument
from tests.conftest import unavailable
from tests.helpers import make_user


@pytest.fixture
def idx(tmp_path):
    if not kindex.available():
        unavailable("tantivy (pip install -e '.[search]')")
    return kindex.KeywordIndex(tmp_path / "index")


def doc(n: int, text: str, marking: str | None = None) -> RawDocument:
    return RawDocument(
        title=f"Note {n}",
        text=text,
        date=dt.date(2026, 4, 1 + n % 28),
        url="",
        language="en",
        source="wire",
        marking=marking,
        labels=[],
        origin=f"note-{n}",
    )


def words(prefix: str, count: int) -> list[str]:
    """``count`` distinct made-up words that start with ``prefix`` (letters only)."""
    letters = "bcdfghjklmnpqrstvwz"
    return [prefix + letters[k // len(letters)] + letters[k % len(letters)] for k in range(count)]


@pytest.fixture
def archive(factory, operator):
    """80 open notes "Cyber attXXX …" (more than tantivy's 50) and 30 SECRET ones whose words
    sort first, so a search that tried 50 words of the whole index would try only theirs."""
    open_words = words("attz", 80)
    secret_words = words("atta", 30)
    docs = [doc(k, f"Cyber {w} reported near the harbour today.") for k, w in enumerate(open_words)]
    docs += [
        doc(100 + k, f"Cyber {w} kept secret by the service.", "SECRET")
        for k, w in enumerate(secret_words)
    ]
    pipeline.ingest(factory, user=operator, items=docs, source="wire")
    return open_words, secret_words


def hits(session, user, query, index=None):
    r = search.search(session, user=user, query=query, semantic=False, index=index, limit=200)
    return r, {h.passage_id for h in r.hits}


def test_every_match_is_found_as_fts_finds_it(session, operator, archive, idx):
    tv, tv_ids = hits(session, operator, "cyber-att*", idx)
    fts, fts_ids = hits(session, operator, "cyber-att*")
    assert tv.backend == "tantivy" and fts.backend == "fts"
    assert tv.total == fts.total == 110 and tv_ids == fts_ids


def test_a_reader_finds_every_open_match_whatever_the_secret_words(session, archive, idx):
    reader = make_user(session, "pp-reader", "analyst", "RESTRICTED", [])
    tv, tv_ids = hits(session, reader, "cyber-att*", idx)
    fts, fts_ids = hits(session, reader, "cyber-att*")
    assert tv.total == fts.total == 80 and tv_ids == fts_ids


def test_a_prefix_too_wide_is_refused_by_what_the_reader_sees(session, operator, archive, idx):
    reader = make_user(session, "pp-wide", "analyst", "RESTRICTED", [])
    old = index_query.PHRASE_PREFIX_WORDS
    index_query.PHRASE_PREFIX_WORDS = 80  # the reader sees 80 such words, the operator 110
    try:
        assert hits(session, reader, "cyber-att*", idx)[0].total == 80
        with pytest.raises(Invalid, match="more letters"):
            hits(session, operator, "cyber-att*", idx)
    finally:
        index_query.PHRASE_PREFIX_WORDS = old
