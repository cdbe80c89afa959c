"""Conversation references the bot keeps to write first (Teams' proactive sends), by key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from storage.models import TeamsConversationRow
from storage.sql import SessionRepository


class SqlConversations(SessionRepository):
    def read(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        rows = self.session.scalars(
            select(TeamsConversationRow).where(TeamsConversationRow.key.in_(keys))
        )
        return {row.key: dict(row.data) for row in rows}

    def save(
        self, key: str, workspace_id: int, service_url: str, data: dict[str, Any], at: datetime
    ) -> bool:
        row = self.first(TeamsConversationRow, TeamsConversationRow.key == key)
        if row is None:
            row = TeamsConversationRow(key=key)
            self.session.add(row)
        elif row.workspace_id != workspace_id:
            return False
        row.workspace_id = workspace_id
        row.service_url = service_url
        row.data = data
        row.updated_at = at
        return True

    def delete(self, keys: Sequence[str]) -> None:
        self.session.execute(delete(TeamsConversationRow).where(TeamsConversationRow.key.in_(keys)))

    def workspace_of(self, key: str) -> int | None:
        return self.session.scalar(
            select(TeamsConversationRow.workspace_id).where(TeamsConversationRow.key == key)
        )

    def latest_service_url(self, workspace_id: int) -> str | None:
        return self.session.scalar(
            select(TeamsConversationRow.service_url)
            .where(TeamsConversationRow.workspace_id == workspace_id)
            .order_by(TeamsConversationRow.updated_at.desc())
            .limit(1)
        )
