"""``grandstrategy resilience``: the IIM on a bare CSV, matrices, assessments, scenarios, rank."""

import json
from pathlib import Path

import pytest

from grandstrategy.cli.main import main

DATA = Path(__file__).parents[1] / "data/input-output"
BEL = Path(__file__).parents[2] / "src/grandstrategy/examples/resilience/BEL2020ttl.csv"


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    """Run the CLI; no database is created unless a command needs one."""
    monkeypatch.setenv("GRANDSTRATEGY_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'r.db'}"

    def run(*args: str, db: bool = True) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main([*(["--db", url] if db else []), *args])
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, err

    run.db = tmp_path / "r.db"  # type: ignore[attr-defined]
    return run


def write_matrix(tmp_path: Path, rows: list[list[float]], names=("Sector1", "Sector2")) -> Path:
    path = tmp_path / "a.csv"
    lines = ["sector," + ",".join(names)]
    lines += [n + "," + ",".join(str(v) for v in row) for n, row in zip(names, rows, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def reference(example_id: str) -> dict:
    data = json.loads((DATA / "iim_reference_examples.json").read_text())
    return next(e for e in data["examples"] if e["id"] == example_id)


def test_static_iim_on_a_bare_csv_reproduces_the_published_example(cli, tmp_path):
    ex = reference("E1")
    path = write_matrix(tmp_path, ex["inputs"]["A_star"])
    code, out, _ = cli("resilience", "iim", "--matrix", str(path), "--shock", "Sector2=0.6",
                       "--json", db=False)  # fmt: skip
    assert code == 0
    result = json.loads(out)
    expected = ex["expected"][0]["value"]
    assert result["inoperability"]["Sector1"] == pytest.approx(expected[0], abs=1e-3)
    assert result["inoperability"]["Sector2"] == pytest.approx(expected[1], abs=1e-3)
    assert not (tmp_path / "r.db").exists()  # no database was touched
    code, out, _ = cli("resilience", "iim", "--matrix", str(path), "--shock", "Sector2=0.6",
                       db=False)  # fmt: skip
    assert code == 0 and "Sector1" in out and "0.5714" in out


def test_dynamic_iim_reproduces_the_shock_window_example(cli, tmp_path):
    ex = reference("E4d")
    inputs = ex["inputs"]
    path = write_matrix(tmp_path, inputs["A_star"])
    code, out, _ = cli(
        "resilience", "iim", "--matrix", str(path), "--shock", "Sector2=0.1", "--dynamic",
        "--steps", "100", "--recovery", "0.2", "--shock-steps", "30", "--json", db=False,
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    expected = {e["quantity"]: e["value"] for e in ex["expected"]}
    assert len(result["trajectory"]) == 100
    assert result["trajectory"][30] == pytest.approx(expected["q_at_t30"], abs=1e-5)
    cumulative = [result["cumulative"][s] for s in ("Sector1", "Sector2")]
    assert cumulative == pytest.approx(expected["integrated_inoperability_trapezoid"], abs=1e-6)


def test_recovery_time_sets_the_rate(cli, tmp_path):
    path = write_matrix(tmp_path, [[0.0, 0.0], [0.0, 0.0]])
    code, out, _ = cli(
        "resilience", "iim", "--matrix", str(path), "--shock", "Sector1=0.5", "--dynamic",
        "--steps", "31", "--shock-steps", "0", "--recovery-time", "Sector1=10",
        "--recovery-time", "Sector2=5", "--json", db=False,
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["recovery_rate"]["Sector1"] == pytest.approx(1 - 0.01 ** (1 / 10))


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ([[0.6, 0.5], [0.5, 0.6]], ["--shock", "Sector1=0.1"], "spectral radius"),
        ([[0.1, 0.1], [0.1, 0.1]], ["--shock", "Banking=0.1"], "unknown sector 'Banking'"),
        ([[0.1, 0.1], [0.1, 0.1]], ["--shock", "Sector1"], "SECTOR=VALUE"),
        ([[0.1, 0.1], [0.1, 0.1]], ["--shock", "Sector1=0.1", "--dynamic"], "--recovery"),
        ([[0.1, 0.1], [0.1, 0.1]], ["--shock", "Sector1=0.1", "--recovery", "0.2"], "--dynamic"),
    ],
)
def test_bad_input_gets_one_clear_error(cli, tmp_path, rows, args, message):
    path = write_matrix(tmp_path, rows)
    code, _, err = cli("resilience", "iim", "--matrix", str(path), *args, db=False)
    assert code == 1 and message in " ".join(err.split())


def test_malformed_matrix_file_names_the_line(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("sector,A,B\nA,0.1,zero\nB,0.1,0.1\n")
    code, _, err = cli("resilience", "iim", "--matrix", str(path), "--shock", "A=0.1", db=False)
    assert code == 1 and "line 2" in err


def test_belgian_table_aggregates_with_every_code_accounted_for(cli, tmp_path):
    out_csv = tmp_path / "be.csv"
    code, out, _ = cli("resilience", "matrix", "from-io", str(BEL), "--aggregate", "--out",
                       str(out_csv), "--json", db=False)  # fmt: skip
    assert code == 0
    m = json.loads(out)
    assert m["sectors"][:3] == ["government", "energy", "movement"] and len(m["sectors"]) == 10
    assert m["provenance"]["accounting"][-1].startswith("50 codes")
    assert 0 < m["spectral_radius"] < 1
    code, out, _ = cli("resilience", "iim", "--matrix", str(out_csv), "--shock", "energy=0.2",
                       "--json", db=False)  # fmt: skip
    assert code == 0 and json.loads(out)["inoperability"]["transport"] > 0
    code, _, err = cli("resilience", "matrix", "from-io", str(BEL), db=False)
    assert code == 1 and "aggregate" in err  # per-industry cells ≥ 1 are refused, with advice


def test_assess_scenario_and_rank_through_the_database(cli, tmp_path):
    assert cli("db", "upgrade")[0] == 0
    code, out, _ = cli("resilience", "matrix", "from-io", str(BEL), "--aggregate", "--save",
                       "be", "--active")  # fmt: skip
    assert code == 0
    code, out, _ = cli("resilience", "matrix", "list", "--json")
    assert [m["name"] for m in json.loads(out)] == ["be"]
    code, out, _ = cli("resilience", "assess", "energy", "restoration", "--level", "1",
                       "--target", "4", "--evidence", "black start untested")  # fmt: skip
    assert code == 0 and "energy/restoration" in out
    code, _, err = cli("resilience", "assess", "energy", "nope", "--level", "1", "--target", "4")
    assert code == 1 and "unknown criterion" in err
    code, out, _ = cli("resilience", "rank", "--json")
    ranked = json.loads(out)
    assert ranked["gaps"][0]["requirement"] == "energy" and "formula" in ranked
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "- {name: blackout, title: Blackout, shocks: {energy: 0.4}, shock_steps: 3, steps: 31}\n"
    )
    assert cli("resilience", "scenario", "add", str(scenarios))[0] == 0
    code, out, _ = cli("resilience", "scenario", "run", "blackout", "--json")
    run = json.loads(out)
    assert code == 0 and len(run["trajectory"]) == 31 and run["total_cumulative"] > 0
    code, out, _ = cli("resilience", "scenario", "run", "blackout")
    assert code == 0 and "inoperability-days" in out
    code, out, _ = cli("resilience", "scenario", "run", "blackout", "--runs", "2000", "--json")
    spread = json.loads(out)["uncertainty"]
    energy = next(x for x in spread["sectors"] if x["sector"] == "energy")
    assert energy["q"]["p5"] < energy["q"]["p50"] < energy["q"]["p95"]
    assert energy["shock_low"] == pytest.approx(0.2) and energy["shock_high"] == pytest.approx(0.6)
    assert spread["loss"]["p95"] > spread["loss"]["p5"] > 0  # the table has outputs
    code, _, err = cli("resilience", "scenario", "run", "nope")
    assert code == 1 and "not found" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {name: x, title: X, shocks: {energy: 3}}\n")
    code, _, err = cli("resilience", "scenario", "add", str(bad))
    assert code == 1 and "between 0 and 1" in err


def test_matrices_and_scenarios_are_replaced_only_with_replace_and_activated(cli, tmp_path):
    assert cli("db", "upgrade")[0] == 0
    names = ("energy", "transport")
    first = write_matrix(tmp_path, [[0.0, 0.2], [0.3, 0.0]], names)
    assert cli("resilience", "matrix", "import", str(first), "--name", "one")[0] == 0
    assert cli("resilience", "matrix", "import", str(first), "--name", "two")[0] == 0
    code, _, err = cli("resilience", "matrix", "import", str(first), "--name", "one")
    assert code == 1 and "name: a matrix named 'one' exists" in err and "replace" in err
    code, out, _ = cli("resilience", "matrix", "import", str(first), "--name", "one",
                       "--replace", "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["name"] == "one"
    code, out, _ = cli("resilience", "matrix", "show", "--json")
    assert json.loads(out)["name"] == "one"
    code, out, _ = cli("resilience", "matrix", "activate", "two")
    assert code == 0 and "two" in out
    code, out, _ = cli("resilience", "matrix", "show", "--json")
    assert json.loads(out)["name"] == "two"
    code, _, err = cli("resilience", "matrix", "activate", "nope")
    assert code == 1 and "not found" in err
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("- {name: cut, title: Cut, shocks: {energy: 0.4}}\n")
    assert cli("resilience", "scenario", "add", str(scenarios))[0] == 0
    code, _, err = cli("resilience", "scenario", "add", str(scenarios))
    assert code == 1 and "a scenario named 'cut' exists" in err
    assert cli("resilience", "scenario", "add", str(scenarios), "--replace")[0] == 0
