"""The signed audit log: attacks by someone who can write the database but lacks the key file."""

import json
import os
import stat

import pytest
from sqlalchemy import select, text

from grandstrategy.core import audit
from grandstrategy.core.auditkeys import Keyring
from grandstrategy.core.authz import Principal
from grandstrategy.core.models import AuditEvent, AuditHead


def _actor():
    return Principal.operator("auditor-test")


def _append(session, n, start=0):
    for i in range(start, start + n):
        audit.record(session, actor=_actor(), action="test.write", object_id=i, after={"n": i})
    session.flush()


@pytest.fixture
def ring():
    return Keyring.in_memory()


@pytest.fixture
def signed(session, ring):
    session.info[audit.KEYRING] = ring
    _append(session, 6)
    v = audit.verify(session)
    assert v.ok and v.signed == 6, v
    return session


def _rechain(session):
    """What an attacker with database access does after deleting entries: renumber and
    recompute every hash and the head, exactly as the code would, but without the key."""
    prev = audit.GENESIS
    events = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    for i, ev in enumerate(events, start=1):
        ev.seq, ev.prev_hash = i, prev
        ev.hash = audit.entry_hash(prev, ev)
        prev = ev.hash
        session.flush()
    head = session.get(AuditHead, 1)
    head.seq, head.hash = len(events), prev
    session.flush()
    session.expire_all()


def test_deleted_entry_with_recomputed_chain_is_caught(signed):
    signed.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    _rechain(signed)
    v = audit.verify(signed)
    assert not v.ok and v.first_bad_seq == 3
    assert "MAC does not hold" in v.reason


def test_stripping_the_macs_is_caught(signed):
    signed.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    signed.execute(text("UPDATE audit_events SET key_id = '', mac = ''"))
    signed.execute(text("UPDATE audit_head SET key_id = '', mac = ''"))
    _rechain(signed)
    v = audit.verify(signed)
    assert not v.ok and v.first_bad_seq == 1 and "not signed" in v.reason


def test_forged_mac_is_caught(signed):
    signed.execute(text("UPDATE audit_events SET mac = :m WHERE seq = 4"), {"m": "0" * 64})
    v = audit.verify(signed)
    assert not v.ok and v.first_bad_seq == 4 and "MAC" in v.reason


def test_truncated_tail_with_rewound_head_is_caught_by_a_checkpoint(signed):
    ring = audit.keyring_of(signed)
    # The attacker copied the head row when the log had 4 entries (a genuine, signed head).
    fourth = signed.execute(select(AuditEvent).where(AuditEvent.seq == 4)).scalar_one()
    head_at_4 = {"h": fourth.hash, "k": ring.current.id}
    head_at_4["m"] = ring.head_mac(ring.current, 4, fourth.hash)
    cp = audit.checkpoint(signed, actor=_actor())  # exported and kept elsewhere
    assert cp["count"] == 7 and cp["key_id"] == ring.current.id
    assert audit.verify(signed, checkpoint=cp).ok
    # Later the attacker cuts the tail and puts that old head back.
    signed.execute(text("DELETE FROM audit_events WHERE seq > 4"))
    signed.execute(
        text("UPDATE audit_head SET seq = 4, hash = :h, key_id = :k, mac = :m"), head_at_4
    )
    signed.expire_all()
    assert audit.verify(signed).ok  # consistent and signed: only a checkpoint can tell
    v = audit.verify(signed, checkpoint=cp)
    assert not v.ok and "checkpoint saw 7" in v.reason and v.checkpoint == 7


def test_rewound_head_without_its_old_mac_is_caught(signed):
    keep = signed.execute(select(AuditEvent).where(AuditEvent.seq == 4)).scalar_one()
    signed.execute(text("DELETE FROM audit_events WHERE seq > 4"))
    signed.execute(text("UPDATE audit_head SET seq = 4, hash = :h"), {"h": keep.hash})
    signed.expire_all()
    v = audit.verify(signed)
    assert not v.ok and "head signature" in v.reason


def test_forged_checkpoint_is_refused(signed):
    cp = audit.checkpoint(signed, actor=_actor())
    cp["count"] = 3
    v = audit.verify(signed, checkpoint=cp)
    assert not v.ok and "checkpoint signature" in v.reason


def test_rotated_key_signs_new_entries_and_old_ones_still_verify(session, tmp_path):
    path = tmp_path / "audit.keys"
    ring = audit.open_keyring(path)
    session.info[audit.KEYRING] = ring
    _append(session, 2)
    audit.rotate_key(session, actor=_actor())
    _append(session, 2, start=2)
    ids = session.execute(select(AuditEvent.key_id).order_by(AuditEvent.seq)).scalars().all()
    assert ids == ["k1", "k1", "k2", "k2", "k2"]
    v = audit.verify(session, keyring=Keyring.load(path))  # as a later process reads the file
    assert v.ok and v.signed == 5
    # Losing the old key makes the old entries unverifiable, and says so.
    data = json.loads(path.read_text())
    data["keys"] = data["keys"][1:]
    path.write_text(json.dumps(data))
    v = audit.verify(session, keyring=Keyring.load(path))
    assert not v.ok and v.first_bad_seq == 1 and "unknown audit key 'k1'" in v.reason


def test_key_file_is_private_and_its_secret_is_not_in_the_database(session, tmp_path):
    path = tmp_path / "keys" / "audit.keys"
    ring = audit.open_keyring(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    session.info[audit.KEYRING] = ring
    _append(session, 3)
    secret = ring.current.secret.hex()
    rows = session.execute(text("SELECT * FROM audit_events")).all()
    assert rows and all(secret not in str(r) for r in rows)
    assert json.loads(path.read_text())["sealed_from"] == 0  # signing began with entry 1


def test_entries_before_the_key_verify_as_unsigned_but_may_not_be_rechained(session):
    session.info[audit.KEYRING] = None
    audit.use_keyring(None)
    _append(session, 3)
    ring = Keyring.in_memory()
    session.info[audit.KEYRING] = ring
    _append(session, 2, start=3)
    assert ring.sealed_from == 3
    v = audit.verify(session)
    assert v.ok and v.unsigned == 3 and v.signed == 2
    session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
    _rechain(session)
    v = audit.verify(session)
    assert not v.ok and "before the audit key" in v.reason


def test_a_key_file_that_cannot_be_written_still_signs(session, tmp_path, monkeypatch):
    path = tmp_path / "audit.keys"
    ring = audit.open_keyring(path)  # made by setup; servers may get it read-only

    def refuse(*_a, **_k):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(Keyring, "save", refuse)
    session.info[audit.KEYRING] = ring
    _append(session, 2)
    assert audit.verify(session, keyring=ring).signed == 2
