"""Stories in the database: documents assigned as they arrive, and read back per reader.

Assignment (called by ingestion once documents are stored) follows one rule that keeps
stories from leaking across markings: a document is compared only with members, and may
join only stories, at or below its own marking. So whether two documents a reader can see
share a story never depends on a document the reader cannot see; a document above their
clearance can join a story they see, but they do not see it there, and the story's dates,
size, sources and languages are computed from the members they may read.

Merges need the bridging document to be readable by everyone who sees both stories, and
splits are decided on the members at the story's own marking only, for the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import NotFound
from grandstrategy.core.markings import Marking, combine
from grandstrategy.horizon import embed, story_assign, vectors
from grandstrategy.horizon import stories as pure
from grandstrategy.horizon.analysis_models import Story, StoryEvent, StoryMember
from grandstrategy.horizon.models import Document, Passage, PassageVector, Source

PARTNER_SOURCES = "partner:%"  # partners' strategy texts (partners.py): not news, no story
FADE_DAYS = 14  # a story with no report for this long (against the newest seen) has faded


def reader_at(marking: Marking) -> Principal:
    """A principal who sees exactly what is at or below ``marking`` (for internal queries)."""
    return Principal(
        username="system:stories",
        role="admin",
        clearance=marking.level,
        compartments=marking.compartments,
    )


def _stored_vectors(session: Session, document_ids: list[int]) -> dict[int, np.ndarray]:
    """Document id -> the normalised mean of its opening passages' stored vectors."""
    rows = session.execute(
        select(Passage.document_id, PassageVector.vector)
        .join(PassageVector, PassageVector.passage_id == Passage.id)
        .where(Passage.document_id.in_(document_ids), Passage.start < pure.HEAD_CHARS)
    ).all()
    sums: dict[int, np.ndarray] = {}
    for doc_id, blob in rows:
        vec = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        if vec.shape != (embed.DIM,):
            continue  # written by another encoder: encode the document instead
        sums[int(doc_id)] = sums.get(int(doc_id), 0.0) + vec
    return {d: embed.normalise(v.reshape(1, -1))[0] for d, v in sums.items() if np.any(v)}


def assign(
    session: Session,
    *,
    document_ids: list[int],
    use_encoder: bool | None = None,
    features: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
    kept: story_assign.Kept | None = None,
) -> list[int]:
    """Put newly stored documents into stories (in publication order); the stories touched.

    Part of ingestion: the caller has checked ``horizon.ingest``. Idempotent: a document
    already in a story is left where it is. ``features``: ``stories.features`` of documents'
    title and opening, computed already (when they were prepared); ``kept``: the stories in
    memory from the batch's previous chunk (``story_assign.Kept``)."""
    if not document_ids:
        return []
    if use_encoder is None:
        use_encoder = vectors.in_use(session)
    features = features or {}
    known = set(
        session.execute(
            select(StoryMember.document_id).where(StoryMember.document_id.in_(document_ids))
        ).scalars()
    )
    docs = [
        d
        for d in session.execute(
            select(
                Document.id,
                Document.title,
                func.substr(Document.text, 1, pure.HEAD_CHARS),
                Document.published,
                Document.ingested_at,
                Document.marking_level,
                Document.marking_compartments,
                Document.actors,
                Document.categories,
            ).where(Document.id.in_(document_ids), _not_partner())
        ).all()
        if d[0] not in known
    ]
    docs.sort(key=lambda d: (d[3] or d[4].date(), d[0]))
    stored = _stored_vectors(session, [d[0] for d in docs]) if use_encoder else {}
    arrivals = []
    for doc_id, title, head, published, ingested_at, level, comps, actors, cats in docs:
        vector = stored.get(doc_id) if use_encoder else None
        if use_encoder and vector is None:
            continue  # its passages wait for their vectors: the vector job groups it
        known_features = features.get(doc_id)
        if known_features is not None:
            signature, chars = known_features
        elif use_encoder:
            signature, chars = pure.signature(pure.head_text(title, head)), None
        else:
            signature, chars = pure.features(pure.head_text(title, head))
        vector = vector if use_encoder else chars
        assert vector is not None
        arrivals.append(
            story_assign.Arrival(
                document_id=doc_id,
                published=published or ingested_at.date(),
                marking=Marking.from_columns(level, comps),
                vector=np.asarray(vector, dtype=np.float32),
                signature=signature,
                actors=frozenset(str(a[0]) for a in actors),
                categories=[c for c in cats if c != "none"],
            )
        )
    return story_assign.assign_all(session, arrivals, kept)


