"""The foresight service: documents, passages, labels and verdicts, statistics.

Adapters (CLI, API, pages) enter horizon through this module and ``schemas.py`` only. Its
last sections name the functions of the modules behind it: ingestion (``pipeline.py``),
search (``search.py``), training (``engine.py``), the rolling analysis, watchlists; like
them, every function here checks the action and reads through ``restrict``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, get_visible, require, restrict
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon.classify import engine
from grandstrategy.horizon.entities import default_finder
from grandstrategy.horizon.index import KeywordIndex
from grandstrategy.horizon.models import Document, Label, Mention, Passage, Source
from grandstrategy.horizon.taxonomy import load_taxonomy
from grandstrategy.horizon.verdicts import MAX_ID as MAX_ID
from grandstrategy.horizon.verdicts import VERDICTS as VERDICTS
from grandstrategy.horizon.verdicts import PassageWhy as PassageWhy
from grandstrategy.horizon.verdicts import ReviewItem as ReviewItem
from grandstrategy.horizon.verdicts import _check_id, _verdicts
from grandstrategy.horizon.verdicts import explain_passage as explain_passage
from grandstrategy.horizon.verdicts import give_verdict as give_verdict
from grandstrategy.horizon.verdicts import review_queue as review_queue
from grandstrategy.horizon.verdicts import why_passage as why_passage

LINK_SCHEMES = ("http", "https")  # an ingested URL with any other scheme is never a link


def safe_link(url: str) -> str:
    """``url`` when it may become a link (http or https), else "": a ``javascript:``,
    ``data:`` or ``vbscript:`` URL taken from an ingested document must never run."""
    cleaned = "".join(ch for ch in url.strip() if ch >= " " and ch != "\x7f")
    scheme, sep, _rest = cleaned.partition(":")
    if not sep or scheme.lower() not in LINK_SCHEMES:
        return ""
    return cleaned


@dataclass
class DocumentSummary:
    id: int
    title: str
    source: str
    published: dt.date | None
    language: str
    marking: str
    categories: list[tuple[str, float]]
    actors: list[tuple[str, str, int]]  # (entity id, name, count)
    ingested_at: dt.datetime


@dataclass
class PassageView:
    id: int
    seq: int
    start: int
    end: int
    text: str
    labels: list[dict[str, Any]]  # category, score, rule_score, model_prob, terms, verdict
    mentions: list[tuple[str, str, int, int]]  # entity id, name, start, end (passage offsets)


@dataclass
class DocumentView:
    summary: DocumentSummary
    url: str
    origin: str
    given_labels: list[str]
    passages: list[PassageView] = field(default_factory=list)

    @property
    def link(self) -> str:
        """The original's address when it is safe to link to (see ``safe_link``)."""
        return safe_link(self.url)


def _names() -> dict[str, str]:
    return {k: e.name for k, e in default_finder().entities().items()}


def _summary(doc: Document, source: str, names: dict[str, str]) -> DocumentSummary:
    cats = sorted(doc.categories.items(), key=lambda kv: -kv[1])
    return DocumentSummary(
        id=doc.id,
        title=doc.title,
        source=source,
        published=doc.published,
        language=doc.language,
        marking=str(doc.marking),
        categories=[(c, round(float(s), 3)) for c, s in cats],
        actors=[(str(a), names.get(str(a), str(a)), int(n)) for a, n in doc.actors[:8]],  # type: ignore[call-overload]
        ingested_at=doc.ingested_at,
    )


def list_documents(
    session: Session,
    *,
    user: Principal,
    category: str | None = None,
    actor: str | None = None,
    language: str | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[DocumentSummary], int]:
    """The inbox: newest first, with categories and actors; and the total."""
    require(user, "horizon.read")
    q = restrict(
        select(Document, Source.name).join(Source, Source.id == Document.source_id), user, Document
    )
    if category:
        q = q.where(Document.id.in_(select(Label.document_id).where(Label.category == category)))
    if actor:
        q = q.where(Document.id.in_(select(Mention.document_id).where(Mention.entity_id == actor)))
    if language:
        q = q.where(Document.language == language)
    if source:
        q = q.where(Source.name == source)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(q.order_by(Document.id.desc()).limit(limit).offset(offset)).all()
    names = _names()
    return [_summary(d, src, names) for d, src in rows], int(total)


