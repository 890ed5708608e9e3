"""Stories: the labelled set's B-cubed F1, lineage, and what a low reader sees of stories."""

import datetime as dt

import pytest
from benchmarks.stories import evaluate

from grandstrategy.horizon import embed, pipeline, search, story_service, trend_service
from grandstrategy.horizon.ingest.raw import RawDocument
from tests.helpers import make_user


def doc(title, text, day, marking=None, source="wire"):
    return RawDocument(
        title=title,
        text=text,
        date=dt.date(2026, 3, day),
        url="",
        language="en",
        source=source,
        marking=marking,
        labels=[],
        origin=f"test:{title}",
    )


CABLE = (
    "A data cable between Finland and Estonia was cut on the floor of the Gulf of Finland; "
    "police suspect a merchant ship dragged its anchor across it."
)
FLOOD = "Rivers in the province of Liège burst their banks and hundreds of homes were evacuated."


def test_labelled_story_set_f1(factory):
    r = evaluate(factory)
    assert r["documents"] >= 200 and r["events"] >= 45
    floor = 0.90 if embed.available() else 0.80  # measured 0.955 and 0.848
    assert r["f1"] >= floor, r


def test_copies_and_reports_of_one_event_are_one_story(factory, session, operator):
    pipeline.ingest(
        factory,
        user=operator,
        items=[
            doc("Cable cut", CABLE, 2),
            doc("Cable cut (copy)", CABLE + " A spokesperson confirmed it.", 3, source="other"),
            doc("Floods in Wallonia", FLOOD, 3),
        ],
    )
    stories = story_service.list_stories(session, user=operator)
    assert sorted(s.size for s in stories) == [1, 2]
    cable = next(s for s in stories if s.size == 2)
    assert cable.sources == 2 and cable.title == "Cable cut"
    view = story_service.get_story(session, user=operator, story_id=cable.id)
    assert [m.how for m in view.members] == ["founded", "near-duplicate"]
    assert [e["kind"] for e in view.lineage] == ["born", "grew"]


def test_a_low_reader_sees_no_hidden_report_and_the_same_counts(factory, session, operator):
    low = make_user(session, "low-reader", "analyst", "UNCLASSIFIED")
    pipeline.ingest(
        factory, user=operator, items=[doc("Cable cut", CABLE, 2), doc("Floods", FLOOD, 4)]
    )
    before = story_service.list_stories(session, user=low)
    trends_before = trend_service.trend_series(session, user=low, by="category")
    pipeline.ingest(
        factory,
        user=operator,
        items=[
            doc("Secret cable report", CABLE + " The ship's owner is known to us.", 3, "SECRET"),
            doc(
                "Secret sabotage plan",
                "A foreign intelligence officer recruited two dock workers in the port of "
                "Antwerp to photograph military cargo.",
                5,
                "SECRET",
            ),
        ],
    )
    after = story_service.list_stories(session, user=low)
    assert [(s.id, s.size, s.first, s.last, s.marking) for s in after] == [
        (s.id, s.size, s.first, s.last, s.marking) for s in before
    ]
    assert [
        (t.key, t.total, t.counts)
        for t in trend_service.trend_series(session, user=low, by="category")
    ] == [(t.key, t.total, t.counts) for t in trends_before]
    high = story_service.list_stories(session, user=operator)
    assert sum(s.size for s in high) == 4 and any(s.marking == "SECRET" for s in high)
    cable = next(s for s in after if s.title == "Cable cut")
    assert [
        m.title for m in story_service.get_story(session, user=low, story_id=cable.id).members
    ] == ["Cable cut"]
    secret_only = next(s for s in high if s.marking == "SECRET" and s.size == 1)
    with pytest.raises(Exception, match="not found"):
        story_service.get_story(session, user=low, story_id=secret_only.id)


def test_documents_left_without_a_story_are_assigned_at_the_next_batch(
    factory, session, operator, monkeypatch
):
    from grandstrategy.horizon import analysis

    monkeypatch.setattr(analysis, "after_chunk", lambda *a, **k: None)  # as if killed there
    monkeypatch.setattr(analysis, "after_batch", lambda *a, **k: None)
    pipeline.ingest(factory, user=operator, items=[doc("Cable cut", CABLE, 2)])
    assert story_service.list_stories(session, user=operator) == []
    monkeypatch.undo()
    pipeline.ingest(factory, user=operator, items=[doc("Cable cut", CABLE, 2)])  # a duplicate
    assert [s.title for s in story_service.list_stories(session, user=operator)] == ["Cable cut"]


@pytest.mark.skipif(not embed.available(), reason="the sentence encoder is not installed")
def test_ingest_leaves_vectors_and_stories_to_the_vector_job(
    factory, session, operator, monkeypatch
):
    """Ingestion encodes nothing: passages wait in the queue, labelled and searchable by
    keyword; the vector job encodes each passage once, and stories follow the vectors."""
    from grandstrategy.horizon import vectors

    encoded: list[str] = []
    real = embed.encode

    def counting(texts):
        encoded.extend(texts)
        return real(texts)

    monkeypatch.setattr(embed, "encode", counting)
    report = pipeline.ingest(
        factory,
        user=operator,
        items=[doc("Cable cut", CABLE, 2), doc("Floods in Wallonia", FLOOD, 3)],
        wait_vectors=False,
    )
    assert encoded == [] and report.vectors_waiting == report.passages == 2
    assert vectors.status(session, user=operator).waiting == 2
    assert story_service.list_stories(session, user=operator) == []  # not ready yet
    assert search.search(session, user=operator, query="Estonia").total == 1  # keyword now
    assert vectors.catch_up(factory) == 2 and len(encoded) == 2  # each passage once
    assert vectors.status(session, user=operator).waiting == 0
    pipeline.ingest(  # waits for its own vectors (the default)
        factory,
        user=operator,
        items=[doc("Cable cut again", CABLE + " Divers found the break.", 4)],
    )
    assert len(encoded) == 3
    stories = story_service.list_stories(session, user=operator)
    assert sorted(s.size for s in stories) == [1, 2]  # the new report joined the cable story


def test_a_story_fades_against_the_newest_report_its_reader_may_see(factory, session, operator):
    """A story with no report for 14 days against the newest one shows as faded, on the
    list and on its page alike; "newest" is among the reports the reader may read, so a
    SECRET report alone never fades a low reader's stories."""
    low = make_user(session, "fade-reader", "analyst", "UNCLASSIFIED")
    when = dt.date(2026, 3, 2)

    def on(title, text, date, marking=None):
        return RawDocument(title, text, date, "", "en", "wire", marking, [], f"test:{title}")

    pipeline.ingest(factory, user=operator, items=[on("Cable cut", CABLE, when)])
    later = when + dt.timedelta(days=story_service.FADE_DAYS + 1)
    pipeline.ingest(factory, user=operator, items=[on("Floods", FLOOD, later, marking="SECRET")])

    def status(user):
        cable = next(
            s
            for s in story_service.list_stories(session, user=user)
            if s.size == 1 and s.title == "Cable cut"
        )
        page = story_service.get_story(session, user=user, story_id=cable.id)
        return cable.status, page.summary.status

    assert status(operator) == ("faded", "faded")
    assert status(low) == ("active", "active")
    pipeline.ingest(
        factory, user=operator, items=[on("Floods again", FLOOD + " The army helped.", later)]
    )
    assert status(low) == ("faded", "faded")
