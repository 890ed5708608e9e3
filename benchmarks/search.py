"""Search latency over many passages: SQLite FTS5 (``horizon.search``) against tantivy.

Builds a database of N generated passages (see ``corpus.stored_documents``) straight into
``horizon_sources/documents/passages/labels/mentions`` with executemany, the FTS5 insert
trigger dropped during the load and the index filled by one ``rebuild`` (then ``optimize``).
Markings are per document: 70 % UNCLASSIFIED, 20 % RESTRICTED, 7 % CONFIDENTIAL, 3 % SECRET,
and 40 % of the classified documents carry NATO and/or EU compartments. The database (and the
tantivy index, built from it) is cached in the temp folder keyed by N and the seed, so reruns
start at once.

Queries are drawn from the index's own vocabulary by document frequency (``fts5vocab``): a
single common word, a rare word, two words, a phrase, a prefix, OR, a negation; each is run
without and with a filter (category, language, date range or actor), as a low-clearance user
(RESTRICTED, no compartments: the marking filter removes about a fifth of the passages) and as
an admin. Every search is timed on its own; the tables give p50/p95/p99 in milliseconds.

Measured shapes:
  fts5 search.search     the service function as it is (page, snippets, count, facets),
                         keyword only, and hybrid with ``--semantic`` (passage vectors stored)
  fts5 page|count|facets the three parts of it alone, with its own SQL (``--variants``)
  fts5 + index ...       with an index on mentions(passage_id), the service again and other
                         SQL for the same answers (``--variants``; the index is dropped after)
  tantivy ...            top 20 with exact count, marking as a fast-field filter, facets by
                         aggregation, hits read back from SQLite with ``search._hits``
  semantic half          with ``--semantic``: the vectors read into memory and the inverted
                         file trained (``horizon.ann``; build time and memory), then per case,
                         as the low user with the case's filter, the nearest visible passages
                         through the inverted file and through every vector (each checked in
                         SQL), and recall@10 of the first against the second

Each search's CPU time (this process, all its threads) is kept beside its wall time ("CPU
p95", ``keyword_cpu_p95_ms``): on a machine shared with other work it tells the search's own
work from its wait for a core.

Prints tables and, last, one JSON line with the figures the targets name (keyword, semantic
and hybrid p50/p95 for the low user, recall@10, index build time and memory, load average);
``--json`` prints everything as one JSON line instead. Never asserts on time. Usage:
    .venv/bin/python benchmarks/search.py --passages 100000
    .venv/bin/python benchmarks/search.py --passages 1000000 --backend tantivy --semantic
    .venv/bin/python benchmarks/search.py --passages 1000000 --variants --semantic --repeat 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import bindparam, column, func, literal_column, select, table
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from grandstrategy.core.authz import Principal, restrict
from grandstrategy.core.db import make_engine, make_sessionmaker, upgrade
from grandstrategy.horizon import search
from grandstrategy.horizon.entities import default_finder
from grandstrategy.horizon.models import Passage

HAS_SEMANTIC = "semantic" in inspect.signature(search.search).parameters
FORMAT = 1  # bump when the generated data or the build changes: old caches are ignored
CACHE = Path(tempfile.gettempdir()) / "grandstrategy-bench"
LEVELS = ((0, 0.70), (1, 0.20), (2, 0.07), (3, 0.03))
COMPARTMENTS = (("|", 0.60), ("|NATO|", 0.25), ("|EU|", 0.10), ("|EU|NATO|", 0.05))
KNOWN_COMPARTMENTS = ("EU", "NATO")
PAGE = 20
BATCH = 20_000  # rows per executemany
QUERY_TYPES = ("common", "rare", "two words", "phrase", "prefix", "OR", "negation")

LOW = Principal("bench-analyst", "analyst", 1)  # RESTRICTED, no compartments
ADMIN = Principal.operator("bench-admin")  # SECRET, every compartment
LOW_LABEL = "low (RESTRICTED)"
USERS = {LOW_LABEL: LOW, "admin": ADMIN}


# --------------------------------------------------------------------------------------------
# Building the database


def cache_dir(n: int, seed: int) -> Path:
    """Keyed by size, seed, this file's format and the migrations that made the schema."""
    h = hashlib.sha256(f"{FORMAT}-{n}-{seed}".encode())
    versions = resources.files("grandstrategy").joinpath("migrations/versions")
    for f in sorted(versions.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".py"):
            h.update(f.read_bytes())
    return CACHE / f"search-{n}-{h.hexdigest()[:10]}"


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, float], ...]) -> Any:
    roll, acc = rng.random(), 0.0
    for value, share in pairs:
        acc += share
        if roll < acc:
            return value
    return pairs[-1][0]


def _entities(rng: random.Random) -> list[str]:
    """Entity ids in a fixed, Zipf-like order of popularity (Russia, NATO, … first)."""
    ids = sorted(default_finder().entities())
    head = ["state:RU", "org:nato", "org:eu", "state:CN", "state:UA", "state:US", "state:BE"]
    rest = [i for i in ids if i not in head]
    rng.shuffle(rest)
    return [i for i in head if i in ids] + rest


