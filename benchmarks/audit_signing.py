"""What signing the audit log and logging reads cost.

Prints: audit appends per second unsigned and signed (HMAC-SHA256 per entry and head), verify
speed with and without MAC checks, and the cost of one request's read event when a list of
CONFIDENTIAL records is loaded with a read collector attached. Never asserts on time. Usage:
    .venv/bin/python benchmarks/audit_signing.py [--events 5000] [--rows 500] [--db URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from grandstrategy.core import audit, readlog
from grandstrategy.core.auditkeys import Keyring
from grandstrategy.core.authz import Principal, restrict
from grandstrategy.core.db import make_engine, make_sessionmaker, upgrade
from grandstrategy.core.markings import Marking
from grandstrategy.strategy.models import ObjectiveRow, Strategy


def _append(factory, ring: Keyring | None, n: int, op: Principal) -> float:
    with factory() as s:
        s.info[audit.KEYRING] = ring
        t0 = time.perf_counter()
        for i in range(n):
            audit.record(s, actor=op, action="bench.write", object_id=i, after={"i": i})
            if i % 500 == 499:
                s.commit()
        s.commit()
        return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--rows", type=int, default=500, help="CONFIDENTIAL records in one list")
    ap.add_argument("--db", default="")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    op = Principal.operator("bench")
    audit.use_keyring(None)
    out: dict[str, float] = {"load_avg_1m": os.getloadavg()[0]}
    out["append_unsigned_per_s"] = _append(factory, None, args.events, op)
    ring = Keyring.in_memory()
    out["append_signed_per_s"] = _append(factory, ring, args.events, op)
    with factory() as s:
        s.info[audit.KEYRING] = None  # no keyring: the chain alone is checked
        t0 = time.perf_counter()
        v = audit.verify(s)
        out["verify_chain_only_per_s"] = v.entries / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        v = audit.verify(s, keyring=ring)
        out["verify_with_macs_per_s"] = v.entries / (time.perf_counter() - t0)
        assert v.ok, v
    with factory() as s:
        strat = Strategy(
            key="bench",
            title="Bench",
            country="X",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2035, 1, 1),
            version=0,
        )
        s.add(strat)
        s.flush()
        for i in range(args.rows):
            row = ObjectiveRow(
                strategy_id=strat.id, key=f"o{i}", title=f"Objective {i}", horizon=5, position=i
            )
            row.marking = Marking.parse("CONFIDENTIAL")
            s.add(row)
        s.commit()
    user = Principal("a", "admin", 3, frozenset({"*"}))
    q = restrict(select(ObjectiveRow), user)
    for label, collect in (("list_no_read_event_ms", False), ("list_read_event_ms", True)):
        times = []
        for _ in range(20):
            with factory() as s:
                s.info[audit.KEYRING] = ring
                t0 = time.perf_counter()
                if collect:
                    readlog.collect_reads(s, user, "bench")
                rows = list(s.execute(q).scalars())
                s.commit()
                times.append((time.perf_counter() - t0) * 1000)
        assert len(rows) == args.rows
        out[label] = sorted(times)[len(times) // 2]
    if args.json:
        print(json.dumps(out))
        return
    print(f"load average (1 min): {out['load_avg_1m']:.2f}")
    print(f"audit append, unsigned: {out['append_unsigned_per_s']:,.0f} events/s")
    print(f"audit append, signed:   {out['append_signed_per_s']:,.0f} events/s")
    print(f"verify, chain only:     {out['verify_chain_only_per_s']:,.0f} entries/s")
    print(f"verify, with MACs:      {out['verify_with_macs_per_s']:,.0f} entries/s")
    print(
        f"list of {args.rows} CONFIDENTIAL records (median of 20): "
        f"{out['list_no_read_event_ms']:.1f} ms without, "
        f"{out['list_read_event_ms']:.1f} ms with its read event"
    )


if __name__ == "__main__":
    main()
