"""digest recipients: one row per recipient of each week's digest

The weekly digest used to be marked sent before its direct messages went out, so a crash
or a failed message lost it for those people. Now claiming a week's digest plans one row
per recipient in the same transaction; each is sent and marked on its own, and a later
scheduler pass sends what is still pending (after a crash, a rate limit, a time-out).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=160), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journeys.id"],
            name=op.f("fk_digest_sends_journey_id_journeys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_digest_sends_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_digest_sends_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_sends")),
        sa.UniqueConstraint(
            "journey_id",
            "iso_week",
            "recipient",
            name=op.f("uq_digest_sends_journey_id_iso_week_recipient"),
        ),
    )
    with op.batch_alter_table("digest_sends", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_digest_sends_journey_id"), ["journey_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_digest_sends_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index("ix_digest_sends_status", ["status", "claimed_at"], unique=False)


def downgrade() -> None:
    op.drop_table("digest_sends")
