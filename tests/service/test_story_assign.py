"""Stories decided a chunk at a time in memory come out as decided one document at a time.

``story_assign.Window`` reads a chunk's stories once and writes what changed at the end;
these tests run the same documents through it one document per call (each call reads the
database afresh, as every arrival did before) and all in one call, and compare everything
stored: which documents share a story, each member's how and similarity and marking, the
stories' statuses, and the lineage events in order.
"""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from grandstrategy.horizon import pipeline, story_service
from grandstrategy.horizon import stories as pure
from grandstrategy.horizon.analysis_models import Story, StoryEvent, StoryMember
from grandstrategy.horizon.ingest.raw import RawDocument
from grandstrategy.horizon.ingest.readers import read_path
from grandstrategy.horizon.models import Document

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories" / "labelled.jsonl"


def outcome(session):
    """Everything the assignment stored, with story ids replaced by their creation order."""
    docs = dict(session.execute(select(Document.id, Document.url)).all())
    order = {
        sid: k
        for k, sid in enumerate(session.execute(select(Story.id).order_by(Story.id)).scalars())
    }
    stories = [
        (status, order.get(into), level)
        for status, into, level in session.execute(
            select(Story.status, Story.merged_into, Story.marking_level).order_by(Story.id)
        ).all()
    ]
    members = sorted(
        (docs[d], order[s], how, sim, level)
        for d, s, how, sim, level in session.execute(
            select(
                StoryMember.document_id,
                StoryMember.story_id,
                StoryMember.how,
                StoryMember.similarity,
                StoryMember.marking_level,
            )
        ).all()
    )
    events = [
        (order[s], kind, order.get(other), docs.get(d), level)
        for s, kind, other, d, level in session.execute(
            select(
                StoryEvent.story_id,
                StoryEvent.kind,
                StoryEvent.other_story_id,
                StoryEvent.document_id,
                StoryEvent.marking_level,
            ).order_by(StoryEvent.id)
        ).all()
    ]
    return {"stories": stories, "members": members, "events": events}


def forget_stories(session):
    for table in (StoryEvent, StoryMember, Story):
        session.execute(delete(table))
    session.flush()


def all_at_once(session):
    ids = list(session.execute(select(Document.id).order_by(Document.id)).scalars())
    forget_stories(session)
    story_service.assign(session, document_ids=ids, use_encoder=False)
    session.flush()
    return outcome(session)


def one_at_a_time(session):
    """Each document decided against the database as it stands (a window read afresh)."""
    rows = session.execute(select(Document.id, Document.published).order_by(Document.id)).all()
    forget_stories(session)
    for doc_id, _day in sorted(rows, key=lambda r: (r[1], r[0])):
        story_service.assign(session, document_ids=[doc_id], use_encoder=False)
    session.flush()
    return outcome(session)


def test_the_labelled_set_forms_the_same_stories_in_chunks_one_by_one_and_at_once(
    factory, session, operator
):
    # Markings vary so the rule "compared only with what is at or below the document's
    # marking" decides some of the joins and merges. Ingestion keeps its window of stories
    # from one chunk to the next.
    items = [
        dataclasses.replace(raw, marking=["RESTRICTED", None, None, "CONFIDENTIAL", None][k % 5])
        for k, raw in enumerate(read_path(LABELLED))
    ]
    pipeline.ingest(factory, user=operator, items=items, chunk=7, use_embeddings=False)
    in_chunks = outcome(session)
    assert len(in_chunks["members"]) == len(items)
    kinds = {e[1] for e in in_chunks["events"]}
    assert {"born", "grew", "merged"} <= kinds  # the set exercises merges
    assert len({m[1] for m in in_chunks["members"]}) < len(items) / 2
    assert one_at_a_time(session) == in_chunks
    assert all_at_once(session) == in_chunks


def test_the_chunk_links_computed_together_decide_as_pairs_one_at_a_time_did(
    factory, session, operator, monkeypatch
):
    # The labelled set packed into four days, as a busy news desk sees it: every document
    # is compared with most others. The window computes a chunk's links as one matrix; with
    # that turned off each pair is computed alone, as before. Everything stored is the same.
    from grandstrategy.horizon import story_assign

    items = [
        dataclasses.replace(
            raw,
            date=dt.date(2026, 3, 1 + k % 4),
            marking=["RESTRICTED", None, None, "CONFIDENTIAL", None][k % 5],
        )
        for k, raw in enumerate(read_path(LABELLED))
    ]
    pairs = []
    real_similarity = pure.similarity
    monkeypatch.setattr(pure, "similarity", lambda a, b: pairs.append(1) or real_similarity(a, b))
    pipeline.ingest(factory, user=operator, items=items, use_embeddings=False)
    pairs.clear()
    together = all_at_once(session)
    assert len(together["members"]) == len(items)
    assert {"born", "grew", "merged"} <= {e[1] for e in together["events"]}
    assert len(pairs) < len(items)  # links came from the matrix, not a pair at a time
    monkeypatch.setattr(story_assign.Window, "compare", lambda self, arrivals: None)
    assert all_at_once(session) == together
    assert len(pairs) > len(items) * 10


