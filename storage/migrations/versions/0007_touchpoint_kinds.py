"""touchpoint kinds: what a logged touchpoint was, outside the walls or inside them

Only contacts outside the organisation count as looking outside; a decision taken or a
team formed is logged too, but inside. Touchpoints logged before are outside contacts of
no stated kind ("other").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("touchpoints") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), server_default="other", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("touchpoints") as batch:
        batch.drop_column("kind")