def build_sqlite(path: Path, n: int, seed: int, console: Console) -> dict[str, float]:
    """The horizon tables filled with ``n`` passages; returns seconds per build step."""
    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    url = f"sqlite:///{path}"
    upgrade(url)
    steps["migrations"] = time.perf_counter() - t0
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    con.execute("PRAGMA temp_store=MEMORY")
    saved = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
        "(type = 'index' AND tbl_name IN ('horizon_passages', 'horizon_labels', "
        "'horizon_mentions', 'horizon_documents')) OR name = 'horizon_fts_insert')"
    ).fetchall()
    for name, _sql in saved:
        kind = "TRIGGER" if name == "horizon_fts_insert" else "INDEX"
        con.execute(f'DROP {kind} "{name}"')

    rng = random.Random(f"markings:{seed}")
    ents = _entities(rng)
    ent_cum: list[float] = []
    acc = 0.0
    for r in range(len(ents)):
        acc += 1.0 / (r + 1) ** 1.1
        ent_cum.append(acc)
    categories = [c for c in corpus.vocabulary().categories if c != "none"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    sources: dict[str, int] = {}
    docs: list[tuple[Any, ...]] = []
    passages: list[tuple[Any, ...]] = []
    labels: list[tuple[Any, ...]] = []
    mentions: list[tuple[Any, ...]] = []
    doc_id = passage_id = 0
    gen = ins = 0.0

    def flush() -> float:
        t = time.perf_counter()
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO horizon_documents (id, source_id, title, url, published, language, "
            "content_hash, text, origin, ingested_at, ingested_by, categories, actors, "
            "given_labels, marking_level, marking_compartments) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            docs,
        )
        con.executemany(
            'INSERT INTO horizon_passages (id, document_id, seq, start, "end", language, text, '
            "marking_level, marking_compartments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            passages,
        )
        con.executemany(
            "INSERT INTO horizon_labels (passage_id, document_id, category, score, rule_score, "
            "model_prob, terms) VALUES (?, ?, ?, ?, ?, ?, '[]')",
            labels,
        )
        con.executemany(
            'INSERT INTO horizon_mentions (document_id, passage_id, entity_id, start, "end", '
            "how) VALUES (?, ?, ?, ?, ?, 'name')",
            mentions,
        )
        con.execute("COMMIT")
        for rows in (docs, passages, labels, mentions):
            rows.clear()
        return time.perf_counter() - t

    t_gen = time.perf_counter()
    for d in corpus.stored_documents(n, seed=seed):
        if d.source not in sources:
            sources[d.source] = len(sources) + 1
            con.execute(
                "INSERT INTO horizon_sources (id, name, kind, url, created_at, marking_level, "
                "marking_compartments) VALUES (?, ?, 'feed', '', ?, 0, '|')",
                (sources[d.source], d.source, now),
            )
        doc_id += 1
        level = _weighted(rng, LEVELS)
        comps = _weighted(rng, COMPARTMENTS) if level > 0 else "|"
        text = "\n\n".join(d.passages)
        cats: dict[str, float] = {}
        offset = 0
        for seq, ptext in enumerate(d.passages):
            passage_id += 1
            passages.append(
                (passage_id, doc_id, seq, offset, offset + len(ptext), d.language, ptext,
                 level, comps)
            )  # fmt: skip
            offset += len(ptext) + 2
            if d.theme == "none" or rng.random() < 0.15:
                lab = ["none"]
            else:
                lab = [d.theme] + ([rng.choice(categories)] if rng.random() < 0.3 else [])
            for cat in dict.fromkeys(lab):
                score = round(0.5 + 0.5 * rng.random(), 3)
                cats[cat] = max(cats.get(cat, 0.0), score)
                labels.append((passage_id, doc_id, cat, score, 3.0, score))
            for ent in set(rng.choices(ents, cum_weights=ent_cum, k=rng.randint(0, 3))):
                mentions.append((doc_id, passage_id, ent, offset, offset + 6))
        docs.append(
            (doc_id, sources[d.source], d.title, "", d.published.isoformat(), d.language,
             hashlib.sha256(text.encode()).hexdigest(), text, f"bench:{doc_id}", now, "bench",
             json.dumps(cats), "[]", "[]", level, comps)
        )  # fmt: skip
        if len(passages) >= BATCH:
            ins += flush()
    ins += flush()
    gen = time.perf_counter() - t_gen - ins
    steps["generate text"] = gen
    steps["insert rows (executemany)"] = ins
    t = time.perf_counter()
    con.execute("INSERT INTO horizon_fts(horizon_fts) VALUES ('rebuild')")
    steps["FTS5 rebuild"] = time.perf_counter() - t
    t = time.perf_counter()
    con.execute("INSERT INTO horizon_fts(horizon_fts) VALUES ('optimize')")
    steps["FTS5 optimize"] = time.perf_counter() - t
    t = time.perf_counter()
    for _name, sql in saved:
        con.execute(sql)
    con.execute("ANALYZE")
    steps["indexes, trigger, ANALYZE"] = time.perf_counter() - t
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    console.print(f"[dim]built {n:,} passages in {doc_id:,} documents at {path}[/dim]")
    return steps


def build_vectors(db: Path, seed: int) -> float:
    """A vector for every passage, as ingestion with the encoder would have stored: the
    encoding of a labelled sentence of the passage's language and first category, plus a
    little noise (so cosines to a real query spread as they would), float16, normalised."""
    import numpy as np

    from grandstrategy.horizon import embed

    t0 = time.perf_counter()
    v = corpus.vocabulary()
    keys = [(lang, cat) for lang in corpus.LANGUAGES for cat in v.sentences[lang]]
    pools = {k: v.sentences[k[0]][k[1]][:8] for k in keys}
    flat = [s for k in keys for s in pools[k]]
    vecs = embed.encode(flat)
    offsets: dict[tuple[str, str], tuple[int, int]] = {}
    i = 0
    for k in keys:
        offsets[k] = (i, len(pools[k]))
        i += len(pools[k])
    rng = np.random.default_rng(seed)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("DELETE FROM horizon_vectors")
    rows = con.execute(
        "SELECT p.id, p.language, (SELECT category FROM horizon_labels l "
        "WHERE l.passage_id = p.id ORDER BY l.id LIMIT 1) FROM horizon_passages p ORDER BY p.id"
    )
    while batch := rows.fetchmany(50_000):
        picks = []
        for _pid, lang, cat in batch:
            start, count = offsets.get((lang, cat or "none"), offsets[(lang, "none")])
            picks.append(start + int(rng.integers(count)))
        m = vecs[picks] + rng.normal(0.0, 0.03, (len(picks), embed.DIM)).astype(np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True)
        half = m.astype(np.float16)
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO horizon_vectors (passage_id, vector) VALUES (?, ?)",
            [(r[0], half[j].tobytes()) for j, r in enumerate(batch)],
        )
        con.execute("COMMIT")
    con.close()
    return time.perf_counter() - t0


# --------------------------------------------------------------------------------------------
# Tantivy


def fold(word: str) -> str:
    """What tantivy's lowercase + ascii_fold filters make of a word."""
    word = word.lower().replace("ß", "ss").replace("æ", "ae").replace("œ", "oe")
    word = word.replace("ø", "o").replace("ł", "l").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _tantivy() -> Any:
    import tantivy  # type: ignore[import-not-found, unused-ignore]  # optional extra

    return tantivy


def tantivy_schema() -> Any:
    tv = _tantivy()
    sb = tv.SchemaBuilder()
    sb.add_text_field("text", stored=False, tokenizer_name="gs", index_option="position")
    sb.add_unsigned_field("pid", indexed=True, fast=True)
    sb.add_unsigned_field("level", indexed=True, fast=True)
    sb.add_integer_field("published", indexed=True, fast=True)
    for name in ("comps", "category", "actor", "language", "source"):
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    return sb.build()


def open_tantivy(folder: Path) -> Any:
    tv = _tantivy()
    index = tv.Index(tantivy_schema(), path=str(folder))
    analyzer = (
        tv.TextAnalyzerBuilder(tv.Tokenizer.simple())
        .filter(tv.Filter.remove_long(40))
        .filter(tv.Filter.lowercase())
        .filter(tv.Filter.ascii_fold())
        .build()
    )
    index.register_tokenizer("gs", analyzer)
    return index


