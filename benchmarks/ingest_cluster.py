"""Ingestion on a Dask cluster against ingestion in one process, on the same documents.

Three runs of the real ``pipeline.ingest`` over the same generated documents (``corpus.py``),
each into a fresh SQLite file with the same trained model (cached, see ``ingest.py``), as
``horizon ingest`` runs by default (semantic vectors left to the vector job):

- ``local``: everything in this process;
- ``processes``: ``workers=N``, N local processes prepare chunks while this one stores;
- ``cluster``: ``cluster=``, a ``LocalCluster`` of N worker processes (one thread each)
  prepares and classifies while this process stores.

The cluster is started and its workers warmed (imports, language detector) before the clock
starts: a cluster serves many batches; its start is printed on its own. Prints one JSON line,
e.g. ``{"run": "cluster", "docs": 2000, "local_docs_per_s": …, "cluster_docs_per_s": …,
"ratio": …}`` (ratio: cluster against local; ``store_bound_docs_per_s``: the local run's
documents over the seconds it spent storing them and in the story/alert hook, i.e. without
preparation: the most a cluster could give with one storing process that has a core to
itself), then a table unless ``--json``. Never asserts on time; the load average is
printed, as other work on the machine moves every figure.

    .venv/bin/python benchmarks/ingest_cluster.py --docs 2000 --workers 2
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from ingest import ensure_model, remove_temp_folders, temp_folder

from grandstrategy.core.authz import Principal
from grandstrategy.core.db import make_engine, make_sessionmaker, upgrade
from grandstrategy.horizon import analysis, pipeline
from grandstrategy.horizon.classify import engine
from grandstrategy.horizon.ingest.language import detect_language
from grandstrategy.horizon.ingest.readers import read_path


def _warm_worker() -> None:
    """Run on each worker before the clock starts: imports and the language detector."""
    from grandstrategy.horizon.ingest.language import detect_language as detect

    detect("Warm-up text for the language detector, long enough to be read.")


def run(
    label: str, source: Path, n: int, console: Console, retrain: bool, **kwargs: Any
) -> dict[str, Any]:
    url = f"sqlite:///{temp_folder(label) / 'bench.db'}"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    user = Principal.operator("bench")
    how = ensure_model(factory, user, console, retrain)
    with factory() as s:  # one-off costs of this process, as in ingest.py
        engine.classifier(s, use_embeddings=False)
    detect_language("Warm-up text for the language detector, long enough to be read.")
    load = os.getloadavg()[0]
    busy = [0.0]  # seconds this process spent storing (and in the story/alert hook)

    def timed(fn: Any) -> Any:
        def wrapper(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                busy[0] += time.perf_counter() - t

        return wrapper

    saved = pipeline._store_chunk, analysis.after_chunk
    pipeline._store_chunk, analysis.after_chunk = timed(saved[0]), timed(saved[1])
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        report = pipeline.ingest(
            factory,
            user=user,
            items=islice(read_path(source, fmt="jsonl"), n),
            source="bench",
            wait_vectors=False,
            **kwargs,
        )
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        pipeline._store_chunk, analysis.after_chunk = saved
    console.print(f"[dim]{label}: model {how}; {report.ingested} docs in {seconds:.1f} s[/dim]")
    return {
        "docs": report.ingested,
        "passages": report.passages,
        "failed": len(report.failed),
        "seconds": seconds,
        "docs_per_s": report.ingested / seconds if seconds else 0.0,
        "store_seconds": busy[0],
        "cpu_seconds": cpu,
        "load": load,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (both kinds)")
    ap.add_argument("--chunk", type=int, default=64, help="documents a chunk")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--retrain", action="store_true", help="train again instead of the cache")
    ap.add_argument("--json", action="store_true", help="only the JSON line")
    args = ap.parse_args()
    console = Console(stderr=True, width=150)
    atexit.register(remove_temp_folders)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        sys.exit("Dask distributed is not installed: pip install -e '.[cluster]'")

    source = temp_folder("corpus") / "bench.jsonl"
    corpus.write_jsonl(source, args.docs, seed=args.seed)
    common = {"chunk": args.chunk}
    results: dict[str, dict[str, Any]] = {}
    results["local"] = run("local", source, args.docs, console, args.retrain, **common)
    results["processes"] = run(
        "processes", source, args.docs, console, args.retrain, workers=args.workers, **common
    )
    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.run(_warm_worker)
        start = time.perf_counter() - t0
        results["cluster"] = run(
            "cluster", source, args.docs, console, args.retrain, cluster=client, **common
        )

    local, cl = results["local"]["docs_per_s"], results["cluster"]["docs_per_s"]
    line = {
        "run": "cluster",
        "docs": results["cluster"]["docs"],
        "workers": args.workers,
        "local_docs_per_s": round(local, 1),
        "processes_docs_per_s": round(results["processes"]["docs_per_s"], 1),
        "cluster_docs_per_s": round(cl, 1),
        "ratio": round(cl / local, 3) if local else None,
        # the most one storing process allows, its cores to itself: the local run's documents
        # over its seconds storing (preparation, which a cluster takes away, left out)
        "store_bound_docs_per_s": round(
            results["local"]["docs"] / max(results["local"]["store_seconds"], 1e-9), 1
        ),
        "cluster_start_s": round(start, 1),
        "failed": sum(r["failed"] for r in results.values()),
        "cpus": os.cpu_count(),
        "load": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(line), flush=True)
    if args.json:
        return
    table = Table(title=f"ingest of {args.docs} generated documents, {args.workers} workers")
    cols = ("run", "docs", "passages", "seconds", "docs/s", "storing s", "CPU s here", "load")
    for col in cols:
        table.add_column(col, justify="left" if col == "run" else "right")
    for name, r in results.items():
        table.add_row(
            name,
            f"{r['docs']:,}",
            f"{r['passages']:,}",
            f"{r['seconds']:.1f}",
            f"{r['docs_per_s']:,.0f}",
            f"{r['store_seconds']:.1f}",
            f"{r['cpu_seconds']:.1f}",
            f"{r['load']:.2f}",
        )
    Console(width=150).print(table)
    console.print(f"[dim]cluster start and warm-up {start:.1f} s, not counted[/dim]")


if __name__ == "__main__":
    main()
