"""The illustrative document set loaded into a fresh installation, and the first model.

A new user should open the horizon pages and find a realistic inbox: some sixty news items,
analyses and notes in four languages over the last year and a half, under several markings,
classified by a classifier trained on the starter labelled set.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core.authz import Principal
from grandstrategy.core.db import unit_of_work
from grandstrategy.horizon import pipeline
from grandstrategy.horizon.classify import engine
from grandstrategy.horizon.ingest.readers import read_path
from grandstrategy.horizon.models import Document

EXAMPLE = "documents.jsonl"


def example_path() -> Path:
    return Path(str(resources.files("grandstrategy.examples").joinpath("horizon", EXAMPLE)))


def ensure_model(factory: sessionmaker[Session], *, user: Principal) -> engine.TrainReport | None:
    """Train the first model when none is stored yet; None when one exists."""
    with factory() as s:
        if engine.latest_model_id(s) is not None:
            return None
    with unit_of_work(factory) as s:
        return engine.train(s, user=user)


def load_example_documents(
    factory: sessionmaker[Session], *, user: Principal
) -> pipeline.IngestReport | None:
    """Ingest the illustrative documents when the horizon holds none; None otherwise."""
    with factory() as s:
        if s.execute(select(func.count()).select_from(Document)).scalar_one():
            return None
    path = example_path()
    if not path.is_file():
        return None
    report = pipeline.ingest(factory, user=user, items=read_path(path), source="example")
    from grandstrategy.horizon.analysis_example import load_analysis_example

    load_analysis_example(factory, user=user)  # stories' burst, partners, assessments, brief
    return report
