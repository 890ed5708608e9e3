"""delivery tables

Check-ins, milestones, judgements and comments on objectives; stocktake packs; the deployments
register with its yearly review rounds, proposals and sign-offs; capability targets; and the
user-to-actor memberships that decide who reports for which objective.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_capability_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("capability", sa.String(length=80), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("delivered", sa.Float(), nullable=True),
        sa.Column("spend", sa.Float(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_capability_targets")),
    )
    with op.batch_alter_table("delivery_capability_targets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_capability_targets_cap", ["capability", "measure", "year"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_capability_targets_marking_level"),
            ["marking_level"],
            unique=False,
        )

    op.create_table(
        "delivery_checkins",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("next_milestone", sa.String(length=300), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("reporter", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_key", sa.String(length=80), nullable=False),
        sa.Column("objective", sa.String(length=80), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_checkins")),
    )
    with op.batch_alter_table("delivery_checkins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_checkins_marking_level"), ["marking_level"], unique=False
        )
        batch_op.create_index(
            "ix_delivery_checkins_objective", ["strategy_key", "objective"], unique=False
        )

    op.create_table(
        "delivery_comments",
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_key", sa.String(length=80), nullable=False),
        sa.Column("objective", sa.String(length=80), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_comments")),
    )
    with op.batch_alter_table("delivery_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_comments_marking_level"), ["marking_level"], unique=False
        )
        batch_op.create_index(
            "ix_delivery_comments_objective", ["strategy_key", "objective"], unique=False
        )

    op.create_table(
        "delivery_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("framework", sa.String(length=20), nullable=False),
        sa.Column("theatre", sa.String(length=200), nullable=False),
        sa.Column("personnel", sa.Integer(), nullable=False),
        sa.Column("annual_cost", sa.Float(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("threats", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_deployments")),
        sa.UniqueConstraint("key", name=op.f("uq_delivery_deployments_key")),
    )
    with op.batch_alter_table("delivery_deployments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_deployments_marking_level"), ["marking_level"], unique=False
        )

    op.create_table(
        "delivery_judgements",
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("judged_on", sa.Date(), nullable=False),
        sa.Column("judge", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_key", sa.String(length=80), nullable=False),
        sa.Column("objective", sa.String(length=80), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_judgements")),
    )
    with op.batch_alter_table("delivery_judgements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_judgements_marking_level"), ["marking_level"], unique=False
        )
        batch_op.create_index(
            "ix_delivery_judgements_objective", ["strategy_key", "objective"], unique=False
        )

    op.create_table(
        "delivery_milestones",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(length=200), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_key", sa.String(length=80), nullable=False),
        sa.Column("objective", sa.String(length=80), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_milestones")),
    )
    with op.batch_alter_table("delivery_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_milestones_marking_level"), ["marking_level"], unique=False
        )
        batch_op.create_index(
            "ix_delivery_milestones_objective", ["strategy_key", "objective"], unique=False
        )

    op.create_table(
        "delivery_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_key", sa.String(length=80), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_packs")),
    )
    with op.batch_alter_table("delivery_packs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_packs_marking_level"), ["marking_level"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_packs_strategy_key"), ["strategy_key"], unique=False
        )

    op.create_table(
        "delivery_review_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_review_rounds")),
        sa.UniqueConstraint("year", name=op.f("uq_delivery_review_rounds_year")),
    )
    with op.batch_alter_table("delivery_review_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_review_rounds_marking_level"), ["marking_level"], unique=False
        )

    op.create_table(
        "delivery_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("deployment", sa.String(length=80), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("scenario", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["delivery_review_rounds.id"],
            name=op.f("fk_delivery_proposals_round_id_delivery_review_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_proposals")),
    )
    with op.batch_alter_table("delivery_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_proposals_marking_level"), ["marking_level"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_proposals_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "delivery_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("signed_by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["delivery_review_rounds.id"],
            name=op.f("fk_delivery_signoffs_round_id_delivery_review_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_signoffs")),
    )
    with op.batch_alter_table("delivery_signoffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_signoffs_marking_level"), ["marking_level"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_signoffs_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "user_actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_actors_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_actors")),
        sa.UniqueConstraint("user_id", "actor", name="uq_user_actors_user_actor"),
    )
    with op.batch_alter_table("user_actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_actors_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_actors_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("user_actors")
    op.drop_table("delivery_signoffs")
    op.drop_table("delivery_proposals")
    op.drop_table("delivery_review_rounds")
    op.drop_table("delivery_packs")
    op.drop_table("delivery_milestones")
    op.drop_table("delivery_judgements")
    op.drop_table("delivery_deployments")
    op.drop_table("delivery_comments")
    op.drop_table("delivery_checkins")
    op.drop_table("delivery_capability_targets")
