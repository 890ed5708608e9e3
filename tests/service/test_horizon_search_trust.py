"""Search answers that hidden passages cannot move (issue 9, item 5), and word forms that a
user expects to be found (issue 11): on FTS5, tantivy and PostgreSQL alike."""

from __future__ import annotations

import pytest

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import index as kindex
from grandstrategy.horizon import search, wordforms
from grandstrategy.horizon.ingest.readers import RawDocument
from tests.conftest import unavailable
from tests.helpers import make_user

PROBE = "The coastal radar station logged unusual {word} activity near the harbour at dawn."
HIDDEN, OTHER = "quetzal", "zorilla"  # HIDDEN also occurs in SECRET passages, OTHER nowhere


def ingest(factory, operator, texts: list[str], marking: str | None = None) -> None:
    from grandstrategy.horizon import pipeline

    items = [
        RawDocument(
            title=f"t{i}",
            text=t,
            date=None,
            url="",
            language="en",
            source="probe",
            marking=marking,
            labels=[],
            origin=f"{marking or 'open'}-{i}-{len(t)}",
        )
        for i, t in enumerate(texts)
    ]
    report = pipeline.ingest(factory, user=operator, items=items, use_embeddings=False)
    assert report.ingested == len(texts), report.failed


@pytest.fixture(params=["sql", "tantivy"])
def keyword_index(request, tmp_path):
    """None (FTS5 on SQLite, full text on PostgreSQL) or a tantivy index."""
    if request.param == "sql":
        return None
    if not kindex.available():
        unavailable("tantivy (pip install -e '.[search]')")
    return kindex.KeywordIndex(tmp_path / "index")


def answers(session, user, index, query: str):
    r = search.search(session, user=user, query=query, index=index)
    return r.total, [(h.passage_id, h.score) for h in r.hits], r.facets


def test_scores_totals_and_facets_do_not_depend_on_hidden_passages(
    factory, session, operator, keyword_index
):
    ingest(factory, operator, [PROBE.format(word=HIDDEN), PROBE.format(word=OTHER)])
    low = make_user(session, "probe-low", "analyst", "UNCLASSIFIED")
    hidden_before = answers(session, low, keyword_index, HIDDEN)
    other_before = answers(session, low, keyword_index, OTHER)
    assert hidden_before[0] == other_before[0] == 1
    assert hidden_before[1][0][1] == other_before[1][0][1]  # two identical probes, one score

    secret = [
        f"The {HIDDEN} network was seen again near the northern base.",
        f"{HIDDEN} {HIDDEN} {HIDDEN}: a field report in three words.",
        f"An agent described the {HIDDEN} courier and the harbour master meeting at dawn, "
        "with a long account of the radar station and its coastal activity logs.",
        f"Nothing unusual about {HIDDEN} today.",
        f"{HIDDEN} again.",
    ]
    ingest(factory, operator, secret, marking="SECRET")
    assert answers(session, low, keyword_index, HIDDEN) == hidden_before
    assert answers(session, low, keyword_index, OTHER) == other_before
    assert answers(session, low, keyword_index, f"{HIDDEN} OR {OTHER}")[0] == 2
    assert answers(session, low, keyword_index, "radar station")[0] == 2
    high = make_user(session, "probe-high", "analyst", "SECRET")
    assert answers(session, high, keyword_index, HIDDEN)[0] == 6  # the hidden ones do match


def test_word_forms_are_found_and_exact_forms_rank_first(factory, session, operator, keyword_index):
    texts = [
        "Two drones crossed the border at night and were shot down.",
        "Une cyberattaque a paralysé les serveurs du ministère.",
        "A cyber-attack hit the port authority's network.",
        "The cybersecurity agency published its yearly report on cyber threats.",
        "Le drone a survolé la centrale nucléaire.",
        "The dronefly is a harmless insect often mistaken for a bee.",
    ]
    ingest(factory, operator, texts)
    drone = search.search(session, user=operator, query="drone", index=keyword_index)
    found = [h.snippet for h in drone.hits]
    assert any("drones crossed" in s for s in found) and any("Le drone" in s for s in found)
    assert "dronefly" in found[-1], "a word that only begins with the stem ranks last"
    cyber = search.search(session, user=operator, query="cyber", index=keyword_index)
    assert cyber.total == 3 or (session.get_bind().dialect.name != "sqlite" and cyber.total >= 3)
    assert any("cyberattaque" in h.snippet for h in cyber.hits)
    assert any("cyber-attack" in h.snippet for h in cyber.hits)
    exact = search.search(session, user=operator, query='"cyber"', index=keyword_index)
    assert exact.total == 2  # quoted: the word as written


def test_snippets_are_plain_text_with_the_offsets_of_each_match():
    text = "Ports & harbours: <b>drones</b> over the port of Antwerp; the port reopened."
    terms = search.parse("port drone")
    s = wordforms.snippet(terms, text, "en")
    assert s.start == 0 and s.text == text
    assert [s.text[a:b] for a, b in s.matches] == ["Ports", "drones", "port", "port"]
    html = wordforms.highlighted(s, ("<mark>", "</mark>"), __import__("html").escape)
    assert "&lt;b&gt;<mark>drones</mark>&lt;/b&gt;" in html and "&amp;" in html


def test_a_passage_scores_the_same_whatever_else_is_indexed():
    terms = search.parse("radar harbour")
    text = PROBE.format(word=OTHER)
    assert wordforms.score(terms, text, "en") == wordforms.score(terms, text, "en") > 0
    shorter = "Radar near the harbour."
    assert wordforms.score(terms, shorter, "en") > wordforms.score(terms, text, "en")


def test_unknown_category_or_actor_filter_is_an_error_not_zero_hits(session, operator):
    for filters in (search.Filters(category="hybird"), search.Filters(actor="state:XX-nowhere")):
        with pytest.raises(Invalid, match=r"hybird|XX-nowhere"):
            search.search(session, user=operator, query="drone", filters=filters)
