"""send leases: scheduler replicas share the sending, one replica per workspace at a time

`send_leases` holds, per workspace, which replica sends its messages and until when; a
replica that dies lets go when its lease runs out, and another takes the rest over.

Revision ID: 0014_send_leases
Revises: 0013_dm_channels
Create Date: 2026-12-02 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0014_send_leases"
down_revision: str | None = "0013_dm_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_leases",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("lease_until", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_send_leases_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_send_leases")),
    )


def downgrade() -> None:
    op.drop_table("send_leases")
