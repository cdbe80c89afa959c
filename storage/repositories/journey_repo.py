"""Journeys and their phase history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.domain.model import Journey, PhaseChange
from storage.mapping import copy_fields, journey_from_row, phase_change_from_row, values_of
from storage.models import JourneyRow, PhaseChangeRow
from storage.sql import SessionRepository, must_exist, of_journey

# What saving a journey may change: its channel, workspace and start stay what they were.
_SAVED = (
    "name",
    "language",
    "timezone",
    "phase",
    "phase_since",
    "anonymity_threshold",
    "leadership_channel",
)


class SqlJourneys(SessionRepository):
    def _row(self, workspace_id: int, journey_id: int) -> JourneyRow | None:
        return self.first(
            JourneyRow, JourneyRow.workspace_id == workspace_id, JourneyRow.id == journey_id
        )

    def add(self, journey: Journey) -> Journey:
        row = JourneyRow(**values_of(journey), paused=False, working_days="mon-fri", holidays=[])
        journey.id = self.insert(row).id
        return journey

    def get(self, workspace_id: int, journey_id: int) -> Journey | None:
        row = self._row(workspace_id, journey_id)
        return journey_from_row(row) if row else None

    def workspace_of(self, journey_id: int) -> int | None:
        """The workspace a journey belongs to, whichever it is.

        An operator's cross-workspace lookup (`pioneer digest --journey`): the operator knows
        a journey's id, not its workspace. Not for anything a workspace's member asks.
        """
        return self.session.scalar(
            select(JourneyRow.workspace_id).where(JourneyRow.id == journey_id)
        )

    def by_channel(self, workspace_id: int, channel: str) -> Journey | None:
        row = self.first(
            JourneyRow, JourneyRow.workspace_id == workspace_id, JourneyRow.channel == channel
        )
        return journey_from_row(row) if row else None

    def list(self, workspace_id: int) -> Sequence[Journey]:
        rows = self.rows(
            JourneyRow, JourneyRow.workspace_id == workspace_id, order_by=JourneyRow.id
        )
        return [journey_from_row(r) for r in rows]

    def save(self, journey: Journey) -> None:
        assert journey.id is not None
        row = must_exist(self._row(journey.workspace_id, journey.id), journey.id)
        copy_fields(row, journey, *_SAVED)

    def add_phase_change(self, change: PhaseChange) -> PhaseChange:
        journey = self.session.get(JourneyRow, change.journey_id)
        assert journey is not None
        row = PhaseChangeRow(**values_of(change, workspace_id=journey.workspace_id))
        return phase_change_from_row(self.insert(row))

    def phase_history(self, workspace_id: int, journey_id: int) -> Sequence[PhaseChange]:
        rows = self.session.scalars(
            select(PhaseChangeRow)
            .where(
                *of_journey(PhaseChangeRow, workspace_id, journey_id),
            )
            .order_by(PhaseChangeRow.at, PhaseChangeRow.id)
        )
        return [phase_change_from_row(r) for r in rows]