def _grouped(con: sqlite3.Connection, sql: str) -> Iterator[tuple[int, list[str]]]:
    """(passage id, values) from rows ordered by passage id."""
    current: int = -1
    values: list[str] = []
    for pid, value in con.execute(sql):
        if pid != current:
            if current >= 0:
                yield current, values
            current, values = pid, []
        values.append(value)
    if current >= 0:
        yield current, values


def build_tantivy(db: Path, folder: Path, threads: int) -> float:
    """Index every passage of the database, with its marking and facet fields."""
    tv = _tantivy()
    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    index = open_tantivy(folder)
    writer = index.writer(1_000_000_000, threads)
    con = sqlite3.connect(db)
    # Both tables were filled in passage order, so rowid order is passage order.
    cats = _grouped(con, "SELECT passage_id, category FROM horizon_labels ORDER BY id")
    acts = _grouped(con, "SELECT passage_id, entity_id FROM horizon_mentions ORDER BY id")
    next_cat, next_act = next(cats, None), next(acts, None)
    rows = con.execute(
        "SELECT p.id, p.text, p.marking_level, p.marking_compartments, p.language, "
        "d.published, s.name FROM horizon_passages p "
        "JOIN horizon_documents d ON d.id = p.document_id "
        "JOIN horizon_sources s ON s.id = d.source_id ORDER BY p.id"
    )
    epoch = dt.date(1970, 1, 1)
    for pid, body, level, comps, lang, published, source in rows:
        doc = tv.Document()
        doc.add_text("text", body)
        doc.add_unsigned("pid", pid)
        doc.add_unsigned("level", level)
        for comp in comps.strip("|").split("|"):
            if comp:
                doc.add_text("comps", comp)
        doc.add_text("language", lang)
        doc.add_text("source", source)
        if published:
            doc.add_integer("published", (dt.date.fromisoformat(published) - epoch).days)
        while next_cat is not None and next_cat[0] <= pid:
            if next_cat[0] == pid:
                for c in next_cat[1]:
                    doc.add_text("category", c)
            next_cat = next(cats, None)
        while next_act is not None and next_act[0] <= pid:
            if next_act[0] == pid:
                for a in next_act[1]:
                    doc.add_text("actor", a)
            next_act = next(acts, None)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    con.close()
    return time.perf_counter() - t0


class TantivyEngine:
    """Top-k with exact count; the marking as fast-field filters; facets by aggregation."""

    def __init__(self, folder: Path, session: Session) -> None:
        tv = _tantivy()
        self.tv = tv
        self.index = open_tantivy(folder)
        self.index.reload()
        self.searcher = self.index.searcher()
        self.schema = tantivy_schema()
        self.session = session

    def _term(self, t: search.Term) -> Any:
        q = self.tv.Query
        words = [fold(w) for w in t.words]
        if t.prefix:
            return q.phrase_prefix_query(self.schema, "text", words)
        if len(words) > 1:
            return q.phrase_query(self.schema, "text", words)
        return q.term_query(self.schema, "text", words[0])

    def text_query(self, terms: list[search.Term]) -> Any:
        """FTS5's reading of the same terms: OR joins AND-groups; NOT binds to its group."""
        occur, q = self.tv.Occur, self.tv.Query
        groups: list[list[tuple[Any, Any]]] = [[]]
        for t in terms:
            if t.or_before:
                groups.append([])
            groups[-1].append((occur.MustNot if t.negated else occur.Must, self._term(t)))
        parts = [q.boolean_query(g) for g in groups if g]
        if len(parts) == 1:
            return parts[0]
        return q.boolean_query([(occur.Should, p) for p in parts])

    def restricted(self, user: Principal, text_q: Any, filters: search.Filters) -> Any:
        occur, q, ft = self.tv.Occur, self.tv.Query, self.tv.FieldType
        clauses = [
            (occur.Must, text_q),
            (occur.Must, q.range_query(self.schema, "level", ft.Unsigned, 0, user.clearance)),
        ]
        if "*" not in user.compartments:
            hidden = [c for c in KNOWN_COMPARTMENTS if c not in user.compartments]
            if hidden:
                clauses.append((occur.MustNot, q.term_set_query(self.schema, "comps", hidden)))
        for name, value in (
            ("category", filters.category),
            ("actor", filters.actor),
            ("language", filters.language),
            ("source", filters.source),
        ):
            if value:
                clauses.append((occur.Must, q.term_query(self.schema, name, value)))
        if filters.since or filters.until:
            epoch = dt.date(1970, 1, 1)
            low = (filters.since - epoch).days if filters.since else None
            high = (filters.until - epoch).days if filters.until else None
            clauses.append(
                (occur.Must, q.range_query(self.schema, "published", ft.Integer, low, high))
            )
        return q.boolean_query(clauses)

    def run(
        self, user: Principal, query: str, filters: search.Filters, facets: bool
    ) -> tuple[int, int]:
        terms = search.parse(query)
        full = self.restricted(user, self.text_query(terms), filters)
        res = self.searcher.search(full, PAGE, count=True)
        addrs = [a for _score, a in res.hits]
        pids = self.searcher.fast_field_values("pid", addrs) if addrs else []
        rows = [
            hit_row(pid, -score, _snippet(terms))
            for pid, (score, _a) in zip(pids, res.hits, strict=True)
        ]
        hits = search._hits(self.session, terms, rows)
        if facets:
            spec = {
                name: {"terms": {"field": name, "size": 12}}
                for name in ("category", "actor", "language", "source")
            }
            self.searcher.aggregate(full, spec)
        return int(res.count), len(hits)


def hit_row(pid: int, rank: float, snippet: str | None) -> tuple[Any, ...]:
    """A row as ``search._hits`` takes it: (passage id, rank, cosine); it makes the snippet
    from the passage's text itself, so ``snippet`` only shows what the prototype computed."""
    del snippet
    return (pid, rank, None)


def _snippet(terms: list[search.Term]) -> str | None:
    """None: ``search._hits`` then shows the start of the passage (tantivy keeps no text)."""
    del terms
    return None


# --------------------------------------------------------------------------------------------
# FTS5 shapes


FTS = table("horizon_fts", column("rowid"), column("rank"))


