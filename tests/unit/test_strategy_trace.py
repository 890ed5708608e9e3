"""Trace: complete chains become rows with budget totals; every kind of gap is a break."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from grandstrategy.strategy.schemas import Package
from grandstrategy.strategy.trace import STAGES, TraceBreak, build, to_csv, to_json


@pytest.fixture
def data() -> dict[str, Any]:
    """One complete chain: threat → interest → objective → owner → capability → budget."""
    return {
        "strategy": {
            "id": "nss",
            "title": "National Security Strategy",
            "country": "Examplia",
            "period": {"start": "2024-01-01", "end": "2034-01-01"},
        },
        "actors": [{"id": "mod", "name": "Ministry of Defence", "kind": "ministry"}],
        "interests": [{"id": "sovereignty", "title": "Sovereignty", "statement": "We decide."}],
        "threats": [
            {
                "id": "coercion",
                "title": "State coercion",
                "kind": "threat",
                "category": "coercion",
                "horizon_years": 15,
                "interests": ["sovereignty"],
            }
        ],
        "objectives": [
            {
                "id": "deter",
                "title": "Deter coercion",
                "horizon": 5,
                "owner": "mod",
                "interests": ["sovereignty"],
                "threats": ["coercion"],
            }
        ],
        "capabilities": [
            {
                "id": "forces",
                "name": "Armed forces",
                "kind": "military",
                "budget": [{"year": 2025, "amount": 100.0}, {"year": 2026, "amount": 150.5}],
                "objectives": ["deter"],
            }
        ],
    }


def make(d: dict[str, Any]) -> Package:
    return Package.model_validate(d)


def stages(breaks: list[TraceBreak]) -> list[tuple[str, str, str]]:
    return [(b.stage, b.component, b.record_id) for b in breaks]


def test_complete_chain(data: dict[str, Any]) -> None:
    report = build(make(data))
    assert report.breaks == []
    assert report.complete
    (row,) = report.rows
    assert (row.threat_id, row.threat_title) == ("coercion", "State coercion")
    assert (row.interest_id, row.interest_title) == ("sovereignty", "Sovereignty")
    assert (row.objective_id, row.objective_title) == ("deter", "Deter coercion")
    assert (row.owner_id, row.owner_name) == ("mod", "Ministry of Defence")
    assert (row.capability_id, row.capability_name) == ("forces", "Armed forces")
    assert row.budget == pytest.approx(250.5)
    assert row.currency == "EUR"


def test_mixed_currencies(data: dict[str, Any]) -> None:
    data["capabilities"][0]["budget"][1]["currency"] = "USD"
    (row,) = build(make(data)).rows
    assert row.currency == "mixed"
    assert row.budget == pytest.approx(250.5)


def test_rows_follow_package_order(data: dict[str, Any]) -> None:
    data["interests"].append({"id": "prosperity", "title": "Prosperity", "statement": "Trade."})
    data["threats"][0]["interests"] = ["prosperity", "sovereignty"]
    data["threats"].insert(0, {**data["threats"][0], "id": "cyber", "category": "cyber"})
    data["objectives"][0]["interests"] = ["sovereignty", "prosperity"]
    data["objectives"][0]["threats"] = ["coercion", "cyber"]
    data["objectives"].append({**data["objectives"][0], "id": "build", "title": "Build"})
    data["capabilities"].append({**data["capabilities"][0], "id": "cyber-cmd", "name": "Cyber"})
    data["capabilities"][1]["objectives"] = ["deter", "build"]
    report = build(make(data))
    assert report.complete
    keys = [(r.threat_id, r.interest_id, r.objective_id, r.capability_id) for r in report.rows]
    assert keys[:4] == [
        ("cyber", "sovereignty", "deter", "forces"),
        ("cyber", "sovereignty", "deter", "cyber-cmd"),
        ("cyber", "sovereignty", "build", "cyber-cmd"),
        ("cyber", "prosperity", "deter", "forces"),
    ]
    assert len(keys) == 12
    assert [k[0] for k in keys] == ["cyber"] * 6 + ["coercion"] * 6


def test_objectives_serving_the_interest_are_preferred(data: dict[str, Any]) -> None:
    other = {**data["objectives"][0], "id": "other", "interests": []}
    data["objectives"].append(other)
    data["capabilities"][0]["objectives"] = ["deter", "other"]
    report = build(make(data))
    assert [r.objective_id for r in report.rows] == ["deter"]
    assert report.breaks == []


def test_break_threat_to_interest(data: dict[str, Any]) -> None:
    data["threats"][0]["interests"] = ["nowhere"]  # dangling ids are not followed
    report = build(make(data))
    assert stages(report.breaks) == [("threat→interest", "threats", "coercion")]
    (row,) = report.rows
    assert (row.interest_id, row.objective_id) == ("", "deter")
    assert not report.complete


def test_break_threat_to_objective(data: dict[str, Any]) -> None:
    data["objectives"][0]["threats"] = []
    report = build(make(data))
    assert stages(report.breaks) == [("threat→objective", "threats", "coercion")]
    (row,) = report.rows
    assert row.interest_id == "sovereignty"
    assert (row.objective_id, row.owner_id, row.capability_id, row.budget) == (
        None,
        None,
        None,
        None,
    )
    assert "coercion" in report.breaks[0].message


def test_break_interest_to_objective_falls_back(data: dict[str, Any]) -> None:
    data["objectives"][0]["interests"] = []
    report = build(make(data))
    assert stages(report.breaks) == [("interest→objective", "interests", "sovereignty")]
    (row,) = report.rows
    assert row.objective_id == "deter"  # the objective addressing the threat still counts
    assert "coercion" in report.breaks[0].message


@pytest.mark.parametrize("owner", [None, "ghost"])
def test_break_objective_to_owner(data: dict[str, Any], owner: str | None) -> None:
    data["objectives"][0]["owner"] = owner
    report = build(make(data))
    assert stages(report.breaks) == [("objective→owner", "objectives", "deter")]
    (row,) = report.rows
    assert (row.owner_id, row.owner_name) == (None, "")
    assert row.capability_id == "forces"


def test_break_objective_to_capability(data: dict[str, Any]) -> None:
    data["capabilities"] = []
    report = build(make(data))
    assert stages(report.breaks) == [("objective→capability", "objectives", "deter")]
    (b,) = report.breaks
    assert b.message == "objective deter 'Deter coercion' has no capability serving it"
    (row,) = report.rows
    assert (row.capability_id, row.capability_name, row.budget, row.currency) == (
        None,
        "",
        None,
        "",
    )


def test_break_capability_to_budget(data: dict[str, Any]) -> None:
    data["capabilities"][0]["budget"] = []
    report = build(make(data))
    assert stages(report.breaks) == [("capability→budget", "capabilities", "forces")]
    (row,) = report.rows
    assert (row.capability_id, row.budget, row.currency) == ("forces", None, "")


def test_breaks_are_deduplicated(data: dict[str, Any]) -> None:
    data["capabilities"] = []
    data["threats"].append({**data["threats"][0], "id": "subversion", "category": "subversion"})
    data["objectives"][0]["threats"] = ["coercion", "subversion"]
    report = build(make(data))
    assert len(report.rows) == 2
    assert stages(report.breaks) == [("objective→capability", "objectives", "deter")]


def test_every_stage_is_known(data: dict[str, Any]) -> None:
    data["threats"].append({**data["threats"][0], "id": "floods", "category": "climate"})
    data["threats"][0]["interests"] = []
    data["objectives"][0]["owner"] = None
    data["capabilities"][0]["budget"] = []
    report = build(make(data))
    assert {b.stage for b in report.breaks} <= set(STAGES)


def test_matrix(data: dict[str, Any]) -> None:
    data["threats"].append({**data["threats"][0], "id": "floods", "category": "climate"})
    data["objectives"].append({**data["objectives"][0], "id": "adapt", "threats": ["floods"]})
    data["objectives"][0]["threats"] = ["coercion", "floods", "dangling"]
    m = build(make(data)).matrix()
    assert m["threats"] == ["coercion", "floods"]
    assert m["objectives"] == ["deter", "adapt"]
    assert m["cells"] == [("coercion", "deter"), ("floods", "deter"), ("floods", "adapt")]


def test_csv(data: dict[str, Any]) -> None:
    data["objectives"].append({**data["objectives"][0], "id": "spare", "title": "Spare"})
    text = to_csv(build(make(data)))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["threat_id", "threat_title"]
    assert rows[0][-2:] == ["budget", "currency"]
    assert rows[1][-2:] == ["250.5", "EUR"]
    assert rows[2][8:] == ["", "", "", ""]  # no capability, no budget
    assert len(rows) == 3


def test_json(data: dict[str, Any]) -> None:
    out = to_json(build(make(data)))
    assert set(out) == {"rows", "breaks", "complete", "cascade"}
    assert out["complete"] is True and out["cascade"] == []  # no departmental strategy here
    assert out["rows"][0]["budget"] == pytest.approx(250.5)
    json.dumps(out)  # serialisable as is
    data["capabilities"] = []
    out = to_json(build(make(data)))
    assert out["complete"] is False
    assert out["breaks"][0]["stage"] == "objective→capability"


def test_empty_package_is_not_complete(data: dict[str, Any]) -> None:
    data["threats"] = []
    report = build(make(data))
    assert report.rows == [] and report.breaks == []
    assert not report.complete
