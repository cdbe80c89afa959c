"""A journey's cadence changes (rituals rows) and calendar (paused, working days...)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.domain.records import JourneySchedule
from bot.domain.rituals import CadenceOverride
from storage.mapping import override_from_row, schedule_of
from storage.models import JourneyRow, RitualRow
from storage.sql import SessionRepository, of_journey, update_rows


class SqlRituals(SessionRepository):
    def overrides(self, workspace_id: int, journey_id: int) -> Sequence[CadenceOverride]:
        rows = self.rows(
            RitualRow,
            *of_journey(RitualRow, workspace_id, journey_id),
            order_by=RitualRow.key,
        )
        return [override_from_row(r) for r in rows]

    def set_override(self, workspace_id: int, journey_id: int, change: CadenceOverride) -> None:
        row = self.first(
            RitualRow,
            *of_journey(RitualRow, workspace_id, journey_id),
            RitualRow.key == change.key,
        )
        if row is None:
            row = RitualRow(
                workspace_id=workspace_id, journey_id=journey_id, key=change.key, kind="", config={}
            )
            self.session.add(row)
        row.days = change.days
        row.local_time = change.local_time
        row.open_hours = change.open_hours or 0
        row.active = change.active
        self.session.flush()

    def schedule(self, workspace_id: int, journey_id: int) -> JourneySchedule | None:
        row = self.session.execute(
            select(
                JourneyRow.paused,
                JourneyRow.working_days,
                JourneyRow.holidays,
                JourneyRow.dispatched_through,
            ).where(JourneyRow.workspace_id == workspace_id, JourneyRow.id == journey_id)
        ).first()
        return None if row is None else schedule_of(*row)

    def set_paused(self, workspace_id: int, journey_id: int, paused: bool) -> None:
        update_rows(
            self.session,
            JourneyRow,
            JourneyRow.workspace_id == workspace_id,
            JourneyRow.id == journey_id,
            paused=paused,
        )

    def set_working_days(self, workspace_id: int, journey_id: int, days: str) -> None:
        update_rows(
            self.session,
            JourneyRow,
            JourneyRow.workspace_id == workspace_id,
            JourneyRow.id == journey_id,
            working_days=days,
        )

    def set_holidays(self, workspace_id: int, journey_id: int, days: Sequence[str]) -> None:
        update_rows(
            self.session,
            JourneyRow,
            JourneyRow.workspace_id == workspace_id,
            JourneyRow.id == journey_id,
            holidays=sorted(set(days)),
        )
