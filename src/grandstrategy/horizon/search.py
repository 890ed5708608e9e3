"""Full-text search over passages: BM25 on SQLite (FTS5), ts_rank on PostgreSQL.

Every hit cites its document, passage and character offsets. Every list, count and facet is
built from one restricted query over passages, so a user never learns of a passage above
their clearance, not even through a facet count.

Query syntax: words (all must occur), ``"a phrase"``, ``prefix*``, ``OR`` between terms,
``-word`` to exclude. Accents are ignored on SQLite.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import semantic as semantic_search
from grandstrategy.horizon.models import Document, Label, Mention, Passage, Source

START, STOP = "\x02", "\x03"
TOKEN = re.compile(r'(-?)"([^"]+)"|\b(OR)\b|(-?)([\w][\w\'-]*\*?)', re.UNICODE)
MAX_QUERY = 500
FUSION_DEPTH = 100  # keyword hits considered when fusing with semantic ones


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False
    negated: bool = False
    or_before: bool = False


@dataclass
class Filters:
    category: str | None = None
    actor: str | None = None
    language: str | None = None
    source: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def describe(self) -> list[str]:
        return [f"{k} = {v}" for k, v in self.__dict__.items() if v]


@dataclass
class Hit:
    passage_id: int
    document_id: int
    document_title: str
    seq: int
    start: int
    end: int
    score: float
    snippet: str  # HTML-escaped, matches wrapped in <mark>
    matched: list[str]
    marking: str
    language: str
    published: dt.date | None
    source: str
    categories: list[str] = field(default_factory=list)
    cosine: float | None = None  # closeness in meaning to the query, when semantic search ran

    @property
    def citation(self) -> str:
        return f"doc {self.document_id} ¶{self.seq + 1} [{self.start}:{self.end}]"

    def why(self, filters: Filters) -> str:
        parts = []
        if self.matched:
            parts.append(f"matched {', '.join(repr(m) for m in self.matched)}")
        if self.cosine is not None:
            parts.append(f"close in meaning to the query (cosine {self.cosine:.2f})")
        if not parts:
            parts.append("matched the query")
        parts.append(f"relevance {self.score:.3f}")
        parts += filters.describe()
        return "; ".join(parts)


@dataclass
class Result:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    took_ms: float
    marking: Marking = field(default_factory=Marking)


def parse(query: str) -> list[Term]:
    """The user's query as terms; refuses queries with nothing to look for."""
    if len(query) > MAX_QUERY:
        raise Invalid(f"query too long ({len(query)} characters, at most {MAX_QUERY})")
    terms: list[Term] = []
    pending_or = False
    for m in TOKEN.finditer(query):
        if m.group(3):
            pending_or = bool(terms)
            continue
        neg = bool(m.group(1) or m.group(4))
        raw = m.group(2) if m.group(2) is not None else m.group(5)
        prefix = raw.endswith("*") and m.group(2) is None
        words = tuple(w.lower() for w in re.findall(r"\w+", raw.rstrip("*")))
        if not words:
            continue
        terms.append(Term(words, prefix, neg, pending_or and not neg))
        pending_or = False
    if not any(not t.negated for t in terms):
        raise Invalid("the query has no words to look for")
    return terms


def to_fts5(terms: list[Term]) -> str:
    out = ""
    for t in terms:
        expr = '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")
        if not out:
            out = expr
        elif t.negated:
            out = f"{out} NOT {expr}"
        else:
            out = f"{out} {'OR' if t.or_before else 'AND'} {expr}"
    return out


def to_tsquery(terms: list[Term]) -> str:
    out = ""
    for t in terms:
        parts = [f"'{w}'" for w in t.words]
        if t.prefix:
            parts[-1] += ":*"
        expr = "(" + " <-> ".join(parts) + ")"
        if not out:
            out = expr
        elif t.negated:
            out = f"{out} & !{expr}"
        else:
            out = f"{out} {'|' if t.or_before else '&'} {expr}"
    return out


def _filtered(q: Select[Any], filters: Filters) -> Select[Any]:
    if filters.category:
        q = q.where(
            Passage.id.in_(select(Label.passage_id).where(Label.category == filters.category))
        )
    if filters.actor:
        q = q.where(
            Passage.id.in_(select(Mention.passage_id).where(Mention.entity_id == filters.actor))
        )
    if filters.language:
        q = q.where(Passage.language == filters.language)
    if filters.source or filters.since or filters.until:
        docs = select(Document.id)
        if filters.source:
            docs = docs.join(Source, Source.id == Document.source_id).where(
                Source.name == filters.source
            )
        if filters.since:
            docs = docs.where(Document.published >= filters.since)
        if filters.until:
            docs = docs.where(Document.published <= filters.until)
        q = q.where(Passage.document_id.in_(docs))
    return q


FTS = table("horizon_fts", column("rowid"))


def _match(session: Session, terms: list[Term]) -> tuple[ColumnElement[bool], Any, Any, bool]:
    """(condition, rank expression (lower is better), snippet expression, needs the FTS join)."""
    if session.get_bind().dialect.name == "sqlite":
        name: Any = literal_column("horizon_fts")
        cond: ColumnElement[bool] = name.op("MATCH")(bindparam("fts_query", to_fts5(terms)))
        rank: Any = func.bm25(name)
        snippet: Any = func.snippet(name, 0, START, STOP, "…", 24)
        return cond, rank, snippet, True
    tsq = func.to_tsquery("simple", to_tsquery(terms))
    vec = func.to_tsvector("simple", Passage.text)
    cond = vec.op("@@")(tsq)
    rank = -func.ts_rank_cd(vec, tsq)
    opts = f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=15, MaxFragments=2"
    snippet = func.ts_headline("simple", Passage.text, tsq, opts)
    return cond, rank, snippet, False


