"""Server time per page on the example data, one reader at a time.

Sets up the whole example (``grandstrategy setup``: strategy, resilience, delivery, drafting,
horizon; several minutes) in a temp data folder, or uses one set up before (``--data-dir``),
then, in this process, asks every server-rendered page without path parameters and one record
page per capability for two readers: an administrator (SECRET, every compartment) and an
UNCLASSIFIED analyst. Each page is asked ``--repeat`` times after one warm-up request (the
first request of a page draws its charts and fills the strategy cache: it is shown apart).
The time is the request's round trip through the ASGI app in this process (no network), so
it is the server's time plus well under a millisecond of test client.

Prints a table (median and p95 per page, the share of pages within the 50 ms target) and one
JSON line. Never asserts on time. Usage:

    .venv/bin/python benchmarks/pages.py                       # sets the example up first
    .venv/bin/python benchmarks/pages.py --data-dir /tmp/gs    # reuse a set-up data folder
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_MS = 50.0
PASSWORD = "pages-benchmark-1"  # noqa: S105 (users made for this run)
PAGES = [
    "/",
    "/strategy",
    "/strategy/trace",
    "/strategy/history",
    "/strategy/threats",
    "/strategy/objectives",
    "/strategy/departmental",
    "/resilience",
    "/resilience/gaps",
    "/resilience/matrix",
    "/resilience/scenarios",
    "/resilience/compare",
    "/horizon",
    "/horizon/search?q=cable",
    "/horizon/search?q=Russia+sabotage",
    "/horizon/stories",
    "/horizon/alerts",
    "/horizon/briefs",
    "/horizon/assessments",
    "/horizon/partners",
    "/horizon/watch",
    "/delivery",
    "/delivery/budget",
    "/delivery/deployments",
    "/delivery/five-year",
    "/drafting",
    "/drafting/queue",
    "/help",
]


def setup(data_dir: Path) -> None:
    env = {**os.environ, "GRANDSTRATEGY_DATA_DIR": str(data_dir)}
    exe = Path(sys.executable).with_name("grandstrategy")
    print(f"setting the example up in {data_dir} (several minutes)…", flush=True)
    subprocess.run([str(exe), "setup"], env=env, check=True, capture_output=True)


def record_pages(client: Any) -> list[str]:
    """One record page per capability, found through the API as the administrator."""
    out = []
    threats = client.get("/api/strategy/threats").json()
    if threats:
        out.append(f"/strategy/threats/{threats[0]['id']}")
    objectives = client.get("/api/strategy/objectives").json()
    if objectives:
        out.append(f"/delivery/objectives/{objectives[0]['id']}")
    docs = client.get("/api/horizon/documents?limit=1").json().get("documents", [])
    if docs:
        out.append(f"/horizon/documents/{docs[0]['id']}")
    return out


def login(client: Any, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token, "no login form"
    form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    r = client.post("/login", data=form, follow_redirects=False)
    if r.status_code != 303:
        raise SystemExit(f"login of {username} failed: {r.status_code}")
    bearer = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    client.headers["Authorization"] = "Bearer " + bearer.json()["access_token"]


def measure(client: Any, paths: list[str], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        t0 = time.perf_counter()
        first = client.get(path)
        cold = (time.perf_counter() - t0) * 1000
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        rows.append(
            {
                "page": path,
                "status": r.status_code if first.status_code == r.status_code else "mixed",
                "first_ms": round(cold, 1),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, help="a data folder set up before")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json", action="store_true", help="print only the JSON line")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="gs-pages-")) / "data"
    if not (data_dir / "grandstrategy.db").exists() and "GRANDSTRATEGY_DB" not in os.environ:
        setup(data_dir)
    os.environ["GRANDSTRATEGY_DATA_DIR"] = str(data_dir)

    from fastapi.testclient import TestClient
    from rich.console import Console
    from rich.table import Table

    from grandstrategy.core import users
    from grandstrategy.core.authz import Principal
    from grandstrategy.core.config import Settings
    from grandstrategy.core.db import make_engine, make_sessionmaker
    from grandstrategy.web.app import create_app

    settings = Settings()
    factory = make_sessionmaker(make_engine(settings.database_url))
    readers = {"admin (SECRET)": ("pages-high", "admin", "SECRET", ["*"])}
    readers["analyst (UNCLASSIFIED)"] = ("pages-low-analyst", "analyst", "UNCLASSIFIED", [])
    with factory() as s:
        for name, role, clearance, compartments in readers.values():
            if users.find(s, name) is None:
                known = ["NATO", "EU", "NATIONAL-ONLY"] if compartments == ["*"] else []
                users.add_user(
                    s,
                    user=Principal.operator("pages-benchmark"),
                    username=name,
                    password=PASSWORD,
                    role=role,
                    clearance=clearance,
                    compartments=known,
                )
        s.commit()
    app = create_app(settings)
    results: dict[str, list[dict[str, Any]]] = {}
    for label, (name, *_rest) in readers.items():
        with TestClient(app) as client:
            login(client, name)
            paths = PAGES + record_pages(client)
            results[label] = measure(client, paths, args.repeat)

    load = os.getloadavg()
    every = [r for rows in results.values() for r in rows if r["status"] == 200]
    within = sum(r["p50_ms"] <= TARGET_MS for r in every)
    summary = {
        "run": "pages",
        "pages": len(every),
        "within_target": within,
        "target_ms": TARGET_MS,
        "median_of_p50_ms": round(statistics.median(r["p50_ms"] for r in every), 1),
        "worst": max(every, key=lambda r: r["p50_ms"]) if every else None,
        "load_average": [round(x, 2) for x in load],
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps({**summary, "results": results}))
        return
    console = Console()
    for label, rows in results.items():
        table = Table(title=f"Server time per page, {label}, ms ({args.repeat} requests each)")
        for col in ("page", "status", "first", "p50", "p95"):
            table.add_column(col, justify="left" if col == "page" else "right")
        for r in rows:
            p50 = f"{r['p50_ms']:.1f}"
            if r["p50_ms"] > TARGET_MS:
                p50 = f"[bold red]{p50}[/bold red]"
            table.add_row(
                r["page"], str(r["status"]), f"{r['first_ms']:.1f}", p50, f"{r['p95_ms']:.1f}"
            )
        console.print(table)
    console.print(
        f"{within} of {len(every)} pages answer within {TARGET_MS:.0f} ms (median); "
        f"load average {load[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
