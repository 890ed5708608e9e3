"""``strategy diff`` prints the words that changed: [-removed-]{+added+}, lists as items."""

from __future__ import annotations

from grandstrategy.strategy.package import write_package
from tests.helpers import small_package


def test_strategy_diff_prints_the_words_that_changed(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    pkg = small_package()
    assert cli("db", "upgrade")[0] == 0
    write_package(pkg, tmp_path / "v1")
    assert cli("strategy", "import", tmp_path / "v1")[0] == 0
    before = cli.json("strategy", "history", "--limit", "1")[0]["version"]
    data = pkg.model_dump(mode="json")
    deter = next(o for o in data["objectives"] if o["id"] == "deter")
    deter["title"] = "Credible and visible deterrence"
    deter["threats"] = ["invasion", "nato-tripwire"]
    write_package(type(pkg).model_validate(data), tmp_path / "v2")
    assert cli("strategy", "import", tmp_path / "v2")[0] == 0
    code, out, err = cli("strategy", "diff", str(before))
    assert code == 0, err
    title = next(line for line in out.splitlines() if " title " in line)
    assert "Credible {+and visible +}deterrence" in title
    assert "[-pandemic" in out and "['" not in out  # one list item went, no Python list
