"""Delivery reads on the illustrative example, then on a strategy with a year of weekly
check-ins on every objective: the dashboard, one objective, what an owner owes, the stocktake
pack (Markdown and PDF), the review pack, the five-yearly review and a budget path.

Prints the median of several runs per operation (ms) and one JSON line. It never passes or
fails on time.

    python benchmarks/delivery.py                 # the example, then +52 check-ins per objective
    python benchmarks/delivery.py --weeks 104 --runs 9
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grandstrategy.core import db
from grandstrategy.core.authz import Principal
from grandstrategy.delivery import service
from grandstrategy.delivery.example import load_example as load_delivery
from grandstrategy.delivery.schemas import CheckInCreate
from grandstrategy.strategy.example import load_example as load_strategy


def timed(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(session: Any, op: Principal, runs: int) -> dict[str, float]:
    cases: dict[str, Callable[[], Any]] = {
        "dashboard": lambda: service.dashboard(session, user=op),
        "objective": lambda: service.objective_delivery(
            session, user=op, objective="civil-protection"
        ),
        "owed": lambda: service.owed(session, user=op, actor="interior"),
        "pack_md": lambda: service.stocktake(session, user=op, fmt="md"),
        "pack_pdf": lambda: service.stocktake(session, user=op, fmt="pdf"),
        "review_pack_md": lambda: service.review_pack(session, user=op, year=2026, fmt="md"),
        "five_year_md": lambda: service.five_year_review(session, user=op, fmt="md"),
        "budget_path": lambda: service.budget_path(
            user=op, target=2.0, by=2030, shocks=["2027:-5"], hold="real"
        ),
    }
    return {name: timed(fn, runs) for name, fn in cases.items()}


def weekly_checkins(session: Any, op: Principal, weeks: int) -> int:
    """One check-in a week on every objective with indicators, each indicator measured."""
    start = dt.date(2026, 12, 5) - dt.timedelta(weeks=weeks)
    n = 0
    for row in service.dashboard(session, user=op):
        d = service.objective_delivery(session, user=op, objective=row.objective)
        for w in range(weeks):
            values = [{"name": t.name, "value": (t.baseline or 0) + w * 0.1} for t in d.indicators]
            data = CheckInCreate(
                status="on-track", values=values, reported_on=start + dt.timedelta(weeks=w)
            )
            service.check_in(session, user=op, objective=row.objective, data=data)
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gs-delivery-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    db.upgrade(url)
    factory = db.make_sessionmaker(db.make_engine(url))
    op = Principal.operator("bench")
    out: dict[str, Any] = {}
    with factory() as session:
        load_strategy(session, user=op)
        load_delivery(session, user=op, editions=True)
        session.commit()
        out["example"] = measure(session, op, args.runs)
        t = time.perf_counter()
        added = weekly_checkins(session, op, args.weeks)
        session.commit()
        out["load_checkins_per_s"] = added / (time.perf_counter() - t)
        out["checkins_added"] = added
        out[f"with_{args.weeks}_weeks"] = measure(session, op, args.runs)
    for label in ("example", f"with_{args.weeks}_weeks"):
        print(f"{label}:")
        for name, ms in out[label].items():
            print(f"  {name:16s} {ms:9.1f} ms")
    print(f"check-ins stored: {out['checkins_added']} at {out['load_checkins_per_s']:.0f}/s")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
