"""Tables for every concept of the bot. Every row carries its workspace (tenant)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import CASCADE, Base, UtcDateTime, journey_fk, workspace_fk
from storage.platform_models import SlackInstallationRow as SlackInstallationRow
from storage.platform_models import TeamsConversationRow as TeamsConversationRow
from storage.platform_models import TeamsUserRow as TeamsUserRow

# A partial index's condition; queries that should use it spell it out literally (a bound
# parameter would not match it on SQLite, nor in PostgreSQL's generic plans).
PENDING = "status = 'pending'"


class WorkspaceRow(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class JourneyRow(Base):
    __tablename__ = "journeys"
    __table_args__ = (UniqueConstraint("workspace_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    name: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(16))
    phase_since: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    anonymity_threshold: Mapped[int] = mapped_column(Integer, default=5)
    # A channel the weekly digest is also posted in (the leaders'); NULL: only by DM.
    leadership_channel: Mapped[str | None] = mapped_column(String(128), nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    working_days: Mapped[str] = mapped_column(String(32), default="mon-fri")
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Every ritual occurrence due at or before this instant is recorded (see bot/scheduling).
    dispatched_through: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PhaseChangeRow(Base):
    __tablename__ = "phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    # Kept when the facilitator later asks to be forgotten; the move itself is history.
    actor_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    from_phase: Mapped[str] = mapped_column(String(16))
    to_phase: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("journey_id", "user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    user: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[str] = mapped_column(String(100), default="")  # comma-separated Role values
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    away_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The DM channel with this user, once opened (Slack's conversations.open is Tier 3).
    dm_channel: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RitualRow(Base):
    __tablename__ = "rituals"
    __table_args__ = (UniqueConstraint("journey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    key: Mapped[str] = mapped_column(String(64))  # e.g. "pulse", "checkin", "digest"
    kind: Mapped[str] = mapped_column(String(16))
    days: Mapped[str] = mapped_column(String(32))  # weekday names: "tue", "mon-fri"
    local_time: Mapped[str] = mapped_column(String(5))  # "10:00"
    open_hours: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(100), default="")
    phases: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    # The rule that nothing is sent twice: one delivery per ritual occurrence per member.
    __table_args__ = (
        UniqueConstraint("journey_id", "ritual_key", "occurrence", "member_id"),
        # What can still be due, so the idle pass costs the same after years of history:
        # the few pending ones, in id order (a batch reads the batch, not all pending)...
        Index(
            "ix_deliveries_pending",
            "id",
            sqlite_where=text(PENDING),
            postgresql_where=text(PENDING),
        ),
        # ...and the open ones (their poll not yet closed), for reminders and expiry; the
        # reminder time is in the index, so open polls whose reminder is not due are
        # passed over without reading their rows.
        Index("ix_deliveries_open", "status", "closes_at", "remind_at"),
        # A journey's deliveries of one week (who was asked, for the digest and the next
        # pulse's design): the week's, not the journey's whole history.
        Index("ix_deliveries_journey_due", "journey_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    ritual_id: Mapped[int | None] = mapped_column(
        ForeignKey("rituals.id", ondelete="SET NULL"), nullable=True
    )
    ritual_key: Mapped[str] = mapped_column(String(64))
    occurrence: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete=CASCADE), index=True)
    prompt_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(16))
    perspective: Mapped[str] = mapped_column(String(16))
    signal: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    message_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SendLeaseRow(Base):
    """Which scheduler replica sends a workspace's messages until when (PostgreSQL): one at a
    time per workspace, so its pacing holds across replicas; a replica that dies lets go
    when `lease_until` passes. `lease_until` also orders workspaces least recently served."""

    __tablename__ = "send_leases"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete=CASCADE), primary_key=True
    )
    holder: Mapped[str] = mapped_column(String(100))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime())


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (
        # Covers the digest's GROUP BY; the ISO week is stored, not computed at query time.
        Index("ix_answers_digest", "journey_id", "iso_week", "perspective", "signal", "value"),
        # The digest's per-person means: phases x perspectives, and the 8-week trend.
        Index(
            "ix_answers_grid",
            "workspace_id",
            "journey_id",
            "phase",
            "perspective",
            "member_id",
            "iso_week",
            "value",
        ),
        # The daily purge of answers older than the retention period.
        Index("ix_answers_answered_at", "answered_at"),
        Index(
            "ix_answers_person_week",
            "workspace_id",
            "journey_id",
            "iso_week",
            "perspective",
            "member_id",
            "value",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete=CASCADE))
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.id", ondelete=CASCADE), unique=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete=CASCADE), index=True)
    prompt_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(16))
    perspective: Mapped[str] = mapped_column(String(16))
    signal: Mapped[str] = mapped_column(String(32))
    roles: Mapped[str] = mapped_column(String(100))
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    iso_week: Mapped[str] = mapped_column(String(8))


class TouchpointRow(Base):
    __tablename__ = "touchpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(1000))
    logged_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    logged_at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(20), default="other", server_default="other")


class DigestRow(Base):
    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("journey_id", "iso_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    iso_week: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The answers the payload's quotes came from, comma-separated in the quotes' order, so
    # erasure finds a quote whose answer was edited since; NULL: stored before we kept them.
    quoted_answers: Mapped[str | None] = mapped_column(Text, nullable=True)


class WeekFigureRow(Base):
    """A closed week's figures as first published (bot/domain/digest/published.py): added
    once, never changed, so no later digest shows that week differently."""

    __tablename__ = "week_figures"
    __table_args__ = (UniqueConstraint("journey_id", "iso_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    iso_week: Mapped[str] = mapped_column(String(8))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class DigestSendRow(Base):
    """One recipient of one week's digest: planned when the digest is claimed, then sent.

    `recipient` is "member:<id>" or "channel:<id>". pending -> sending (claimed_at: a
    sender has it) -> sent, or back to pending after a temporary failure, or failed.
    """

    __tablename__ = "digest_sends"
    __table_args__ = (
        UniqueConstraint("journey_id", "iso_week", "recipient"),
        Index("ix_digest_sends_status", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    iso_week: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(160))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete=CASCADE), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ApiTokenRow(Base):
    """A token of the read-only API (GET /api/v1/...): its SHA-256 hash, never the token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shown: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TeamUpdateSendRow(Base):
    """One member's team update of one fortnight ("you said, we did"), planned for the whole
    journey at once when the fortnight's ritual falls due, then sent like a digest message.
    `iso_week` is the fortnight's last week; `recipient` is "member:<id>"."""

    __tablename__ = "team_update_sends"
    __table_args__ = (
        UniqueConstraint("journey_id", "iso_week", "recipient"),
        Index("ix_team_update_sends_status", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    iso_week: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(160))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete=CASCADE), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class LeadershipActionRow(Base):
    """What a director or facilitator did about a nudge or a theme (`/pioneer did`)."""

    __tablename__ = "leadership_actions"
    __table_args__ = (Index("ix_leadership_actions_recorded", "journey_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    journey_id: Mapped[int] = journey_fk()
    # Who recorded it; kept when they leave (the action stands), never shown to the team.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(64), default="")
    signal: Mapped[str] = mapped_column(String(32), default="")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebLinkRow(Base):
    """A one-time sign-in link of the web view (`/pioneer web`): its SHA-256 hash only."""

    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    user: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class WebSessionRow(Base):
    """A signed-in browser of the web view: its cookie's SHA-256 hash only."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    user: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
