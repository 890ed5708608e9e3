"""``grandstrategy horizon watch set|show|list|trace|reviews|close`` on a fresh database."""

from __future__ import annotations

import sqlite3

import pytest

from grandstrategy.strategy.package import write_package
from tests.helpers import PASSWORD, small_package

TANKS = "Russian tank columns massed near the border of Estonia; the alliance raised its readiness."


@pytest.fixture
def loaded(cli, tmp_path):
    assert cli("db", "upgrade")[0] == 0
    write_package(small_package(), tmp_path / "pkg")
    assert cli("strategy", "import", tmp_path / "pkg")[0] == 0
    for name, role, actor in [("dora", "contributor", "defence"), ("ivan", "contributor", "intel")]:
        args = ["users", "add", name, "--role", role, "--actor", actor, "--password-stdin"]
        assert cli(*args, stdin=PASSWORD + "\n")[0] == 0
    (tmp_path / "tanks.txt").write_text(f"Tanks at the border\n\n{TANKS}\n", "utf-8")
    assert cli("horizon", "ingest", tmp_path / "tanks.txt", "--no-embed")[0] == 0
    return cli


def test_set_show_list_and_trace(loaded):
    cli = loaded
    code, out, err = cli(
        "horizon", "watch", "set", "invasion", "--category", "aggression", "--actor", "Russia",
        "--place", "euro-atlantic-east", "--term", "tank columns",
    )  # fmt: skip
    assert code == 0, err
    assert "watchlist of invasion" in out
    shown = cli.json("horizon", "watch", "show", "invasion")
    assert shown["watch"]["actors"] == ["state:RU"]
    [story] = shown["stories"]
    assert story["story"]["title"] == "Tanks at the border"
    assert "actor:state:RU" in story["reasons"]
    code, out, _err = cli("horizon", "watch", "show", "invasion")
    assert code == 0 and "Tanks at the border" in out
    assert [w["threat"] for w in cli.json("horizon", "watch", "list")] == ["invasion"]
    passage = cli.json("horizon", "show", "1")["passages"][0]["id"]
    trace = cli.json("horizon", "watch", "trace", passage)
    [threat] = trace["threats"]
    assert threat["objectives"][0]["owner"] == "defence"
    assert threat["objectives"][0]["capabilities"][0]["budget"] == 1000000
    code, out, _err = cli("horizon", "watch", "trace", passage)
    assert code == 0 and "army" in out and "1,000,000 EUR" in out


def test_bad_input_names_what_is_wrong(loaded):
    cli = loaded
    code, _out, err = cli("horizon", "watch", "set", "invasion", "--actor", "Narnia")
    assert code == 1 and "Narnia" in err
    code, _out, err = cli("horizon", "watch", "set", "nowhere", "--term", "tanks")
    assert code == 1 and "nowhere" in err
    code, _out, err = cli("--as", "dora", "horizon", "watch", "set", "invasion", "--term", "tank")
    assert code == 1 and "horizon.watch" in err
    code, _out, err = cli("horizon", "watch", "reviews", "--status", "maybe")
    assert code == 2 and "--status" in err


def test_an_owner_lists_and_closes_a_review_item(loaded):
    cli = loaded
    con = sqlite3.connect(cli.db)
    con.execute(
        "INSERT INTO horizon_alerts (key, kind, category, actor, start, score, stories, status,"
        " created_at, marking_level, marking_compartments) VALUES ('k', 'burst', '',"
        " 'state:RU', '2026-03-01', 5.0, '[]', 'open', '2026-03-01 00:00:00', 0, '|')"
    )
    con.commit()
    con.close()
    assert cli("horizon", "watch", "set", "invasion", "--actor", "state:RU")[0] == 0
    [item] = cli.json("--as", "dora", "horizon", "watch", "reviews")
    assert (item["owner"], item["threat"], item["status"]) == ("defence", "invasion", "open")
    assert cli.json("--as", "ivan", "horizon", "watch", "reviews") == []
    code, _out, err = cli("--as", "ivan", "horizon", "watch", "close", item["id"], "--note", "x")
    assert code == 1 and "not found" in err
    code, out, err = cli(
        "--as", "dora", "horizon", "watch", "close", item["id"], "--note", "Exercise moved up."
    )
    assert code == 0 and "closed" in out, err
    [closed] = cli.json("--as", "dora", "horizon", "watch", "reviews", "--status", "closed")
    assert closed["note"] == "Exercise moved up." and closed["closed_by"] == "dora"
    code, out, _err = cli("horizon", "watch", "reviews", "--status", "all")
    assert code == 0 and "defence" in out