class Fts5Shapes:
    """Today's ``search.search`` and its parts, plus proposed SQL for the same answers."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def today(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        """Keyword search only (no semantic half, whether or not vectors are stored)."""
        kw: dict[str, Any] = {"semantic": False} if HAS_SEMANTIC else {}
        r = search.search(self.s, user=user, query=query, filters=filters, limit=PAGE, **kw)
        return r.total, len(r.hits)

    def hybrid(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        """``search.search`` as a deployment with the encoder runs it: keyword + semantic."""
        r = search.search(self.s, user=user, query=query, filters=filters, limit=PAGE)
        return r.total, len(r.hits)

    def page_today(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        terms = search.parse(query)
        base, rank, snippet = search._base(self.s, user, terms, filters)
        q = base.add_columns(rank.label("rank"), snippet.label("snip"))
        q = q.order_by(literal_column("rank"), Passage.id).limit(PAGE)
        rows = [hit_row(*r) for r in self.s.execute(q).all()]
        return -1, len(search._hits(self.s, terms, rows))

    def count_today(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        base, _rank, _snip = search._base(self.s, user, search.parse(query), filters)
        total = self.s.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        return int(total), 0

    def facets_today(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        base, _rank, _snip = search._base(self.s, user, search.parse(query), filters)
        search._facets(self.s, list(self.s.execute(base).scalars()))  # every match
        return -1, 0

    # Proposed: one ranked pass for the best ``SAMPLE`` ids (the page is its head, the facets
    # are counted over it), snippets for the page only, and a count that stops at ``CAP``.

    CAP = 10_000
    SAMPLE = 1000

    def _ranked(self, user: Principal, terms: list[search.Term], filters: search.Filters) -> Any:
        match = (
            select(FTS.c.rowid.label("rid"), FTS.c.rank.label("rank"))
            .where(
                literal_column("horizon_fts").op("MATCH")(bindparam("fq", search.to_fts5(terms)))
            )
            .subquery("m")
        )
        q = select(Passage.id, match.c.rank).join(match, match.c.rid == Passage.id)
        q = search._filtered(restrict(q, user, Passage), filters)
        return q.order_by(match.c.rank, Passage.id)

    def page_proposed(
        self, user: Principal, query: str, filters: search.Filters
    ) -> tuple[int, int]:
        terms = search.parse(query)
        ids = self.s.execute(self._ranked(user, terms, filters).limit(PAGE)).all()
        return -1, self._page(terms, ids)

    def page_fts_first(
        self, user: Principal, query: str, filters: search.Filters
    ) -> tuple[int, int]:
        """Rank inside FTS5 alone (no join), then keep the visible, filtered ids of the best
        ``depth``; deepen fourfold until a page is full or the matches run out."""
        terms = search.parse(query)
        sql = sql_text(
            "SELECT rowid, rank FROM horizon_fts WHERE horizon_fts MATCH :q ORDER BY rank LIMIT :n"
        )
        depth = 200
        while True:
            rows = self.s.execute(sql, {"q": search.to_fts5(terms), "n": depth}).all()
            ids = [r[0] for r in rows]
            q = restrict(select(Passage.id).where(Passage.id.in_(ids)), user, Passage)
            visible = set(self.s.execute(search._filtered(q, filters)).scalars())
            page = [r for r in rows if r[0] in visible][:PAGE]
            if len(page) == PAGE or len(rows) < depth:
                return -1, self._page(terms, page)
            depth *= 4

    def _page(self, terms: list[search.Term], ids: Any) -> int:
        snips = self._snippets(terms, [r[0] for r in ids])
        rows = [hit_row(pid, rank, snips.get(pid)) for pid, rank in ids]
        return len(search._hits(self.s, terms, rows))

    def _snippets(self, terms: list[search.Term], ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        fts: Any = literal_column("horizon_fts")
        q = (
            select(FTS.c.rowid, func.snippet(fts, 0, search.START, search.STOP, "…", 24))
            .where(fts.op("MATCH")(bindparam("fq", search.to_fts5(terms))))
            .where(FTS.c.rowid.in_(ids))
        )
        return {int(r[0]): str(r[1]) for r in self.s.execute(q).all()}

    def count_capped(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        base, _rank, _snip = search._base(self.s, user, search.parse(query), filters)
        capped = base.limit(self.CAP + 1).subquery()
        total = self.s.execute(select(func.count()).select_from(capped)).scalar_one()
        return int(total), 0

    def _facets_of(self, ids: list[int]) -> None:
        search._facets(self.s, ids)

    def facets_sampled(
        self, user: Principal, query: str, filters: search.Filters
    ) -> tuple[int, int]:
        terms = search.parse(query)
        ranked = self.s.execute(self._ranked(user, terms, filters).limit(self.SAMPLE)).all()
        self._facets_of([r[0] for r in ranked])
        return -1, 0

    def proposed(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        """Page, count up to CAP, facets exact up to SAMPLE matches and over the best SAMPLE
        beyond (to be shown as such)."""
        terms = search.parse(query)
        ranked = self.s.execute(self._ranked(user, terms, filters).limit(self.SAMPLE)).all()
        n = self._page(terms, ranked[:PAGE])
        total = len(ranked)
        if total >= self.SAMPLE:
            total, _ = self.count_capped(user, query, filters)
        self._facets_of([r[0] for r in ranked])
        return total, n


class IndexedShapes:
    """``search.search`` with the tantivy keyword index (``horizon.index``), as SQLite
    deployments run it: candidates and count from the index, re-checked in SQL."""

    def __init__(self, session: Session, index: Any) -> None:
        self.s = session
        self.index = index

    def keyword(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        r = search.search(
            self.s,
            user=user,
            query=query,
            filters=filters,
            limit=PAGE,
            semantic=False,
            index=self.index,
        )
        assert r.backend == "tantivy"
        return r.total, len(r.hits)

    def hybrid(self, user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        r = search.search(
            self.s, user=user, query=query, filters=filters, limit=PAGE, index=self.index
        )
        assert r.backend == "tantivy"
        return r.total, len(r.hits)


def ensure_index(db: Path, session: Session, steps: dict[str, float]) -> Any:
    """The service's own index of the benchmark database, built once (then cached)."""
    from grandstrategy.horizon.index import KeywordIndex

    folder = db.parent / "search-index"
    marker = db.parent / "search-index.json"
    index = KeywordIndex(folder)
    fresh = index.state.upto == 0
    t0 = time.perf_counter()
    index.sync(session)
    if fresh or not marker.exists():
        marker.write_text(json.dumps({"seconds": time.perf_counter() - t0}))
    steps["tantivy index (horizon.index)"] = json.loads(marker.read_text())["seconds"]
    if hasattr(index, "store_words"):  # an index made before its word store: fill it now,
        index.store_words(session)  # not a second at a time during the timed searches
    return index


# --------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class Case:
    kind: str
    query: str
    filters: search.Filters
    filter_name: str  # "" when unfiltered


