"""Full-text search over passages: BM25 with tantivy or FTS5 on SQLite, ts_rank on PostgreSQL.

Every hit cites its document, passage and character offsets. Every list, count and facet is
built from one restricted query over passages, so a user never learns of a passage above
their clearance, not even through a facet count.

With a keyword index (``horizon.index``, tantivy) the best ``CANDIDATES`` matches and the
count come from it, the marking and the filters inside its query; their ids are then checked
again in SQL through ``restrict()`` and the filters, and only those kept are shown or counted
in facets: the index proposes, the database disposes. Without one (or when it cannot be made
current this instant) the same answers come from FTS5 / PostgreSQL.

Query syntax: words (all must occur), ``"a phrase"``, ``prefix*``, ``OR`` between terms,
``-word`` to exclude. Accents are ignored on SQLite. A word also finds its other forms
(``horizon.wordforms``: ``drone`` finds ``drones``, ``cyber`` finds ``cyberattaque``).

Nothing shown depends on passages the reader may not see: the candidates are the newest
``CANDIDATES`` restricted matches (not the best by an engine's corpus-wide statistics), each
is scored from its own text (``wordforms.score``), and totals and facets count restricted
matches only. When more than ``CANDIDATES`` passages match, the newest of them are ranked
(``facets_exact`` is then False).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    not_,
    select,
    table,
)
from sqlalchemy.orm import Session, aliased

from grandstrategy.core import readlog
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import plainsql, wordforms
from grandstrategy.horizon import semantic as semantic_search
from grandstrategy.horizon.index import KeywordIndex
from grandstrategy.horizon.models import Document, Label, Mention, Passage, Source
from grandstrategy.horizon.query import Term, parse, to_fts5, to_tsquery
from grandstrategy.horizon.search_results import Filters as Filters
from grandstrategy.horizon.search_results import Hit as Hit
from grandstrategy.horizon.search_results import Result as Result
from grandstrategy.horizon.search_sql import among, among_ids, ids_value, statement

_Ts = TypeVarTuple("_Ts")
START, STOP = "\x02", "\x03"
FUSION_DEPTH = 100  # keyword hits considered when fusing with semantic ones
MEANING_ONLY_MIN = 0.22  # cosine a passage needs when only its meaning matches the query
CANDIDATES = 500  # newest keyword matches ranked per query: the page and the facets
COUNT_CAP = 10_000  # matches counted at most; beyond, the total reads "10,000+"


def _filtered(q: Select[*_Ts], filters: Filters, bound: bool = False) -> Select[*_Ts]:
    """The filters as correlated EXISTS: checked per matching passage through an index, rather
    than materialising every passage of a category or actor first. ``bound``: each value a
    parameter named as ``_filter_values`` names it, so that one statement serves every value."""

    def value(name: str) -> Any:
        given = getattr(filters, name)
        return bindparam(f"filter_{name}", given) if bound else given

    if filters.category:
        q = q.where(
            exists().where(Label.passage_id == Passage.id, Label.category == value("category"))
        )
    if filters.actor:
        q = q.where(
            exists().where(Mention.passage_id == Passage.id, Mention.entity_id == value("actor"))
        )
    if filters.language:
        q = q.where(Passage.language == value("language"))
    if filters.source or filters.since or filters.until:
        docs = exists().where(Document.id == Passage.document_id)
        if filters.source:
            docs = docs.where(
                exists().where(Source.id == Document.source_id, Source.name == value("source"))
            )
        if filters.since:
            docs = docs.where(Document.published >= value("since"))
        if filters.until:
            docs = docs.where(Document.published <= value("until"))
        q = q.where(docs)
    return q


def _filter_values(filters: Filters) -> dict[str, Any]:
    """The parameters of a statement made by ``_filtered(..., bound=True)``."""
    return {f"filter_{name}": v for name, v in filters.__dict__.items() if v}


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


def search(
    session: Session,
    *,
    user: Principal,
    query: str,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
    semantic: bool = True,
    index: KeywordIndex | None = None,
) -> Result:
    """Ranked passages with snippets, the total, and facets, all within the user's clearance.

    One restricted, filtered query gives the newest ``CANDIDATES`` keyword matches, each
    scored from its own text (``wordforms.score``): the page is the best of them, snippets
    are made for the page alone, and the facets count over all of them (every match when
    there are fewer, else the newest ``CANDIDATES``: ``facets_exact`` says which).
    The total is exact up to ``COUNT_CAP`` and reads "at least" beyond (``total_exact``).
    With ``semantic`` and passage vectors stored, the keyword ranking is fused with the
    ``semantic.NEAREST`` passages closest in meaning (reciprocal rank fusion, see
    ``horizon.semantic``); the total and the facets count those not among the keyword
    matches too. ``index``: the keyword index to rank with (see ``horizon.index``); None
    ranks with FTS5 / PostgreSQL.
    """
    require(user, "horizon.read")
    t0 = time.perf_counter()
    filters = filters or Filters()
    filters.check()
    terms = parse(query)
    depth = max(CANDIDATES, offset + limit)
    # "a phrase" or prefix*: the user spelled out what matches, the meaning adds nothing
    exact = all(t.quoted or t.prefix for t in terms if not t.negated)
    started = (  # the query encoded and scanned while the keyword half runs
        semantic_search.start(session, _meaning(terms), user, filters.language)
        if semantic and not exact
        else None
    )
    tq: Any = None
    if index is not None and index.sync(session):
        tq = index.restricted(user, index.text_query(terms, index.visible(user, filters)), filters)
        found, total, total_exact, complete = _by_index(
            session, index, user, tq, filters, depth, terms
        )
    else:
        ids, total, total_exact, complete = _by_sql(session, user, terms, filters, depth)
        found = _rows(session, ids)
    ranked = _ranked(session, terms, found, index if tq is not None else None)
    rank_of = {pid: r for pid, r in ranked}
    kw_index = index if tq is not None else None
    close = _semantic(session, user, terms, filters, started, kw_index) if started else []
    # A passage found by meaning alone must be close enough to count: among a few passages,
    # the nearest to a name the archive never mentions is still "nearest".
    close = [(pid, cos) for pid, cos in close if pid in rank_of or cos >= MEANING_ONLY_MIN]
    extra: list[int] = []
    if close:
        cosine = dict(close)
        extra = [pid for pid, _ in close if pid not in rank_of]
        if extra and not complete:  # a keyword match beyond the candidates is no extra
            if tq is not None and index is not None:
                also = index.matching(tq, extra)
            else:
                base, _rank, _snippet = _base(session, user, terms, filters)
                also = set(session.execute(base.where(Passage.id.in_(extra))).scalars())
            extra = [pid for pid in extra if pid not in also]
        total += len(extra)
        keyword = [pid for pid, _ in ranked[: max(FUSION_DEPTH, offset + limit)]]
        fused = semantic_search.fuse(keyword, [pid for pid, _ in close])
        page = [(pid, -score, cosine.get(pid)) for pid, score in fused[offset : offset + limit]]
    else:
        page = [(pid, r, None) for pid, r in ranked[offset : offset + limit]]
    hits = _hits(session, terms, page, kw_index)
    facets = _facets(session, [*rank_of, *extra], found)
    marking = Marking()
    for h in hits:
        marking = marking.join(Marking.parse(h.marking))
    took = (time.perf_counter() - t0) * 1000
    return Result(
        query,
        total,
        hits,
        facets,
        took,
        marking,
        total_exact=total_exact,
        facets_exact=complete,
        facets_over=len(rank_of) + len(extra),
        backend="tantivy" if tq is not None else "fts",
    )


def _by_sql(
    session: Session, user: Principal, terms: list[Term], filters: Filters, depth: int
) -> tuple[list[int], int, bool, bool]:
    """(newest ``depth`` matching ids, total, total exact, every match found) from FTS5 or
    PostgreSQL: one restricted, filtered query, and a capped count beyond it."""
    base, _rank, _snippet = _base(session, user, terms, filters)
    newest = base.order_by(Passage.id.desc()).limit(depth)
    found = [int(i) for i in session.execute(newest).scalars()]
    if len(found) < depth:
        return found, len(found), True, True
    counted = session.execute(
        select(func.count()).select_from(base.limit(COUNT_CAP + 1).subquery())
    ).scalar_one()
    return found, min(int(counted), COUNT_CAP), counted <= COUNT_CAP, False


def _by_index(
    session: Session,
    index: KeywordIndex,
    user: Principal,
    tq: Any,
    filters: Filters,
    depth: int,
    terms: list[Term],
) -> tuple[list[Candidate], int, bool, bool]:
    """The same from the keyword index, each candidate checked again in SQL: a passage the
    database does not show this user (or that does not pass the filters) is dropped, and
    not counted. The index's own count is used only beyond the candidates. The check reads
    what ranking and facets need of each candidate kept, in the same query: not its text,
    whose words the index stores (``horizon.wordstore``)."""
    # counted exactly up to what the total can show: past COUNT_CAP + depth matches, more
    # than COUNT_CAP remain whichever of the candidates the check drops; one search over
    # every id when the words' counts say there cannot be that many
    enough: int | None = COUNT_CAP + depth
    if index.most(terms) <= COUNT_CAP + depth:
        enough = None
    proposed, count = index.newest(tq, depth, enough)
    kept: dict[int, Candidate] = {}
    if proposed:
        q = _recheck(session, user, filters)
        params = {"ids": ids_value(session, proposed), **_filter_values(filters)}
        rows = plainsql.rows(session, q, params)
        kept = {r[0]: Candidate(*r) for r in rows}
    found = [kept[pid] for pid in proposed if pid in kept]
    complete = count <= len(proposed)
    if complete:
        return found, len(found), True, True
    total = count - (len(proposed) - len(found))
    return found, min(total, COUNT_CAP), total <= COUNT_CAP, False


class Candidate(NamedTuple):
    """What ranking and facets read of a keyword match (a tuple: 500 are made per search)."""

    pid: int
    text: str | None  # None: not read, the keyword index's word store ranks it
    language: str
    source: int  # the id of its document's source


_DOC = aliased(Document)  # made once: making an alias costs a couple of milliseconds


def _candidates(text: bool = True) -> Any:
    """The columns of a ``Candidate``; the document aliased, so that the filters' own
    conditions on documents (``_filtered``) stay correlated to the passage."""
    body = Passage.text if text else literal_column("NULL")
    return (
        select(Passage.id, body, Passage.language, _DOC.source_id)
        .select_from(Passage)
        .join(_DOC, _DOC.id == Passage.document_id)
    )


def _candidate(row: Any) -> Candidate:
    return Candidate(*row)


def _rows(session: Session, ids: list[int]) -> list[Candidate]:
    """The candidates of ``ids`` (already restricted and filtered), in that order."""
    if not ids:
        return []
    q = _candidates().where(among(session, Passage.id, ids))
    by_id = {int(r[0]): _candidate(r) for r in session.execute(q)}
    return [by_id[pid] for pid in ids if pid in by_id]


def _recheck(session: Session, user: Principal, filters: Filters) -> Any:
    """The index's candidates that the user may see and that pass the filters, with what
    ranking and facets read (``_candidates``, without the text); one statement per set of
    filters given, their values parameters (``_filter_values``)."""
    dialect = session.get_bind().dialect.name
    shape = tuple(bool(v) for v in filters.__dict__.values())
    key = ("recheck", dialect, user.clearance, frozenset(user.compartments), shape)

    def build() -> Any:
        q = _candidates(text=False).where(among_ids(dialect, Passage.id))
        return _filtered(restrict(q, user, Passage), filters, bound=True)

    return statement(key, build)


def _ranked(
    session: Session, terms: list[Term], found: list[Candidate], index: KeywordIndex | None
) -> list[tuple[int, float]]:
    """(id, rank: lower is better) of the candidates, best first, each scored from its own
    text (or, the same, from its words as the keyword ``index`` stores them); equal scores go
    newest first."""
    if not found:
        return []
    scores: list[float | None] = [None] * len(found)
    if index is not None:
        scores = index.scores(terms, [(c.pid, c.language) for c in found])
    unscored = [i for i, sc in enumerate(scores) if sc is None]
    if unscored:
        texts = {c.pid: c.text for c in found if c.text is not None}
        lacking = [found[i].pid for i in unscored if found[i].pid not in texts]
        if lacking:
            q = select(Passage.id, Passage.text).where(among(session, Passage.id, lacking))
            texts.update((int(pid), str(text)) for pid, text in session.execute(q))
        rows = [(texts.get(found[i].pid, ""), found[i].language) for i in unscored]
        for i, sc in zip(unscored, wordforms.scores(terms, rows), strict=True):
            scores[i] = sc
    keys = sorted([(-(s or 0.0), -c.pid) for c, s in zip(found, scores, strict=True)])
    return [(-pid, rank) for rank, pid in keys]


def _semantic(
    session: Session,
    user: Principal,
    terms: list[Term],
    filters: Filters,
    started: semantic_search.Started,
    index: KeywordIndex | None = None,
) -> list[tuple[int, float]]:
    """Passages close in meaning to the query's positive terms, within clearance and filters
    (``started``: the query's encoding and scan, begun by ``semantic.start``)."""
    negated = [Term(t.words, t.prefix, quoted=t.quoted) for t in terms if t.negated]
    excluded = _excluded(session, terms) if index is None else None

    def passing(ids: list[int] | None, most: int | None = None) -> set[int] | None:
        """Those of ``ids`` (None: of every passage) the user may see that pass the filters;
        None when more than ``most`` do."""
        q = restrict(select(Passage.id), user, Passage)
        if ids is not None:
            q = q.where(among(session, Passage.id, ids))
        if excluded is not None:
            q = q.where(excluded)
        q = _filtered(q, filters)
        keep = set(session.execute(q if most is None else q.limit(most + 1)).scalars())
        if most is not None and len(keep) > most:
            return None
        if index is not None and negated and keep:
            visible = index.visible(user, filters)
            for t in negated:  # any one negated term excludes a passage
                keep -= index.matching(index.text_query([t], visible), sorted(keep))
        return keep

    def keep(ids: list[int]) -> set[int]:
        return passing(ids) or set()

    def every(n: int) -> list[int] | None:
        found = passing(None, n)
        return None if found is None else sorted(found)

    check = semantic_search.Check(user, keep, every, filters.language)
    return semantic_search.nearest(session, _meaning(terms), check, started=started)


def _meaning(terms: list[Term]) -> str:
    """The text whose meaning is searched: the query's positive terms."""
    return " ".join(" ".join(t.words) for t in terms if not t.negated)


def _excluded(session: Session, terms: list[Term]) -> ColumnElement[bool] | None:
    """A condition keeping passages that contain none of the query's negated terms (``-word``),
    so a passage the user excluded cannot come back through the semantic side either."""
    negated = [
        Term(t.words, t.prefix, negated=False, or_before=i > 0, quoted=t.quoted)
        for i, t in enumerate(t for t in terms if t.negated)
    ]
    if not negated:
        return None
    if session.get_bind().dialect.name == "sqlite":
        hits = select(FTS.c.rowid).where(
            literal_column("horizon_fts").op("MATCH")(bindparam("fts_negated", to_fts5(negated)))
        )
        return Passage.id.not_in(hits)
    tsq = func.to_tsquery("simple", to_tsquery(negated))
    return not_(func.to_tsvector("simple", Passage.text).bool_op("@@")(tsq))


def _hits(
    session: Session, terms: list[Term], rows: Sequence[Any], index: KeywordIndex | None = None
) -> list[Hit]:
    """The page's hits from (passage id, rank, cosine) rows, with plain-text snippets (their
    words taken from the keyword ``index`` where it stores them)."""
    if not rows:
        return []
    ids = [r[0] for r in rows]
    dialect = session.get_bind().dialect.name

    def page() -> Any:  # the columns, not the entities: 20 ORM objects cost a millisecond
        return (
            select(
                Passage.id,
                Passage.document_id,
                Passage.seq,
                Passage.start,
                Passage.end,
                Passage.text,
                Passage.language,
                Passage.marking_level,
                Passage.marking_compartments,
                Document.title,
                Document.published,
                Source.name,
            )
            .join(Document, Document.id == Passage.document_id)
            .join(Source, Source.id == Document.source_id)
            .where(among_ids(dialect, Passage.id))
        )

    def labels() -> Any:
        return (
            select(Label.passage_id, Label.category)
            .where(among_ids(dialect, Label.passage_id))
            .order_by(Label.score.desc())
        )

    param = {"ids": ids_value(session, ids)}
    found = {r.id: r for r in session.execute(statement(("page", dialect), page), param)}
    cats: dict[int, list[str]] = {}
    for pid, cat in plainsql.rows(session, statement(("labels", dialect), labels), param):
        cats.setdefault(pid, []).append(cat)
    out = []
    for pid, rank, cosine in rows:
        p = found[pid]
        marking = Marking.from_columns(p.marking_level, p.marking_compartments)
        readlog.note(session, Passage.__tablename__, pid, marking)  # read as columns, not ORM
        folded = index.words.words_of(pid) if index is not None else None
        extract = wordforms.snippet(terms, p.text, p.language, folded)
        matched = [extract.text[a:b].lower() for a, b in extract.matches]
        out.append(
            Hit(
                passage_id=p.id,
                document_id=p.document_id,
                document_title=p.title,
                seq=p.seq,
                start=p.start,
                end=p.end,
                score=-float(rank),
                snippet=extract.text,
                matched=list(dict.fromkeys(matched)),
                marking=str(marking),
                language=p.language,
                published=p.published,
                source=p.name,
                categories=cats.get(pid, []),
                cosine=cosine,
                matches=extract.matches,
                snippet_start=extract.start,
            )
        )
    return out


def _facets(
    session: Session, ids: list[int], known: Sequence[Candidate] = (), top: int = 12
) -> dict[str, list[tuple[str, int]]]:
    """Counts over the given passages only: ids that came out of the restricted, filtered
    match (and semantic) queries, so nothing above the user's clearance is ever counted.
    The language and source of those in ``known`` are taken from there."""
    empty: dict[str, list[tuple[str, int]]] = {
        "category": [],
        "actor": [],
        "language": [],
        "source": [],
    }
    if not ids:
        return empty
    dialect = session.get_bind().dialect.name

    def counted(value: Any, pid: Any) -> Any:
        return lambda: (
            select(value, func.count(func.distinct(pid)))
            .where(among_ids(dialect, pid))
            .group_by(value)
            .order_by(func.count().desc(), value)
            .limit(top)
        )

    specs = {
        "category": counted(Label.category, Label.passage_id),
        "actor": counted(Mention.entity_id, Mention.passage_id),
    }
    out = empty
    param = {"ids": ids_value(session, ids)}
    for name, build in specs.items():
        rows = plainsql.rows(session, statement(("facet", name, dialect, top), build), param)
        out[name] = [(str(v), int(c)) for v, c in rows]
    wanted = set(ids)
    pairs: list[tuple[str, int]] = [(c.language, c.source) for c in known if c.pid in wanted]
    rest = sorted(wanted - {c.pid for c in known})
    if rest:  # language and source in one pass: columns of the passage and its document
        q = (
            select(Passage.language, Document.source_id)
            .join(Document, Document.id == Passage.document_id)
            .where(among(session, Passage.id, rest))
        )
        pairs += [(str(lang), int(src)) for lang, src in session.execute(q)]
    sources = sorted({src for _lang, src in pairs})
    names = {
        int(i): str(n)
        for i, n in plainsql.rows(
            session,
            statement(
                ("sources", dialect),
                lambda: select(Source.id, Source.name).where(among_ids(dialect, Source.id)),
            ),
            {"ids": ids_value(session, sources)},
        )
    }
    for name, values in (
        ("language", Counter(lang for lang, _src in pairs)),
        ("source", Counter(names[src] for _lang, src in pairs)),
    ):
        out[name] = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return out
