"""The audit chain catches every kind of direct tampering with the table."""

import pytest
from sqlalchemy import text

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal
from grandstrategy.core.markings import Marking


@pytest.fixture
def chain(session):
    actor = Principal.operator("auditor-test")
    for i in range(5):
        audit.record(
            session,
            actor=actor,
            action="test.write",
            object_type="thing",
            object_id=i,
            marking=Marking(),
            after={"n": i},
        )
    session.flush()
    assert audit.verify(session).ok
    return session


def test_intact_chain_verifies(chain):
    v = audit.verify(chain)
    assert v.ok and v.entries == 5


def test_edited_entry_is_caught(chain):
    chain.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
    v = audit.verify(chain)
    assert not v.ok and v.first_bad_seq == 3 and "changed" in v.reason


def test_deleted_entry_is_caught(chain):
    chain.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    v = audit.verify(chain)
    assert not v.ok and v.first_bad_seq == 3


def test_deleted_newest_entry_is_caught(chain):
    chain.execute(text("DELETE FROM audit_events WHERE seq = 5"))
    v = audit.verify(chain)
    assert not v.ok and v.first_bad_seq == 5


def test_inserted_entry_is_caught(chain):
    chain.execute(text("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 4"))
    chain.execute(text("UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1000"))
    chain.execute(
        text(
            "INSERT INTO audit_events (seq, at, actor, request_id, action, object_type, object_id,"
            " marking_level, marking_compartments, before, after, prev_hash, hash) VALUES"
            " (4, '2026-01-01T00:00:00+00:00', 'mallory', '', 'test.write', 'thing', 'x', 0, '|',"
            " 'null', 'null', 'x', 'y')"
        )
    )
    v = audit.verify(chain)
    assert not v.ok and v.first_bad_seq == 4


def test_reordered_entries_are_caught(chain):
    chain.execute(text("UPDATE audit_events SET seq = 100 WHERE seq = 2"))
    chain.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 3"))
    chain.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = 100"))
    v = audit.verify(chain)
    assert not v.ok and v.first_bad_seq == 2


def test_listing_hides_entries_above_the_readers_clearance(session):
    audit.record(session, actor="x", action="test.secret", marking=Marking.parse("SECRET"))
    audit.record(session, actor="x", action="test.plain")
    low = Principal("aud", "auditor", clearance=0)
    actions = [e.action for e in audit.list_events(session, user=low)]
    assert "test.plain" in actions and "test.secret" not in actions


def test_events_appended_in_one_go_chain_like_single_ones(chain):
    """record_many continues the chain exactly; verify walks through both kinds of entry."""
    actor = Principal.operator("batch-test")
    events = [
        audit.Event(actor, "test.batch", "thing", i, Marking.parse("RESTRICTED"), after={"n": i})
        for i in range(4)
    ]
    assert audit.record_many(chain, events) == 9
    audit.record(chain, actor=actor, action="test.write", object_id="after")
    assert audit.record_many(chain, []) == 10
    v = audit.verify(chain)
    assert v.ok and v.entries == 10
    rows = chain.execute(
        text("SELECT seq, marking_level, after FROM audit_events WHERE seq BETWEEN 6 AND 9")
    ).all()
    assert [(r[0], r[2]) for r in rows] == [(6 + i, f'{{"n":{i}}}') for i in range(4)]
    assert {r[1] for r in rows} == {Marking.parse("RESTRICTED").level}
    chain.execute(text("UPDATE audit_events SET after = 'null' WHERE seq = 7"))
    v = audit.verify(chain)
    assert not v.ok and v.first_bad_seq == 7 and "changed" in v.reason