def _vocabulary(db: Path) -> tuple[int, list[tuple[str, int]]]:
    """(passages, [(term, passages containing it)]) from the FTS5 index itself."""
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, horizon_fts, row)")
    n = con.execute("SELECT count(*) FROM horizon_passages").fetchone()[0]
    rows = con.execute("SELECT term, doc FROM temp.v WHERE length(term) >= 5").fetchall()
    con.close()
    return n, [(str(t), int(d)) for t, d in rows if not any(ch.isdigit() for ch in str(t))]


def _phrase(db: Path, rng: random.Random, words: set[str]) -> str:
    """Two neighbouring words of a random passage, both of at least five letters."""
    con = sqlite3.connect(db)
    top = con.execute("SELECT max(id) FROM horizon_passages").fetchone()[0]
    try:
        for _ in range(50):
            text = con.execute(
                "SELECT text FROM horizon_passages WHERE id = ?", (rng.randint(1, top),)
            ).fetchone()[0]
            toks = re.findall(r"\w+", text.lower())
            pairs = [
                (a, b)
                for a, b in itertools.pairwise(toks)
                if len(a) >= 5 and len(b) >= 5 and a in words and b in words
            ]
            if pairs:
                a, b = rng.choice(pairs)
                return f'"{a} {b}"'
    finally:
        con.close()
    return '"national security"'


def make_cases(db: Path, per_type: int, seed: int) -> list[Case]:
    """``per_type`` queries of each kind, each without and with one filter."""
    rng = random.Random(f"queries:{seed}")
    n, vocab = _vocabulary(db)
    by_share = sorted(vocab, key=lambda tv: -tv[1])
    common = [t for t, d in by_share if d >= 0.03 * n][:200]
    medium = [t for t, d in by_share if 0.002 * n <= d < 0.03 * n]
    rare = [t for t, d in by_share if 2 <= d <= max(3, 0.0002 * n)]
    words = {t for t, _ in vocab}
    fallback = [t for t, _ in by_share[:500]]
    common, medium, rare = common or fallback, medium or fallback, rare or fallback
    queries: list[tuple[str, str]] = []
    for _ in range(per_type):
        queries += [
            ("common", rng.choice(common)),
            ("rare", rng.choice(rare)),
            ("two words", f"{rng.choice(medium)} {rng.choice(medium)}"),
            ("phrase", _phrase(db, rng, words)),
            ("prefix", rng.choice(common + medium)[:5] + "*"),
            ("OR", f"{rng.choice(medium)} OR {rng.choice(medium)}"),
            ("negation", f"{rng.choice(common)} -{rng.choice(medium)}"),
        ]

    def since() -> dt.date:
        return dt.date(2023, 1, 1) + dt.timedelta(rng.randrange(700))

    filter_kinds: list[tuple[str, Callable[[], search.Filters]]] = [
        ("category", lambda: search.Filters(category=rng.choice(["hybrid", "cyber", "climate"]))),
        ("language", lambda: search.Filters(language=rng.choice(corpus.LANGUAGES))),
        ("since", lambda: search.Filters(since=since())),
        ("actor", lambda: search.Filters(actor=rng.choice(["state:RU", "org:nato", "state:CN"]))),
    ]
    cases = []
    for i, (kind, q) in enumerate(queries):
        cases.append(Case(kind, q, search.Filters(), ""))
        fname, make = filter_kinds[i % len(filter_kinds)]
        cases.append(Case(kind, q, make(), fname))
    return cases


# --------------------------------------------------------------------------------------------
# Measuring


Runner = Callable[[Principal, str, search.Filters], tuple[int, int]]


@dataclass
class Series:
    engine: str
    user: str
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this process's CPU time per search
    kinds: list[str] = field(default_factory=list)
    filtered: list[bool] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    skipped: int = 0

    def pct(self, p: float, ms: list[float] | None = None) -> float:
        xs = sorted(self.ms if ms is None else ms)
        if not xs:
            return float("nan")
        k = (len(xs) - 1) * p / 100
        lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

    def summary(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "user": self.user,
            "n": len(self.ms),
            "p50_ms": round(self.pct(50), 2),
            "p95_ms": round(self.pct(95), 2),
            "p99_ms": round(self.pct(99), 2),
            "mean_ms": round(statistics.fmean(self.ms), 2) if self.ms else None,
            "cpu_p50_ms": round(self.pct(50, self.cpu_ms), 2),
            "cpu_p95_ms": round(self.pct(95, self.cpu_ms), 2),
            "max_ms": round(max(self.ms), 2) if self.ms else None,
            "skipped": self.skipped,
            "by_kind": {
                k: {
                    "p50_ms": round(self.pct(50, self._of(k)), 2),
                    "p95_ms": round(self.pct(95, self._of(k)), 2),
                }
                for k in QUERY_TYPES
                if self._of(k)
            },
            "filtered_p95_ms": round(self.pct(95, self._filtered(True)), 2),
            "unfiltered_p95_ms": round(self.pct(95, self._filtered(False)), 2),
        }

    def _filtered(self, want: bool) -> list[float]:
        return [m for m, f in zip(self.ms, self.filtered, strict=True) if f == want]

    def _of(self, kind: str) -> list[float]:
        return [m for m, k in zip(self.ms, self.kinds, strict=True) if k == kind]


def measure(
    engine: str,
    runner: Runner,
    cases: list[Case],
    repeat: int,
    budget_s: float,
    console: Console,
    users: tuple[str, ...] = tuple(USERS),
) -> list[Series]:
    """Time every case ``repeat`` times per user (after one untimed pass over a few cases and
    one case of each filter: the first actor filter loads the entity finder, about a second,
    once per process).

    ``budget_s`` bounds the time per user: a shape that is far too slow stops early and says
    how many searches it skipped, rather than holding the benchmark for an hour."""
    out = []
    for label in users:
        user = USERS[label]
        first_of_each = {c.filter_name: c for c in reversed(cases)}.values()
        for c in [*cases[:6], *first_of_each]:
            runner(user, c.query, c.filters)
        series = Series(engine, label)
        start = time.perf_counter()
        for r in range(repeat):
            for i, c in enumerate(cases):
                if time.perf_counter() - start > budget_s:
                    series.skipped = (repeat - r) * len(cases) - i
                    break
                t0, c0 = time.perf_counter(), time.process_time()
                total, _hits = runner(user, c.query, c.filters)
                series.ms.append((time.perf_counter() - t0) * 1000)
                series.cpu_ms.append((time.process_time() - c0) * 1000)
                series.kinds.append(c.kind)
                series.filtered.append(bool(c.filter_name))
                if r == 0:
                    series.totals.append(total)
            else:
                continue
            break
        note = f" (stopped at the {budget_s:.0f} s budget)" if series.skipped else ""
        console.print(
            f"[dim]{engine:38} {label:17} p50 {series.pct(50):8.1f} ms  "
            f"p95 {series.pct(95):8.1f} ms{note}[/dim]"
        )
        out.append(series)
    return out


