"""The audit commands as an operator uses them: verify, checkpoint, rotate-key."""

import json
import os
import sqlite3
import stat

import pytest

SQL_HEAD = "SELECT seq, hash, key_id, mac FROM audit_head WHERE id = 1"


@pytest.fixture
def gs(cli):
    """The shared CLI fixture (tests/cli/conftest.py) on a migrated database; ``keys`` is the
    audit key file the commands keep beside it."""
    cli.keys = cli.folder / "audit.keys"
    assert cli("db", "upgrade")[0] == 0
    return cli


def _count(gs) -> int:
    with sqlite3.connect(gs.db) as con:
        return int(con.execute("SELECT count(*) FROM audit_events").fetchone()[0])


def _actions(gs) -> list[str]:
    with sqlite3.connect(gs.db) as con:
        return [r[0] for r in con.execute("SELECT action FROM audit_events ORDER BY seq")]


def _add(gs, name):
    code, _, err = gs(
        "users", "add", name, "--role", "reader", "--password-stdin", stdin="a long password\n"
    )
    assert code == 0, err


def test_key_file_is_made_private_and_entries_are_signed(gs):
    _add(gs, "anna")
    assert stat.S_IMODE(os.stat(gs.keys).st_mode) == 0o600
    code, out, _ = gs("audit", "verify", "--json")
    v = json.loads(out)
    assert code == 0 and v["ok"] and v["signed"] == v["entries"] >= 1


def test_cut_tail_is_caught_only_with_a_checkpoint(gs, tmp_path):
    _add(gs, "anna")
    with sqlite3.connect(gs.db) as con:
        old_head = con.execute(SQL_HEAD).fetchone()  # the attacker keeps a copy of the head
    _add(gs, "bert")
    cp = tmp_path / "offsite" / "cp.json"
    cp.parent.mkdir()
    code, out, _ = gs("audit", "checkpoint", "--out", str(cp))
    assert code == 0 and f"checkpoint of {_count(gs)} entries" in out
    assert gs("audit", "verify", "--checkpoint", str(cp))[0] == 0
    with sqlite3.connect(gs.db) as con:  # delete the newest entries, rewind the head
        con.execute("DELETE FROM audit_events WHERE seq > ?", (old_head[0],))
        con.execute("UPDATE audit_head SET seq = ?, hash = ?, key_id = ?, mac = ?", old_head)
    assert gs("audit", "verify")[0] == 0  # a consistent, signed, shorter log
    code, out, _ = gs("audit", "verify", "--checkpoint", str(cp))
    assert code == 1 and "newest entries deleted" in out


def test_rotate_key_keeps_old_entries_verifiable(gs):
    _add(gs, "anna")
    code, out, _ = gs("audit", "rotate-key")
    assert code == 0 and "new audit key k2" in out
    _add(gs, "bert")
    keys = json.loads(gs.keys.read_text())["keys"]
    assert [k["id"] for k in keys] == ["k1", "k2"]
    with sqlite3.connect(gs.db) as con:
        used = [r[0] for r in con.execute("SELECT key_id FROM audit_events ORDER BY seq")]
    assert used[0] == "k1" and used[-1] == "k2" and "audit.rotate_key" in _actions(gs)
    code, out, _ = gs("audit", "verify")
    assert code == 0 and f"{len(used)} signed" in out


def test_unreadable_checkpoint_is_a_clear_error(gs, tmp_path):
    bad = tmp_path / "cp.json"
    bad.write_text("{}")
    code, _, err = gs("audit", "verify", "--checkpoint", str(bad))
    assert code == 2 and "not a grandstrategy-audit-checkpoint/1 file" in " ".join(err.split())


def test_a_command_showing_classified_records_writes_one_read_event(gs):
    assert gs("example", "load")[0] == 0
    before = _actions(gs).count("read")
    code, _, err = gs("strategy", "show")
    assert code == 0, err
    assert _actions(gs).count("read") == before + 1
    with sqlite3.connect(gs.db) as con:
        after = con.execute("SELECT after FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    listed = json.loads(after[0])["records"]
    assert ("strategy_capabilities", "CONFIDENTIAL") in {(r["type"], r["marking"]) for r in listed}
