"""Interdependency matrices: the bare CSV format, experts' consequence scores and input-output
tables, with clear errors for what cannot be used."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from grandstrategy.resilience import iim
from grandstrategy.resilience.catalogue import load_catalogue
from grandstrategy.resilience.io_tables import account_codes, read_io_table
from grandstrategy.resilience.matrix_files import MatrixFileError
from grandstrategy.resilience.sector_matrix import SectorMatrix
from grandstrategy.resilience.stability import MatrixError
from tests.conftest import unavailable

DATA = Path(__file__).parents[1] / "data/input-output"
BEL = Path(__file__).parents[2] / "src/grandstrategy/examples/resilience/BEL2020ttl.csv"


@pytest.fixture
def bel() -> Path:
    if not BEL.exists():
        unavailable(f"the Belgian input-output table ({BEL})")
    return BEL


def _write(tmp_path: Path, text: str, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "sector,power,water,telecom\npower,0,0.1,0.2\nwater,0.3,0,0\ntelecom,0.25,0.05,0\n"


# --- the bare CSV format ------------------------------------------------------------------


def test_csv_reads_names_and_cells_in_the_documented_orientation(tmp_path: Path) -> None:
    m = SectorMatrix.read_csv(_write(tmp_path, GOOD))
    assert m.names == ("power", "water", "telecom")
    assert m.values[m.index("water"), m.index("power")] == 0.3, "row = affected, column = cause"
    assert m.provenance["method"] == "csv" and m.provenance["source"].endswith("m.csv")
    assert len(m.provenance["source_sha256"]) == 64


def test_csv_round_trip_is_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    values = rng.random((4, 4)) * 0.2
    m = SectorMatrix(("a", "b", "c d", "e,f"), values, {"method": "test"})
    back = SectorMatrix.read_csv(_write(tmp_path, m.to_csv_text()))
    assert back.names == m.names
    assert np.array_equal(back.values, m.values)


def test_rows_may_come_in_any_order_and_blank_cells_are_zero(tmp_path: Path) -> None:
    text = "sector,power,water\n\nwater,0.3,\npower,,0.1\n"
    m = SectorMatrix.read_csv(_write(tmp_path, text))
    assert_allclose(m.values, [[0, 0.1], [0.3, 0]])


def test_a_spreadsheet_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert SectorMatrix.read_csv(path).names[0] == "power"


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("name,power\npower,0\n", "line 1, column 1", "must start with 'sector'"),
        ("sector,power,power\npower,0,0\n", "line 1, column 3", "'power' named twice"),
        ("sector,power,\npower,0,0\n", "line 1, column 3", "empty sector name"),
        ("sector,power,water\npower,0,0.1\nwater,x,0\n", "line 3, column 2", "'x' is not a number"),
        ("sector,power,water\npower,0,0.1\nwater,0\n", "line 3", "2 cells, expected 3"),
        ("sector,power,water\npower,0,0.1\ngas,0,0\n", "line 3, column 1", "unknown sector 'gas'"),
        (
            "sector,power,water\npower,0,0.1\npower,0,0\n",
            "line 3, column 1",
            "second row for 'power' (first on line 2)",
        ),
        ("sector,power,water\npower,0,0.1\n", "m.csv", "no row for water"),
        ("sector,power,water\npower,0,nan\nwater,0,0\n", "line 2, column 3", "is not finite"),
        ("\n\n", "m.csv", "the file is empty"),
        (
            "sector,power,water\npower,0,0.1\nwater,1.5,0\n",
            "line 3, column 2",
            r"a*[water, power] = 1.5 is ≥ 1",
        ),
        (
            "sector,power,water\npower,0,0.9\nwater,0.9,0.2\n",
            "m.csv",
            "spectral radius of A* is 1.0055 ≥ 1",
        ),
    ],
)
def test_malformed_csv_errors_name_the_place(
    tmp_path: Path, text: str, where: str, what: str
) -> None:
    with pytest.raises(MatrixFileError) as err:
        SectorMatrix.read_csv(_write(tmp_path, text))
    message = str(err.value)
    assert where in message and what in message, message
    assert isinstance(err.value, ValueError)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MatrixFileError, match="cannot read"):
        SectorMatrix.read_csv(tmp_path / "absent.csv")


def test_cells_of_one_or_more_are_accepted_only_when_asked(tmp_path: Path) -> None:
    text = "sector,a,b\na,0,0\nb,1.0,0\n"
    with pytest.raises(MatrixFileError, match=r"\[b, a\] = 1.0"):
        SectorMatrix.read_csv(_write(tmp_path, text))
    m = SectorMatrix.read_csv(_write(tmp_path, text), allow_large_cells=True)
    assert m.values[1, 0] == 1.0


def test_the_matrix_cannot_be_altered_after_checking() -> None:
    m = SectorMatrix(("a", "b"), [[0, 0.1], [0.2, 0]])
    with pytest.raises(ValueError, match="read-only"):
        m.values[0, 0] = 5.0


def test_shock_vectors_are_built_by_sector_name() -> None:
    m = SectorMatrix(("power", "water"), [[0, 0.1], [0.2, 0]])
    assert_allclose(m.vector({"water": 0.4}), [0, 0.4])
    with pytest.raises(MatrixError, match="unknown sector 'gas'; known: power, water"):
        m.vector({"gas": 0.1})


# --- experts' consequence scale -----------------------------------------------------------


def test_consequence_scores_convert_by_the_catalogue_rule() -> None:
    rule = [lv.a_star for lv in load_catalogue().consequence_scale]
    scores = [[0, 5, 1], [3, 0, 2], [0, 4, 0]]
    m = SectorMatrix.from_consequence(["power", "water", "telecom"], scores)
    assert_allclose(m.values, [[rule[s] for s in row] for row in scores])
    assert m.values[0, 1] == 0.6 and m.values[1, 0] == 0.2
    assert m.provenance["method"] == "expert-consequence-scale"
    assert m.provenance["scores"] == scores


@pytest.mark.parametrize("score", [6, 2.5, -1])
def test_impossible_scores_name_the_cell(score: float) -> None:
    with pytest.raises(MatrixError, match=r"\[water, power\] = .* not an integer from 0 to 5"):
        SectorMatrix.from_consequence(["power", "water"], [[0, 1], [score, 0]])


def test_too_many_severe_scores_are_refused() -> None:
    with pytest.raises(MatrixError, match="spectral radius"):
        SectorMatrix.from_consequence(["a", "b", "c"], [[0, 5, 5], [5, 0, 5], [5, 5, 0]])


def test_consequence_csv_errors_point_at_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "sector,a,b\na,0,3\nb,9,0\n")
    with pytest.raises(MatrixFileError, match=r"line 3, column 2: .*\[b, a\] = 9"):
        SectorMatrix.read_consequence_csv(path)
    ok = SectorMatrix.read_consequence_csv(_write(tmp_path, "sector,a,b\na,0,3\nb,4,0\n"))
    assert_allclose(ok.values, [[0, 0.2], [0.4, 0]])


# --- input-output tables ------------------------------------------------------------------


def _tiny_oecd(tmp_path: Path, output_b: str = "0", cell: str = "5") -> Path:
    """Three industries in the OECD layout; DB has no output of its own."""
    rows = [
        ["", "D01", "D02", "D03", "HFCE", "IMPO"],
        ["TTL_01", "10", cell, "20", "60", "-5"],
        ["TTL_02", "4", "0", "6", "2", "-12"],
        ["TTL_03", "30", "0", "10", "70", "0"],
        ["VALU", "56", "0", "44", "", ""],
        ["OUTPUT", "100", output_b, "80", "", ""],
    ]
    path = tmp_path / "tiny.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_io_table_gives_row_normalised_demand_side_coefficients(tmp_path: Path) -> None:
    m = SectorMatrix.from_io(_tiny_oecd(tmp_path, output_b="50"))
    assert m.names == ("D01", "D02", "D03")
    assert_allclose(m.values[0], [10 / 100, 5 / 100, 20 / 100], err_msg="a*_ij = z_ij / x_i")
    assert_allclose(m.values[2], [30 / 80, 0, 10 / 80])
    assert m.output is not None
    assert_allclose(m.output, [100, 50, 80])


def test_zero_output_rows_are_guarded_and_reported(tmp_path: Path) -> None:
    m = SectorMatrix.from_io(_tiny_oecd(tmp_path))
    assert not m.values[1].any(), "an industry without output cannot lose any"
    assert any("D02 has zero output" in w for w in m.provenance["warnings"])
    q = iim.static_inoperability(m.values, m.vector({"D01": 0.2}), names=m.names).q
    assert q[1] == 0 and q[0] > 0.2


def test_malformed_io_table_names_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(MatrixFileError, match=r"tiny.csv, line 2, column 3: TTL_01/D02: 'n/a'"):
        SectorMatrix.from_io(_tiny_oecd(tmp_path, cell="n/a"))
    text = _tiny_oecd(tmp_path).read_text().replace("OUTPUT", "TOTAL")
    with pytest.raises(MatrixFileError, match="no row 'OUTPUT'"):
        SectorMatrix.from_io(_write(tmp_path, text, "no-output.csv"))
    with pytest.raises(MatrixFileError, match="not a known input-output layout"):
        SectorMatrix.from_io(_write(tmp_path, GOOD))


def test_belgium_aggregates_to_the_catalogue_with_every_code_accounted(bel: Path) -> None:
    catalogue = load_catalogue()
    m = SectorMatrix.from_io(bel, aggregate=True)
    assert m.names == catalogue.sector_ids
    assert m.names[:7] == tuple(r.id for r in catalogue.requirements)
    accounting = account_codes(read_io_table(bel), catalogue.groups())
    assert accounting.complete and len(accounting.assignment) == 50
    assert (
        m.provenance["accounting"][-1] == "50 codes, output 1,054,181.5 of the table's 1,054,181.5"
    )
    assert m.output is not None and m.output.sum() == pytest.approx(1054181.5)
    assert 0 < m.provenance["spectral_radius"] < 1
    assert m.provenance["aggregation"]["energy"] == ["D05", "D06", "D09", "D19", "D35"]


def test_aggregation_sums_flows_before_dividing(bel: Path) -> None:
    with bel.open(newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    industries = range(1, 51)  # the README: columns 1–50 are the industries (then DPABR etc.)
    energy = ["05", "06", "09", "19", "35"]
    sold = sum(float(body["TTL_" + code][k]) for code in energy for k in industries)
    made = sum(float(body["OUTPUT"][header.index("D" + code)]) for code in energy)
    m = SectorMatrix.from_io(bel, aggregate=True)
    assert m.values[m.index("energy")].sum() == pytest.approx(sold / made)


def test_incomplete_aggregation_is_refused(bel: Path) -> None:
    groups = dict(load_catalogue().groups())
    groups["government"] = ()
    groups["energy"] = (*groups["energy"], "D61", "D99")
    with pytest.raises(MatrixError) as err:
        SectorMatrix.from_table(read_io_table(bel), groups=groups)
    message = str(err.value)
    assert "industry D84 is assigned to no sector" in message
    assert "industry D99 is not in the table" in message
    assert "industry D61 is assigned to more than one sector" in message


def test_belgium_per_industry_is_refused_until_large_cells_are_accepted(bel: Path) -> None:
    with pytest.raises(MatrixError, match=r"D09 sells 20\.62 times its output.*aggregate"):
        SectorMatrix.from_io(bel)
    m = SectorMatrix.from_io(bel, allow_large_cells=True)
    assert len(m.names) == 50
    for code in ("D05", "D06", "D07"):
        assert not m.values[m.index(code)].any()
        assert any(w.startswith(code + " has zero output") for w in m.provenance["warnings"])


def test_belgium_regression_anchor_from_the_data_readme(bel: Path) -> None:
    """README E10 (computed): c* = 0.1 on D35, per industry."""
    m = SectorMatrix.from_io(bel, allow_large_cells=True)
    assert m.spectral_radius == pytest.approx(0.5357, abs=1e-4)
    c = m.vector({"D35": 0.1})
    result = iim.static_inoperability(
        m.values, c, output=m.output, names=m.names, allow_large_cells=True
    )
    expected = {"D09": 0.3478, "D35": 0.1164, "D16": 0.0062, "D62T63": 0.0040, "D49": 0.0035}
    for code, value in expected.items():
        assert result.q[m.index(code)] == pytest.approx(value, abs=1e-3), code
    assert result.loss == pytest.approx(3230.7, abs=0.1)
    assert m.output is not None and float(m.output @ c) == pytest.approx(1643.5, abs=0.1)


def test_as_dict_is_plain_data(tmp_path: Path) -> None:
    m = SectorMatrix.from_io(_tiny_oecd(tmp_path, output_b="50"))
    data = m.as_dict()
    assert data["sectors"] == ["D01", "D02", "D03"]
    assert data["outputs"] == [100.0, 50.0, 80.0]
    assert data["values"][0] == pytest.approx([0.1, 0.05, 0.2])
    assert data["provenance"]["method"] == "input-output"


def test_the_eurostat_example_table_builds_a_matrix_too() -> None:
    path = DATA / "Beutel_15_4.csv"
    if not path.exists():
        unavailable(f"the Eurostat example table ({path})")
    m = SectorMatrix.from_io(path)
    assert m.names[1] == "manufacturing_group"
    assert m.spectral_radius == pytest.approx(0.4029, abs=1e-4)  # the reference file's "info"
    with pytest.raises(MatrixError, match="industry agriculture_group is assigned to no sector"):
        SectorMatrix.from_io(path, aggregate=True)