# --------------------------------------------------------------------------------------------
# Output


def build_table(n: int, steps: dict[str, float], sizes: dict[str, int], cached: bool) -> Table:
    t = Table(title=f"Index build, {n:,} passages" + (" (from the cache)" if cached else ""))
    t.add_column("step")
    t.add_column("seconds", justify="right")
    for name, sec in steps.items():
        t.add_row(name, f"{sec:.1f}")
    for name, size in sizes.items():
        t.add_row(f"size: {name}", f"{size / 2**20:,.0f} MiB")
    return t


def latency_table(n: int, series: list[Series], target: float) -> Table:
    t = Table(title=f"Search latency at {n:,} passages, ms (page of {PAGE})")
    cols = ("engine / shape", "user", "searches", "p50", "p95", "p99", "max", "CPU p95")
    for col in (*cols, "p95 ≤ target"):
        t.add_column(col, justify="left" if col in ("engine / shape", "user") else "right")
    engine = ""
    for s in series:
        if engine and s.engine != engine:
            t.add_section()
        engine = s.engine
        ok = "yes" if s.pct(95) <= target else "no"
        t.add_row(
            s.engine,
            s.user,
            f"{len(s.ms)}" + (f" (+{s.skipped} skipped)" if s.skipped else ""),
            f"{s.pct(50):.1f}",
            f"{s.pct(95):.1f}",
            f"{s.pct(99):.1f}",
            f"{max(s.ms):.1f}" if s.ms else "-",
            f"{s.pct(95, s.cpu_ms):.1f}",
            ok,
        )
    return t


def kinds_table(n: int, series: list[Series], user: str) -> Table:
    t = Table(title=f"p95 by query kind at {n:,} passages, {user}, ms")
    t.add_column("engine / shape")
    for k in (*QUERY_TYPES, "unfiltered", "filtered"):
        t.add_column(k, justify="right")
    for s in series:
        if s.user != user:
            continue
        cells = [f"{s.pct(95, s._of(k)):.1f}" if s._of(k) else "-" for k in QUERY_TYPES]
        for want in (False, True):
            ms = s._filtered(want)
            cells.append(f"{s.pct(95, ms):.1f}" if ms else "-")
        t.add_row(s.engine, *cells)
    return t


def workload_table(cases: list[Case], series: list[Series], n: int) -> Table:
    """How many passages the queries match (first engine that reports totals)."""
    t = Table(title=f"Matches per query kind at {n:,} passages (low-clearance user, no filter)")
    for col in ("kind", "example", "median matches", "max matches"):
        t.add_column(col, justify="right" if "matches" in col else "left")
    ref = next(
        (s for s in series if s.user.startswith("low") and any(x > 0 for x in s.totals)), None
    )
    for k in QUERY_TYPES:
        idx = [i for i, c in enumerate(cases) if c.kind == k and not c.filter_name]
        example = cases[idx[0]].query if idx else ""
        if ref is None or not idx:
            t.add_row(k, example, "-", "-")
            continue
        got = [ref.totals[i] for i in idx if i < len(ref.totals)]
        t.add_row(
            k, example, f"{statistics.median(got):,.0f}" if got else "-", f"{max(got, default=0):,}"
        )
    return t


def agreement(series: list[Series]) -> str:
    a = next(
        (s for s in series if s.engine.startswith("fts5 search") and s.user.startswith("low")), None
    )
    b = next(
        (s for s in series if s.engine.startswith("tantivy") and s.user.startswith("low")), None
    )
    if a is None or b is None:
        return ""
    pairs = list(zip(a.totals, b.totals, strict=False))
    same = sum(1 for x, y in pairs if x == y)
    close = sum(1 for x, y in pairs if abs(x - y) <= 0.02 * max(x, y, 1))
    return (
        f"match counts, fts5 vs tantivy (low user): {same}/{len(pairs)} equal, "
        f"{close}/{len(pairs)} within 2 % (tokenisers differ slightly)"
    )


PROPOSED_INDEX = "ix_bench_mentions_passage_entity"


def create_proposed_index(db: Path) -> float:
    """The index the facet and actor-filter queries lack: mentions by passage (covering)."""
    con = sqlite3.connect(db, isolation_level=None)
    t0 = time.perf_counter()
    con.execute(
        f"CREATE INDEX IF NOT EXISTS {PROPOSED_INDEX} ON horizon_mentions (passage_id, entity_id)"
    )
    con.execute("ANALYZE horizon_mentions")
    con.close()
    return time.perf_counter() - t0


def drop_proposed_index(db: Path) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute(f"DROP INDEX IF EXISTS {PROPOSED_INDEX}")
    con.execute("ANALYZE horizon_mentions")
    con.close()


def _who(shape: str) -> tuple[str, ...]:
    """Both users for whole searches; the parts and partial variants as the low user only."""
    return tuple(USERS) if "search.search" in shape or "proposed (" in shape else (LOW_LABEL,)


def _tantivy_runner(tv: TantivyEngine, facets: bool) -> Runner:
    def run(user: Principal, query: str, filters: search.Filters) -> tuple[int, int]:
        return tv.run(user, query, filters, facets)

    return run


def prepare_semantic(session: Session, steps: dict[str, float]) -> dict[str, Any]:
    """The semantic store as a search process builds it: every vector read from the database
    into memory (``semantic._store``), then the inverted file trained (``horizon.ann``), here
    in the foreground so that both are timed and every timed search uses the index."""
    from grandstrategy.horizon import semantic

    semantic.TRAIN_IN_BACKGROUND = False
    semantic.clear_cache()
    t0 = time.perf_counter()
    store = semantic._store(session)
    total = time.perf_counter() - t0
    vectors = store.vectors
    steps["semantic: vectors read into memory"] = total - vectors.train_seconds
    steps["semantic: inverted file trained and filled"] = vectors.train_seconds
    lists = vectors.lists
    sizes = lists.sizes() if lists is not None else None
    return {
        "vectors": len(vectors),
        "public_vectors": vectors.public,
        "lists": 0 if lists is None else len(lists.centroids),
        "probe": 0 if lists is None else lists.probe,
        "largest_list": 0 if sizes is None else int(sizes.max()),
        "load_s": round(total - vectors.train_seconds, 2),
        "build_s": round(vectors.train_seconds, 2),
        "memory_mb": round(vectors.nbytes / 2**20, 1),
    }


