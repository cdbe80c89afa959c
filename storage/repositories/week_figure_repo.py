"""Closed weeks' figures as first published: added once, never changed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.models import WeekFigureRow
from storage.sql import SessionRepository, insert_for


class SqlWeekFigures(SessionRepository):
    def up_to(self, workspace_id: int, journey_id: int, iso_week: str) -> Mapping[str, Any]:
        rows = self.session.execute(
            select(WeekFigureRow.iso_week, WeekFigureRow.figures).where(
                WeekFigureRow.workspace_id == workspace_id,
                WeekFigureRow.journey_id == journey_id,
                # `2026-W09` < `2026-W10`: ISO week strings sort as the weeks do.
                WeekFigureRow.iso_week <= iso_week,
            )
        )
        return {week: dict(figures) for week, figures in rows}

    def add(
        self, workspace_id: int, journey_id: int, weeks: Mapping[str, Any], at: datetime
    ) -> None:
        if not weeks:
            return
        # A week another process fixed first keeps its figures: theirs may be shown already.
        stmt = insert_for(self.session)(WeekFigureRow).on_conflict_do_nothing(
            index_elements=["journey_id", "iso_week"]
        )
        self.session.execute(
            stmt,
            [
                {
                    "workspace_id": workspace_id,
                    "journey_id": journey_id,
                    "iso_week": week,
                    "published_at": at,
                    "figures": figures,
                }
                for week, figures in sorted(weeks.items())
            ],
        )
