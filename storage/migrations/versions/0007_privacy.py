"""privacy: where each digest quote came from, so erasure can take it out

`digests.quoted_answers`: the ids of the answers the payload's quotes were taken from, in
the quotes' order, comma-separated ('' for none). A person who asks to be forgotten has
their quotes taken out of every stored digest, sent or not, even after they edited the
answer a quote shows. NULL: stored before this revision; erasure then matches the text.

Renumbering (another branch may take 0007): rename the file and change `revision` and
`down_revision` below; nothing else refers to them.

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
    with op.batch_alter_table("digests") as batch:
        batch.add_column(sa.Column("quoted_answers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digests") as batch:
        batch.drop_column("quoted_answers")
