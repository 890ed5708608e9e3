"""The command line as an operator uses it: one clear line on errors, JSON for machines."""

import json
import sqlite3

import pytest

from tests.helpers import SECRET_TITLE


@pytest.fixture
def gs(cli):
    """The shared CLI fixture (tests/cli/conftest.py) on a migrated database."""
    assert cli("db", "upgrade")[0] == 0
    return cli


def test_help_lists_groups(gs):
    _, out, _ = gs("--help")
    for group in ("strategy", "users", "audit", "db", "example", "serve"):
        assert group in out


def test_users_lifecycle(gs):
    code, out, err = gs(
        "users",
        "add",
        "anna",
        "--role",
        "analyst",
        "--clearance",
        "SECRET",
        "--compartment",
        "NATO",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert code == 0, err
    code, out, _ = gs("users", "list", "--json")
    assert json.loads(out)[0]["compartments"] == ["NATO"]
    assert gs("users", "set", "anna", "--clearance", "RESTRICTED")[0] == 0
    assert gs("users", "disable", "anna")[0] == 0
    code, out, _ = gs("users", "list", "--json")
    assert json.loads(out)[0]["active"] is False and json.loads(out)[0]["clearance"] == "RESTRICTED"


def test_errors_are_one_line_without_traceback(gs):
    code, out, err = gs(
        "users", "add", "xavier", "--role", "emperor", "--password-stdin", stdin="a long password\n"
    )
    assert code == 1 and "unknown role" in err and "Traceback" not in err + out
    code, _, err = gs("strategy", "lint")
    assert code == 1 and "no strategy yet" in err


def test_example_lint_trace_diff_export(gs, tmp_path):
    assert gs("example", "load")[0] == 0
    code, out, _ = gs("strategy", "lint", "--json")
    assert code == 0 and json.loads(out)["summary"]["errors"] == 0
    code, out, _ = gs("strategy", "trace", "--csv")
    assert code == 0 and out.splitlines()[0].startswith("threat")
    code, out, _ = gs(
        "strategy",
        "export",
        "--format",
        "md",
        "--max-marking",
        "UNCLASSIFIED",
        "--out",
        str(tmp_path / "nss.md"),
    )
    assert code == 0 and "left out" in out
    from grandstrategy.strategy.example import example_package

    secret = [r for _, r in example_package().records() if r.marking != "UNCLASSIFIED"]
    assert secret, "the example must carry some marked records"
    text = (tmp_path / "nss.md").read_text()
    for rec in secret:
        assert str(getattr(rec, "title", None) or getattr(rec, "name", "")) not in text


def test_import_export_round_trip_is_identical(gs, tmp_path):
    from grandstrategy.strategy.example import example_path

    assert gs("strategy", "import", str(example_path()))[0] == 0
    assert gs("strategy", "export", "--format", "yaml", "--out", str(tmp_path / "a"))[0] == 0
    assert gs("strategy", "import", str(tmp_path / "a"))[0] == 0
    assert gs("strategy", "export", "--format", "yaml", "--out", str(tmp_path / "b"))[0] == 0
    names = sorted(p.name for p in (tmp_path / "a").glob("*.yaml"))
    assert len(names) == 7
    for name in names:
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text(), name


def test_bad_package_names_file_line_and_field(gs, tmp_path):
    pkg = tmp_path / "bad"
    pkg.mkdir()
    (pkg / "strategy.yaml").write_text(
        "id: x\ntitle: T\ncountry: C\nperiod: {start: 2026-01-01, end: 2030-01-01}\n"
    )
    (pkg / "objectives.yaml").write_text(
        "- id: a\n  title: A\n  horizon: 7\n- id: a\n  title: B\n  horizon: 5\n  colour: red\n"
    )
    code, _, err = gs("strategy", "import", str(pkg))
    assert code == 1
    assert "objectives.yaml:3: horizon" in err
    assert "objectives.yaml:7: colour" in err
    assert "objectives.yaml:4: id: duplicate" in err


def test_diff_and_history_after_an_edit(gs):
    gs("example", "load")
    con = sqlite3.connect(gs.db)
    version = con.execute("select version from strategies").fetchone()[0]
    con.close()
    code, out, _ = gs("strategy", "history", "--json", "--limit", "3")
    assert code == 0 and json.loads(out)[0]["version"] == version
    code, out, _ = gs("strategy", "diff", "0", str(version), "--json")
    assert code == 0 and any(d["change"] == "added" for d in json.loads(out))


def test_audit_verify_catches_tampering(gs):
    gs("example", "load")
    assert gs("audit", "verify")[0] == 0
    con = sqlite3.connect(gs.db)
    con.execute("UPDATE audit_events SET action = 'nothing' WHERE seq = 1")
    con.commit()
    con.close()
    code, out, _ = gs("audit", "verify")
    assert code == 1 and "seq=1" in out


def test_acting_as_a_reader_hides_confidential(gs):
    gs("example", "load")
    gs("users", "add", "rudi", "--role", "reader", "--password-stdin", stdin="a long password\n")
    code, out, _ = gs("--as", "rudi", "strategy", "export", "--format", "json")
    assert code == 0 and "CONFIDENTIAL" not in out
    assert SECRET_TITLE not in out


def test_history_of_an_unknown_record_is_an_error(gs):
    gs("example", "load")
    code, out, err = gs("strategy", "history", "objectives/nope")
    assert code == 1 and "objectives/nope" in err and out == ""
