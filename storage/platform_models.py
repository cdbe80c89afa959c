"""Tables of the chat platforms' own records: Slack installations, Teams conversations and
people. Every row carries its workspace (tenant)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime, workspace_fk


class SlackInstallationRow(Base):
    """One Slack workspace (or org) that installed the app; tokens encrypted at rest."""

    __tablename__ = "slack_installations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    # "<enterprise_id>:<team_id>", either part may be empty; a reinstall replaces the row.
    installation_key: Mapped[str] = mapped_column(String(80), unique=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    team_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # everything but the secrets
    secrets: Mapped[str] = mapped_column(Text)  # Fernet token of a JSON object
    installed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TeamsConversationRow(Base):
    """A Teams conversation reference (the SDK's `Conversation`), kept for proactive sends."""

    __tablename__ = "teams_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    # The SDK's storage key: "proactive/conversations/<conversation id>".
    key: Mapped[str] = mapped_column(String(400), unique=True)
    service_url: Mapped[str] = mapped_column(String(400))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TeamsUserRow(Base):
    """A Teams person as the bot has seen them: ids, name, 1:1 chat, and whether reachable."""

    __tablename__ = "teams_users"
    __table_args__ = (UniqueConstraint("workspace_id", "aad_object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_fk()
    aad_object_id: Mapped[str] = mapped_column(String(64))
    teams_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    personal_conversation_id: Mapped[str | None] = mapped_column(String(400), nullable=True)
    unreachable_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
