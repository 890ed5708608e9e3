"""Story clustering on the labelled story set: B-cubed precision, recall and F1.

The set (tests/data/stories/labelled.jsonl, written by us) holds 200-odd short reports in
English, French, Dutch and German, hand-grouped into events, with several distinct but alike
events (two Baltic cable cuts, two airport drone closures, two rail sabotage waves, two
Chinese-Philippine incidents, two Estonian cyber attacks...). The documents go through the
real ingestion pipeline into a fresh SQLite database, in date order, and the stories it
forms are scored against the hand grouping.

    .venv/bin/python benchmarks/stories.py [--no-encoder]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from grandstrategy.core.authz import Principal
from grandstrategy.core.db import make_engine, make_sessionmaker, upgrade
from grandstrategy.horizon import analysis, pipeline
from grandstrategy.horizon.analysis_models import StoryMember
from grandstrategy.horizon.ingest.readers import read_path
from grandstrategy.horizon.models import Document
from grandstrategy.horizon.stories import bcubed

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "stories" / "labelled.jsonl"


def evaluate(factory, path: Path = SET) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Ingest the labelled set and score the stories formed (used by the test too)."""
    user = Principal.operator("benchmark")
    t0 = time.perf_counter()
    pipeline.ingest(factory, user=user, items=read_path(path), source="stories", chunk=16)
    seconds = time.perf_counter() - t0
    events = {}
    for line in path.read_text("utf-8").splitlines():
        rec = json.loads(line)
        events[rec["url"]] = rec["event"]
    with factory() as s:
        rows = s.execute(
            select(Document.id, Document.url, StoryMember.story_id).join(
                StoryMember, StoryMember.document_id == Document.id
            )
        ).all()
    truth = {d: events[u] for d, u, _ in rows if u in events}
    predicted = {d: sid for d, u, sid in rows if u in events}
    p, r, f1 = bcubed(predicted, truth)
    return {
        "documents": len(truth),
        "events": len(set(truth.values())),
        "stories": len(set(predicted.values())),
        "precision": p,
        "recall": r,
        "f1": f1,
        "seconds": seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-encoder", action="store_true", help="character n-grams only")
    args = ap.parse_args()
    if args.no_encoder:
        os.environ["GRANDSTRATEGY_NO_EMBED"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/stories.db"
        upgrade(url)
        factory = make_sessionmaker(make_engine(url))
        r = evaluate(factory)
    print(
        f"{r['documents']} documents, {r['events']} events -> {r['stories']} stories "
        f"({'character n-grams' if args.no_encoder else 'sentence encoder if installed'})"
    )
    print(f"B-cubed precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}")
    print(f"ingestion with stories and alerts: {r['seconds']:.1f} s")
    if analysis.LAST_SECONDS:
        print(f"stored to alerts: {max(analysis.LAST_SECONDS):.1f} s at most")


if __name__ == "__main__":
    sys.exit(main())
