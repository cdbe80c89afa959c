"""teams conversation references and the Teams people the bot has seen

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("service_url", sa.String(length=400), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_teams_conversations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_conversations")),
        sa.UniqueConstraint("key", name=op.f("uq_teams_conversations_key")),
    )
    with op.batch_alter_table("teams_conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teams_conversations_workspace_id"), ["workspace_id"], unique=False
        )
    op.create_table(
        "teams_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("teams_id", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("personal_conversation_id", sa.String(length=400), nullable=True),
        sa.Column("unreachable_since", storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_teams_users_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_users")),
        sa.UniqueConstraint(
            "workspace_id", "aad_object_id", name=op.f("uq_teams_users_workspace_id_aad_object_id")
        ),
    )
    with op.batch_alter_table("teams_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teams_users_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teams_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_users_workspace_id"))
    op.drop_table("teams_users")
    with op.batch_alter_table("teams_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_conversations_workspace_id"))
    op.drop_table("teams_conversations")