def get_document(session: Session, *, user: Principal, doc_id: int) -> DocumentView:
    require(user, "horizon.read")
    doc = get_visible(session, user, Document, _check_id(doc_id, "document"), "document")
    audit.record_read(session, user, doc, "document", doc_id)
    src = session.get(Source, doc.source_id)
    names = _names()
    view = DocumentView(
        summary=_summary(doc, src.name if src else "", names),
        url=doc.url,
        origin=doc.origin,
        given_labels=list(doc.given_labels),
    )
    passages = list(
        session.execute(
            select(Passage).where(Passage.document_id == doc.id).order_by(Passage.seq)
        ).scalars()
    )
    labels: dict[int, list[Label]] = {}
    for lb in session.execute(select(Label).where(Label.document_id == doc.id)).scalars():
        labels.setdefault(lb.passage_id, []).append(lb)
    verdicts = _verdicts(session, [p.id for p in passages])
    mentions: dict[int, list[Mention]] = {}
    for m in session.execute(select(Mention).where(Mention.document_id == doc.id)).scalars():
        mentions.setdefault(m.passage_id, []).append(m)
    for p in passages:
        view.passages.append(
            PassageView(
                id=p.id,
                seq=p.seq,
                start=p.start,
                end=p.end,
                text=p.text,
                labels=[
                    {
                        "category": lb.category,
                        "score": round(lb.score, 3),
                        "rule_score": lb.rule_score,
                        "model_prob": lb.model_prob,
                        "terms": lb.terms,
                        "verdict": verdicts.get((p.id, lb.category)),
                    }
                    for lb in sorted(labels.get(p.id, []), key=lambda x: -x.score)
                ]
                + [
                    {
                        "category": c,
                        "score": None,
                        "rule_score": 0.0,
                        "model_prob": None,
                        "terms": [],
                        "verdict": v,
                    }
                    for (pid, c), v in verdicts.items()
                    if pid == p.id and c not in {lb.category for lb in labels.get(p.id, [])}
                ],
                mentions=[
                    (
                        m.entity_id,
                        names.get(m.entity_id, m.entity_id),
                        m.start - p.start,
                        m.end - p.start,
                    )
                    for m in mentions.get(p.id, [])
                ],
            )
        )
    return view


def stats(
    session: Session, *, user: Principal, index: KeywordIndex | None = None
) -> dict[str, Any]:
    """Counts the user may see: documents, passages, by language, category, source, actor;
    and which engine answers keyword searches (``index``: the keyword index, if any)."""
    require(user, "horizon.read")
    docs = restrict(select(Document.id, Document.language, Document.source_id), user, Document)
    sub = docs.subquery()
    n_docs = session.execute(select(func.count()).select_from(sub)).scalar_one()
    n_pass = session.execute(
        select(func.count()).select_from(restrict(select(Passage.id), user, Passage).subquery())
    ).scalar_one()
    by_lang = session.execute(select(sub.c.language, func.count()).group_by(sub.c.language)).all()
    by_cat = session.execute(
        select(Label.category, func.count(func.distinct(Label.document_id)))
        .where(Label.document_id.in_(select(sub.c.id)))
        .group_by(Label.category)
    ).all()
    by_src = session.execute(
        select(Source.name, func.count())
        .join(sub, sub.c.source_id == Source.id)
        .group_by(Source.name)
    ).all()
    names = _names()
    by_actor = session.execute(
        select(Mention.entity_id, func.count(func.distinct(Mention.document_id)))
        .where(Mention.document_id.in_(select(sub.c.id)))
        .group_by(Mention.entity_id)
        .order_by(func.count(func.distinct(Mention.document_id)).desc())
        .limit(15)
    ).all()
    mid = engine.latest_model_id(session)
    return {
        "documents": n_docs,
        "passages": n_pass,
        "languages": dict(sorted(by_lang, key=lambda r: -r[1])),
        "categories": dict(sorted(by_cat, key=lambda r: -r[1])),
        "sources": dict(sorted(by_src, key=lambda r: -r[1])),
        "actors": [(a, names.get(a, a), n) for a, n in by_actor],
        "model": mid,
        "search_backend": "tantivy" if index is not None else "fts",
    }


def reindex(session: Session, *, user: Principal, index: KeywordIndex) -> int:
    """Rebuild the keyword index from the database (the truth); the passages indexed."""
    require(user, "horizon.ingest")
    return index.rebuild(session)


