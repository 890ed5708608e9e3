"""The one CLI fixture: run ``grandstrategy`` in-process on a fresh SQLite database."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from grandstrategy.cli.main import main


class Cli:
    """``cli("strategy", "lint")`` → (exit code, stdout, stderr); ``cli.json(...)`` → data.

    ``db=False`` runs without a ``--db`` option (commands that need no database);
    ``stdin`` feeds standard input (passwords, piped files)."""

    def __init__(self, url: str, folder: Any, capsys: Any, monkeypatch: Any) -> None:
        self.url = url
        self.db = folder / "cli.db"
        self.folder = folder
        self._capsys = capsys
        self._monkeypatch = monkeypatch

    def __call__(
        self, *args: Any, stdin: str | None = None, db: bool = True
    ) -> tuple[int, str, str]:
        if stdin is not None:
            self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        with pytest.raises(SystemExit) as exc:
            main([*(["--db", self.url] if db else []), *map(str, args)])
        out, err = self._capsys.readouterr()
        return int(exc.value.code or 0), out, err

    def json(self, *args: Any) -> Any:
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch) -> Iterator[Cli]:
    from grandstrategy.horizon.classify import engine

    monkeypatch.setenv("GRANDSTRATEGY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRANDSTRATEGY_NO_EMBED", "1")  # fast and the same on every machine
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at 80 columns when not on a terminal
    engine._cache.clear()  # the classifier is cached per database
    yield Cli(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path, capsys, monkeypatch)
    engine._cache.clear()
