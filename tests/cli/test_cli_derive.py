"""``grandstrategy strategy derive`` and ``strategy derived``: a department's member derives a
strategy and adds objectives that serve national ones; others are refused; lint and trace
show the cascade; the national strategy stays the current one."""

from __future__ import annotations

import pytest

from grandstrategy.strategy.package import write_package
from tests.helpers import PASSWORD, small_package


@pytest.fixture
def loaded(cli, tmp_path):
    assert cli("db", "upgrade")[0] == 0
    write_package(small_package(), tmp_path / "pkg")
    assert cli("strategy", "import", tmp_path / "pkg")[0] == 0
    for name, role, actor in [("dora", "contributor", "defence"), ("ivan", "contributor", "intel")]:
        args = ["users", "add", name, "--role", role, "--actor", actor, "--password-stdin"]
        assert cli(*args, stdin=PASSWORD + "\n")[0] == 0
    return cli


def test_a_member_derives_and_adds_an_objective_serving_a_national_one(loaded):
    cli = loaded
    out = cli.json("--as", "dora", "strategy", "derive", "--actor", "defence")
    assert (out["id"], out["kind"], out["national"]) == (
        "defence-testland-nss", "departmental", "testland-nss")  # fmt: skip
    rec = cli.json(
        "--as", "dora", "strategy", "derived", "add", "defence-testland-nss", "--id", "brigade",
        "--title", "Brigade ready", "--serves", "deter", "--deadline", "2029-12-31",
        "--indicator", "readiness|%|60|90",
    )  # fmt: skip
    assert (rec["serves"], rec["owner"], rec["indicators"][0]["target"]) == ("deter", "defence", 90)
    rec = cli.json("--as", "dora", "strategy", "derived", "edit", "defence-testland-nss",
                   "brigade", "--status", "at-risk")  # fmt: skip
    assert rec["status"] == "at-risk"
    rows = cli.json("strategy", "derived", "list")
    assert [(r["id"], r["objectives"]) for r in rows] == [("defence-testland-nss", 1)]
    shown = cli.json("strategy", "derived", "show", "defence-testland-nss")
    assert [o["id"] for o in shown["objectives"]] == ["brigade"]
    code, text, _err = cli("strategy", "derived", "show", "defence-testland-nss")
    assert code == 0 and "Brigade ready" in text and "deter" in text
    # the national strategy is still the one every command works on
    assert cli.json("strategy", "show")["strategy"]["id"] == "testland-nss"
    lint = cli.json("strategy", "lint")
    unserved = {f["record_id"] for f in lint["findings"] if f["rule"] == "objective-no-department"}
    assert unserved == {"protect-elections", "zebra-cell"}
    trace = cli.json("strategy", "trace")
    assert ("deter", "brigade") in {(c["national_id"], c["objective_id"]) for c in trace["cascade"]}
    code, text, _err = cli("strategy", "trace")
    assert code == 0 and "Departmental cascade" in text


def test_a_non_member_is_refused_and_bad_input_is_named(loaded):
    cli = loaded
    code, _out, err = cli("--as", "ivan", "strategy", "derive", "--actor", "defence")
    assert code != 0 and "only members of defence" in err
    assert cli("strategy", "derive", "--actor", "defence")[0] == 0
    code, _out, err = cli(
        "strategy", "derived", "add", "defence-testland-nss", "--id", "x", "--title", "X",
        "--serves", "nothing",
    )  # fmt: skip
    assert code != 0 and "serves: no national objective with id 'nothing'" in err
    code, _out, err = cli("strategy", "derive", "--actor", "defence", "--kind", "weekly")
    assert code != 0 and "kind 'weekly'" in err
