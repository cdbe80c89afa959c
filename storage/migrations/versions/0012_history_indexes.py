"""history indexes: the idle scheduler pass reads what can still be due, not all history

The reminder query read every delivery ever sent (`status, remind_at <= now`) and the
pending and expiry queries every pending one: an idle pass grew with history (363 ms at
5 million deliveries on PostgreSQL). Now the pending deliveries have a partial index in id
order (a batch reads the batch) and open ones are found by `status, closes_at` (with
`remind_at`, so an open poll whose reminder is not due is passed over in the index).

Revision ID: 0012_history_indexes
Revises: 0011_team_updates
Create Date: 2026-12-02 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_history_indexes"
down_revision: str | None = "0011_team_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status = 'pending'"


def upgrade() -> None:
    op.create_index(
        "ix_deliveries_pending",
        "deliveries",
        ["id"],
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )
    op.create_index("ix_deliveries_open", "deliveries", ["status", "closes_at", "remind_at"])
    op.drop_index("ix_deliveries_status_remind", table_name="deliveries")
    op.drop_index("ix_deliveries_status_due", table_name="deliveries")


def downgrade() -> None:
    op.create_index("ix_deliveries_status_due", "deliveries", ["status", "due_at"])
    op.create_index("ix_deliveries_status_remind", "deliveries", ["status", "remind_at"])
    op.drop_index("ix_deliveries_open", table_name="deliveries")
    op.drop_index("ix_deliveries_pending", table_name="deliveries")
