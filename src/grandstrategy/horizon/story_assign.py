"""Bringing arriving documents into stories: a chunk at a time, against stories in memory.

The rule is the one of ``stories.decide``, applied to one document after another in
publication order, each compared only with members at or below its own marking (see
``story_service``). Reading the stories of each document's week from the database for
every arrival, and writing its member, its event and any merge one statement at a time,
cost more than everything else ingestion does. Here the active stories with a member in the
chunk's window (its dates ± ``WINDOW_DAYS``) are read once into a ``Window``; each document
is decided against it and changes it in memory; what changed is then written in a few
statements: new stories (one INSERT … RETURNING), members, events, and the merges and moves
in the order they happened. The outcome is the same as deciding document by document
against the database (``tests/service/test_story_assign.py`` compares the two).

A story whose members are not all in memory (some outside the window) is read whole before
it is checked for a split; anything pending is written first, so what is read is current.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

from grandstrategy.core.bulkwrite import insert_rows
from grandstrategy.core.markings import Marking
from grandstrategy.core.models import utcnow
from grandstrategy.horizon import stories as pure
from grandstrategy.horizon.analysis_models import Story, StoryEvent, StoryMember
from grandstrategy.horizon.story_chunk import ChunkLinks

WINDOW = dt.timedelta(days=pure.WINDOW_DAYS)
# What is read of a member (``Window._remember`` takes a row in this order)
_MEMBER_COLUMNS = (
    StoryMember.id,
    StoryMember.story_id,
    StoryMember.document_id,
    StoryMember.published,
    StoryMember.vector,
    StoryMember.signature,
    StoryMember.actors,
    StoryMember.marking_level,
    StoryMember.marking_compartments,
)
SPLIT_CHECK_SIZE = 4
# A chunk's links are one matrix (``Window.compare``) unless it would compute more than this
# many times the pairs its documents' windows hold, plus a few thousand (small chunks).
MATRIX_WASTE = 4
MATRIX_FREE = 4096
_NEW = 1 << 62  # provisional keys of stories not written yet: above every id, in order


@dataclass(eq=False)
class WindowStory:
    key: int  # its id, or a provisional key (from ``_NEW`` up) until it is written
    marking: Marking
    total: int  # members in all, in memory or not
    members: list[WindowMember] = field(default_factory=list)  # those in memory
    status: str = "active"
    written: bool = True

    @property
    def whole(self) -> bool:
        return len(self.members) == self.total


@dataclass(eq=False)
class WindowMember:
    id: int | None  # None until written
    order: int  # the id, or above every id in arrival order: members are split in this order
    story: WindowStory
    item: pure.Item
    marking: Marking
    row: dict[str, Any] | None = None  # columns of a member still to insert


@dataclass
class Arrival:
    """A stored document to bring into a story."""

    document_id: int
    published: dt.date
    marking: Marking
    vector: np.ndarray
    signature: np.ndarray
    actors: frozenset[str]
    categories: list[str]


class Window:
    """The active stories around a chunk's dates, changed in memory, written by ``flush``."""

    def __init__(self, session: Session, first: dt.date, last: dt.date) -> None:
        self.session = session
        self.stories: dict[int, WindowStory] = {}
        self.by_day: dict[dt.date, list[WindowMember]] = {}
        self._order = _NEW
        self._key = _NEW
        self._pending_members: list[WindowMember] = []
        self._events: list[tuple[WindowStory, str, Marking, WindowStory | None, int | None]] = []
        self._ops: list[tuple[str, Any, WindowStory]] = []  # ("merge", gone, keep), ("move", m, s)
        self._member_ids: set[int] = set()
        self._chunk: ChunkLinks | None = None  # the chunk's links (``compare``)
        self.start, self.end = first - WINDOW, last + WINDOW
        self._load(self.start, self.end)

    def cover(self, session: Session, first: dt.date, last: dt.date) -> None:
        """Take in the days a later chunk needs (its dates ± ``WINDOW_DAYS``) that are not
        in memory yet, in the transaction of ``session``."""
        self.session = session
        start, end = first - WINDOW, last + WINDOW
        if start < self.start:
            self._load(start, self.start - dt.timedelta(days=1))
            self.start = start
        if end > self.end:
            self._load(self.end + dt.timedelta(days=1), end)
            self.end = end

    @property
    def size(self) -> int:
        return sum(len(day) for day in self.by_day.values())

    # --- reading ------------------------------------------------------------------------

    def _load(self, start: dt.date, end: dt.date) -> None:
        rows = self.session.execute(
            select(
                *_MEMBER_COLUMNS,
                Story.marking_level,
                Story.marking_compartments,
            )
            .join(Story, Story.id == StoryMember.story_id)
            .where(Story.status == "active", StoryMember.published.between(start, end))
            .order_by(StoryMember.id)
        ).all()
        fresh: list[int] = []  # stories not in memory before: their sizes are read below
        for row in rows:
            sid = int(row[1])
            if int(row[0]) in self._member_ids:
                continue
            if sid not in self.stories:
                self.stories[sid] = WindowStory(sid, Marking.from_columns(row[9], row[10]), 0)
                fresh.append(sid)
            self._remember(self.stories[sid], row)
        ids = fresh
        for k in range(0, len(ids), 500):
            for sid, n in self.session.execute(
                select(StoryMember.story_id, func.count())
                .where(StoryMember.story_id.in_(ids[k : k + 500]))
                .group_by(StoryMember.story_id)
            ).all():
                self.stories[int(sid)].total = int(n)

    def _remember(self, story: WindowStory, row: Any) -> WindowMember:
        mid, _sid, doc_id, published, vec, sig, actors, level, comps = row[:9]
        m = WindowMember(
            id=int(mid),
            order=int(mid),
            story=story,
            item=pure.Item(
                document_id=int(doc_id),
                published=published,
                vector=np.frombuffer(vec, dtype=np.float16).astype(np.float32),
                signature=np.frombuffer(sig, dtype=np.uint32),
                actors=frozenset(actors),
            ),
            marking=Marking.from_columns(level, comps),
        )
        story.members.append(m)
        self.by_day.setdefault(published, []).append(m)
        self._member_ids.add(int(mid))
        return m

    def _read_whole(self, story: WindowStory) -> None:
        """Every member of ``story``, the ones outside the window too (written first)."""
        self.flush()
        known = {m.id for m in story.members}
        for row in self.session.execute(
            select(*_MEMBER_COLUMNS)
            .where(StoryMember.story_id == story.key)
            .order_by(StoryMember.id)
        ).all():
            if int(row[0]) not in known:
                self._remember(story, row)
        story.members.sort(key=lambda m: m.order)
        story.total = len(story.members)

    def candidates(self, arrival: Arrival) -> dict[int, list[pure.Item]]:
        """Members of active stories within the window of ``arrival`` that a reader at its
        marking sees, by story (what the database query of one document returned)."""
        out: dict[int, list[tuple[int, pure.Item]]] = {}
        mark, day = arrival.marking, arrival.published
        for k in range(-pure.WINDOW_DAYS, pure.WINDOW_DAYS + 1):
            for m in self.by_day.get(day + dt.timedelta(days=k), ()):
                s = m.story
                if s.status == "active" and m.marking <= mark and s.marking <= mark:
                    out.setdefault(s.key, []).append((m.order, m.item))
        return {sid: [it for _o, it in sorted(pairs, key=_first)] for sid, pairs in out.items()}

    # --- deciding -----------------------------------------------------------------------

    def compare(self, arrivals: list[Arrival]) -> None:
        """Compute at once every link the chunk's decisions may need: each arrival with each
        member in memory within its dates ± ``WINDOW_DAYS`` and with each other arrival (as
        it will be stored, its vector in float16), as one matrix (``story_chunk``).

        Deciding one document compares it with every member of its fortnight. One pair at a
        time, that cost grew with the day's volume: at 300 documents a day, about 7 ms a
        document, most of what ingestion did. The links are the same values up to float32
        rounding."""
        if not arrivals:
            return
        span = [dt.timedelta(days=k) for k in range(-pure.WINDOW_DAYS, pure.WINDOW_DAYS + 1)]
        days = sorted({a.published + k for a in arrivals for k in span})
        members = [m for day in days for m in self.by_day.get(day, ())]
        # The pairs the decisions need: each arrival with the members and the other arrivals
        # of its fortnight. Arrivals far apart in time (a quiet feed, a backlog over years)
        # need few of the matrix's pairs, and one pair at a time is then cheaper; a chunk of
        # one busy fortnight needs nearly all of them.
        sizes = {day: len(ms) for day, ms in self.by_day.items()}
        dates = sorted(a.published.toordinal() for a in arrivals)
        w = pure.WINDOW_DAYS
        wanted = sum(sizes.get(a.published + k, 0) for a in arrivals for k in span) + sum(
            bisect_right(dates, d + w) - bisect_left(dates, d - w) for d in dates
        )
        computed = len(arrivals) * (len(members) + len(arrivals))
        if computed > MATRIX_WASTE * wanted + MATRIX_FREE:
            return
        if ChunkLinks.usable(members, arrivals):
            self._chunk = ChunkLinks(members, arrivals)

    def forget_links(self) -> None:
        """Drop the chunk's links (a kept window must not hold them into the next chunk)."""
        self._chunk = None

    def add(self, arrival: Arrival) -> WindowStory:
        """Bring one document into a story (new, grown, merged, maybe split); its story."""
        item = pure.Item(
            document_id=arrival.document_id,
            published=arrival.published,
            vector=arrival.vector,
            signature=arrival.signature,
            actors=arrival.actors,
        )
        mark = arrival.marking
        chunk = self._chunk
        scored = None if chunk is None else chunk.scores(item, mark)
        if scored is not None:
            decision = pure.choose(item, scored)
        else:  # outside a chunk's links: each member of each story compared in turn
            decision = pure.decide(item, self.candidates(arrival))
        if decision.story is None:
            story = self._new_story(mark)
            self._event(story, "born", mark, document_id=arrival.document_id)
        else:
            story = self.stories[decision.story]
            self._event(story, "grew", mark, document_id=arrival.document_id)
        self._order += 1
        stored = arrival.vector.astype(np.float16)  # as later documents will read it back
        member = WindowMember(
            id=None,
            order=self._order,
            story=story,
            item=pure.Item(
                document_id=item.document_id,
                published=item.published,
                vector=stored.astype(np.float32),
                signature=item.signature,
                actors=item.actors,
            ),
            marking=mark,
            row={
                "document_id": arrival.document_id,
                "published": arrival.published,
                "how": decision.how,
                "similarity": round(float(decision.similarity), 4),
                "vector": stored.tobytes(),
                "signature": arrival.signature.tobytes(),
                "actors": sorted(arrival.actors),
                "categories": arrival.categories,
                "marking_level": mark.level,
                "marking_compartments": mark.column_compartments,
                "added_at": utcnow(),
            },
        )
        story.members.append(member)
        story.total += 1
        self.by_day.setdefault(arrival.published, []).append(member)
        self._pending_members.append(member)
        if chunk is not None:
            chunk.admit(member)
        for other in decision.merge:
            story = self._merge(story, self.stories[other], arrival.document_id, mark)
        if decision.story is not None:
            self._maybe_split(story)
        return story

    def _new_story(self, mark: Marking) -> WindowStory:
        self._key += 1
        story = WindowStory(self._key, mark, 0, written=False)
        self.stories[story.key] = story
        return story

    def _event(
        self,
        story: WindowStory,
        kind: str,
        mark: Marking,
        *,
        other: WindowStory | None = None,
        document_id: int | None = None,
    ) -> None:
        self._events.append((story, kind, mark, other, document_id))

    def _merge(self, a: WindowStory, b: WindowStory, doc_id: int, cause: Marking) -> WindowStory:
        """Merge two stories bridged by a document, when no reader would learn from it."""
        if not cause <= a.marking.join(b.marking):
            return a
        if a.marking <= b.marking:
            keep, gone = a, b
        elif b.marking <= a.marking:
            keep, gone = b, a
        else:  # different compartments: neither may hold the other's members
            return a
        for m in gone.members:
            m.story = keep
            if self._chunk is not None:
                self._chunk.move(m, keep)
        keep.members = sorted(keep.members + gone.members, key=lambda m: m.order)
        keep.total += gone.total
        gone.members, gone.total, gone.status = [], 0, "merged"
        self._ops.append(("merge", gone, keep))
        self._event(keep, "merged", cause, other=gone, document_id=doc_id)
        self._event(gone, "merged", cause, other=keep, document_id=doc_id)
        return keep

    def _maybe_split(self, story: WindowStory) -> None:
        """Split off groups of members that no longer hang together (decided at the story's
        own marking, so every reader of the story could have seen the reason); checked when
        the story reaches 4, 8, 16, … members, so growing to n costs O(n²) in all."""
        n = story.total
        if n < SPLIT_CHECK_SIZE or n & (n - 1):
            return
        if not story.whole:
            self._read_whole(story)
        members = sorted(story.members, key=lambda m: m.order)
        base = [m for m in members if m.marking == story.marking]
        groups = [g for g in pure.split_groups([m.item for m in base]) if len(g) >= 2]
        if len(groups) < 2:
            return
        targets = [story]
        for _ in groups[1:]:
            s = self._new_story(story.marking)
            targets.append(s)
            self._event(s, "split", story.marking, other=story)
            self._event(story, "split", story.marking, other=s)
        grouped = [[base[i].item for i in g] for g in groups]
        for t in targets:
            t.members, t.total = [], 0
        # every member against every grouped member: one matrix, not a pair at a time
        similar = pure.Links([m.item for m in members], [it for g in grouped for it in g])
        for m in members:
            scores = [pure.story_score(m.item, g, similar)[0] for g in grouped]
            target = targets[int(np.argmax(scores))]
            if target is not story and m.id is not None:
                self._ops.append(("move", m, target))
            m.story = target
            if self._chunk is not None:
                self._chunk.move(m, target)
            target.members.append(m)
            target.total += 1

    # --- writing ------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what changed since the last flush, in the order it happened."""
        s = self.session
        fresh = [st for st in self.stories.values() if not st.written]
        if fresh:
            ids = s.execute(
                insert(Story).returning(Story.id, sort_by_parameter_order=True),
                [
                    {
                        "status": "active",
                        "marking_level": st.marking.level,
                        "marking_compartments": st.marking.column_compartments,
                        "created_at": utcnow(),
                    }
                    for st in fresh
                ],
            ).scalars()
            for st, sid in zip(fresh, ids, strict=True):
                del self.stories[st.key]
                st.key, st.written = int(sid), True
                self.stories[st.key] = st
        if self._pending_members:
            members = self._pending_members
            insert_rows(
                s,
                StoryMember,
                [{**m.row, "story_id": m.story.key} for m in members if m.row is not None],
            )
            written = dict(
                s.execute(
                    select(StoryMember.document_id, StoryMember.id).where(
                        StoryMember.document_id.in_([m.item.document_id for m in members])
                    )
                ).all()
            )
            for m in members:
                m.id, m.row = int(written[m.item.document_id]), None
                self._member_ids.add(m.id)
            self._pending_members = []
        for kind, what, target in self._ops:
            if kind == "merge":
                s.execute(
                    update(StoryMember)
                    .where(StoryMember.story_id == what.key)
                    .values(story_id=target.key)
                )
                s.execute(
                    update(Story)
                    .where(Story.id == what.key)
                    .values(status="merged", merged_into=target.key)
                )
            else:
                s.execute(
                    update(StoryMember).where(StoryMember.id == what.id).values(story_id=target.key)
                )
        self._ops = []
        if self._events:
            now = utcnow()
            insert_rows(
                s,
                StoryEvent,
                [
                    {
                        "story_id": st.key,
                        "kind": kind,
                        "other_story_id": None if other is None else other.key,
                        "document_id": doc_id,
                        "marking_level": mark.level,
                        "marking_compartments": mark.column_compartments,
                        "at": now,
                    }
                    for st, kind, mark, other, doc_id in self._events
                ],
            )
            self._events = []


