"""drafting tables

Cycles, team members, consultation rounds (with the draft's snapshot), invited participants,
contributions with their decisions, and the launch pack's files. Cycle and round names are
indexed, not unique: uniqueness is checked among what the user may see (no hidden oracle).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _marking() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("marking_level", sa.Integer(), nullable=False),
        sa.Column("marking_compartments", sa.String(length=400), nullable=False),
    ]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for col in ("marking_level", *columns):
            batch_op.create_index(batch_op.f(f"ix_{table}_{col}"), [col], unique=False)


def upgrade() -> None:
    op.create_table(
        "drafting_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("strategy_key", sa.String(length=80), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("pen_holder", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_marking(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafting_cycles")),
    )
    _indexes("drafting_cycles", "name")
    op.create_table(
        "drafting_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("may_decide", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["drafting_cycles.id"],
            name=op.f("fk_drafting_team_cycle_id_drafting_cycles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafting_team")),
        sa.UniqueConstraint("cycle_id", "username", name="uq_drafting_team_member"),
    )
    with op.batch_alter_table("drafting_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafting_team_cycle_id"), ["cycle_id"], unique=False)
    op.create_table(
        "drafting_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        *_marking(),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["drafting_cycles.id"],
            name=op.f("fk_drafting_rounds_cycle_id_drafting_cycles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafting_rounds")),
    )
    _indexes("drafting_rounds", "cycle_id", "name")
    op.create_table(
        "drafting_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("org_kind", sa.String(length=20), nullable=False),
        sa.Column("invited_by", sa.String(length=100), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["drafting_rounds.id"],
            name=op.f("fk_drafting_participants_round_id_drafting_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafting_participants")),
        sa.UniqueConstraint("round_id", "username", name="uq_drafting_participant"),
    )
    with op.batch_alter_table("drafting_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drafting_participants_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_drafting_participants_username"), ["username"], unique=False
        )
    op.create_table(
        "drafting_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("org_kind", sa.String(length=20), nullable=False),
        sa.Column("component", sa.String(length=20), nullable=False),
        sa.Column("record_key", sa.String(length=80), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("moderation_reason", sa.Text(), nullable=False),
        sa.Column("moderated_by", sa.String(length=100), nullable=True),
        sa.Column("disposition", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("change_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_marking(),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["drafting_rounds.id"],
            name=op.f("fk_drafting_contributions_round_id_drafting_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafting_contributions")),
    )
    _indexes("drafting_contributions", "round_id", "disposition")
    op.create_table(
        "drafting_launch_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_marking(),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["drafting_cycles.id"],
            name=op.f("fk_drafting_launch_files_cycle_id_drafting_cycles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafting_launch_files")),
    )
    _indexes("drafting_launch_files", "cycle_id")


def downgrade() -> None:
    for table in (
        "drafting_launch_files",
        "drafting_contributions",
        "drafting_participants",
        "drafting_rounds",
        "drafting_team",
        "drafting_cycles",
    ):
        op.drop_table(table)
