"""People the bot has seen on a platform (Teams): ids, name, 1:1 chat, reachable or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain.records import Person
from storage.mapping import from_row
from storage.models import TeamsUserRow
from storage.sql import SessionRepository


def _person(row: TeamsUserRow) -> Person:
    return from_row(Person, row, external_id=row.aad_object_id, platform_id=row.teams_id)


class SqlPeople(SessionRepository):
    def _row(self, workspace_id: int, external_id: str) -> TeamsUserRow | None:
        return self.first(
            TeamsUserRow,
            TeamsUserRow.workspace_id == workspace_id,
            TeamsUserRow.aad_object_id == external_id,
        )

    def _row_or_new(self, workspace_id: int, external_id: str) -> TeamsUserRow:
        row = self._row(workspace_id, external_id)
        if row is None:
            row = TeamsUserRow(workspace_id=workspace_id, aad_object_id=external_id, name="")
            self.session.add(row)
        return row

    def get(self, workspace_id: int, external_id: str) -> Person | None:
        row = self._row(workspace_id, external_id)
        return _person(row) if row else None

    def by_platform_id(self, workspace_id: int, platform_id: str) -> Person | None:
        row = self.first(
            TeamsUserRow,
            TeamsUserRow.workspace_id == workspace_id,
            TeamsUserRow.teams_id == platform_id,
        )
        return _person(row) if row else None

    def seen(
        self,
        workspace_id: int,
        external_id: str,
        platform_id: str | None,
        name: str,
        personal_conversation_id: str | None,
        at: datetime,
    ) -> None:
        row = self._row_or_new(workspace_id, external_id)
        row.teams_id = platform_id or row.teams_id
        row.name = (name or row.name or "")[:200]
        if personal_conversation_id:
            row.personal_conversation_id = personal_conversation_id
            row.unreachable_since = None
        row.updated_at = at

    def set_personal_conversation(
        self, workspace_id: int, external_id: str, conversation_id: str, at: datetime
    ) -> None:
        row = self._row_or_new(workspace_id, external_id)
        row.personal_conversation_id = conversation_id
        row.updated_at = at

    def mark_unreachable(self, workspace_id: int, external_id: str, at: datetime) -> None:
        row = self._row_or_new(workspace_id, external_id)
        row.unreachable_since = at
        # A 1:1 chat that answered 403/404 is gone; a later message from them brings it back.
        row.personal_conversation_id = None
        row.updated_at = at

    def names(self, workspace_id: int) -> dict[str, str]:
        rows = self.session.execute(
            select(TeamsUserRow.aad_object_id, TeamsUserRow.name).where(
                TeamsUserRow.workspace_id == workspace_id
            )
        )
        return {external_id: name for external_id, name in rows if name}