def unassigned(
    session: Session, *, limit: int = 2000, use_encoder: bool | None = None
) -> list[int]:
    """Stored documents in no story yet: a batch killed between storing a chunk and
    assigning it, or documents stored before stories existed (oldest first). With the
    encoder, only those whose vectors are in (the others are not ready)."""
    q = select(Document.id).where(
        ~select(StoryMember.id).where(StoryMember.document_id == Document.id).exists(),
        _not_partner(),
    )
    if vectors.in_use(session) if use_encoder is None else use_encoder:
        q = q.where(
            select(Passage.id)
            .join(PassageVector, PassageVector.passage_id == Passage.id)
            .where(Passage.document_id == Document.id)
            .exists()
        )
    q = q.order_by(Document.id).limit(limit)
    return [int(i) for i in session.execute(q).scalars()]


def _not_partner() -> Any:
    """Documents that are not a partner's strategy text: a strategy is not an event, and
    seven partners' strategies would otherwise make one "story" counted in the trends."""
    return ~(
        select(Source.id)
        .where(Source.id == Document.source_id, Source.name.like(PARTNER_SOURCES))
        .exists()
    )


def _date(doc: Document) -> dt.date:
    return doc.published or doc.ingested_at.date()


# --- reading -----------------------------------------------------------------------------


@dataclass
class StoryMemberView:
    document_id: int
    title: str
    source: str
    language: str
    published: dt.date
    how: str
    similarity: float
    marking: str


@dataclass
class StorySummary:
    id: int
    title: str
    first: dt.date
    last: dt.date
    size: int
    sources: int
    languages: list[str]
    categories: list[str]
    actors: list[str]
    status: str  # active, faded
    marking: str


@dataclass
class StoryView:
    summary: StorySummary
    members: list[StoryMemberView]
    lineage: list[dict[str, Any]] = field(default_factory=list)


class _Member(NamedTuple):
    """What summaries and a story's page show of one member, read as a plain row."""

    story_id: int
    published: dt.date
    how: str
    similarity: float
    categories: list[str]
    actors: list[str]
    marking_level: int
    marking_compartments: str
    document_id: int
    title: str
    language: str
    source: str

    @property
    def marking(self) -> Marking:
        return Marking.from_columns(self.marking_level, self.marking_compartments)


def _members_query(user: Principal) -> Any:
    """The active stories' members ``user`` may read, with their document and source."""
    return restrict(
        select(
            StoryMember.story_id,
            StoryMember.published,
            StoryMember.how,
            StoryMember.similarity,
            StoryMember.categories,
            StoryMember.actors,
            StoryMember.marking_level,
            StoryMember.marking_compartments,
            Document.id,
            Document.title,
            Document.language,
            Source.name,
        )
        .join(Document, Document.id == StoryMember.document_id)
        .join(Source, Source.id == Document.source_id)
        .join(Story, Story.id == StoryMember.story_id)
        .where(Story.status == "active"),
        user,
        StoryMember,
    )