def test_documents_years_apart_are_compared_a_pair_at_a_time(
    factory, session, operator, monkeypatch
):
    # A backlog spread over years: each document's fortnight holds a few stored ones, and a
    # matrix of the whole chunk against all of them would be mostly pairs nobody needs. Such
    # a chunk is decided the plain way; a chunk of one busy week gets its matrix.
    from grandstrategy.horizon import story_assign

    monkeypatch.setattr(story_assign, "MATRIX_FREE", 0)  # no allowance for small chunks
    made = []
    real = story_assign.ChunkLinks.__init__

    def counted(self, members, arrivals):
        made.append(len(arrivals))
        real(self, members, arrivals)

    monkeypatch.setattr(story_assign.ChunkLinks, "__init__", counted)
    texts = list(read_path(LABELLED))
    start = dt.date(2015, 1, 1)
    stored = [  # 20 fortnights, 90 days apart, 5 documents each
        dataclasses.replace(raw, date=start + dt.timedelta(days=90 * (k // 5) + k % 5))
        for k, raw in enumerate(texts[:100])
    ]
    pipeline.ingest(factory, user=operator, items=stored, chunk=100, use_embeddings=False)
    assert made == []  # 10,000 pairs for the 500 the fortnights hold
    later = [  # one more in each of those fortnights
        dataclasses.replace(raw, date=start + dt.timedelta(days=90 * k + 2))
        for k, raw in enumerate(texts[100:120])
    ]
    pipeline.ingest(factory, user=operator, items=later, chunk=20, use_embeddings=False)
    assert made == []
    assert len(outcome(session)["members"]) == 120
    week = [dataclasses.replace(flood(n), date=dt.date(2026, 3, 1 + n % 7)) for n in range(40)]
    pipeline.ingest(factory, user=operator, items=week, chunk=40, use_embeddings=False)
    assert made == [40]


# Two wordings of one report: near-duplicates within each, alike (but not copies) across.
WORDINGS = (
    "Divers found a second severed power cable on the seabed off the island of Gotland on "
    "the morning after the storm, and the coast guard boarded a bulk carrier that had "
    "anchored above the line for six hours while the grid operator rerouted power.",
    "The coast guard boarded a bulk carrier anchored for six hours above a severed power "
    "cable off Gotland, after divers found the second cut line on the seabed; the grid "
    "operator rerouted power on the morning after the storm.",
)


def report(n: int, day: int) -> RawDocument:
    return RawDocument(
        title=f"Cable report {n}",
        text=f"{WORDINGS[n // 2]} Update number {n} from the wire desk.",
        date=dt.date(2026, 3, day),
        url=f"https://example.org/{n}",
        language="en",
        source="wire",
        marking=None,
        labels=[],
        origin=f"test:{n}",
    )


@pytest.fixture
def forced_split(monkeypatch):
    """The story rules split a story of four into its first and last two members (on real
    documents a story seldom splits; the writing of a split is what is tested here)."""
    real = pure.split_groups

    def split(members):
        return [[0, 1], [2, 3]] if len(members) == 4 else real(members)

    monkeypatch.setattr(pure, "split_groups", split)


@pytest.mark.usefixtures("forced_split")
@pytest.mark.parametrize("days", [(1, 2, 3, 4), (1, 5, 9, 13)], ids=["one week", "a month"])
def test_a_split_is_written_the_same_one_by_one_and_all_at_once(
    factory, session, operator, days, monkeypatch
):
    # Over a month the story's first members are outside the last one's window: the
    # split reads the story whole from the database first.
    items = [report(n, day) for n, day in enumerate(days)]
    pipeline.ingest(factory, user=operator, items=items, chunk=1, use_embeddings=False)
    one_by_one = outcome(session)
    assert one_at_a_time(session) == one_by_one
    assert [s[0] for s in one_by_one["stories"]] == ["active", "active"]
    groups = {}
    for url, story, *_rest in one_by_one["members"]:
        groups.setdefault(story, []).append(url)
    assert sorted(groups.values()) == [
        ["https://example.org/0", "https://example.org/1"],
        ["https://example.org/2", "https://example.org/3"],
    ]
    assert [e[1] for e in one_by_one["events"]][-2:] == ["split", "split"]
    assert all_at_once(session) == one_by_one
    # and the reader's view follows the stored stories
    assert sorted(s.size for s in story_service.list_stories(session, user=operator)) == [2, 2]
    # the same without the chunk's matrix: each pair compared in turn
    from grandstrategy.horizon import story_assign

    monkeypatch.setattr(story_assign.Window, "compare", lambda self, arrivals: None)
    assert all_at_once(session) == one_by_one


def flood(n: int) -> RawDocument:
    text = (
        "The Meuse burst its banks at Liège after three days of rain; hundreds of homes in "
        "the lower town were evacuated and the army sent trucks to help the fire brigade."
    )
    return dataclasses.replace(
        report(0, 1), title=f"Floods {n}", text=f"{text} Bulletin {n}.", origin=f"flood:{n}"
    )


def test_a_window_kept_between_chunks_is_read_again_after_another_writer(
    factory, session, operator
):
    """An ingester keeps its chunk's stories in memory for the next chunk only while
    nobody else wrote stories: a story another ingester founded meanwhile is joined."""
    from grandstrategy.horizon import story_assign

    stored = pipeline.ingest(
        factory,
        user=operator,
        items=[report(0, 1), flood(1), flood(2)],
        use_embeddings=False,
        wait_vectors=False,
        chunk=1,
    ).document_ids
    forget_stories(session)
    kept = story_assign.Kept()
    story_service.assign(session, document_ids=[stored[0]], use_encoder=False, kept=kept)
    assert kept.window is not None
    # another ingester, without this window, founds a story for the floods
    story_service.assign(session, document_ids=[stored[1]], use_encoder=False)
    story_service.assign(session, document_ids=[stored[2]], use_encoder=False, kept=kept)
    session.flush()
    members = dict(session.execute(select(StoryMember.document_id, StoryMember.story_id)).all())
    assert members[stored[2]] == members[stored[1]]  # joined the story made meanwhile
    assert len(set(members.values())) == 2