def documents_marking(summaries: list[DocumentSummary]) -> Marking:
    m = Marking()
    for s in summaries:
        m = m.join(Marking.parse(s.marking))
    return m


def warm_up(factory: sessionmaker[Session], embeddings: bool = True) -> None:
    """Load what the first searches after a start would otherwise load while users wait:
    the taxonomy, the sentence encoder and the stored passage vectors (with the inverted
    file trained over them). ``serve`` runs it in a thread at start."""
    from grandstrategy.horizon import embed, semantic

    load_taxonomy()
    if embeddings and embed.available():
        embed.encoder()
        with factory() as session:
            semantic.query_vector("warm-up")
            semantic.warm(session)


def require_document(session: Session, user: Principal, doc_id: int) -> Document:
    doc = session.get(Document, _check_id(doc_id, "document"))
    if doc is None or not user.can_read(doc.marking):
        raise NotFound(_("document {id} not found").format(id=doc_id))
    return doc


def export_stix(
    session: Session,
    *,
    user: Principal,
    since: dt.date | None = None,
    category: str | None = None,
    limit: int = 10_000,
    producer: str = "grandstrategy",
) -> tuple[dict[str, Any], Marking]:
    """A STIX 2.1 bundle of the documents the user may see (newest first, at most ``limit``),
    and the highest marking in it: the file carries that marking."""
    from grandstrategy.horizon import stix

    require(user, "horizon.read")
    if category is not None and category not in load_taxonomy().ids():
        raise Invalid(_("unknown category {name!r}; see 'horizon taxonomy'").format(name=category))
    if not 1 <= limit <= 100_000:
        raise Invalid(_("limit: between 1 and 100000 documents"))
    q = restrict(
        select(Document, Source.name).join(Source, Source.id == Document.source_id), user, Document
    )
    if since is not None:
        q = q.where(func.coalesce(Document.published, func.date(Document.ingested_at)) >= since)
    if category:
        q = q.where(Document.id.in_(select(Label.document_id).where(Label.category == category)))
    rows = session.execute(q.order_by(Document.id.desc()).limit(limit)).all()
    entities = default_finder().entities()
    reports = []
    marking = Marking()
    for doc, source_name in rows:
        marking = marking.join(doc.marking)
        actors = tuple(
            (str(a), entities[str(a)].name, entities[str(a)].kind)
            for a, _n in doc.actors
            if str(a) in entities
        )
        reports.append(
            stix.ReportInput(
                id=doc.id,
                title=doc.title,
                published=doc.published,
                ingested_at=doc.ingested_at,
                url=safe_link(doc.url),
                language=doc.language,
                source=source_name,
                marking=doc.marking,
                categories=tuple(sorted(doc.categories)),
                actors=actors,
            )
        )
    audit.record(
        session,
        actor=user,
        action="horizon.export",
        object_type="stix-bundle",
        object_id="",
        marking=marking,
        after={"documents": len(reports), "since": str(since or ""), "category": category or ""},
    )
    return stix.bundle(reports, producer=producer), marking


# Watchlists tied to the strategy (watch_service.py, watch_reviews.py), entered through here.
from grandstrategy.horizon import vectors as _vectors  # noqa: E402
from grandstrategy.horizon.vectors import background_vectors as background_vectors  # noqa: E402
from grandstrategy.horizon.watch_reviews import close_review as close_review  # noqa: E402
from grandstrategy.horizon.watch_reviews import list_reviews as list_reviews  # noqa: E402
from grandstrategy.horizon.watch_service import get_watch as get_watch  # noqa: E402
from grandstrategy.horizon.watch_service import list_watches as list_watches  # noqa: E402
from grandstrategy.horizon.watch_service import passage_trace as passage_trace  # noqa: E402
from grandstrategy.horizon.watch_service import set_watch as set_watch  # noqa: E402
from grandstrategy.horizon.watch_service import threat_signals as threat_signals  # noqa: E402

# The semantic-vector queue (vectors.py), entered through here.
VectorWorker = _vectors.Worker
fill_vectors = _vectors.catch_up
vector_status = _vectors.status

