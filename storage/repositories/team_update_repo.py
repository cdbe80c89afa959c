"""What leadership did (`/pioneer did`), and the fortnight's team updates, one per member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain.team_update import LeadershipAction
from storage.mapping import from_row, values_of
from storage.models import LeadershipActionRow, TeamUpdateSendRow
from storage.sql import SendQueueRepository, of_journey


class SqlTeamUpdates(SendQueueRepository):
    send_row = TeamUpdateSendRow

    def add_action(self, action: LeadershipAction) -> LeadershipAction:
        row = self.insert(LeadershipActionRow(**values_of(action)))
        return from_row(LeadershipAction, row)

    def actions(
        self, workspace_id: int, journey_id: int, start: datetime, end: datetime
    ) -> list[LeadershipAction]:
        rows = self.rows(
            LeadershipActionRow,
            *of_journey(LeadershipActionRow, workspace_id, journey_id),
            LeadershipActionRow.recorded_at >= start,
            LeadershipActionRow.recorded_at < end,
            order_by=LeadershipActionRow.recorded_at,
        )
        return [from_row(LeadershipAction, r) for r in rows]

    def planned_weeks(self, workspace_id: int, journey_id: int) -> list[str]:
        row = TeamUpdateSendRow
        query = (
            select(row.iso_week)
            .where(*of_journey(row, workspace_id, journey_id))
            .distinct()
            .order_by(row.iso_week)
        )
        return list(self.session.scalars(query))
