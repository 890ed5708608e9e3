"""The import contracts in pyproject.toml cover every module of every capability.

lint-imports (run by ./test) checks that a capability's modules other than ``service``,
``schemas`` and ``choices`` (plain vocabularies the command line's help names) are imported
only by the capability itself. It can only check the modules a
contract lists, so a new internal module would escape unless listed: these tests fail until it
is, and also when a listed module no longer exists.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "src" / "grandstrategy"
PUBLIC = {"service", "schemas", "choices"}
LOADERS = {"example"}  # above the service; see the "examples" contract
NOT_CAPABILITIES = {"core", "web", "cli", "migrations", "examples", "locale"}


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _capabilities() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if (p / "__init__.py").exists() and p.name not in NOT_CAPABILITIES
    )


def _internal(capability: str) -> set[str]:
    """Every module and subpackage of a capability except its service, schemas and loaders."""
    out = set()
    for p in (PACKAGE / capability).iterdir():
        if p.suffix == ".py" and p.stem not in PUBLIC | LOADERS | {"__init__"}:
            out.add(f"grandstrategy.{capability}.{p.stem}")
        elif p.is_dir() and (p / "__init__.py").exists():
            out.add(f"grandstrategy.{capability}.{p.name}")
    return out


def test_every_capability_has_a_protected_contract() -> None:
    contracts = _contracts()
    missing = [c for c in _capabilities() if contracts.get(c, {}).get("type") != "protected"]
    assert missing == [], f"add a protected contract to pyproject.toml for {missing}"


@pytest.mark.parametrize("capability", _capabilities())
def test_contract_lists_exactly_the_internal_modules(capability: str) -> None:
    contract = _contracts()[capability]
    listed = set(contract["protected_modules"])  # type: ignore[call-overload]
    internal = _internal(capability)
    assert sorted(internal - listed) == [], "internal modules the contract does not protect"
    assert sorted(listed - internal) == [], "listed modules that no longer exist"
    assert set(contract["allowed_importers"]) == {  # type: ignore[call-overload]
        f"grandstrategy.{capability}",
        "grandstrategy.models",
    }


def test_example_loaders_are_protected_too() -> None:
    contract = _contracts()["examples"]
    loaders = {
        f"grandstrategy.{c}.{name}"
        for c in _capabilities()
        for name in LOADERS
        if (PACKAGE / c / f"{name}.py").exists()
    }
    assert set(contract["protected_modules"]) == loaders  # type: ignore[call-overload]
    assert contract["allowed_importers"] == ["grandstrategy.firstrun"]


def test_core_contract_forbids_every_capability_and_adapter() -> None:
    forbidden = set(_contracts()["core"]["forbidden_modules"])  # type: ignore[call-overload]
    expected = {f"grandstrategy.{c}" for c in [*_capabilities(), "web", "cli"]}
    assert sorted(expected - forbidden) == []


def test_every_ignored_import_says_why() -> None:
    """An exception to a contract is a debt: each one carries a TODO(issue 10) with its reason."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    block = text[text.index("[tool.importlinter]") :]
    silent = [
        line.strip()
        for line in block.splitlines()
        if " -> " in line and "TODO(issue 10):" not in line
    ]
    assert silent == []
