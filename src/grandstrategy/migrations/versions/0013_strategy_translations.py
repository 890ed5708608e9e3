"""strategy translations

Every strategy record (and the strategy itself) may carry translations of its prose fields:
language -> field -> text and the hash of the source text it was made from, as JSON.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 00:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "strategies",
    "strategy_actors",
    "strategy_interests",
    "strategy_threats",
    "strategy_roles",
    "strategy_objectives",
    "strategy_capabilities",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
