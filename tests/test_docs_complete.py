"""Documentation that cannot silently go stale: every command and route is written down.

The command line is walked recursively from the Typer app, the routes from the web app's route
table (API and pages alike). Each must appear in ``docs/`` or ``README.md``: a command as
``grandstrategy <command>``, a route as ``METHOD /path`` (``docs/reference.md`` lists them all).
Rows of the reference tables must also name things that exist, with the action they declare.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.routing import APIRoute, iter_route_contexts

from grandstrategy.cli.main import app as cli_app
from grandstrategy.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference.md"
ROW = re.compile(r"^\|\s*`(GET|POST|PUT|PATCH|DELETE) ([^`]+)`\s*\|\s*([\w.-]+)\s*\|", re.M)
COMMAND_ROW = re.compile(r"^\|\s*`grandstrategy ([^`]+)`\s*\|", re.M)


def docs_text() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(f.read_text("utf-8") for f in files)


def commands(command: Any, ctx: Any = None, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    """Every leaf command's path, e.g. ``resilience matrix show`` (lazy groups are loaded)."""
    ctx = ctx or typer.Context(command, info_name="grandstrategy")
    if not hasattr(command, "list_commands"):
        yield " ".join(prefix)
        return
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not getattr(sub, "hidden", False):
            yield from commands(
                sub, typer.Context(sub, parent=ctx, info_name=name), (*prefix, name)
            )


def routes(settings) -> dict[tuple[str, str], str | None]:
    """(METHOD, path) → declared action, for every API and page route of the app."""
    app = create_app(settings)
    out: dict[tuple[str, str], str | None] = {}
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if not isinstance(route, APIRoute):
            continue
        for method in ctx.methods or ():
            if method != "HEAD":
                out[(method, ctx.path)] = (route.openapi_extra or {}).get("x-action")
    return out


@pytest.fixture(scope="module")
def text() -> str:
    return docs_text()


def test_every_command_is_documented(text):
    found = list(commands(typer.main.get_command(cli_app)))
    assert len(found) >= 40  # the walk reached the sub-groups
    missing = [c for c in found if f"grandstrategy {c}" not in text]
    assert not missing, "commands not in docs/ (add a row to docs/reference.md): " + ", ".join(
        f"grandstrategy {c}" for c in missing
    )


def test_every_route_is_documented(text, settings):
    found = routes(settings)
    assert any(p.startswith("/api/") for _, p in found) and ("GET", "/strategy") in found
    missing = [f"{m} {p}" for (m, p) in sorted(found) if f"{m} {p}" not in text]
    assert not missing, "routes not in docs/ (add a row to docs/reference.md): " + ", ".join(
        missing
    )


def test_reference_names_only_what_exists_with_its_action(settings):
    found = routes(settings)
    reference = REFERENCE.read_text("utf-8")
    rows = ROW.findall(reference)
    assert len(rows) >= 80
    stale = [f"{m} {p}" for m, p, _ in rows if (m, p) not in found]
    assert not stale, "docs/reference.md lists routes that no longer exist: " + ", ".join(stale)
    wrong = [f"{m} {p}: says {a}, route declares {found[(m, p)]}" for m, p, a in rows]
    wrong = [w for (m, p, a), w in zip(rows, wrong, strict=True) if found[(m, p)] != a]
    assert not wrong, "docs/reference.md has the wrong action for: " + "; ".join(wrong)
    known = set(commands(typer.main.get_command(cli_app)))
    gone = [c for c in COMMAND_ROW.findall(reference) if c not in known]
    assert not gone, "docs/reference.md lists commands that no longer exist: " + ", ".join(gone)
