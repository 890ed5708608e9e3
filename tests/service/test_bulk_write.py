"""``bulkwrite.insert_rows`` stores rows exactly as SQLAlchemy's own INSERT would.

Ingestion writes its passages, labels, mentions, story members and audit events through it;
on SQLite it hands the driver tuples made by each column's own bind processor. These tests
write the same rows both ways and compare what the database holds, value and storage type.
"""

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from grandstrategy.core import bulkwrite
from grandstrategy.core.db import RequestScope, request_scope
from grandstrategy.horizon.models import Document, Label, Passage, Source


def _document(session, **extra):
    source = Source(name=f"bulk-{extra.get('content_hash', 'x')}")
    session.add(source)
    session.flush()
    row = {
        "source_id": source.id,
        "title": "Grid operator reports intrusion",
        "url": "https://example.org/a",
        "published": dt.date(2026, 3, 4),
        "language": "en",
        "content_hash": "h-0",
        "text": "A first paragraph.\n\nA second « paragraph » with ünïcode.",
        "origin": "bulk.jsonl:1",
        "ingested_at": dt.datetime(2026, 3, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
        "ingested_by": "tester",
        "categories": {"cyber": 0.82, "hybrid": 0.4},
        "given_labels": ["cyber"],
        "actors": [["nato", 2], ["eu", 1]],
        "marking_level": 1,
        "marking_compartments": "|",
    }
    return row | extra


def _raw(session, content_hash):
    """Each column's stored value and, on SQLite, its storage type, as the database holds them."""
    table = Document.__table__
    cols = [c for c in table.c if c.name != "id"]
    if session.get_bind().dialect.name == "sqlite":
        cols = [x for c in cols for x in (c, func.typeof(c))]
    return session.execute(select(*cols).where(table.c.content_hash == content_hash)).one()


def test_rows_read_back_as_written(session):
    ours = _document(session, content_hash="h-ours")
    bulkwrite.insert_rows(session, Document, [ours])
    doc = session.execute(select(Document).where(Document.content_hash == "h-ours")).scalar_one()
    assert doc.published == dt.date(2026, 3, 4)
    assert doc.categories == {"cyber": 0.82, "hybrid": 0.4}
    assert doc.actors == [["nato", 2], ["eu", 1]]
    assert doc.ingested_at.replace(tzinfo=None) == dt.datetime(2026, 3, 5, 6, 7, 8, 9)


def test_every_column_matches_but_the_keys_that_differ(session):
    ours = _document(session, content_hash="h-a")
    theirs = _document(session, content_hash="h-b") | {"source_id": ours["source_id"]}
    bulkwrite.insert_rows(session, Document, [ours])
    session.execute(insert(Document), [theirs])
    a, b = _raw(session, "h-a"), _raw(session, "h-b")
    names = [c.name for c in Document.__table__.c if c.name != "id"]
    per_column = 2 if session.get_bind().dialect.name == "sqlite" else 1
    differing = {
        names[i // per_column] for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y
    }
    assert differing == {"content_hash"}


def test_defaults_none_and_json_are_kept(session):
    doc = _document(session, content_hash="h-labels")
    bulkwrite.insert_rows(session, Document, [doc])
    doc_id = session.execute(
        select(Document.id).where(Document.content_hash == "h-labels")
    ).scalar()
    bulkwrite.insert_rows(
        session,
        Passage,
        [
            {
                "document_id": doc_id,
                "seq": seq,
                "start": 0,
                "end": 18,
                "language": "en",
                "text": "A first paragraph.",
                "marking_level": 1,
                "marking_compartments": "|",
            }
            for seq in range(3)
        ],
    )
    pids = session.execute(
        select(Passage.id).where(Passage.document_id == doc_id).order_by(Passage.seq)
    ).scalars()
    rows = [
        {
            "passage_id": pid,
            "document_id": doc_id,
            "category": "cyber",
            "score": 0.5 + k / 10,
            "model_prob": None if k == 0 else 0.25,
            "terms": [["intrusion", 2, 11]] if k else [],
        }
        for k, pid in enumerate(pids)
    ]
    bulkwrite.insert_rows(session, Label, rows)  # rule_score left to its default
    stored = session.execute(
        select(Label.score, Label.rule_score, Label.model_prob, Label.terms)
        .where(Label.document_id == doc_id)
        .order_by(Label.passage_id)
    ).all()
    assert [tuple(r) for r in stored] == [
        (0.5, 0.0, None, []),
        (0.6, 0.0, 0.25, [["intrusion", 2, 11]]),
        (0.7, 0.0, 0.25, [["intrusion", 2, 11]]),
    ]


def test_rows_with_different_columns_are_refused_and_nothing_is_written(session):
    first = _document(session, content_hash="h-1")
    second = {k: v for k, v in _document(session, content_hash="h-2").items() if k != "url"}
    second["bogus"] = 1
    before = session.execute(select(Document.id)).all()
    if session.get_bind().dialect.name == "sqlite":
        with pytest.raises(KeyError, match=r"bogus.*url"):
            bulkwrite.insert_rows(session, Document, [first, second])
    else:  # SQLAlchemy refuses it there
        with pytest.raises(Exception, match=r"bogus|url"), session.begin_nested():
            bulkwrite.insert_rows(session, Document, [first, second])
    assert session.execute(select(Document.id)).all() == before


def test_a_bulk_write_in_a_read_only_request_takes_the_write_gate(session):
    row = _document(session, content_hash="h-gate")
    scope = RequestScope(writer=False)
    with request_scope(scope):
        bulkwrite.insert_rows(session, Document, [row])
    try:  # SQLite has one writer at a time: the gate; PostgreSQL needs none
        assert bool(scope.held) == (session.get_bind().dialect.name == "sqlite")
    finally:
        scope.release()
    assert session.execute(select(Document.id).where(Document.content_hash == "h-gate")).one()