def semantic_half(
    session: Session, cases: list[Case], console: Console, index: Any = None
) -> dict[str, Any]:
    """The semantic half alone, as the low user, each case with its filter: the query
    encoded, the nearest visible passages found (inverted file, or every vector: "exact")
    and checked in SQL (``search._semantic``; negated words through ``index`` when given, as
    SQLite deployments with tantivy do). recall@10: the share of the exact ten found through
    the inverted file. ``fallbacks``: cases the lists scanned could not answer (a narrow
    filter), answered by the exact product over the passages that pass it."""
    from grandstrategy.horizon import ann, embed, semantic

    store = semantic._store(session)
    embed.encode(["warm-up"])
    timings: dict[str, list[float]] = {"encode": [], "ann": [], "exact": []}
    recalls: list[float] = []
    fallbacks = 0
    mode = "ann"
    among, scan = ann.Vectors.among, ann.Vectors.scan

    def counted(self: Any, query: Any, ids: list[int]) -> Any:
        nonlocal fallbacks
        fallbacks += mode == "ann"
        return among(self, query, ids)

    def scanned(
        self: Any, query: Any, reader: Any, language: Any = None, exact: bool = False
    ) -> Any:
        return scan(self, query, reader, language, exact or mode == "exact")

    ann.Vectors.among = counted  # type: ignore[method-assign]
    ann.Vectors.scan = scanned  # type: ignore[method-assign]
    try:
        for c in cases:
            terms = search.parse(c.query)
            text = " ".join(" ".join(t.words) for t in terms if not t.negated)
            t0 = time.perf_counter()
            embed.encode([text])
            timings["encode"].append(time.perf_counter() - t0)
            found: dict[str, list[int]] = {}
            for mode in ("ann", "exact"):
                t0 = time.perf_counter()
                started = semantic.start(session, text, LOW, c.filters.language)
                close = (
                    search._semantic(session, LOW, terms, c.filters, started, index)
                    if started
                    else []
                )
                timings[mode].append(time.perf_counter() - t0)
                found[mode] = [pid for pid, _ in close[:10]]
            if found["exact"]:
                recalls.append(len(set(found["ann"]) & set(found["exact"])) / len(found["exact"]))
    finally:
        ann.Vectors.among, ann.Vectors.scan = among, scan  # type: ignore[method-assign]
    out: dict[str, Any] = {"searches": len(cases), "fallbacks": fallbacks}
    for name, xs in timings.items():
        ms = sorted(x * 1000 for x in xs)
        out[f"{name}_p50_ms"] = round(_pct(ms, 50), 2)
        out[f"{name}_p95_ms"] = round(_pct(ms, 95), 2)
    out["recall_at_10"] = round(statistics.fmean(recalls), 4) if recalls else None
    console.print(f"[dim]semantic half over {len(store.ids):,} vectors timed[/dim]")
    return out


def _pct(xs: list[float], p: float) -> float:
    return Series("", "", sorted(xs)).pct(p) if xs else float("nan")


def semantic_table(n: int, info: dict[str, Any], half: dict[str, Any]) -> Table:
    t = Table(
        title=f"Semantic half alone at {info['vectors']:,} passage vectors (low user, with "
        f"the case's filter; {info['lists']:,} lists, {info['probe']} scanned a query)"
    )
    for col in ("step", "p50 ms", "p95 ms"):
        t.add_column(col, justify="left" if col == "step" else "right")
    names = {
        "encode": "encode the query",
        "ann": "nearest visible, inverted file + SQL check",
        "exact": "nearest visible, every vector + SQL check",
    }
    for key, name in names.items():
        t.add_row(name, f"{half[key + '_p50_ms']:.1f}", f"{half[key + '_p95_ms']:.1f}")
    t.add_row("recall@10 of the inverted file against every vector", "", f"{half['recall_at_10']}")
    t.add_row("answered by the exact product over a narrow filter", "", f"{half['fallbacks']}")
    return t


def summary_line(
    n: int, series: list[Series], info: dict[str, Any], half: dict[str, Any]
) -> dict[str, Any]:
    """One line with the figures the targets name (issue 11 item 3), low user."""

    def p(engine: str, q: float) -> float | None:
        s = next((x for x in series if x.engine == engine and x.user == LOW_LABEL), None)
        return round(s.pct(q), 2) if s is not None and s.ms else None

    line: dict[str, Any] = {"run": "search", "passages": n, "user": LOW_LABEL}
    for engine, key in (
        ("tantivy search.search (keyword)", "keyword"),
        ("tantivy search.search (hybrid)", "hybrid"),
        ("fts5 search.search (today, keyword)", "fts5_keyword"),
        ("fts5 search.search (today, hybrid)", "fts5_hybrid"),
    ):
        if p(engine, 50) is not None:
            line[f"{key}_p50_ms"], line[f"{key}_p95_ms"] = p(engine, 50), p(engine, 95)
            cpu = next(x for x in series if x.engine == engine and x.user == LOW_LABEL).cpu_ms
            line[f"{key}_cpu_p95_ms"] = round(_pct(cpu, 95), 2) if cpu else None
    for key in ("ann", "exact", "encode"):
        if f"{key}_p50_ms" in half:
            line[f"semantic_{key}_p50_ms"] = half[f"{key}_p50_ms"]
            line[f"semantic_{key}_p95_ms"] = half[f"{key}_p95_ms"]
    if half:
        line["recall_at_10"] = half["recall_at_10"]
        line["semantic_fallbacks"] = half["fallbacks"]
    line.update({f"index_{k}": v for k, v in info.items()})
    line["load_average"] = [round(x, 2) for x in os.getloadavg()]
    line["cpus"] = os.cpu_count()
    return line


# --------------------------------------------------------------------------------------------
# Main


def prepare_data(args: argparse.Namespace, console: Console) -> tuple[Path, dict[str, float], bool]:
    folder = cache_dir(args.passages, args.seed)
    db = folder / "bench.db"
    done = folder / "build.json"
    if args.rebuild and folder.exists():
        shutil.rmtree(folder)
    if done.exists() and db.exists():
        return db, json.loads(done.read_text()), True
    folder.mkdir(parents=True, exist_ok=True)
    if db.exists():
        db.unlink()
    steps = build_sqlite(db, args.passages, args.seed, console)
    done.write_text(json.dumps(steps))
    return db, steps, False


