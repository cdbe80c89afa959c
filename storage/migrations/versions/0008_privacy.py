"""privacy: weeks' figures fixed when first published, quotes' sources, answers by age

`week_figures`: a closed week's figures as first published (bot/domain/digest/published.py),
one row per journey and week, added once and never changed, so that no later digest or
preview shows a week differently and no difference of two can reveal one person.

`digests.quoted_answers`: the ids of the answers the payload's quotes were taken from, in
the quotes' order, comma-separated ('' for none). A person who asks to be forgotten has
their quotes taken out of every stored digest, sent or not, even after they edited the
answer a quote shows. NULL: stored before this revision; erasure then matches the text.

`ix_answers_answered_at`: the daily purge of answers older than the retention period
(PIONEER_RETENTION_MONTHS) finds them without reading the whole table.

Renumbering (another branch may take this number): rename the file and change `revision` and
`down_revision` below; nothing else refers to them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digests") as batch:
        batch.add_column(sa.Column("quoted_answers", sa.Text(), nullable=True))
    op.create_table(
        "week_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("published_at", storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journeys.id"],
            name=op.f("fk_week_figures_journey_id_journeys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_week_figures_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_week_figures")),
        sa.UniqueConstraint(
            "journey_id", "iso_week", name=op.f("uq_week_figures_journey_id_iso_week")
        ),
    )
    with op.batch_alter_table("week_figures") as batch:
        batch.create_index(batch.f("ix_week_figures_journey_id"), ["journey_id"], unique=False)
        batch.create_index(batch.f("ix_week_figures_workspace_id"), ["workspace_id"], unique=False)

    with op.batch_alter_table("answers") as batch:
        batch.create_index("ix_answers_answered_at", ["answered_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_index("ix_answers_answered_at")
    op.drop_table("week_figures")
    with op.batch_alter_table("digests") as batch:
        batch.drop_column("quoted_answers")
