"""Core throughput: audit appends and verification, restricted list queries.

Prints figures; never asserts on time. Usage:
    .venv/bin/python benchmarks/bench_core.py [--records 20000] [--events 5000] [--db URL]
"""

from __future__ import annotations

import argparse
import datetime
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, restrict
from grandstrategy.core.db import make_engine, make_sessionmaker, upgrade
from grandstrategy.core.markings import Marking
from grandstrategy.strategy.models import ObjectiveRow, Strategy

LEVELS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]
COMPS = ["", "//NATO", "//EU", "//EU/NATO"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--db", default="")
    args = ap.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    rng = random.Random(7)
    op = Principal.operator("bench")

    with factory() as s:
        strat = Strategy(
            key=f"bench-{rng.randrange(10**9)}",
            title="Bench",
            country="X",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2035, 1, 1),
            version=0,
        )
        s.add(strat)
        s.flush()
        t0 = time.perf_counter()
        for i in range(args.records):
            row = ObjectiveRow(
                strategy_id=strat.id, key=f"o{i}", title=f"Objective {i}", horizon=5, position=i
            )
            row.marking = Marking.parse(rng.choice(LEVELS) + rng.choice(COMPS))
            s.add(row)
        s.commit()
        print(f"insert {args.records} marked records: {time.perf_counter() - t0:.2f} s")

    users = {
        "reader UNCLASSIFIED": Principal("r", "reader", 0),
        "council CONFIDENTIAL//NATO": Principal("c", "council-member", 2, frozenset({"NATO"})),
        "admin SECRET//EU/NATO": Principal("a", "admin", 3, frozenset({"EU", "NATO"})),
    }
    with factory() as s:
        for label, user in users.items():
            q = restrict(select(func.count()).select_from(ObjectiveRow), user, ObjectiveRow)
            t0 = time.perf_counter()
            n = 0
            for _ in range(20):
                n = s.execute(q).scalar_one()
            dt = (time.perf_counter() - t0) / 20
            print(f"restricted count as {label}: {n} visible, {dt * 1000:.1f} ms per query")

    with factory() as s:
        t0 = time.perf_counter()
        for i in range(args.events):
            audit.record(
                s, actor=op, action="bench.write", object_type="x", object_id=i, after={"i": i}
            )
            if i % 500 == 499:
                s.commit()
        s.commit()
        dt = time.perf_counter() - t0
        print(f"audit append: {args.events / dt:,.0f} events/s")
        t0 = time.perf_counter()
        v = audit.verify(s)
        dt = time.perf_counter() - t0
        print(
            f"audit verify: {v.entries} entries in {dt:.2f} s ({v.entries / dt:,.0f}/s), ok={v.ok}"
        )


if __name__ == "__main__":
    main()
