"""resilience trust: matrix and scenario names unique per marking (polyinstantiation)

A name was unique across all markings, so creating a matrix or scenario under a name that a
record hidden from the user already held answered 409 and revealed that the hidden record
existed. Names are now unique per marking (level and compartments): a user can only choose
markings they can read, so they never collide with what they cannot see.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("resilience_matrices", "resilience_scenarios")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_name", type_="unique")
            batch_op.create_unique_constraint(
                f"uq_{table}_name", ["name", "marking_level", "marking_compartments"]
            )


def downgrade() -> None:
    # Fails, as it should, where polyinstantiated names exist: resolve them first.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_name", type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_name", ["name"])
