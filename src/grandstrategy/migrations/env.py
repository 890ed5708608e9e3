"""Alembic environment: runs migrations against the URL set by grandstrategy.core.db."""

from __future__ import annotations

from alembic import context

from grandstrategy.core.db import Base, make_engine
from grandstrategy.models import load_all

load_all()
config = context.config
target_metadata = Base.metadata


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, other: object
) -> bool:
    """Leave the full-text index alone: FTS5 tables are made by hand in 0002, not mapped."""
    return not (kind == "table" and reflected and (name or "").startswith("horizon_fts"))


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
