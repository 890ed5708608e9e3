"""strategy trust: room for scoped internal keys

A record's id is at most 80 characters. When a user creates an id that a record they cannot
see already holds, the new record is stored under the id plus "~" and a token (see
strategy/scope.py), and links to it hold that internal key; the key and link columns grow to
100 characters to make room. Existing keys are unchanged: they are their own internal keys.

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
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.String(length=old),
                    type_=sa.String(length=new),
                    existing_nullable=column in ("parent", "owner"),
                )


def upgrade() -> None:
    _resize(80, 100)


def downgrade() -> None:
    _resize(100, 80)
