"""A chunk's story decisions as array operations: every link computed once, scored by story.

``story_assign.Window`` decides the documents of a chunk one after another, each against the
members of active stories within ``WINDOW_DAYS`` of its date that a reader at its marking may
see. Gathering those members one object at a time, and scoring each story from them, cost
about a millisecond a document at 300 documents a day (each then has some 4,500 neighbours),
more than all the rest of ingestion. Here the chunk's links are one matrix
(``stories.Links``: its arrivals against the members in memory around their dates and
against each other), and each column keeps what the choice needs as arrays: the day, the
member's order, its marking, and the story it is in now. Deciding a document is then a mask
over the columns and a best and a mean per story, in numpy.

The window tells this class what changes while the chunk is decided: a document joining
(``admit``) and members moving to another story by a merge or a split (``move``). Columns are
known by document id; an arrival's column counts only once it is admitted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from grandstrategy.core.markings import Marking
from grandstrategy.horizon import stories as pure

if TYPE_CHECKING:
    from grandstrategy.horizon.story_assign import Arrival, WindowMember, WindowStory

Scored = tuple[tuple[float, str], int]  # ((score, how), story key), as stories.choose takes


class ChunkLinks:
    """The columns of a chunk's links and the story each is in, kept current."""

    def __init__(self, members: list[WindowMember], arrivals: list[Arrival]) -> None:
        cols = [m.item for m in members]
        rows: list[pure.Item] = []
        for a in arrivals:
            rows.append(pure.Item(a.document_id, a.published, a.vector, a.signature, a.actors))
            stored = a.vector.astype(np.float16).astype(np.float32)  # as it will be read back
            cols.append(pure.Item(a.document_id, a.published, stored, a.signature, a.actors))
        self.links = pure.Links(rows, cols)
        n = len(cols)
        self.day = np.fromiter((it.published.toordinal() for it in cols), np.int64, n)
        self.order = np.zeros(n, dtype=np.int64)
        self.story = np.full(n, -1, dtype=np.int64)  # index into self.stories
        self.live = np.zeros(n, dtype=bool)  # a member now (an arrival: once admitted)
        self.markings: list[Marking] = []
        self._marking_index: dict[Marking, int] = {}
        marks = [*(m.marking for m in members), *(a.marking for a in arrivals)]
        self.mark = np.fromiter(map(self._marking, marks), np.int64, n)
        self.stories: list[WindowStory] = []
        self._story_index: dict[int, int] = {}  # id(story) -> its index
        for j, m in enumerate(members):
            self._set(j, m)

    @staticmethod
    def usable(members: list[WindowMember], arrivals: list[Arrival]) -> bool:
        """Whether every column is one document (an arrival already a member, or twice in
        the chunk, is decided the plain way)."""
        ids = [m.item.document_id for m in members] + [a.document_id for a in arrivals]
        return len(set(ids)) == len(ids)

    def _marking(self, marking: Marking) -> int:
        found = self._marking_index.get(marking)
        if found is None:
            found = self._marking_index[marking] = len(self.markings)
            self.markings.append(marking)
        return found

    def _index(self, story: WindowStory) -> int:
        found = self._story_index.get(id(story))
        if found is None:
            found = self._story_index[id(story)] = len(self.stories)
            self.stories.append(story)
        return found

    def _set(self, j: int, member: WindowMember) -> None:
        self.order[j] = member.order
        self.story[j] = self._index(member.story)
        self.live[j] = True

    def admit(self, member: WindowMember) -> None:
        """A document of the chunk has joined a story: later ones compare with it."""
        j = self.links.col_of.get(member.item.document_id)
        if j is not None:
            self._set(j, member)

    def move(self, member: WindowMember, story: WindowStory) -> None:
        """A member is now in ``story`` (a merge or a split moved it)."""
        j = self.links.col_of.get(member.item.document_id)
        if j is not None and self.live[j]:
            self.story[j] = self._index(story)

    def scores(self, item: pure.Item, marking: Marking) -> list[Scored] | None:
        """Each candidate story's ``story_score`` for ``item`` as ((score, how), story key),
        as ``stories.choose`` takes them; None when ``item`` is not one of the rows."""
        row = self.links.row(item)
        if row is None:
            return None
        seen = np.fromiter((m <= marking for m in self.markings), bool, len(self.markings))
        near = np.abs(self.day - item.published.toordinal()) <= pure.WINDOW_DAYS
        picked = np.flatnonzero(self.live & near & seen[self.mark])
        if not len(picked):
            return []
        # by story, each story's members in their order (as the plain way lists them)
        picked = picked[np.argsort(self.order[picked], kind="stable")]
        picked = picked[np.argsort(self.story[picked], kind="stable")]
        story = self.story[picked]
        sims = row[picked].astype(np.float64)
        starts = np.flatnonzero(np.r_[True, story[1:] != story[:-1]])
        counts = np.diff(np.r_[starts, len(picked)])
        best = np.maximum.reduceat(sims, starts)
        mean = np.add.reduceat(sims, starts) / counts
        out: list[Scored] = []
        for k, s in enumerate(story[starts].tolist()):
            st = self.stories[s]
            if st.status != "active" or not st.marking <= marking:
                continue
            out.append((pure.blend(float(best[k]), float(mean[k])), st.key))
        return out
