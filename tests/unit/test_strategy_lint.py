"""Lint: a clean package has no findings; each rule fires on the record that breaks it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grandstrategy.strategy.lint import RULES, Finding, add_years, lint, summary
from grandstrategy.strategy.schemas import Package


@pytest.fixture
def data() -> dict[str, Any]:
    """A minimal strategy that lints clean: every chain complete, every gap closed."""
    return {
        "strategy": {
            "id": "nss",
            "title": "National Security Strategy",
            "country": "Examplia",
            "period": {"start": "2024-01-01", "end": "2034-01-01"},
            "max_priorities": 2,
        },
        "actors": [
            {"id": "council", "name": "National Security Council", "kind": "council"},
            {"id": "mod", "name": "Ministry of Defence", "kind": "ministry", "parent": "council"},
        ],
        "interests": [{"id": "sovereignty", "title": "Sovereignty", "statement": "We decide."}],
        "threats": [
            {
                "id": "coercion",
                "title": "State coercion",
                "kind": "threat",
                "category": "coercion",
                "horizon_years": 15,
                "likelihood": 3,
                "impact": 4,
                "black_swan": True,
                "interests": ["sovereignty"],
            }
        ],
        "roles": [{"id": "ally", "name": "Reliable ally"}],
        "objectives": [
            {
                "id": "deter",
                "title": "Deter coercion",
                "horizon": 5,
                "owner": "mod",
                "contributors": ["council"],
                "deadline": "2028-12-31",
                "priority": True,
                "indicators": [{"name": "Readiness", "unit": "%", "baseline": 60, "target": 90}],
                "interests": ["sovereignty"],
                "threats": ["coercion"],
                "roles": ["ally"],
            }
        ],
        "capabilities": [
            {
                "id": "forces",
                "name": "Armed forces",
                "kind": "military",
                "owner": "mod",
                "budget": [{"year": 2025, "amount": 100.0}, {"year": 2026, "amount": 150.5}],
                "objectives": ["deter"],
            }
        ],
    }


def make(d: dict[str, Any]) -> Package:
    return Package.model_validate(d)


def fired(d: dict[str, Any], rule: str, **kwargs: Any) -> list[Finding]:
    found = [f for f in lint(make(d), **kwargs) if f.rule == rule]
    assert found, f"{rule} did not fire"
    for f in found:
        assert f.severity == RULES[rule][0]
        assert f.message and f.fix
    return found


def test_minimal_package_lints_clean(data: dict[str, Any]) -> None:
    found = lint(make(data))
    assert found == []
    assert summary(found) == {"errors": 0, "warnings": 0}


def test_rules_have_known_severities_and_descriptions() -> None:
    assert {sev for sev, _ in RULES.values()} == {"error", "warning"}
    assert all(desc for _, desc in RULES.values())


def test_objective_without_owner(data: dict[str, Any]) -> None:
    del data["objectives"][0]["owner"]
    (f,) = fired(data, "objective-no-owner")
    assert (f.component, f.record_id) == ("objectives", "deter")
    assert "deter" in f.message and "Deter coercion" in f.message


def test_objective_without_deadline(data: dict[str, Any]) -> None:
    del data["objectives"][0]["deadline"]
    (f,) = fired(data, "objective-no-deadline")
    assert f.record_id == "deter"


def test_unknown_owner_of_objective_and_capability(data: dict[str, Any]) -> None:
    data["objectives"][0]["owner"] = "nobody"
    data["capabilities"][0]["owner"] = "ghost"
    found = fired(data, "owner-unknown")
    assert {(f.component, f.record_id) for f in found} == {
        ("objectives", "deter"),
        ("capabilities", "forces"),
    }
    assert not [f for f in lint(make(data)) if f.rule == "dangling-link"]


@pytest.mark.parametrize(
    ("deadline", "bad"),
    [
        ("2023-12-31", True),  # before the period starts
        ("2024-01-01", False),  # the first day
        ("2029-01-01", False),  # exactly five years on
        ("2029-01-02", True),  # one day too late
    ],
)
def test_deadline_outside_horizon(data: dict[str, Any], deadline: str, bad: bool) -> None:
    data["objectives"][0]["deadline"] = deadline
    found = [f for f in lint(make(data)) if f.rule == "deadline-outside-horizon"]
    assert [f.record_id for f in found] == (["deter"] if bad else [])


def test_horizon_from_29_february_ends_28_february() -> None:
    assert add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)


def test_deadline_horizon_from_leap_day(data: dict[str, Any]) -> None:
    data["strategy"]["period"] = {"start": "2024-02-29", "end": "2034-02-28"}
    data["objectives"][0]["deadline"] = "2029-02-28"
    assert lint(make(data)) == []
    data["objectives"][0]["deadline"] = "2029-03-01"
    (f,) = fired(data, "deadline-outside-horizon")
    assert "2029-02-28" in f.message


@pytest.mark.parametrize(
    ("component", "field", "value", "missing"),
    [
        ("actors", "parent", "cabinet", "cabinet"),
        ("actors", "members", [{"actor": "navy"}], "navy"),
        ("threats", "authors", ["rogue"], "rogue"),
        ("threats", "interests", ["sovereignty", "prosperity"], "prosperity"),
        ("objectives", "contributors", ["council", "treasury"], "treasury"),
        ("objectives", "parent", "grand", "grand"),
        ("objectives", "interests", ["sovereignty", "values"], "values"),
        ("objectives", "threats", ["coercion", "floods"], "floods"),
        ("objectives", "roles", ["ally", "broker"], "broker"),
        ("capabilities", "objectives", ["deter", "attack"], "attack"),
    ],
)
def test_dangling_link(
    data: dict[str, Any], component: str, field: str, value: Any, missing: str
) -> None:
    rec = data[component][-1]
    rec[field] = value
    (f,) = fired(data, "dangling-link")
    assert (f.component, f.record_id) == (component, rec["id"])
    assert field in f.message and repr(missing) in f.message


def test_one_dangling_finding_per_id(data: dict[str, Any]) -> None:
    data["objectives"][0]["threats"] = ["coercion", "a", "b", "a"]
    found = fired(data, "dangling-link")
    assert len(found) == 2


def test_duplicate_id(data: dict[str, Any]) -> None:
    data["roles"].append({"id": "ally", "name": "Another ally"})
    (f,) = fired(data, "duplicate-id")
    assert (f.component, f.record_id) == ("roles", "ally")


def test_same_id_in_two_components_is_fine(data: dict[str, Any]) -> None:
    data["roles"][0]["id"] = "council"
    data["objectives"][0]["roles"] = ["council"]
    assert lint(make(data)) == []


def test_threat_without_interest(data: dict[str, Any]) -> None:
    data["threats"][0]["interests"] = []
    (f,) = fired(data, "threat-no-interest")
    assert (f.component, f.record_id) == ("threats", "coercion")


def test_interest_unserved(data: dict[str, Any]) -> None:
    data["interests"].append({"id": "prosperity", "title": "Prosperity", "statement": "Trade."})
    (f,) = fired(data, "interest-unserved")
    assert (f.component, f.record_id) == ("interests", "prosperity")


def test_parent_cycle_reported_once(data: dict[str, Any]) -> None:
    base = data["objectives"][0]
    data["objectives"] = [
        {**base, "id": "c", "parent": "a"},
        {**base, "id": "a", "parent": "b"},
        {**base, "id": "b", "parent": "c"},
        {**base, "id": "d", "parent": "a", "priority": False},
    ]
    data["capabilities"][0]["objectives"] = ["a"]
    found = lint(make(data))
    (f,) = [f for f in found if f.rule == "parent-cycle"]
    assert f.record_id == "a"
    assert "a → b → c → a" in f.message


def test_objective_own_parent_is_a_cycle(data: dict[str, Any]) -> None:
    data["objectives"][0]["parent"] = "deter"
    (f,) = fired(data, "parent-cycle")
    assert f.record_id == "deter"


def test_parent_tree_is_fine(data: dict[str, Any]) -> None:
    child = {**data["objectives"][0], "id": "child", "parent": "deter", "priority": False}
    data["objectives"].append(child)
    data["capabilities"][0]["objectives"] = ["deter", "child"]
    assert lint(make(data)) == []


def test_too_many_priorities(data: dict[str, Any]) -> None:
    base = data["objectives"][0]
    data["objectives"] += [{**base, "id": "two"}, {**base, "id": "three"}]
    (f,) = fired(data, "too-many-priorities")
    assert (f.component, f.record_id) == ("strategy", "")
    assert lint(make(data), max_priorities=3) == []


def test_max_priorities_argument_overrides_the_strategy(data: dict[str, Any]) -> None:
    fired(data, "too-many-priorities", max_priorities=0)


def test_objective_without_indicator(data: dict[str, Any]) -> None:
    data["objectives"][0]["indicators"] = []
    (f,) = fired(data, "objective-no-indicator")
    assert f.record_id == "deter"


@pytest.mark.parametrize("missing", [["likelihood"], ["impact"], ["likelihood", "impact"]])
def test_threat_unrated(data: dict[str, Any], missing: list[str]) -> None:
    for name in missing:
        del data["threats"][0][name]
    (f,) = fired(data, "threat-unrated")
    assert f.record_id == "coercion"
    assert all(name in f.message for name in missing)


def test_no_long_horizon(data: dict[str, Any]) -> None:
    data["threats"][0]["horizon_years"] = 10
    (f,) = fired(data, "no-long-horizon")
    assert (f.component, f.record_id) == ("strategy", "")


def test_no_black_swan(data: dict[str, Any]) -> None:
    data["threats"][0]["black_swan"] = False
    (f,) = fired(data, "no-black-swan")
    assert (f.component, f.record_id) == ("strategy", "")


def test_capability_without_budget(data: dict[str, Any]) -> None:
    data["capabilities"][0]["budget"] = []
    (f,) = fired(data, "capability-no-budget")
    assert (f.component, f.record_id) == ("capabilities", "forces")


def test_capability_unused(data: dict[str, Any]) -> None:
    data["capabilities"][0]["objectives"] = []
    (f,) = fired(data, "capability-unused")
    assert f.record_id == "forces"


def test_threat_unaddressed(data: dict[str, Any]) -> None:
    data["objectives"][0]["threats"] = []
    (f,) = fired(data, "threat-unaddressed")
    assert (f.component, f.record_id) == ("threats", "coercion")


def test_every_rule_is_tested() -> None:
    tested = {
        "objective-no-owner", "objective-no-deadline", "owner-unknown",
        "deadline-outside-horizon", "dangling-link", "duplicate-id", "threat-no-interest",
        "interest-unserved", "parent-cycle", "too-many-priorities", "objective-no-indicator",
        "threat-unrated", "no-long-horizon", "no-black-swan", "capability-no-budget",
        "capability-unused", "threat-unaddressed",
        # tested in tests/service/test_strategy_translations.py
        "translation-missing", "translation-stale",
        # tested in tests/service/test_strategy_derive.py
        "serves-unknown", "objective-no-department",
    }  # fmt: skip
    assert set(RULES) == tested


def test_sorted_errors_first_then_component_then_id(data: dict[str, Any]) -> None:
    data["threats"][0]["black_swan"] = False  # strategy warning
    data["capabilities"][0]["budget"] = []  # capability warning
    data["threats"][0]["interests"] = []  # threat error
    base = data["objectives"][0]
    data["objectives"] = [
        {**base, "id": "zeta", "owner": None},
        {**base, "id": "alpha", "owner": None},
    ]
    data["capabilities"][0]["objectives"] = ["alpha"]
    found = lint(make(data))
    keys = [(f.severity, f.component, f.record_id, f.rule) for f in found]
    assert keys == [
        ("error", "threats", "coercion", "threat-no-interest"),
        ("error", "objectives", "alpha", "objective-no-owner"),
        ("error", "objectives", "zeta", "objective-no-owner"),
        ("warning", "strategy", "", "no-black-swan"),
        ("warning", "capabilities", "forces", "capability-no-budget"),
    ]
    assert summary(found) == {"errors": 3, "warnings": 2}