def ensure_tantivy(db: Path, steps: dict[str, float], threads: int) -> tuple[Path, bool]:
    folder = db.parent / "tantivy"
    marker = folder / "built.json"
    if marker.exists():
        steps["tantivy index"] = json.loads(marker.read_text())["seconds"]
        return folder, True
    if folder.exists():
        shutil.rmtree(folder)
    sec = build_tantivy(db, folder, threads)
    marker.write_text(json.dumps({"seconds": sec}))
    steps["tantivy index"] = sec
    return folder, False


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--backend", choices=("fts5", "tantivy", "both"), default="both")
    ap.add_argument("--queries", type=int, default=70, help="distinct queries (×2: with filter)")
    ap.add_argument("--repeat", type=int, default=2, help="timed passes over the queries")
    ap.add_argument("--variants", action="store_true", help="also time the parts and proposals")
    ap.add_argument("--budget", type=float, default=240.0, help="seconds per shape and user")
    ap.add_argument("--target", type=float, default=50.0, help="p95 in ms shown for comparison")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="tantivy indexing")
    ap.add_argument("--rebuild", action="store_true", help="ignore the cached database")
    ap.add_argument(
        "--semantic",
        action="store_true",
        help="store a vector per passage and also time hybrid (keyword + semantic) search",
    )
    ap.add_argument(
        "--only", default="", help="comma-separated words: time only shapes whose name has one"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON line instead of tables")
    args = ap.parse_args()
    console = Console(stderr=args.json, width=150)
    only = [w.strip() for w in args.only.split(",") if w.strip()]

    def wanted(shape: str) -> bool:
        return not only or any(w in shape for w in only)

    db, steps, cached = prepare_data(args, console)
    if args.semantic:
        marker = db.parent / "vectors.json"
        if not marker.exists():
            marker.write_text(json.dumps({"seconds": build_vectors(db, args.seed)}))
        steps["passage vectors (for --semantic)"] = json.loads(marker.read_text())["seconds"]
    sizes = {"SQLite database (with FTS5)": _size(db)}
    tantivy_dir = None
    if args.backend in ("tantivy", "both") and args.variants:
        tantivy_dir, t_cached = ensure_tantivy(db, steps, args.threads)
        sizes["tantivy index"] = _size(tantivy_dir)
        cached = cached and t_cached
    per_type = max(1, args.queries // len(QUERY_TYPES))
    cases = make_cases(db, per_type, args.seed)

    factory = make_sessionmaker(make_engine(f"sqlite:///{db}"))
    series: list[Series] = []
    info: dict[str, Any] = {}
    half: dict[str, Any] = {}
    keyword_index: Any = None
    drop_proposed_index(db)  # left behind by an interrupted run, the baseline would be wrong
    with factory() as session:
        if args.semantic:
            info = prepare_semantic(session, steps)
        if args.backend in ("fts5", "both"):
            f = Fts5Shapes(session)
            shapes: list[tuple[str, Runner]] = [("fts5 search.search (today, keyword)", f.today)]
            if args.semantic and HAS_SEMANTIC:
                shapes.append(("fts5 search.search (today, hybrid)", f.hybrid))
            if args.variants:
                shapes += [
                    ("fts5 page only (today's SQL)", f.page_today),
                    ("fts5 count only (today's SQL)", f.count_today),
                    ("fts5 facets only (today's SQL)", f.facets_today),
                ]
            for name, runner in shapes:
                if wanted(name):
                    who = _who(name)
                    series += measure(name, runner, cases, args.repeat, args.budget, console, who)
            if args.variants:
                session.commit()
                seconds = create_proposed_index(db)
                steps["proposed index (variants only, dropped after)"] = seconds
                try:
                    shapes = [
                        ("fts5 + mentions(passage_id) index: search.search", f.today),
                        ("fts5 + index: facets only", f.facets_today),
                        ("fts5 + index: page, rank in subquery, 20 snippets", f.page_proposed),
                        ("fts5 + index: page, FTS5-only top 200 then restrict", f.page_fts_first),
                        (f"fts5 + index: count capped at {f.CAP}", f.count_capped),
                        (f"fts5 + index: facets over best {f.SAMPLE}", f.facets_sampled),
                        ("fts5 + index: proposed (page + capped count + facets)", f.proposed),
                    ]
                    for name, runner in filter(lambda sr: wanted(sr[0]), shapes):
                        who = _who(name)
                        series += measure(
                            name, runner, cases, args.repeat, args.budget, console, who
                        )
                finally:
                    session.commit()
                    drop_proposed_index(db)
        if args.backend in ("tantivy", "both"):
            keyword_index = ensure_index(db, session, steps)
            idx = IndexedShapes(session, keyword_index)
            sizes["tantivy index (horizon.index)"] = _size(db.parent / "search-index")
            shapes = [("tantivy search.search (keyword)", idx.keyword)]
            if args.semantic:
                shapes.append(("tantivy search.search (hybrid)", idx.hybrid))
            for name, runner in shapes:
                if wanted(name):
                    series += measure(name, runner, cases, args.repeat, args.budget, console)
        if tantivy_dir is not None:
            tv = TantivyEngine(tantivy_dir, session)
            for name, with_facets in (
                ("tantivy page + count", False),
                ("tantivy page + count + facets", True),
            ):
                if wanted(name):
                    runner = _tantivy_runner(tv, with_facets)
                    series += measure(name, runner, cases, args.repeat, args.budget, console)
        if args.semantic and wanted("semantic half"):
            half = semantic_half(session, cases, console, keyword_index)

    line = summary_line(args.passages, series, info, half)
    if args.json:
        print(
            json.dumps(
                {
                    "passages": args.passages,
                    "cpus": os.cpu_count(),
                    "build_seconds": steps,
                    "sizes_bytes": sizes,
                    "queries": [
                        {"kind": c.kind, "query": c.query, "filter": c.filter_name} for c in cases
                    ],
                    "target_p95_ms": args.target,
                    "results": [s.summary() for s in series],
                    "agreement": agreement(series),
                    "load_average": os.getloadavg(),
                    "semantic_index": info,
                    "semantic_half": half,
                    "summary": line,
                }
            )
        )
        return
    console.print(build_table(args.passages, steps, sizes, cached))
    console.print(workload_table(cases, series, args.passages))
    console.print(latency_table(args.passages, series, args.target))
    console.print(kinds_table(args.passages, series, "low (RESTRICTED)"))
    if agrees := agreement(series):
        console.print(agrees)
    if half:
        console.print(semantic_table(args.passages, info, half))
    load = os.getloadavg()
    console.print(
        f"[dim]{len(cases)} searches per pass ({per_type} per kind, each without and with a "
        f"filter), {args.repeat} passes; {os.cpu_count()} CPUs; load average {load[0]:.1f}[/dim]"
    )
    print(json.dumps(line))


if __name__ == "__main__":
    main()