def _base(session: Session, user: Principal, terms: list[Term], filters: Filters) -> Any:
    cond, rank, snippet, join = _match(session, terms)
    q = select(Passage.id).select_from(Passage)
    if join:
        q = q.join(FTS, FTS.c.rowid == Passage.id)
    q = restrict(q.where(cond), user, Passage)
    return _filtered(q, filters), rank, snippet


def _render_snippet(raw: str) -> tuple[str, list[str]]:
    matched = re.findall(f"{START}(.*?){STOP}", raw)
    escaped = html.escape(raw).replace(START, "<mark>").replace(STOP, "</mark>")
    return escaped, list(dict.fromkeys(m.lower() for m in matched))


def search(
    session: Session,
    *,
    user: Principal,
    query: str,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
    semantic: bool = True,
) -> Result:
    """Ranked passages with snippets, the total, and facets, all within the user's clearance.

    With ``semantic`` and passage vectors stored, the keyword ranking is fused with the
    passages closest in meaning (reciprocal rank fusion, see ``horizon.semantic``); the
    total and the facets count keyword matches plus the semantic hits not among them.
    """
    require(user, "horizon.read")
    t0 = time.perf_counter()
    filters = filters or Filters()
    terms = parse(query)
    base, rank, snippet = _base(session, user, terms, filters)
    close = _semantic(session, user, terms, filters) if semantic else []
    depth = limit + offset if not close else max(FUSION_DEPTH, limit + offset)
    ids_q = base.add_columns(rank.label("rank"), snippet.label("snip"))
    ids_q = ids_q.order_by(literal_column("rank"), Passage.id).limit(depth)
    keyword = session.execute(ids_q).all()
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    matched: Any = base
    if close:
        by_id = {r[0]: (r[0], r[1], r[2], None) for r in keyword}
        cosine = dict(close)
        fused = semantic_search.fuse([r[0] for r in keyword], [pid for pid, _ in close])
        extra = [pid for pid, _ in close if pid not in by_id]
        total += len(set(extra))
        rows: list[Any] = [
            (pid, -score, by_id[pid][2] if pid in by_id else None, cosine.get(pid))
            for pid, score in fused[offset : offset + limit]
        ]
        if extra:
            matched = base.union(select(Passage.id).where(Passage.id.in_(extra)))
    else:
        rows = [(r[0], r[1], r[2], None) for r in keyword[offset : offset + limit]]
    hits = _hits(session, rows)
    facets = _facets(session, matched.subquery())
    marking = Marking()
    for h in hits:
        marking = marking.join(Marking.parse(h.marking))
    took = (time.perf_counter() - t0) * 1000
    return Result(query, total, hits, facets, took, marking)


def _semantic(
    session: Session, user: Principal, terms: list[Term], filters: Filters
) -> list[tuple[int, float]]:
    """Passages close in meaning to the query's positive terms, within clearance and filters."""
    text = " ".join(" ".join(t.words) for t in terms if not t.negated)

    def visible(ids: list[int]) -> set[int]:
        q = restrict(select(Passage.id).where(Passage.id.in_(ids)), user, Passage)
        return set(session.execute(_filtered(q, filters)).scalars())

    return semantic_search.nearest(session, text, visible)


def _hits(session: Session, rows: Sequence[Any]) -> list[Hit]:
    if not rows:
        return []
    ids = [r[0] for r in rows]
    q = (
        select(Passage, Document.title, Document.published, Source.name)
        .join(Document, Document.id == Passage.document_id)
        .join(Source, Source.id == Document.source_id)
        .where(Passage.id.in_(ids))
    )
    found = {p.id: (p, title, pub, src) for p, title, pub, src in session.execute(q).all()}
    cats: dict[int, list[str]] = {}
    for pid, cat in session.execute(
        select(Label.passage_id, Label.category)
        .where(Label.passage_id.in_(ids))
        .order_by(Label.score.desc())
    ).all():
        cats.setdefault(pid, []).append(cat)
    out = []
    for pid, rank, snip, cosine in rows:
        p, title, pub, src = found[pid]
        snippet, matched = _render_snippet(snip or p.text[:300])
        out.append(
            Hit(
                passage_id=p.id,
                document_id=p.document_id,
                document_title=title,
                seq=p.seq,
                start=p.start,
                end=p.end,
                score=-float(rank),
                snippet=snippet,
                matched=matched,
                marking=str(p.marking),
                language=p.language,
                published=pub,
                source=src,
                categories=cats.get(pid, []),
                cosine=cosine,
            )
        )
    return out


def _facets(session: Session, matched: Any, top: int = 12) -> dict[str, list[tuple[str, int]]]:
    """Counts within the restricted, filtered match set only."""
    pid = matched.c.id
    specs: dict[str, Select[str, int]] = {
        "category": select(Label.category, func.count(func.distinct(Label.passage_id)))
        .where(Label.passage_id.in_(select(pid)))
        .group_by(Label.category),
        "actor": select(Mention.entity_id, func.count(func.distinct(Mention.passage_id)))
        .where(Mention.passage_id.in_(select(pid)))
        .group_by(Mention.entity_id),
        "language": select(Passage.language, func.count())
        .where(Passage.id.in_(select(pid)))
        .group_by(Passage.language),
        "source": select(Source.name, func.count())
        .select_from(Passage)
        .join(Document, Document.id == Passage.document_id)
        .join(Source, Source.id == Document.source_id)
        .where(Passage.id.in_(select(pid)))
        .group_by(Source.name),
    }
    out: dict[str, list[tuple[str, int]]] = {}
    for name, q in specs.items():
        rows = session.execute(q.order_by(func.count().desc()).limit(top)).all()
        out[name] = [(str(v), int(c)) for v, c in rows]
    return out
