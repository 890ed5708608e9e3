"""Horizon's entry points for adapters: reading inputs, uploads, the review-labels queue."""

from types import SimpleNamespace

import pytest

from grandstrategy.core.errors import Forbidden, NotFound
from grandstrategy.horizon import service
from tests.helpers import NEWS, make_user


@pytest.fixture
def news(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in NEWS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _ingest(factory, user, paths, marking=None):
    items = service.read_inputs([str(p) for p in paths], max_bytes=10**7)
    return service.ingest(factory, user=user, items=items, marking=marking, use_embeddings=False)


def test_read_inputs_reads_files_and_folders_lazily(news, tmp_path):
    missing = tmp_path / "nowhere.txt"
    items = service.read_inputs([str(news), str(missing)])
    first = next(items)  # nothing is read before it is asked for
    rest = list(items)
    titles = {getattr(it, "title", "") for it in [first, *rest]}
    assert "Floods in Wallonia" in titles
    assert len([first, *rest]) == len(NEWS) + 1  # the missing file is one failure, not a crash


def test_queue_lists_unreviewed_labels_least_certain_first(factory, session, operator, news):
    report = _ingest(factory, operator, [news])
    assert report.ingested == len(NEWS)
    queue = service.review_queue(session, user=operator)
    assert queue and len(queue) <= 25
    uncertainty = [(item.score - 0.5) ** 2 for item in queue]
    assert uncertainty == sorted(uncertainty)
    first = queue[0]
    assert first.text and str(first.marking) == "UNCLASSIFIED"
    doc_id = service.give_verdict(
        session,
        user=operator,
        passage_id=first.passage_id,
        category=first.category,
        verdict="confirm",
    )
    assert doc_id == first.document_id  # the page goes back to this document
    after = service.review_queue(session, user=operator)
    assert first.passage_id not in {item.passage_id for item in after}
    cyber = service.review_queue(session, user=operator, category="cyber")
    assert {item.category for item in cyber} <= {"cyber"}


def test_queue_shows_only_what_the_analyst_may_read(factory, session, operator, news):
    _ingest(factory, operator, [news], marking="SECRET")
    low = make_user(session, "queue-low", "analyst", "RESTRICTED")
    assert service.review_queue(session, user=low) == []
    assert service.review_queue(session, user=operator)
    hidden = service.review_queue(session, user=operator)[0]
    with pytest.raises(NotFound):
        service.give_verdict(
            session,
            user=low,
            passage_id=hidden.passage_id,
            category=hidden.category,
            verdict="reject",
        )


def test_queue_needs_the_label_action(session):
    reader = make_user(session, "queue-reader", "reader")
    with pytest.raises(Forbidden):
        service.review_queue(session, user=reader)


def test_an_upload_is_read_and_ingested_as_the_settings_say(factory, session, operator):
    settings = SimpleNamespace(max_upload_bytes=10_000, embeddings=False, vector_worker=False)
    report = service.ingest_upload(
        factory,
        user=operator,
        settings=settings,
        name="ferry.txt",
        data=b"Smugglers used the Skerryvale ferry to move cocaine, customs said.",
        source="upload",
    )
    assert report.ingested == 1 and report.failed == []
    docs, total = service.list_documents(session, user=operator, source="upload")
    assert total == 1 and docs[0].id == report.document_ids[0]
    broken = service.ingest_upload(
        factory,
        user=operator,
        settings=settings,
        name="broken.pdf",
        data=b"%PDF-1.7\n" + bytes(range(256)) * 8,
    )
    assert broken.ingested == 0 and "PDF" in broken.failed[0][1]
