"""deployment keys unique per marking

A deployment's key was unique across the register, so entering a key taken by a deployment
the user may not see answered "taken": an oracle for hidden records. Keys are now unique per
marking (polyinstantiation, as resilience matrix names are): a reader sees the most highly
marked deployment of a key among those they may read.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 02:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["key", "marking_level", "marking_compartments"]


def upgrade() -> None:
    with op.batch_alter_table("delivery_deployments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_delivery_deployments_key", type_="unique")
        batch_op.create_unique_constraint("uq_delivery_deployments_key_marking", COLUMNS)


def downgrade() -> None:
    with op.batch_alter_table("delivery_deployments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_delivery_deployments_key_marking", type_="unique")
        batch_op.create_unique_constraint("uq_delivery_deployments_key", ["key"])
