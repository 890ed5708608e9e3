"""``grandstrategy delivery``: check-ins by members, the secretariat's judgement, the dashboard,
the budget against Allies, the stocktake pack and the deployments review, from the command
line over the illustrative example."""

from __future__ import annotations

import csv
import io
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from grandstrategy.cli.main import main

ROW_KEYS = {"objective", "owner", "owner_status", "rating", "trajectory", "deadline", "overdue"}


def _run(url: str, args: list[str], capsys, monkeypatch, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exc:
        main(["--db", url, *args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """The example loaded once, with dora (interior) and sam (secretariat analyst)."""
    path = tmp_path_factory.mktemp("delivery-cli") / "base.db"
    url = f"sqlite:///{path}"
    pytest.MonkeyPatch().setenv("GRANDSTRATEGY_DATA_DIR", str(path.parent))
    for args, stdin in [
        (["db", "upgrade"], ""),
        (["example", "load"], ""),
        (["users", "add", "dora", "--role", "contributor", "--actor", "interior",
          "--password-stdin"], "a long enough secret\n"),
        (["users", "add", "sam", "--role", "analyst", "--password-stdin"],
         "a long enough secret\n"),
    ]:  # fmt: skip
        with pytest.raises(SystemExit) as exc:
            mp = pytest.MonkeyPatch()
            mp.setattr("sys.stdin", io.StringIO(stdin))
            try:
                main(["--db", url, *args])
            finally:
                mp.undo()
        assert not exc.value.code, args
    return path


@pytest.fixture
def cli(prepared, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GRANDSTRATEGY_DATA_DIR", str(tmp_path))
    db = tmp_path / "d.db"
    for suffix in ("", "-wal", "-shm"):  # SQLite in WAL mode: the log holds the latest writes
        source = prepared.with_name(prepared.name + suffix)
        if source.exists():
            shutil.copy(source, db.with_name(db.name + suffix))
    url = f"sqlite:///{db}"

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        return _run(url, list(args), capsys, monkeypatch, stdin)

    return run


def test_a_member_checks_in_and_a_non_member_is_refused(cli):
    staff = "Operational Civil Protection staff=330"
    code, out, err = cli("--as", "dora", "delivery", "checkin", "civil-protection", "--json",
                         "--status", "at-risk", "--indicator", staff, "--note", "Slow")  # fmt: skip
    assert code == 0, err
    got = json.loads(out)
    assert (got["actor"], got["status"], got["values"][0]["value"]) == ("interior", "at-risk", 330)
    code, _, err = cli("--as", "dora", "delivery", "checkin", "nuclear-preparedness",
                       "--status", "on-track")  # fmt: skip
    assert code == 1 and "only members of nccn" in err
    code, _, _ = cli("users", "set", "dora", "--no-actors")
    code, _, err = cli("--as", "dora", "delivery", "checkin", "civil-protection",
                       "--status", "on-track")  # fmt: skip
    assert code == 1 and "only members of interior" in err


def test_judgement_needs_the_secretariat_and_the_dashboard_shows_disagreement(cli):
    code, _, err = cli("--as", "dora", "delivery", "judge", "civil-protection",
                       "--rating", "green", "--reason", "fine")  # fmt: skip
    assert code == 1 and "delivery.judge" in err
    code, out, _ = cli("--as", "sam", "delivery", "judge", "energy-security",
                       "--rating", "red", "--reason", "Contracts fell through")  # fmt: skip
    assert code == 0
    code, out, _ = cli("delivery", "dashboard", "--today", "2026-12-31", "--json")
    rows = {r["objective"]: r for r in json.loads(out)}
    assert len(rows) == 29 and all(set(r) >= ROW_KEYS for r in rows.values())
    energy = rows["energy-security"]
    assert (energy["owner_status"], energy["rating"], energy["disagreement"]) == (
        "on-track", "red", True)  # fmt: skip
    assert rows["civil-protection"]["trajectory"] == "behind"
    assert rows["civil-protection"]["deadline"] == "2033-12-31"
    code, out, _ = cli("delivery", "dashboard", "--today", "2036-01-01", "--json")
    assert all(r["overdue"] for r in json.loads(out) if r["owner_status"] != "done")


def test_a_lower_cleared_reader_sees_no_hidden_objective(cli):
    cli("users", "add", "cm", "--role", "council-member", "--password-stdin",
        stdin="a long enough secret\n")  # fmt: skip
    code, out, _ = cli("--as", "cm", "delivery", "dashboard", "--json")
    assert code == 0 and "counter-interference" not in out  # RESTRICTED
    code, _, err = cli("--as", "cm", "delivery", "show", "counter-interference")
    assert code == 1 and "not found" in err


@pytest.mark.parametrize(
    "args",
    [
        ["delivery", "checkin", "civil-protection", "--status", "great"],
        ["delivery", "checkin", "civil-protection", "--status", "on-track", "--indicator", "x"],
        ["delivery", "dashboard", "--rating", "purple"],
        ["delivery", "budget", "path", "--target", "2", "--by", "2030", "--gdp-shock", "soon"],
        ["delivery", "budget", "path", "--target", "2", "--by", "2030", "--hold", "nominal"],
        ["delivery", "pack", "--format", "odt", "--out", "x.odt"],
    ],
)
def test_usage_errors_exit_2_naming_the_problem(cli, args):
    code, _, err = cli(*args)
    assert code == 2, err
    assert "--" in err or "status" in err


def test_budget_history_equals_the_shipped_table(cli):
    code, out, _ = cli("delivery", "budget", "history", "--country", "BEL", "--json")
    assert code == 0
    got = {y["year"]: y["share_of_gdp_percent"] for y in json.loads(out)["years"]}
    table = resources.files("grandstrategy.delivery").joinpath("data", "nato_share_of_gdp.csv")
    rows = csv.DictReader(table.read_text("utf-8").splitlines())
    assert got == {int(r["year"]): float(r["share_of_gdp_percent"]) for r in rows
                   if r["iso3"] == "BEL"}  # fmt: skip


def test_budget_path_holding_real_spending_through_a_gdp_shock(cli):
    base = ["delivery", "budget", "path", "--country", "BEL", "--from", "2024", "--target",
            "2.0", "--by", "2030", "--hold", "real", "--json"]  # fmt: skip
    _, plain, _ = cli(*base)
    code, shocked, _ = cli(*base, "--gdp-shock", "2027:-5")
    assert code == 0
    plain_rows, shocked_rows = json.loads(plain), json.loads(shocked)
    assert set(shocked_rows[0]) == {"year", "gdp_index", "spending_index", "share_of_gdp_percent"}
    y2027 = next(i for i, y in enumerate(shocked_rows) if y["year"] == 2027)
    ratio = shocked_rows[y2027]["share_of_gdp_percent"] / plain_rows[y2027]["share_of_gdp_percent"]
    assert ratio == pytest.approx(1 / 0.95)
    assert shocked_rows[0]["spending_index"] == 100 and shocked_rows[0]["gdp_index"] == 100


def test_stocktake_pack_capped_at_a_marking(cli, tmp_path):
    out_file = tmp_path / "pack.md"
    code, out, _ = cli("delivery", "pack", "--format", "md", "--out", str(out_file),
                       "--max-marking", "UNCLASSIFIED")  # fmt: skip
    assert code == 0 and "UNCLASSIFIED" in out
    text = out_file.read_text()
    assert text.startswith("**UNCLASSIFIED**")
    urgent = text.split("## Red and amber-red objectives")[1].split("\n## ")[0]
    assert "(red)" in urgent and "green" not in urgent
    assert "Host-nation" not in text  # counter-interference is RESTRICTED
    pdf = tmp_path / "pack.pdf"
    code, out, _ = cli("delivery", "pack", "--format", "pdf", "--out", str(pdf))
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF") and "RESTRICTED" in out


def test_deployments_review_pack(cli, tmp_path):
    out_file = tmp_path / "review.md"
    code, _, _ = cli("delivery", "deployments", "review", "--year", "2026", "--format", "md",
                     "--out", str(out_file))  # fmt: skip
    assert code == 0
    text = out_file.read_text()
    assert "NATO Forward Land Forces battlegroup" in text and "dgd: **not signed yet**" in text
    code, out, _ = cli("delivery", "deployments", "review", "--year", "2026", "--json")
    review = json.loads(out)
    assert review["missing"] == ["dgd"] and len(review["deployments"]) == 4


def test_the_review_table_shows_each_rationale_whole_and_the_pack_what_each_serves(cli, tmp_path):
    code, out, _ = cli("delivery", "deployments", "review", "--year", "2026")
    words = set(out.split())
    assert code == 0 and {"Belgium's", "visible", "share"} <= words  # the end of a rationale
    out_file = tmp_path / "review.md"
    cli("delivery", "deployments", "review", "--year", "2026", "--format", "md",
        "--out", str(out_file))  # fmt: skip
    text = out_file.read_text()
    assert "Objectives served: Protect the North Sea" in text


def test_capability_list_flags_spend_without_delivery_in_its_own_column(cli):
    code, out, _ = cli("delivery", "capability", "list", "--json")
    flagged = sorted((r["capability"], r["measure"]) for r in json.loads(out) if r["flag"])
    assert code == 0 and flagged == [("armed-forces", "readiness"), ("crisis-management", "units")]
    code, out, _ = cli("delivery", "capability", "list")
    words = out.split()
    assert "without" in words and words.count("yes") == 2 and "!" not in out
