"""horizon analysis tables: stories, lineage, alerts, briefs, external assessments

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "horizon_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("stories", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_horizon_alerts_key")),
    )
    op.create_index(
        op.f("ix_horizon_alerts_marking_level"), "horizon_alerts", ["marking_level"], unique=False
    )
    op.create_index(op.f("ix_horizon_alerts_start"), "horizon_alerts", ["start"], unique=False)
    op.create_table(
        "horizon_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("judgement", sa.Text(), nullable=False),
        sa.Column("confidence", sa.String(length=20), nullable=False),
        sa.Column("threats", sa.JSON(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_assessments")),
    )
    op.create_index(
        op.f("ix_horizon_assessments_marking_level"),
        "horizon_assessments",
        ["marking_level"],
        unique=False,
    )
    op.create_table(
        "horizon_briefs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("support_rate", sa.Float(), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_briefs")),
    )
    op.create_index(
        op.f("ix_horizon_briefs_marking_level"), "horizon_briefs", ["marking_level"], unique=False
    )
    op.create_table(
        "horizon_stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_stories")),
    )
    op.create_index(
        op.f("ix_horizon_stories_marking_level"), "horizon_stories", ["marking_level"], unique=False
    )
    op.create_table(
        "horizon_story_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("other_story_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_story_events")),
    )
    op.create_index(
        op.f("ix_horizon_story_events_marking_level"),
        "horizon_story_events",
        ["marking_level"],
        unique=False,
    )
    op.create_index(
        op.f("ix_horizon_story_events_story_id"), "horizon_story_events", ["story_id"], unique=False
    )
    op.create_table(
        "horizon_alert_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["horizon_alerts.id"],
            name=op.f("fk_horizon_alert_actions_alert_id_horizon_alerts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_alert_actions")),
    )
    op.create_index(
        op.f("ix_horizon_alert_actions_alert_id"),
        "horizon_alert_actions",
        ["alert_id"],
        unique=False,
    )
    op.create_table(
        "horizon_story_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("actors", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["horizon_documents.id"],
            name=op.f("fk_horizon_story_members_document_id_horizon_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["horizon_stories.id"],
            name=op.f("fk_horizon_story_members_story_id_horizon_stories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_horizon_story_members")),
        sa.UniqueConstraint("document_id", name=op.f("uq_horizon_story_members_document_id")),
    )
    op.create_index(
        op.f("ix_horizon_story_members_marking_level"),
        "horizon_story_members",
        ["marking_level"],
        unique=False,
    )
    op.create_index(
        "ix_horizon_story_members_published", "horizon_story_members", ["published"], unique=False
    )
    op.create_index(
        op.f("ix_horizon_story_members_story_id"),
        "horizon_story_members",
        ["story_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_horizon_story_members_story_id"), table_name="horizon_story_members")
    op.drop_index("ix_horizon_story_members_published", table_name="horizon_story_members")
    op.drop_index(
        op.f("ix_horizon_story_members_marking_level"), table_name="horizon_story_members"
    )
    op.drop_table("horizon_story_members")
    op.drop_index(op.f("ix_horizon_alert_actions_alert_id"), table_name="horizon_alert_actions")
    op.drop_table("horizon_alert_actions")
    op.drop_index(op.f("ix_horizon_story_events_story_id"), table_name="horizon_story_events")
    op.drop_index(op.f("ix_horizon_story_events_marking_level"), table_name="horizon_story_events")
    op.drop_table("horizon_story_events")
    op.drop_index(op.f("ix_horizon_stories_marking_level"), table_name="horizon_stories")
    op.drop_table("horizon_stories")
    op.drop_index(op.f("ix_horizon_briefs_marking_level"), table_name="horizon_briefs")
    op.drop_table("horizon_briefs")
    op.drop_index(op.f("ix_horizon_assessments_marking_level"), table_name="horizon_assessments")
    op.drop_table("horizon_assessments")
    op.drop_index(op.f("ix_horizon_alerts_start"), table_name="horizon_alerts")
    op.drop_index(op.f("ix_horizon_alerts_marking_level"), table_name="horizon_alerts")
    op.drop_table("horizon_alerts")
