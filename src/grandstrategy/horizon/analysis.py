"""What ingestion calls once documents are stored: stories, then alerts.

One function, so the pipeline knows one name and the rolling analysis can grow behind it.
It runs in its own transaction after the chunk's commit: a failure here never loses the
documents, and running it again for the same ids does nothing twice.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core.db import unit_of_work
from grandstrategy.horizon import story_service

LAST_SECONDS: list[float] = []  # time from stored to stories and alerts, per call (figures)


def after_ingest(factory: sessionmaker[Session], document_ids: list[int]) -> list[int]:
    """Assign the new documents to stories and refresh the alerts; the stories touched."""
    if not document_ids:
        return []
    t0 = time.perf_counter()
    with unit_of_work(factory) as s:
        touched = story_service.assign(s, document_ids=document_ids)
    from grandstrategy.horizon import alerts  # alerts read the stories just committed

    with unit_of_work(factory) as s:
        alerts.refresh(s, document_ids=document_ids)
    LAST_SECONDS.append(time.perf_counter() - t0)
    del LAST_SECONDS[:-100]
    return touched
