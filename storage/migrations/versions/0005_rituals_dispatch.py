"""scheduler bookkeeping: per-journey dispatch watermark and reminders per delivery

`journeys.dispatched_through`: every ritual occurrence due at or before this instant has
been recorded as a delivery (pending, sent or missed), so an idle scheduler pass reads
one row per journey instead of recomputing weeks of occurrences. `deliveries.remind_at`
is when the one reminder is due (NULL: none), `reminded_at` when it was sent.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(
            sa.Column("dispatched_through", storage.base.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("remind_at", storage.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("reminded_at", storage.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch.create_index("ix_deliveries_status_remind", ["status", "remind_at"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_status_remind")
        batch.drop_column("reminded_at")
        batch.drop_column("remind_at")
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("dispatched_through")
