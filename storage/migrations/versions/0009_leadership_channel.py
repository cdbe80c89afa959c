"""leadership channel: where a journey's weekly digest is also posted

Facilitators set it with `/pioneer digest channel #leaders`; until then (and for every
journey before this revision) the digest goes to directors and learning professionals by
direct message only.

Revision ID: 0008_admin_leadership_channel
Revises: 0008
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_admin_leadership_channel"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(sa.Column("leadership_channel", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("leadership_channel")