# The rolling analysis, entered through here: the CLI, the API and the pages of stories,
# trends, alerts, briefs, assessments and partners call only these names.
from grandstrategy.horizon import alerts as _alerts  # noqa: E402
from grandstrategy.horizon import assessments as _assessments  # noqa: E402
from grandstrategy.horizon import brief as _brief  # noqa: E402
from grandstrategy.horizon import brief_service as _brief_service  # noqa: E402
from grandstrategy.horizon import index as _index  # noqa: E402
from grandstrategy.horizon import partners as _partners  # noqa: E402
from grandstrategy.horizon import story_service as _story_service  # noqa: E402
from grandstrategy.horizon import trend_service as _trend_service  # noqa: E402

# Stories (story_service.py): reports of one event counted once.
list_stories = _story_service.list_stories
get_story = _story_service.get_story

# Trends (trend_service.py): story counts per key and period, with their bursts.
TREND_BY = _trend_service.BY
TREND_INTERVALS = _trend_service.INTERVALS
trend_series = _trend_service.trend_series

# Alerts (alerts.py): found as documents arrive; acknowledged or dismissed with a reason.
list_alerts = _alerts.list_alerts
act_on_alert = _alerts.act_on_alert

# Briefs (brief_service.py composes and freezes; brief.py writes the formats).
BRIEF_FORMATS = _brief_service.FORMATS
build_brief = _brief_service.build
list_briefs = _brief_service.list_briefs
get_brief = _brief_service.get_brief
brief_markdown = _brief.to_markdown
brief_pdf = _brief.to_pdf
brief_docx = _brief.to_docx
cite = _brief.cite
alert_kind_label = _brief.kind_label

# Assessments issued by others (assessments.py).
add_assessment = _assessments.add_assessment
list_assessments = _assessments.list_assessments
assessments_by_threat = _assessments.by_threat

# Partners' strategies compared (partners.py).
compare_partners = _partners.compare
region_labels = _partners.region_labels

# The keyword index of a deployment's settings (index.py): None where FTS answers.
keyword_index_for = _index.for_settings

# Ingestion, search, training and the review queue, entered through here: the CLI, the API
# and the pages of documents, search, labels and taxonomy call only these names.
from grandstrategy.horizon import pipeline as _pipeline  # noqa: E402
from grandstrategy.horizon import search as _search  # noqa: E402
from grandstrategy.horizon.classify import evaluate as _evaluate  # noqa: E402
from grandstrategy.horizon.ingest import readers as _readers  # noqa: E402
from grandstrategy.horizon.ingest import workers as _workers  # noqa: E402

# Ingestion (pipeline.py stores; ingest/readers.py reads files, folders, feeds and uploads).
INGEST_FORMATS = _readers.FORMATS
IngestReport = _pipeline.IngestReport
ingest = _pipeline.ingest
auto_workers = _workers.auto_workers


def read_inputs(
    paths: Iterable[str], *, fmt: str = "auto", max_bytes: int = _readers.DEFAULT_MAX_BYTES
) -> Iterator[_readers.RawDocument | _readers.ReadFailure]:
    """What ``paths`` hold, read lazily: a feed address (http or https) is fetched, anything
    else is a file or folder (``fmt``: one of ``INGEST_FORMATS``)."""
    for p in paths:
        if re.match(r"(?i)https?://", p):
            yield from _readers.read_feed_url(p, max_bytes=max_bytes)
        else:
            yield from _readers.read_path(Path(p), fmt=fmt, max_bytes=max_bytes)


def ingest_upload(
    factory: sessionmaker[Session],
    *,
    user: Principal,
    settings: Any,
    name: str,
    data: bytes,
    fmt: str = "auto",
    source: str = "upload",
    marking: str | None = None,
) -> _pipeline.IngestReport:
    """Read one uploaded file (any supported format) and ingest what it holds, the way the
    deployment's ``settings`` say (sentence encoder, vectors in the background or now).
    Blocks (reading a PDF, classifying): a web adapter runs it off the event loop."""
    items = list(_readers.read_bytes(name, data, fmt=fmt, max_bytes=settings.max_upload_bytes))
    return _pipeline.ingest(
        factory,
        user=user,
        items=items,
        source=source,
        marking=marking,
        use_embeddings=None if settings.embeddings else False,
        wait_vectors=not background_vectors(settings),
    )


# Search (search.py): keyword, phrase and similar-meaning, within the reader's clearance.
SearchFilters = _search.Filters
search = _search.search

# The classifier (engine.py trains and scores; evaluate.py writes the score as text).
train = engine.train
evaluate_file = engine.evaluate_file
evaluation_text = _evaluate.format_report
