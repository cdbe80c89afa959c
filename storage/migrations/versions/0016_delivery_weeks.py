"""delivery weeks: a journey's deliveries of one week found by `journey_id, due_at`

The digest asks who was asked in each of its weeks, and the pulse design what was asked
before; both read a journey's deliveries due in a range. With only `journey_id` indexed
(and, since 0012, no index on `due_at`), each of those read every delivery of the journey:
a digest over 500,000 answers took three times as long.

Revision ID: 0016_delivery_weeks
Revises: 0015_web_sessions
Create Date: 2026-12-03 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_delivery_weeks"
down_revision: str | None = "0015_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_deliveries_journey_due", "deliveries", ["journey_id", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_journey_due", table_name="deliveries")
