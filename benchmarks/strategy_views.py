"""Cost of the per-reader strategy views: versions, history, lint and import as users see them.

A reader's version and history are derived from the revisions they may see (so hidden edits
never show), which reads every revision of the strategy. This prints how that grows with the
number of edits. Prints figures; never asserts on time. Usage:

    .venv/bin/python benchmarks/strategy_views.py [--edits 2000] [--db URL]
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.db import make_engine, make_sessionmaker, upgrade
from grandstrategy.core.users import add_user, find
from grandstrategy.strategy import service, versions
from grandstrategy.strategy.example import example_package
from grandstrategy.strategy.schemas import Package


def timed(label: str, fn: Callable[[], object], repeat: int = 5) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<34} {best * 1000:8.1f} ms", flush=True)


def measure(s: Session, reader: Principal, op: Principal, pkg: Package, done: int) -> None:
    strat = service.current(s, reader)
    print(f"{done} edits ({strat.version} change sets), reader at RESTRICTED:", flush=True)
    timed("version_of", lambda: service.version_of(s, user=reader, strategy=strat))
    timed("history (50 newest)", lambda: versions.history(s, user=reader, strategy=strat, limit=50))
    timed("lint_strategy", lambda: service.lint_strategy(s, user=reader))
    timed("load_package", lambda: service.load_package(s, user=reader))
    timed("import (unchanged package)", lambda: service.import_package(s, user=op, package=pkg))
    s.rollback()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--edits", type=int, default=2000)
    ap.add_argument("--db", default="")
    args = ap.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    op = Principal.operator("bench")
    pkg = example_package()
    with factory() as s:
        service.import_package(s, user=op, package=pkg)
        add_user(
            s, user=op, username="reader", password=secrets.token_urlsafe(16), role="reader",
            clearance="RESTRICTED", compartments=[],
        )  # fmt: skip
        s.commit()
        u = find(s, "reader")
        assert u is not None
        reader = Principal.of(u)
        objectives = [o.id for o in pkg.objectives]
        done = 0
        for step in (0, args.edits // 4, args.edits):
            while done < step:
                rid = objectives[done % len(objectives)]
                service.update_record(
                    s, user=op, component="objectives", rid=rid,
                    changes={"description": f"edit {done}"},
                )  # fmt: skip
                done += 1
            s.commit()
            measure(s, reader, op, pkg, done)


if __name__ == "__main__":
    main()
