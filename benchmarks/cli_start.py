"""How long the command line takes to answer ``--help``: the top level, every group, every command.

Each line is a fresh interpreter running ``grandstrategy ARGS --help`` (the installed entry
point's own code path, ``cli.main.main``), timed from start to exit, ``--repeat`` times; the
table gives the median and the slowest. Two floors are timed the same way: an empty Python
and one that imports typer and rich (what any help needs). Prints figures; never asserts.

    .venv/bin/python benchmarks/cli_start.py                 # top level, groups, 12 commands
    .venv/bin/python benchmarks/cli_start.py --all --repeat 3  # every command
    .venv/bin/python benchmarks/cli_start.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

GROUPS = ["audit", "db", "delivery", "drafting", "example", "horizon", "resilience", "strategy"]
SAMPLE = [
    "horizon search",
    "horizon ingest",
    "horizon brief",
    "horizon trends",
    "delivery owe",
    "delivery budget path",
    "drafting decide",
    "drafting round open",
    "resilience iim",
    "resilience rank",
    "strategy lint",
    "users add",
]
RUN = "import sys\nfrom grandstrategy.cli.main import main\nmain(sys.argv[1:])\n"
FLOORS = {
    "(python, nothing imported)": "pass",
    "(python + typer + rich)": "import typer, rich.console, rich.table",
}


def every_command() -> list[str]:
    """Every command's path, from the command tree itself (this process pays the imports)."""
    import typer

    from grandstrategy.cli.main import app

    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    out: list[str] = []

    def walk(cmd: object, path: list[str]) -> None:
        names = cmd.list_commands(ctx) if hasattr(cmd, "list_commands") else []
        for name in names:
            sub = cmd.get_command(ctx, name)  # type: ignore[attr-defined]
            walk(sub, [*path, name])
        if not names and path:
            out.append(" ".join(path))

    walk(root, [])
    return out


def timed(code: str, args: list[str], repeat: int) -> list[float]:
    env = {**os.environ, "COLUMNS": "100"}
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
        )
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"grandstrategy {' '.join(args)} failed: {done.stderr[-400:]}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per line (median shown)")
    ap.add_argument("--all", action="store_true", help="every command, not a sample of 12")
    ap.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = ap.parse_args()

    lines: list[tuple[str, str, list[str]]] = [(name, c, []) for name, c in FLOORS.items()]
    commands = every_command() if args.all else SAMPLE
    for path in ["", *GROUPS, *commands]:
        label = f"grandstrategy {path} --help".replace("  ", " ")
        lines.append((label, RUN, [*path.split(), "--help"]))
    rows: list[dict[str, Any]] = []
    for label, code, argv in lines:
        t = timed(code, argv, args.repeat)
        rows.append({"line": label, "median_s": statistics.median(t), "max_s": max(t)})
    helps = [r for r in rows if r["line"].startswith("grandstrategy")]
    summary = {
        "run": "cli_start",
        "load": os.getloadavg()[0],
        "repeat": args.repeat,
        "lines": len(helps),
        "median_of_medians_s": statistics.median(r["median_s"] for r in helps),
        "slowest_median_s": max(r["median_s"] for r in helps),
        "slowest": max(helps, key=lambda r: r["median_s"])["line"],
        "over_0_3_s": [r["line"] for r in helps if r["median_s"] > 0.3],
    }
    if args.json:
        print(json.dumps({**summary, "rows": rows}))
        return
    width = max(len(r["line"]) for r in rows)
    print(f"{'command':{width}}  median s  slowest s")
    for r in rows:
        print(f"{r['line']:{width}}  {r['median_s']:8.3f}  {r['max_s']:9.3f}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
