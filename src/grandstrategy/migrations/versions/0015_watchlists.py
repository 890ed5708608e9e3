"""watchlists: threats' watchlist entries and the review items alerts open for owners

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _marking() -> list[sa.Column[object]]:
    return [
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "horizon_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=100), nullable=False),
        sa.Column("threat", sa.String(length=100), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("actors", sa.JSON(), nullable=False),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_marking(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_watches")),
        sa.UniqueConstraint(
            "strategy",
            "threat",
            "marking_level",
            "marking_compartments",
            name="uq_horizon_watches_threat_marking",
        ),
    )
    op.create_index(op.f("ix_horizon_watches_threat"), "horizon_watches", ["threat"])
    op.create_index(op.f("ix_horizon_watches_marking_level"), "horizon_watches", ["marking_level"])
    op.create_table(
        "horizon_watch_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=100), nullable=False),
        sa.Column("threat", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_marking(),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["horizon_alerts.id"],
            name=op.f("fk_horizon_watch_reviews_alert_id_horizon_alerts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_watch_reviews")),
        sa.UniqueConstraint(
            "alert_id", "strategy", "threat", "owner", name="uq_horizon_watch_reviews_alert"
        ),
    )
    op.create_index(
        op.f("ix_horizon_watch_reviews_alert_id"), "horizon_watch_reviews", ["alert_id"]
    )
    op.create_index(op.f("ix_horizon_watch_reviews_owner"), "horizon_watch_reviews", ["owner"])
    op.create_index(
        op.f("ix_horizon_watch_reviews_marking_level"),
        "horizon_watch_reviews",
        ["marking_level"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_horizon_watch_reviews_marking_level"), table_name="horizon_watch_reviews"
    )
    op.drop_index(op.f("ix_horizon_watch_reviews_owner"), table_name="horizon_watch_reviews")
    op.drop_index(op.f("ix_horizon_watch_reviews_alert_id"), table_name="horizon_watch_reviews")
    op.drop_table("horizon_watch_reviews")
    op.drop_index(op.f("ix_horizon_watches_marking_level"), table_name="horizon_watches")
    op.drop_index(op.f("ix_horizon_watches_threat"), table_name="horizon_watches")
    op.drop_table("horizon_watches")
