"""horizon trust

Documents: one copy of a text per marking instead of one in all, so that uploading a text
identical to a document the uploader cannot see stores a new copy at the uploader's marking
rather than answering "duplicate". Trained models: a marking (the highest of the passages
they learned from), so what is shown from a model can be filtered by the reader.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("horizon_documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_horizon_documents_content_hash", type_="unique")
        batch_op.create_unique_constraint(
            "uq_horizon_documents_hash_marking",
            ["content_hash", "marking_level", "marking_compartments"],
        )
    with op.batch_alter_table("horizon_models", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("marking_level", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "marking_compartments", sa.String(length=400), nullable=False, server_default="|"
            )
        )
        batch_op.create_index("ix_horizon_models_marking_level", ["marking_level"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("horizon_models", schema=None) as batch_op:
        batch_op.drop_index("ix_horizon_models_marking_level")
        batch_op.drop_column("marking_compartments")
        batch_op.drop_column("marking_level")
    # Copies of one text at several markings cannot all survive the old constraint, and
    # evidence is never deleted: refuse rather than choose which copy to lose.
    copies = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT COUNT(*) FROM (SELECT content_hash FROM horizon_documents "
                "GROUP BY content_hash HAVING COUNT(*) > 1) AS c"
            )
        )
        .scalar()
    )
    if copies:
        raise RuntimeError(
            f"{copies} texts are stored at several markings; downgrade would lose evidence"
        )
    with op.batch_alter_table("horizon_documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_horizon_documents_hash_marking", type_="unique")
        batch_op.create_unique_constraint("uq_horizon_documents_content_hash", ["content_hash"])
