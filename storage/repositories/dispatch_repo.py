"""What the scheduler reads and writes, across every workspace, in few light queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Text,
    cast,
    func,
    literal_column,
    select,
    type_coerce,
    union,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute

from bot.domain.model import Delivery, Journey, Member, Phase
from bot.domain.ports import Mark
from bot.domain.records import DeliveryCounts, JourneyCursor
from bot.domain.rituals import CadenceOverride
from storage.mapping import (
    delivery_from_row,
    journey_from_row,
    member_from_row,
    override_from_row,
    values_of,
)
from storage.models import (
    AnswerRow,
    DeliveryRow,
    JourneyRow,
    MemberRow,
    RitualRow,
    SendLeaseRow,
)
from storage.sql import SessionRepository, insert_for, of_journey, one_of, update_rows

# Spelled out, not bound: only then does it match the partial index of pending deliveries
# (storage.models.PENDING), on SQLite and in PostgreSQL's generic plans alike.
_IS_PENDING = DeliveryRow.status == literal_column("'pending'")
# Two parameters each: well within SQLite's 32,766 per statement.
_WATERMARKS_PER_UPDATE = 10_000
# A delivery is recorded before it is sent, and with no rituals row: these stay empty.
_NOT_RECORDED = ("id", "ritual_id", "sent_at", "message_ref")


class SqlDispatch(SessionRepository):
    """The journey and zone scans read every workspace on purpose: the dispatcher serves all
    tenants; everything it then writes is addressed by workspace and row id.
    """

    def cursors(self) -> list[JourneyCursor]:
        """Every journey's scheduling state in one light query (no ORM objects).

        Read every minute for every journey: holidays come as their stored JSON text and
        instants as stored, each decoded once per distinct value (most journeys share their
        holidays, and the hourly pass gives idle journeys the same watermark).
        """
        rows = (
            self.session.connection()
            .execute(
                select(
                    JourneyRow.id,
                    JourneyRow.workspace_id,
                    JourneyRow.phase,
                    JourneyRow.timezone,
                    type_coerce(JourneyRow.started_at, String),
                    JourneyRow.paused,
                    JourneyRow.working_days,
                    cast(JourneyRow.holidays, Text),
                    type_coerce(JourneyRow.dispatched_through, String),
                ).order_by(JourneyRow.id)
            )
            .all()
        )  # fetched at once: row by row costs a driver call each
        phases = {p.value: p for p in Phase}
        return [
            JourneyCursor(
                id=r[0],
                workspace_id=r[1],
                phase=phases[r[2]],
                timezone=r[3],
                started_at=_instant(r[4]),
                paused=bool(r[5]),
                working_days=r[6] or "mon-fri",
                holidays=_holidays(r[7]),
                dispatched_through=None if r[8] is None else _instant(r[8]),
            )
            for r in rows
        ]

    def zones(self) -> dict[int, set[str | None]]:
        """Each journey's distinct member time zones (None: the journey's own)."""
        out: dict[int, set[str | None]] = {}
        rows = (
            self.session.connection()
            .execute(select(MemberRow.journey_id, MemberRow.timezone).distinct())
            .all()
        )
        for journey_id, tz in rows:
            out.setdefault(journey_id, set()).add(tz)
        return out

    def all_overrides(self) -> dict[int, list[CadenceOverride]]:
        out: dict[int, list[CadenceOverride]] = {}
        for row in self.session.scalars(select(RitualRow)):
            out.setdefault(row.journey_id, []).append(override_from_row(row))
        return out

    def record(self, deliveries: Sequence[tuple[Delivery, datetime | None]]) -> int:
        """Insert deliveries that do not exist yet (unique per ritual, occurrence, member)."""
        if not deliveries:
            return 0
        values = [
            values_of(
                d,
                skip=_NOT_RECORDED,
                due_at=d.due_at or d.created_at,
                attempts=0,
                remind_at=remind_at,
            )
            for d, remind_at in deliveries
        ]
        insert = insert_for(self.session)
        # One statement compiled once; SQLAlchemy sends it as multi-row batches
        # ("insertmanyvalues") and returns the ids of the rows inserted: a row count is not
        # reported reliably for many rows (the dispatcher counts missed ones).
        stmt = (
            insert(DeliveryRow)
            .on_conflict_do_nothing(
                index_elements=["journey_id", "ritual_key", "occurrence", "member_id"]
            )
            .returning(DeliveryRow.id)
        )
        return len(self.session.connection().execute(stmt, values).all())

    def keys_of(
        self, workspace_id: int, journey_id: int, ritual_key: str, occurrence: str
    ) -> list[int]:
        """Ids of deliveries recorded for one occurrence of a ritual."""
        return list(
            self.session.scalars(
                select(DeliveryRow.id).where(
                    *of_journey(DeliveryRow, workspace_id, journey_id),
                    DeliveryRow.ritual_key == ritual_key,
                    DeliveryRow.occurrence == occurrence,
                )
            )
        )

    def set_watermark(self, workspace_id: int, journey_id: int, at: datetime) -> None:
        update_rows(
            self.session,
            JourneyRow,
            JourneyRow.workspace_id == workspace_id,
            JourneyRow.id == journey_id,
            dispatched_through=at,
        )

    def set_watermarks(self, journeys: Sequence[tuple[int, int]], at: datetime) -> None:
        """One UPDATE for the idle journeys of an hourly pass, not one per journey."""
        for start in range(0, len(journeys), _WATERMARKS_PER_UPDATE):
            chunk = journeys[start : start + _WATERMARKS_PER_UPDATE]
            # Two lists, not one list of (workspace, id) pairs: PostgreSQL looks a plain
            # list up in a hash, but compares each row with every pair. A journey's id
            # comes with its own workspace only, so these are exactly the pairs' rows.
            ids = [journey_id for _, journey_id in chunk]
            workspaces = sorted({workspace_id for workspace_id, _ in chunk})
            update_rows(
                self.session,
                JourneyRow,
                one_of(self.session, JourneyRow.id, ids),
                one_of(self.session, JourneyRow.workspace_id, workspaces),
                dispatched_through=at,
            )

    def expire(self, now: datetime) -> int:
        """Pending deliveries whose poll closed can no longer be sent: record them missed."""
        return update_rows(
            self.session,
            DeliveryRow,
            _IS_PENDING,
            DeliveryRow.closes_at <= now,
            status="missed",
        )

    def pending(
        self,
        now: datetime,
        limit: int,
        after_id: int = 0,
        ids: Sequence[int] | None = None,
        workspace_id: int | None = None,
    ) -> list[tuple[Delivery, Member, Journey]]:
        where = [*_pending(now), DeliveryRow.id > after_id]
        if ids is not None:
            where.append(DeliveryRow.id.in_(list(ids)))
        if workspace_id is not None:
            where.append(_of_workspace(workspace_id))
        # In the partial index's order: a batch reads the batch, not everything pending.
        return self._with_member_and_journey(limit, DeliveryRow.id, *where)

    def sendable(self, now: datetime) -> list[int]:
        """Workspaces with a prompt or a reminder to send now, the least recently served
        first (by their send lease), so a long fan-out cannot keep another waiting."""
        pending = select(DeliveryRow.workspace_id).where(*_pending(now))
        reminders = select(DeliveryRow.workspace_id).where(*_reminder_due(now))
        found = union(pending, reminders).subquery()
        rows = self.session.execute(
            select(found.c.workspace_id)
            .outerjoin(SendLeaseRow, SendLeaseRow.workspace_id == found.c.workspace_id)
            .order_by(SendLeaseRow.lease_until.is_not(None), SendLeaseRow.lease_until)
        )
        return [r[0] for r in rows]

    def claim(self, delivery_ids: Sequence[int]) -> int:
        """Count an attempt on each before it is sent (the workspace's send lease makes us
        its only sender); a crash then leaves attempts > 0 on a delivery that may have gone
        out."""
        if not delivery_ids:
            return 0
        return update_rows(
            self.session,
            DeliveryRow,
            DeliveryRow.id.in_(list(delivery_ids)),
            DeliveryRow.status == "pending",
            attempts=DeliveryRow.attempts + 1,
        )

    def mark(
        self,
        delivery_id: int,
        status: str,
        at: datetime | None = None,
        ref: str | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error[:500] if error else None}
        if status == "sent":
            values |= {"sent_at": at, "message_ref": ref}
        update_rows(self.session, DeliveryRow, DeliveryRow.id == delivery_id, **values)

    def mark_many(self, marks: Sequence[Mark], at: datetime) -> None:
        """Many outcomes at once: one executemany UPDATE by primary key per kind of row."""
        sent = [
            {"id": i, "status": st, "last_error": _cut(e), "sent_at": at, "message_ref": r}
            for i, st, r, e in marks
            if st == "sent"
        ]
        other = [
            {"id": i, "status": st, "last_error": _cut(e)} for i, st, _, e in marks if st != "sent"
        ]
        for rows in (sent, other):
            if rows:
                self.session.execute(update(DeliveryRow), rows)

    def due_reminders(
        self, now: datetime, limit: int, after_id: int = 0, workspace_id: int | None = None
    ) -> list[tuple[Delivery, Member, Journey]]:
        """Sent, unanswered, open deliveries whose one reminder is due (ids after `after_id`)."""
        where = [DeliveryRow.id > after_id, *_reminder_due(now)]
        if workspace_id is not None:
            where.append(_of_workspace(workspace_id))
        # `id + 0`: not the primary key's order, which tempts SQLite (with statistics)
        # to walk every delivery ever sent instead of the open ones by `closes_at`.
        return self._with_member_and_journey(limit, DeliveryRow.id + 0, *where)

    def claim_reminder(self, delivery_id: int, at: datetime) -> bool:
        return self.claim_one(
            DeliveryRow,
            DeliveryRow.id == delivery_id,
            DeliveryRow.reminded_at.is_(None),
            reminded_at=at,
        )

    def release_reminder(self, delivery_id: int, at: datetime) -> None:
        """Give back a reminder claimed at `at` that could not be sent."""
        update_rows(
            self.session,
            DeliveryRow,
            DeliveryRow.id == delivery_id,
            DeliveryRow.reminded_at == at,
            reminded_at=None,
        )

    def status_counts(self) -> DeliveryCounts:
        """Every workspace's deliveries by status, and the pending ones that failed before."""
        conn = self.session.connection()
        by_status = conn.execute(
            select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
        ).all()
        retrying = conn.scalar(
            select(func.count())
            .select_from(DeliveryRow)
            .where(DeliveryRow.status == "pending", DeliveryRow.attempts > 0)
        )
        return DeliveryCounts({status: count for status, count in by_status}, retrying or 0)

    def _with_member_and_journey(
        self,
        limit: int,
        by_id: ColumnElement[int] | InstrumentedAttribute[int],
        *where: ColumnElement[bool],
    ) -> list[tuple[Delivery, Member, Journey]]:
        """The first `limit` deliveries matching `where`, by id (`by_id`: the id, or an
        expression of it that steers the planner), each with its member and journey.

        The ids first, from the deliveries alone: joined, SQLite with statistics of a long
        history starts from the members and reads every delivery of each (seconds at
        millions); by their ids, the rows of the few found are looked up directly.
        """
        ids = list(
            self.session.scalars(select(DeliveryRow.id).where(*where).order_by(by_id).limit(limit))
        )
        if not ids:
            return []
        query = (
            select(DeliveryRow, MemberRow, JourneyRow)
            .join(MemberRow, MemberRow.id == DeliveryRow.member_id)
            .join(JourneyRow, JourneyRow.id == DeliveryRow.journey_id)
            .where(DeliveryRow.id.in_(ids), *where)
            .order_by(DeliveryRow.id)
        )
        return [
            (delivery_from_row(d), member_from_row(m), journey_from_row(j))
            for d, m, j in self.session.execute(query).all()
        ]


