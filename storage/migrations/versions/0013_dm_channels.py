"""each member's direct-message channel, remembered after the first conversations.open

A fan-out then makes one call per person (chat.postMessage) instead of two, also after a
restart; a channel the platform no longer accepts is opened again and replaced.

Revision ID: 0013_dm_channels
Revises: 0012_history_indexes
Create Date: 2026-12-02 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_dm_channels"
down_revision: str | None = "0012_history_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("dm_channel", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("dm_channel")
