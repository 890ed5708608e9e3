"""audit and sessions: keyed MACs on audit entries and on the chain's head

Each audit entry and the head get the id of the audit key that signed them and the HMAC. The
key itself lives in a file outside the database (see core/auditkeys.py); entries written before
the key existed keep empty columns and are reported as chained but not signed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("audit_events", "audit_head"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("key_id", sa.String(length=16), nullable=False, server_default="")
            )
            batch_op.add_column(
                sa.Column("mac", sa.String(length=64), nullable=False, server_default="")
            )


def downgrade() -> None:
    for table in ("audit_head", "audit_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("mac")
            batch_op.drop_column("key_id")