@cache
def _blas() -> ThreadpoolController:
    """The process's thread pools (looked up once: a few milliseconds)."""
    return ThreadpoolController()


def _first(pair: tuple[int, pure.Item]) -> int:
    return pair[0]


@dataclass
class Kept:
    """A window kept from one chunk to the next of a batch, with the state of the story
    tables it was written against: when anything else wrote stories in between (another
    ingester, a rolled-back transaction), the state differs and the window is read afresh."""

    window: Window | None = None
    state: tuple[int, int, int] | None = None


MAX_KEPT_MEMBERS = 20_000  # beyond this a window is read afresh for each chunk (memory)


def _state(session: Session) -> tuple[int, int, int]:
    """The newest story, member and event: any write to stories changes one of them."""
    row = session.execute(
        select(
            select(func.coalesce(func.max(Story.id), 0)).scalar_subquery(),
            select(func.coalesce(func.max(StoryMember.id), 0)).scalar_subquery(),
            select(func.coalesce(func.max(StoryEvent.id), 0)).scalar_subquery(),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def assign_all(session: Session, arrivals: list[Arrival], kept: Kept | None = None) -> list[int]:
    """Bring documents into stories, in the order given (publication order); the ids of the
    stories they are in at the end. ``kept``: the window of the batch's previous chunk, used
    again when nothing else changed the stories since."""
    if not arrivals:
        return []
    first, last = min(a.published for a in arrivals), max(a.published for a in arrivals)
    window = None
    if kept is not None and kept.window is not None and kept.state == _state(session):
        window = kept.window
        window.cover(session, first, last)
    if window is None:
        window = Window(session, first, last)
    # One BLAS thread: ingestion's workers keep the other cores busy, and OpenBLAS threads
    # waiting for a busy core made the chunk's matrix products several times slower.
    with _blas().limit(limits=1, user_api="blas"):
        window.compare(arrivals)
        touched = [window.add(a) for a in arrivals]
        window.forget_links()
        window.flush()
    if kept is not None:
        keep = window.size <= MAX_KEPT_MEMBERS
        kept.window, kept.state = (window, _state(session)) if keep else (None, None)
    return sorted({st.key for st in touched})