def _visible(
    session: Session, user: Principal, story_ids: list[int] | None = None
) -> dict[int, list[_Member]]:
    """The members ``user`` may read, by story, in publication order. Plain rows, not ORM
    objects: summaries read every member of the archive (the alerts after each ingested
    batch, the stories and trends pages), and building an object per member cost most of
    that time."""
    q = _members_query(user)
    if story_ids is not None:
        q = q.where(StoryMember.story_id.in_(story_ids))
    out: dict[int, list[_Member]] = {}
    for row in session.execute(q.order_by(StoryMember.published, StoryMember.id)):
        member = _Member(*row)
        out.setdefault(member.story_id, []).append(member)
    return out


def _newest(session: Session, user: Principal) -> dt.date:
    """The latest publication date among the members ``user`` may read (what "faded" is
    measured against)."""
    q = _members_query(user).with_only_columns(func.max(StoryMember.published))
    return session.execute(q).scalar() or dt.date.min


def _summary(sid: int, rows: list[_Member], newest: dt.date) -> StorySummary:
    first, last = rows[0].published, rows[-1].published
    cats: dict[str, int] = {}
    actors: dict[str, int] = {}
    for m in rows:
        for c in m.categories:
            cats[c] = cats.get(c, 0) + 1
        for a in m.actors:
            actors[a] = actors.get(a, 0) + 1
    return StorySummary(
        id=sid,
        title=rows[0].title,
        first=first,
        last=last,
        size=len(rows),
        sources=len({m.source for m in rows}),
        languages=sorted({m.language for m in rows}),
        categories=[c for c, _ in sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))],
        actors=[a for a, _ in sorted(actors.items(), key=lambda kv: (-kv[1], kv[0]))][:8],
        status="faded" if (newest - last).days > FADE_DAYS else "active",
        marking=str(combine(m.marking for m in rows)),
    )


def summaries(session: Session, user: Principal) -> list[StorySummary]:
    """Every story the user sees, built from the members they may read (newest first)."""
    groups = _visible(session, user)
    newest = max((rows[-1].published for rows in groups.values()), default=dt.date.min)
    out = [_summary(sid, rows, newest) for sid, rows in groups.items()]
    return sorted(out, key=lambda s: (s.last, s.id), reverse=True)


def list_stories(
    session: Session,
    *,
    user: Principal,
    since: dt.date | None = None,
    category: str | None = None,
    actor: str | None = None,
    limit: int = 100,
) -> list[StorySummary]:
    """Stories (events, not reports) the user may see, newest first."""
    require(user, "horizon.read")
    out = summaries(session, user)
    if since:
        out = [s for s in out if s.last >= since]
    if category:
        out = [s for s in out if category in s.categories]
    if actor:
        out = [s for s in out if actor in s.actors]
    return out[:limit]


def get_story(session: Session, *, user: Principal, story_id: int) -> StoryView:
    """One story: its timeline of reports, sources, languages, labels, actors, lineage.

    A merged story's id leads to the story it was merged into."""
    require(user, "horizon.read")
    story = session.get(Story, story_id)
    seen: set[int] = set()
    while story is not None and story.status == "merged" and story.merged_into not in seen:
        seen.add(story.id)
        story = session.get(Story, story.merged_into)
    rows = _visible(session, user, [story.id]).get(story.id) if story else None
    if story is None or not rows:
        raise NotFound(f"story {story_id} not found")
    newest = _newest(session, user)
    lineage = [
        {
            "kind": ev.kind,
            "other_story": ev.other_story_id,
            "document_id": ev.document_id,
            "at": ev.at.isoformat(),
        }
        for ev in session.execute(
            restrict(select(StoryEvent).where(StoryEvent.story_id == story.id), user).order_by(
                StoryEvent.id
            )
        ).scalars()
    ]
    return StoryView(
        summary=_summary(story.id, rows, newest),
        members=[
            StoryMemberView(
                document_id=m.document_id,
                title=m.title,
                source=m.source,
                language=m.language,
                published=m.published,
                how=m.how,
                similarity=m.similarity,
                marking=str(m.marking),
            )
            for m in rows
        ],
        lineage=lineage,
    )
