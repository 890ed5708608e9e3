"""The README's and the guides' commands name real commands and options, as written."""

import re
import shlex
from pathlib import Path

import typer

from grandstrategy.cli.main import app

ROOT = Path(__file__).parents[1]
GLOBAL = {"--as", "--db", "--lang"}


def command_lines(text: str) -> list[str]:
    """Every `./gs …` command: code-block lines, and inline `./gs …` in prose."""
    found = re.findall(r"^\./gs [^\n#]*", text, re.M)
    found += re.findall(r"`(\./gs [^`]*)`", text)
    return [line.split(" | ")[0].split("; ")[0].strip() for line in found]


def resolve(words: list[str]) -> tuple[object, list[str]]:
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    cmd: object = root
    i = 0
    while i < len(words) and words[i] in GLOBAL:
        i += 2
    while i < len(words) and hasattr(cmd, "get_command"):
        sub = cmd.get_command(ctx, words[i])  # type: ignore[attr-defined]
        if sub is None:
            break
        cmd, i = sub, i + 1
    return cmd, words[i:]


def check(path: Path) -> list[str]:
    problems = []
    for line in command_lines(path.read_text(encoding="utf-8")):
        try:
            words = shlex.split(line.replace("…", ""))[1:]
        except ValueError:
            continue
        cmd, rest = resolve(words)
        if rest in ([], ["--help"]):  # the root's or a group's own help
            continue
        if hasattr(cmd, "commands"):
            problems.append(f"{path.name}: {line!r} names no command")
            continue
        known = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}  # type: ignore[attr-defined]
        for word in rest:
            name = word.split("=")[0]
            if name.startswith("--") and name not in known and "|" not in name:
                problems.append(f"{path.name}: {line!r}: no option {name}")
    return problems


def test_readme_and_guides_commands_exist():
    problems = [p for doc in (ROOT / "README.md", ROOT / "docs" / "guides.md") for p in check(doc)]
    assert not problems, "\n".join(problems)