@lru_cache(maxsize=4096)
def _holidays(stored: str | None) -> tuple[str, ...]:
    return tuple(json.loads(stored)) if stored else ()


def _instant(stored: str | datetime) -> datetime:
    # SQLite hands back the stored text (naive UTC), PostgreSQL an aware datetime.
    return _parsed_instant(stored) if isinstance(stored, str) else stored.astimezone(UTC)


@lru_cache(maxsize=4096)
def _parsed_instant(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def _cut(error: str | None) -> str | None:
    return error[:500] if error else None


def _of_workspace(workspace_id: int) -> ColumnElement[bool]:
    # `+ 0`: a filter, not an index to start from; the workspace's index would walk every
    # delivery it ever had instead of what can still be due.
    return DeliveryRow.workspace_id + 0 == workspace_id


def _pending(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (_IS_PENDING, DeliveryRow.due_at <= now, DeliveryRow.closes_at > now)


def _reminder_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    answered = select(AnswerRow.id).where(AnswerRow.delivery_id == DeliveryRow.id).exists()
    return (
        DeliveryRow.status == "sent",
        DeliveryRow.remind_at <= now,
        # Sent late (after downtime) past its reminder time: no reminder on its heels.
        DeliveryRow.sent_at < DeliveryRow.remind_at,
        DeliveryRow.reminded_at.is_(None),
        DeliveryRow.closes_at > now,
        ~answered,
    )
