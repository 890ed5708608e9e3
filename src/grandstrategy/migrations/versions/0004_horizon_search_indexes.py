"""horizon search indexes

Facets and filters look up a passage's labels and mentions by passage id: without an index
on ``horizon_mentions.passage_id`` every facet over a large match set scanned the table. The
composite labels index also serves lookups by passage alone, so it replaces that one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("horizon_mentions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_horizon_mentions_passage_entity", ["passage_id", "entity_id"], unique=False
        )
    with op.batch_alter_table("horizon_labels", schema=None) as batch_op:
        batch_op.create_index(
            "ix_horizon_labels_passage_category", ["passage_id", "category"], unique=False
        )
        batch_op.drop_index("ix_horizon_labels_passage_id")


def downgrade() -> None:
    with op.batch_alter_table("horizon_labels", schema=None) as batch_op:
        batch_op.create_index("ix_horizon_labels_passage_id", ["passage_id"], unique=False)
        batch_op.drop_index("ix_horizon_labels_passage_category")
    with op.batch_alter_table("horizon_mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_horizon_mentions_passage_entity")
