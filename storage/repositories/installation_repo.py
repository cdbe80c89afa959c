"""A workspace's bot credentials, as its platform handed them over when it was installed.

The rows are the ones Slack's OAuth installs fill (slack_installations); the secrets
arrive sealed and leave sealed: encryption is the platform's business.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from bot.domain.records import PlatformInstallation
from storage.mapping import from_row
from storage.models import SlackInstallationRow
from storage.sql import SessionRepository


class SqlInstallations(SessionRepository):
    def _row(self, key: str) -> SlackInstallationRow | None:
        return self.first(SlackInstallationRow, SlackInstallationRow.installation_key == key)

    def save(self, installation: PlatformInstallation) -> None:
        row = self._row(installation.key)
        if row is None:
            row = SlackInstallationRow(installation_key=installation.key)
            self.session.add(row)
        row.workspace_id = installation.workspace_id
        # Copies of the data's ids, for looking a row up by hand; the bot finds it by key.
        row.enterprise_id = installation.data.get("enterprise_id")
        row.team_id = installation.data.get("team_id")
        row.data = installation.data
        row.secrets = installation.sealed
        row.installed_at = installation.installed_at

    def find(self, key: str) -> PlatformInstallation | None:
        row = self._row(key)
        if row is None:
            return None
        return from_row(
            PlatformInstallation,
            row,
            key=row.installation_key,
            data=dict(row.data),
            sealed=row.secrets,
        )

    def newest(self, limit: int) -> list[PlatformInstallation]:
        rows = self.session.scalars(
            select(SlackInstallationRow)
            .order_by(SlackInstallationRow.installed_at.desc())
            .limit(limit)
        )
        return [
            from_row(
                PlatformInstallation,
                row,
                key=row.installation_key,
                data=dict(row.data),
                sealed=row.secrets,
            )
            for row in rows
        ]

    def delete(self, keys: Sequence[str]) -> None:
        self.session.execute(
            delete(SlackInstallationRow).where(SlackInstallationRow.installation_key.in_(keys))
        )
