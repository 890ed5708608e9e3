"""``grandstrategy horizon stories|story|trends|alerts|alert`` on a fresh SQLite database."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from tests.cli.test_horizon_cli import gs  # noqa: F401  (the fixture)

SET = Path(__file__).resolve().parent.parent / "data" / "stories" / "labelled.jsonl"


def test_stories_trends_and_alerts(gs, tmp_path):  # noqa: F811
    small = tmp_path / "first.jsonl"
    small.write_text("\n".join(SET.read_text("utf-8").splitlines()[:40]) + "\n", "utf-8")
    assert gs("horizon", "ingest", small)[0] == 0
    stories = gs.json("horizon", "stories")
    assert 5 <= len(stories) < 40  # reports of one event are counted once
    biggest = max(stories, key=lambda s: s["size"])
    story = gs.json("horizon", "story", biggest["id"])
    assert len(story["members"]) == biggest["size"] and len(story["summary"]["languages"]) >= 2
    since = gs.json("horizon", "stories", "--since", "2026-01-20")
    assert all(dt.date.fromisoformat(s["last"]) >= dt.date(2026, 1, 20) for s in since)
    weekly = gs.json("horizon", "trends", "--by", "category,actor", "--interval", "week")
    assert weekly and all("|" in s["key"] for s in weekly)
    assert sum(weekly[0]["counts"]) == weekly[0]["total"]
    assert gs.json("horizon", "alerts") == []  # forty quiet reports: nothing alarming
    code, _out, err = gs("horizon", "trends", "--by", "region")
    assert code == 2 and "--by" in err


def test_an_alert_is_dismissed_with_a_reason_and_audited(gs):  # noqa: F811
    con = sqlite3.connect(gs.db)
    con.execute(
        "INSERT INTO horizon_alerts (key, kind, category, actor, start, score, stories, status,"
        " created_at, marking_level, marking_compartments) VALUES ('k', 'burst', 'cyber', '',"
        " '2026-03-01', 5.0, '[]', 'open', '2026-03-01 00:00:00', 0, '|')"
    )
    con.commit()
    con.close()
    [alert] = gs.json("horizon", "alerts")
    code, _out, err = gs("horizon", "alert", alert["id"], "dismissed", "--reason", " ")
    assert code == 1 and "reason" in err
    assert (
        gs("horizon", "alert", alert["id"], "dismissed", "--reason", "one wire counted twice")[0]
        == 0
    )
    [after] = gs.json("horizon", "alerts")
    assert after["status"] == "dismissed"
    assert after["actions"][0]["reason"] == "one wire counted twice"
    con = sqlite3.connect(gs.db)
    assert con.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'horizon.alert.dismissed'"
    ).fetchone() == (1,)
