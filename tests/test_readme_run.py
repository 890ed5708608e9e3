"""The README's first commands run as written, through the ./gs wrapper, on a fresh data
folder: what a new user types after cloning (issue 12: "the CLI on the path")."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# In the README's order; each line is checked to be there word for word.
# './run' comes first in the README; its setup is slow (examples, the classifier), so the test
# only migrates the database, as './gs db upgrade' does.
COMMANDS = [
    ("./gs --help", None),
    ("./gs db upgrade", None),
    ("./gs users add anna --role analyst --clearance SECRET --compartment NATO --password-stdin",
     "a-long-enough-password\n"),
    ("./gs example load", None),
    ("./gs strategy show", None),
    ("./gs strategy history objectives/resilience-review", None),
    ("./gs audit verify", None),
    ("./gs --as anna strategy export --format md", None),
]  # fmt: skip


@pytest.fixture
def env(tmp_path):
    if not (ROOT / ".venv" / "bin" / "grandstrategy").exists():
        pytest.skip("./gs would first create .venv (./run or ./test do)")
    return {
        **os.environ,
        "GRANDSTRATEGY_DATA_DIR": str(tmp_path),
        "GRANDSTRATEGY_NO_EMBED": "1",
        "GRANDSTRATEGY_DB": f"sqlite:///{tmp_path / 'gs.db'}",
        "COLUMNS": "120",
    }


def test_readme_commands_run_as_written(env):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    outputs = {}
    for line, stdin in COMMANDS:
        assert line in readme or line == "./gs db upgrade", f"the README lost {line!r}"
        done = subprocess.run(
            line.split(), cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, f"{line}: {done.stderr}"
        outputs[line] = done.stdout
    assert "Usage:" in outputs["./gs --help"]
    assert "National Security Strategy of Belgium" in outputs["./gs strategy show"]
    edition = outputs["./gs --as anna strategy export --format md"]
    assert edition.startswith("**") and "# National Security Strategy of Belgium" in edition
