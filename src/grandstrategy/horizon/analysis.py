"""What ingestion calls once documents are stored: stories per chunk, alerts per batch.

Stories are assigned after every chunk (incremental and cheap: each document is compared
with the stories of its week). Alerts re-read the stories of every marking's view, which
costs in proportion to the archive, so during a long batch they are refreshed at most every
``REFRESH_SECONDS`` and always once at the end: the time from a document stored to its
alert stays under a minute (the issue's bound) without making a large batch quadratic.
Both run in their own transactions after the chunk's commit: a failure here never loses
documents, and running it again for the same ids does nothing twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core.db import unit_of_work
from grandstrategy.horizon import story_assign, story_service

REFRESH_SECONDS = 30.0
LAST_SECONDS: list[float] = []  # stored-to-alert seconds of the latest refreshes (figures)


@dataclass
class Batch:
    """What one ingestion run has stored and not yet brought into the alerts."""

    pending: list[int] = field(default_factory=list)
    stored_at: float | None = None  # when the oldest pending document was stored
    refreshed_at: float = field(default_factory=time.perf_counter)
    use_encoder: bool | None = None  # None: stories by encoder vectors when installed
    stories: story_assign.Kept = field(default_factory=story_assign.Kept)  # between chunks


def after_chunk(
    factory: sessionmaker[Session],
    document_ids: list[int],
    batch: Batch,
    *,
    features: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> None:
    """Assign a stored chunk's documents to stories; refresh alerts when it is time.
    ``features``: what stories compare, computed when the documents were prepared."""
    if not document_ids:
        return
    if batch.stored_at is None:
        batch.stored_at = time.perf_counter()
    with unit_of_work(factory) as s:
        story_service.assign(
            s,
            document_ids=document_ids,
            use_encoder=batch.use_encoder,
            features=features,
            kept=batch.stories,
        )
    batch.pending += document_ids
    if time.perf_counter() - batch.refreshed_at >= REFRESH_SECONDS:
        after_batch(factory, batch)


def after_batch(factory: sessionmaker[Session], batch: Batch) -> None:
    """Bring the pending documents into the alerts (at the end of a batch, or when due).

    Documents left without a story (a batch killed after a chunk was stored, or documents
    from before stories existed) are assigned here first, a bounded number at a time."""
    with unit_of_work(factory) as s:
        orphans = story_service.unassigned(s)
    if orphans:
        with unit_of_work(factory) as s:
            story_service.assign(s, document_ids=orphans)
        batch.pending += orphans
    if not batch.pending:
        return
    from grandstrategy.horizon import alerts, watch_reviews  # they read what was committed

    with unit_of_work(factory) as s:
        alerts.refresh(s, document_ids=batch.pending)
    now = time.perf_counter()
    if batch.stored_at is not None:
        LAST_SECONDS.append(now - batch.stored_at)
        del LAST_SECONDS[:-100]
    batch.pending, batch.stored_at, batch.refreshed_at = [], None, now
    with unit_of_work(factory) as s:  # alerts on watched threats: review items for owners
        watch_reviews.open_reviews(s)


def after_ingest(factory: sessionmaker[Session], document_ids: list[int]) -> None:
    """Stories and alerts for documents stored outside a batch (one call does both)."""
    batch = Batch()
    after_chunk(factory, document_ids, batch)
    after_batch(factory, batch)
