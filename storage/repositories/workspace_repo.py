"""Workspaces: the tenants (a Slack team, a Teams tenant, the console)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, or_, select

from bot.domain.model import Workspace
from storage.mapping import workspace_from_row
from storage.models import WorkspaceRow
from storage.sql import SessionRepository


class SqlWorkspaces(SessionRepository):
    def get_or_create(self, platform: str, external_id: str, name: str = "") -> Workspace:
        row = self.first(
            WorkspaceRow, WorkspaceRow.platform == platform, WorkspaceRow.external_id == external_id
        )
        if row is None:
            row = self.insert(
                WorkspaceRow(
                    platform=platform,
                    external_id=external_id,
                    name=name,
                    created_at=datetime.now(UTC),
                )
            )
        elif name and row.name != name:
            row.name = name
        return workspace_from_row(row)

    def get(self, workspace_id: int) -> Workspace | None:
        row = self.session.get(WorkspaceRow, workspace_id)
        return workspace_from_row(row) if row else None

    def find(self, ref: str) -> Sequence[Workspace]:
        wanted = ref.strip()
        rows = self.session.scalars(
            select(WorkspaceRow)
            .where(
                or_(
                    WorkspaceRow.external_id == wanted,
                    func.lower(WorkspaceRow.name) == wanted.lower(),
                )
            )
            .order_by(WorkspaceRow.id)
        )
        return [workspace_from_row(r) for r in rows]
