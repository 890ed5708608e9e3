"""The resilience catalogue: the seven baseline requirements, every industry code in exactly
one sector, the two 0–5 scales, and clear errors for a broken copy of the file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

from grandstrategy.core.errors import Invalid
from grandstrategy.resilience.catalogue import load_catalogue, parse_catalogue
from tests.conftest import unavailable

PACKAGED = Path(__file__).parents[2] / "src/grandstrategy/resilience/requirements.yaml"
BEL = Path(__file__).parents[2] / "src/grandstrategy/examples/resilience/BEL2020ttl.csv"
SEVEN = {
    "government": "Continuity of government and critical government services",
    "energy": "energy supplies",
    "movement": "uncontrolled movement of people",
    "food-water": "food and water resources",
    "health": "mass casualties and disruptive health crises",
    "communications": "civil communications",
    "transport": "transport systems",
}
CER_ANNEX = {
    "energy",
    "transport",
    "banking",
    "financial-market-infrastructure",
    "health",
    "drinking-water",
    "waste-water",
    "food",
    "digital-infrastructure",
    "public-administration",
    "space",
}


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PACKAGED.read_text("utf-8"))
    return data


def _details(data: dict[str, Any]) -> list[str]:
    with pytest.raises(Invalid) as err:
        parse_catalogue(yaml.safe_dump(data), source="copy.yaml")
    assert str(err.value).startswith("copy.yaml: the resilience catalogue is invalid")
    return err.value.details


def test_the_seven_baseline_requirements_come_first_with_their_titles() -> None:
    catalogue = load_catalogue()
    assert [r.id for r in catalogue.requirements] == list(SEVEN)
    for requirement in catalogue.requirements:
        assert SEVEN[requirement.id].lower() in requirement.title.lower()
        assert 3 <= len(requirement.criteria) <= 6, requirement.id
        assert all(c.level_5 and c.title for c in requirement.criteria)
    extras = [s.id for s in catalogue.sectors if s.kind == "extra"]
    assert extras == ["finance", "industry", "other-services"]


def test_every_industry_code_is_in_exactly_one_sector() -> None:
    catalogue = load_catalogue()
    assigned = [code for s in catalogue.sectors for code in s.codes]
    assert len(assigned) == len(set(assigned)) == 50
    assert set(assigned) == set(catalogue.industry_classification.codes)
    assert catalogue.sector_of("D35") == "energy"
    assert catalogue.sector_of("D84") == "government"
    assert catalogue.sector_of("D86T88") == "health"
    assert all(i.why for s in catalogue.sectors for i in s.industries), "each code says why"


def test_the_classification_matches_the_belgian_table_header() -> None:
    if not BEL.exists():
        unavailable(f"the Belgian input-output table ({BEL})")
    with BEL.open(newline="") as f:
        header = next(csv.reader(f))
    assert list(load_catalogue().industry_classification.codes) == header[1:51]


def test_every_cer_sector_is_covered() -> None:
    catalogue = load_catalogue()
    assert {c.id for c in catalogue.cer_sectors} == CER_ANNEX
    covered = {c for s in catalogue.sectors for c in s.cer_sectors}
    assert covered == CER_ANNEX
    assert set(catalogue.sector("food-water").cer_sectors) == {
        "drinking-water",
        "waste-water",
        "food",
    }
    assert catalogue.sector("movement").cer_note, "the requirement with no CER sector says why"


def test_the_scales_run_from_zero_to_five() -> None:
    catalogue = load_catalogue()
    assert [m.level for m in catalogue.maturity_scale] == [0, 1, 2, 3, 4, 5]
    assert catalogue.maturity(5).name == "Adaptive"
    rule = [catalogue.consequence_to_a_star(level) for level in range(6)]
    assert rule == [0.0, 0.05, 0.1, 0.2, 0.4, 0.6]
    for bad in (6, -1, True):
        with pytest.raises(Invalid, match="from 0 to 5"):
            catalogue.consequence_to_a_star(bad)
    with pytest.raises(Invalid, match="unknown sector 'space'; known: government"):
        catalogue.sector("space")


def test_a_code_left_out_is_refused() -> None:
    data = _raw()
    data["sectors"][0]["industries"] = []
    assert "industries assigned to no sector: D84" in _details(data)


def test_a_code_listed_twice_names_both_sectors() -> None:
    data = _raw()
    data["sectors"][1]["industries"].append({"code": "D84", "why": "twice"})
    assert "sector 'energy': industry 'D84' is already assigned to 'government'" in _details(data)


def test_unknown_codes_and_cer_sectors_are_refused() -> None:
    data = _raw()
    data["sectors"][1]["industries"].append({"code": "D99", "why": "no such code"})
    data["sectors"][2]["cer_sectors"] = ["border"]
    details = _details(data)
    assert "sector 'energy': industry 'D99' is not in the classification" in details
    assert "sector 'movement': unknown CER sector 'border'" in details


def test_a_requirement_needs_three_to_six_criteria() -> None:
    data = _raw()
    data["sectors"][6]["criteria"] = data["sectors"][6]["criteria"][:2]
    assert "sector 'transport': a requirement needs 3–6 criteria" in _details(data)


def test_field_errors_name_the_sector() -> None:
    data = _raw()
    del data["sectors"][3]["criteria"][0]["level_5"]
    details = _details(data)
    assert "sector 'food-water': criteria.0.level_5: Field required" in details


def test_consequence_rule_must_start_at_zero_and_rise() -> None:
    data = _raw()
    data["consequence_scale"][2]["a_star"] = 0.01
    assert "consequence_scale: a_star must start at 0 and never decrease" in _details(data)
    data = _raw()
    data["consequence_scale"][5]["a_star"] = 1.0
    assert any("consequence_scale.5.a_star" in d for d in _details(data))


def test_a_configured_copy_is_read_and_errors_are_clear(tmp_path: Path) -> None:
    data = _raw()
    data["sectors"][0]["title"] = "Continuity of government (edited)"
    path = tmp_path / "requirements.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_catalogue(path).sector("government").title.endswith("(edited)")
    with pytest.raises(Invalid, match="cannot read the resilience catalogue"):
        load_catalogue(tmp_path / "absent.yaml")
    path.write_text("sectors: [", encoding="utf-8")
    with pytest.raises(Invalid, match="not valid YAML"):
        load_catalogue(path)
