"""you said, we did: what leadership did, and the fortnight's team update to every member

`leadership_actions` keeps what a director or facilitator did about a nudge or a theme;
`team_update_sends` plans one message per member for each fortnight before any is sent
(the same outbox as `digest_sends`), so a crash neither loses nor doubles an update.

Revision ID: 0011_team_updates
Revises: 0008_api_tokens
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0011_team_updates"
down_revision: str | None = "0008_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leadership_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("signal", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journeys.id"],
            name=op.f("fk_leadership_actions_journey_id_journeys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_leadership_actions_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_leadership_actions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leadership_actions")),
    )
    with op.batch_alter_table("leadership_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leadership_actions_journey_id"), ["journey_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_leadership_actions_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            "ix_leadership_actions_recorded", ["journey_id", "recorded_at"], unique=False
        )
    op.create_table(
        "team_update_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=160), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journeys.id"],
            name=op.f("fk_team_update_sends_journey_id_journeys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_team_update_sends_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_team_update_sends_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_update_sends")),
        sa.UniqueConstraint(
            "journey_id",
            "iso_week",
            "recipient",
            name=op.f("uq_team_update_sends_journey_id_iso_week_recipient"),
        ),
    )
    with op.batch_alter_table("team_update_sends", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_update_sends_journey_id"), ["journey_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_team_update_sends_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index("ix_team_update_sends_status", ["status", "claimed_at"], unique=False)


def downgrade() -> None:
    op.drop_table("team_update_sends")
    op.drop_table("leadership_actions")
