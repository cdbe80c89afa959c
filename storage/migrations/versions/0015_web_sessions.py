"""web sessions: one-time sign-in links and sessions of the web view, kept as hashes

Revision ID: 0015_web_sessions
Revises: 0014_send_leases
Create Date: 2026-12-02 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0015_web_sessions"
down_revision: str | None = "0014_send_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(name: str, *extra: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        *extra,
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f(f"fk_{name}_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{name}_token_hash")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_workspace_id"), ["workspace_id"], unique=False)


def upgrade() -> None:
    _table(
        "web_links",
        sa.Column("used_at", storage.base.UtcDateTime(timezone=True), nullable=True),
    )
    _table("web_sessions")


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("web_links")
