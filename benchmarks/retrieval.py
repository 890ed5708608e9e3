"""Search recall on the labelled retrieval set (tests/data/retrieval): recall@10 and MRR.

English queries; the passages that answer them are in English, French, Dutch and German.
Each configuration (keyword backend, with or without the semantic half) is measured on a
fresh SQLite database and printed as a table row and as one JSON line. Prints figures;
never asserts.

Usage:
    .venv/bin/python benchmarks/retrieval.py [--no-embed] [--per-query]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core.authz import Principal
from grandstrategy.horizon import embed, pipeline, search, semantic
from grandstrategy.horizon import index as kindex
from grandstrategy.horizon.ingest.readers import RawDocument
from grandstrategy.horizon.models import Document, Passage, PassageVector

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "retrieval"
K = 10


def load() -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """(passages, queries) of the labelled set."""
    lines = (DATA / "passages.jsonl").read_text(encoding="utf-8").splitlines()
    passages = [json.loads(line) for line in lines if line.strip()]
    queries = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))
    return passages, queries


def build(factory: sessionmaker[Session], *, embeddings: bool) -> dict[str, int]:
    """Ingest the set's passages (one document each); {passage label: passage id}.

    With ``embeddings``, each passage's vector is stored as ingestion with the encoder
    stores it (training a model first, which ingestion needs for that, takes minutes)."""
    operator = Principal.operator("retrieval")
    passages, _queries = load()
    items = [
        RawDocument(
            title=p["id"],
            text=p["text"],
            date=None,
            url="",
            language=p["language"],
            source="retrieval",
            marking=None,
            labels=[],
            origin=p["id"],
        )
        for p in passages
    ]
    report = pipeline.ingest(factory, user=operator, items=items, use_embeddings=False)
    if report.failed or report.ingested != len(passages):
        raise RuntimeError(f"ingestion failed: {report.failed}")
    with factory() as s:
        rows = s.execute(
            select(Document.origin, Passage.id, Passage.text).join(
                Passage, Passage.document_id == Document.id
            )
        ).all()
        if embeddings:
            vectors = embed.encode([text for _o, _p, text in rows]).astype(np.float16)
            s.add_all(
                PassageVector(passage_id=int(pid), vector=vectors[i].tobytes())
                for i, (_o, pid, _t) in enumerate(rows)
            )
            s.commit()
    return {origin: int(pid) for origin, pid, _text in rows}


@dataclass
class Figures:
    recall: float  # mean over queries of the share of relevant passages in the first K
    mrr: float  # mean reciprocal rank of the first relevant passage (0 when none is found)
    per_query: list[tuple[str, float, float]]


def measure(
    session: Session,
    ids: dict[str, int],
    *,
    semantic_half: bool,
    index: kindex.KeywordIndex | None = None,
) -> Figures:
    operator = Principal.operator("retrieval")
    _passages, queries = load()
    label_of = {pid: label for label, pid in ids.items()}
    rows = []
    for q in queries:
        r = search.search(
            session,
            user=operator,
            query=q["query"],
            limit=50,
            semantic=semantic_half,
            index=index,
        )
        ranked = [label_of.get(h.passage_id, "") for h in r.hits]
        relevant = set(q["relevant"])
        recall = len(relevant & set(ranked[:K])) / len(relevant)
        first = next((i for i, label in enumerate(ranked, 1) if label in relevant), None)
        rows.append((q["query"], recall, 1.0 / first if first else 0.0))
    n = len(rows)
    return Figures(sum(r[1] for r in rows) / n, sum(r[2] for r in rows) / n, rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-embed", action="store_true", help="keyword search only")
    ap.add_argument("--per-query", action="store_true", help="print each query's figures")
    args = ap.parse_args()
    from grandstrategy.core.db import make_engine, make_sessionmaker, upgrade

    with_embed = embed.available() and not args.no_embed
    passages, queries = load()
    folder = Path(tempfile.mkdtemp(prefix="gs-retrieval-"))
    url = f"sqlite:///{folder / 'r.db'}"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    semantic.clear_cache()
    ids = build(factory, embeddings=with_embed)
    configs: list[tuple[str, bool]] = [("fts", False)]
    if kindex.available():
        configs.append(("tantivy", False))
    if with_embed:
        configs += [(name, True) for name, _ in list(configs)]
    print(f"{len(queries)} queries, {len(passages)} passages (EN/FR/NL/DE), recall@{K} and MRR")
    print(f"{'keyword':<10}{'semantic':<10}{'recall@10':>10}{'MRR':>8}")
    for name, sem in configs:
        idx = kindex.KeywordIndex(folder / "index") if name == "tantivy" else None
        with factory() as s:
            f = measure(s, ids, semantic_half=sem, index=idx)
        print(f"{name:<10}{'yes' if sem else 'no':<10}{f.recall:>10.3f}{f.mrr:>8.3f}")
        if args.per_query:
            for query, recall, rr in f.per_query:
                print(f"    {query:<36}{recall:>6.2f}{rr:>7.2f}")
        line = {
            "run": name,
            "semantic": sem,
            "queries": len(queries),
            "passages": len(passages),
            "recall_at_10": round(f.recall, 4),
            "mrr": round(f.mrr, 4),
        }
        print(json.dumps(line))


if __name__ == "__main__":
    main()
