"""api tokens: per-workspace tokens of the read-only API, kept as SHA-256 hashes

Revision ID: 0008_api_tokens
Revises: 0008_admin_leadership_channel
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0008_api_tokens"
down_revision: str | None = "0008_admin_leadership_channel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("shown", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_api_tokens_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_tokens_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("api_tokens")
