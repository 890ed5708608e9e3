"""departmental strategies

A strategy is national (the default), departmental or an annual statement. A departmental
strategy or annual statement derives from a national strategy (``derives_from``, its row id)
and belongs to one actor (``actor``, the actor's id as in ``user_actors``). Each objective of
a derived strategy serves one objective of the national strategy: ``serves`` holds that
objective's internal key in the national strategy (empty on national objectives).

``derives_from`` is a plain indexed integer rather than a foreign key: adding a foreign key
to ``strategies`` would make SQLite rebuild the table (batch mode), which fails on the
foreign keys of a database that holds data.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("strategies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="national")
        )
        batch_op.add_column(sa.Column("derives_from", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor", sa.String(length=80), nullable=True))
    op.create_index("ix_strategies_derives_from", "strategies", ["derives_from"])
    with op.batch_alter_table("strategy_objectives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("serves", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("strategy_objectives", schema=None) as batch_op:
        batch_op.drop_column("serves")
    op.drop_index("ix_strategies_derives_from", table_name="strategies")
    with op.batch_alter_table("strategies", schema=None) as batch_op:
        batch_op.drop_column("actor")
        batch_op.drop_column("derives_from")
        batch_op.drop_column("kind")
