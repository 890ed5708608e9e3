"""Every SQLite connection is set up as core/db.py says: WAL, foreign keys, and reads through a
memory map (a search at a million passages reads hundreds of scattered rows)."""

from sqlalchemy import text

from grandstrategy.core.db import make_engine


def test_sqlite_connections_read_through_a_memory_map(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA mmap_size")).scalar_one() > 0
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert str(conn.execute(text("PRAGMA journal_mode")).scalar_one()).lower() == "wal"
    engine.dispose()
