"""Touchpoints: contacts with the world outside the organisation, as logged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from bot.domain.model import Touchpoint
from storage.mapping import touchpoint_from_row, values_of
from storage.models import TouchpointRow
from storage.sql import SessionRepository


class SqlTouchpoints(SessionRepository):
    def add(self, touchpoint: Touchpoint) -> Touchpoint:
        touchpoint.id = self.insert(TouchpointRow(**values_of(touchpoint))).id
        return touchpoint

    def list(
        self, workspace_id: int, journey_id: int, since: date | None = None
    ) -> Sequence[Touchpoint]:
        query = select(TouchpointRow).where(
            TouchpointRow.workspace_id == workspace_id, TouchpointRow.journey_id == journey_id
        )
        if since is not None:
            query = query.where(TouchpointRow.happened_on >= since)
        return [
            touchpoint_from_row(r) for r in self.session.scalars(query.order_by(TouchpointRow.id))
        ]
