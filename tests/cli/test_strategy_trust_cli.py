"""The strategy CLI, acting as a user (--as), never touches or names what they cannot see."""

import json

import pytest

from grandstrategy.strategy.package import write_package
from tests.helpers import PASSWORD, small_package

MOLE = {
    "id": "mole",
    "title": "Walrus mole in the ministry",
    "kind": "threat",
    "category": "subversion",
    "horizon_years": 5,
    "interests": ["safety"],
    "marking": "SECRET",
}


@pytest.fixture
def loaded(cli, tmp_path):
    assert cli("db", "upgrade")[0] == 0
    pkg = small_package()
    pkg.strategy.max_priorities = 1
    pkg.objectives[2].priority = True  # the CONFIDENTIAL objective: 2 priorities, 1 allowed
    data = pkg.model_dump(mode="json")
    data["threats"].append(MOLE)
    write_package(type(pkg).model_validate(data), tmp_path / "full")
    assert cli("strategy", "import", tmp_path / "full")[0] == 0
    for name, role, clearance in [("dora", "drafter", "RESTRICTED"), ("rita", "reader", "")]:
        args = ["users", "add", name, "--role", role, "--password-stdin"]
        args += ["--clearance", clearance] if clearance else []
        assert cli(*args, stdin=PASSWORD + "\n")[0] == 0
    return cli


def test_import_cannot_touch_hidden_record(loaded, tmp_path):
    cli = loaded
    out = tmp_path / "mine"
    assert cli("--as", "dora", "strategy", "export", "--format", "yaml", "--out", out)[0] == 0
    threats = (out / "threats.yaml").read_text()
    assert "mole" not in threats
    (out / "threats.yaml").write_text(
        threats + "- id: mole\n  title: Drafter's threat\n  kind: challenge\n"
        "  category: climate\n  horizon_years: 12\n  interests: [safety]\n"
    )
    report = cli.json("--as", "dora", "strategy", "import", out)
    assert (report["created"], report["updated"], report["deleted"]) == (1, 0, 0)
    assert cli("strategy", "export", "--format", "json", "--out", tmp_path / "all.json")[0] == 0
    everything = json.loads((tmp_path / "all.json").read_text())
    moles = {t["title"]: t["marking"] for t in everything["threats"] if t["id"] == "mole"}
    assert moles == {"Walrus mole in the ministry": "SECRET", "Drafter's threat": "UNCLASSIFIED"}
    assert any(o["id"] == "zebra-cell" for o in everything["objectives"])


def test_lint_does_not_name_hidden_records(loaded):
    cli = loaded
    _code, out, _ = cli("--as", "rita", "strategy", "lint")
    assert "zebra" not in out.lower() and "too-many-priorities" not in out
    _code, out, _ = cli("strategy", "lint")
    assert "too-many-priorities" in out and "zebra-cell" in out


def test_yaml_alias_bomb_is_a_clear_error(loaded, tmp_path):
    cli = loaded
    folder = tmp_path / "bomb"
    assert cli("strategy", "export", "--format", "yaml", "--out", folder)[0] == 0
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (folder / "roles.yaml").write_text("\n".join(lines) + "\n")
    code, _, err = cli("strategy", "import", folder)
    assert code != 0 and "roles.yaml:2: not valid YAML: aliases (*a0) are not allowed" in err
    assert "Traceback" not in err
