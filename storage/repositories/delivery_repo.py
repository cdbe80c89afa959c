"""Deliveries: one prompt sent (or to send) to one member."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select

from bot.domain.model import Delivery, Journey, Member, Perspective, Phase, PromptKind, Signal
from bot.domain.records import Asked
from storage.mapping import (
    copy_fields,
    delivery_from_row,
    journey_from_row,
    member_from_row,
    values_of,
)
from storage.models import DeliveryRow, JourneyRow, MemberRow
from storage.sql import SessionRepository, must_exist


def _asked(
    workspace_id: int, journey_id: int, start: datetime, end: datetime
) -> tuple[ColumnElement[bool], ...]:
    """Deliveries of a journey due in [start, end) that went out."""
    return (
        DeliveryRow.workspace_id == workspace_id,
        DeliveryRow.journey_id == journey_id,
        DeliveryRow.due_at >= start,
        DeliveryRow.due_at < end,
        or_(DeliveryRow.sent_at.is_not(None), DeliveryRow.status == "sent"),
    )


class SqlDeliveries(SessionRepository):
    def add(self, delivery: Delivery) -> Delivery:
        row = DeliveryRow(**values_of(delivery, due_at=delivery.due_at or delivery.created_at))
        delivery.id = self.insert(row).id
        return delivery

    def _row(self, workspace_id: int, delivery_id: int) -> DeliveryRow | None:
        return self.first(
            DeliveryRow, DeliveryRow.workspace_id == workspace_id, DeliveryRow.id == delivery_id
        )

    def get(self, workspace_id: int, delivery_id: int) -> Delivery | None:
        row = self._row(workspace_id, delivery_id)
        return delivery_from_row(row) if row else None

    def asked_members(
        self, workspace_id: int, journey_id: int, start: datetime, end: datetime
    ) -> set[int]:
        rows = self.session.connection().execute(
            select(DeliveryRow.member_id)
            .where(*_asked(workspace_id, journey_id, start, end))
            .distinct()
        )
        return {r[0] for r in rows}

    def asked_by_perspective(
        self, workspace_id: int, journey_id: int, start: datetime, end: datetime
    ) -> dict[Perspective, int]:
        rows = self.session.connection().execute(
            select(DeliveryRow.perspective, func.count(DeliveryRow.member_id.distinct()))
            .where(
                DeliveryRow.kind == PromptKind.PULSE.value,
                *_asked(workspace_id, journey_id, start, end),
            )
            .group_by(DeliveryRow.perspective)
        )
        return {Perspective(p): n for p, n in rows}

    def pulse_history(
        self,
        workspace_id: int,
        journey_id: int,
        phase: Phase,
        before: datetime,
        week_start: datetime,
    ) -> Asked:
        conn = self.session.connection()
        where = (
            DeliveryRow.workspace_id == workspace_id,
            DeliveryRow.journey_id == journey_id,
            DeliveryRow.phase == phase.value,
            DeliveryRow.kind == PromptKind.PULSE.value,
            DeliveryRow.due_at < before,
        )
        items: dict[str, int] = {}
        perspectives: Counter[Perspective] = Counter()
        signals: Counter[Signal] = Counter()
        rows = conn.execute(
            select(DeliveryRow.prompt_id, DeliveryRow.perspective, DeliveryRow.signal, func.count())
            .where(*where)
            .group_by(DeliveryRow.prompt_id, DeliveryRow.perspective, DeliveryRow.signal)
        )
        for prompt_id, perspective, signal, count in rows:
            items[prompt_id] = items.get(prompt_id, 0) + count
            perspectives[Perspective(perspective)] += count
            signals[Signal(signal)] += count
        week: dict[int, set[tuple[Signal, Perspective]]] = {}
        week_rows = conn.execute(
            select(DeliveryRow.member_id, DeliveryRow.perspective, DeliveryRow.signal).where(
                *where, DeliveryRow.due_at >= week_start
            )
        )
        for member_id, perspective, signal in week_rows:
            week.setdefault(member_id, set()).add((Signal(signal), Perspective(perspective)))
        return Asked(
            items=items,
            perspectives=dict(perspectives),
            signals=dict(signals),
            week_cells={m: frozenset(cells) for m, cells in week.items()},
        )

    def open_for_member(
        self, workspace_id: int, member_id: int, now: datetime
    ) -> Sequence[Delivery]:
        """Deliveries sent to a member that still take (or change) an answer."""
        rows = self.session.scalars(
            select(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == workspace_id,
                DeliveryRow.member_id == member_id,
                DeliveryRow.status == "sent",
                DeliveryRow.closes_at > now,
            )
            .order_by(DeliveryRow.closes_at)
        )
        return [delivery_from_row(r) for r in rows]

    def with_context(
        self, workspace_id: int, delivery_id: int
    ) -> tuple[Delivery, Journey, Member] | None:
        """A delivery with its journey and member in one query (a prompt's view needs all)."""
        row = self.session.execute(
            select(DeliveryRow, JourneyRow, MemberRow)
            .join(JourneyRow, JourneyRow.id == DeliveryRow.journey_id)
            .join(MemberRow, MemberRow.id == DeliveryRow.member_id)
            .where(DeliveryRow.workspace_id == workspace_id, DeliveryRow.id == delivery_id)
        ).first()
        if row is None:
            return None
        return delivery_from_row(row[0]), journey_from_row(row[1]), member_from_row(row[2])

    def save(self, delivery: Delivery) -> None:
        assert delivery.id is not None
        row = must_exist(self._row(delivery.workspace_id, delivery.id), delivery.id)
        copy_fields(row, delivery, "status", "attempts", "sent_at", "message_ref", "closes_at")
