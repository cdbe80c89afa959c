"""slack installations (OAuth installation store, tokens encrypted at rest)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("installation_key", sa.String(length=80), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=False),
        sa.Column("installed_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_slack_installations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_installations")),
        sa.UniqueConstraint(
            "installation_key", name=op.f("uq_slack_installations_installation_key")
        ),
    )
    with op.batch_alter_table("slack_installations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_installations_team_id"), ["team_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_slack_installations_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_installations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_installations_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_slack_installations_team_id"))
    op.drop_table("slack_installations")
