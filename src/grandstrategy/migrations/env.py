"""Alembic environment: runs migrations against the URL set by grandstrategy.core.db."""

from __future__ import annotations

from alembic import context

from grandstrategy.core.db import Base, make_engine
from grandstrategy.models import load_all

load_all()
config = context.config
target_metadata = Base.metadata


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
