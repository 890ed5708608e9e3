"""strategy trust: room for scoped internal keys

A record's id is at most 80 characters. When a user creates an id that a record they cannot
see already holds, the new record is stored under the id plus "~" and a token (see
strategy/scope.py), and links to it hold that internal key; the key and link columns grow to
100 characters to make room. Existing keys are unchanged: they are their own internal keys.

Revisions get ``fields``: the fields an update changed, so that a reader's version number
(which counts only changes they may see) is found without reading every revision in full.
Existing updates are filled in from their before/after.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "strategies": ["key"],
    "strategy_actors": ["key", "parent"],
    "strategy_interests": ["key"],
    "strategy_threats": ["key"],
    "strategy_roles": ["key"],
    "strategy_objectives": ["key", "owner", "parent"],
    "strategy_capabilities": ["key", "owner"],
    "strategy_revisions": ["key"],
}


def _resize(old: int, new: int) -> None:
    """Only where lengths are enforced: SQLite ignores them, and rebuilding ``strategies``
    there (batch mode) would fail on the foreign keys of a database that holds data."""
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.String(length=old),
                    type_=sa.String(length=new),
                    existing_nullable=column in ("parent", "owner"),
                )


def _fill_fields() -> None:
    revisions = sa.table(
        "strategy_revisions",
        sa.column("id", sa.Integer),
        sa.column("op", sa.String),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
        sa.column("fields", sa.Text),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(revisions.c.id, revisions.c.before, revisions.c.after).where(
            revisions.c.op == "update"
        )
    ).all()
    for rid, before, after in rows:
        b, a = before or {}, after or {}
        changed = ",".join(sorted(k for k in {*b, *a} if b.get(k) != a.get(k)))
        conn.execute(revisions.update().where(revisions.c.id == rid).values(fields=changed))


def upgrade() -> None:
    _resize(80, 100)
    with op.batch_alter_table("strategy_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fields", sa.Text(), nullable=False, server_default=""))
    _fill_fields()


def downgrade() -> None:
    with op.batch_alter_table("strategy_revisions", schema=None) as batch_op:
        batch_op.drop_column("fields")
    _resize(100, 80)
