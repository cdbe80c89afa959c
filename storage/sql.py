"""SQL shapes the repositories share: the dialect's INSERT, and UPDATEs that count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from sqlalchemy import ColumnElement, Integer, any_, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from bot.domain.records import DigestSend
from storage.base import Base
from storage.mapping import from_row

RowT = TypeVar("RowT", bound=Base)


def insert_for(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL both do)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def one_of(session: Session, column: Any, values: list[int]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter: the statement
    stays the same for any number of values, so neither SQLAlchemy nor the driver works a
    thousand placeholders into it every hour."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(Integer)))
    return column.in_(values)


def rowcount(result: object) -> int:
    """Rows a statement touched (0 where the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


def update_rows(
    session: Session, entity: type[Base], *where: ColumnElement[bool], **values: Any
) -> int:
    """UPDATE the rows matching `where` without loading them; returns how many changed.

    Claims rely on that count: a guarded UPDATE that changed one row is the one caller
    that got it.
    """
    result = session.execute(
        update(entity).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return rowcount(result)


def of_journey(entity: Any, workspace_id: int, journey_id: int) -> tuple[ColumnElement[bool], ...]:
    """The rows of `entity` that belong to one journey: its id alone never suffices, the
    workspace is always named too, so no query can reach another tenant's rows."""
    return (entity.workspace_id == workspace_id, entity.journey_id == journey_id)


def must_exist(row: RowT | None, key: int) -> RowT:
    """The row a domain object is saved into: saving one never stored is a caller's error."""
    if row is None:
        raise LookupError(key)
    return row


# Set on a session that erased someone's data: its commit then leaves no copy behind.
ERASED = "pioneer.erased"


class SessionRepository:
    """A repository over its unit of work's session (the unit of work commits, not it)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def erased(self) -> None:
        """This transaction erases data: once committed, no copy may stay in the files."""
        self.session.info[ERASED] = True

    def insert(self, row: RowT) -> RowT:
        """Add a new row and flush, so it has its id."""
        self.session.add(row)
        self.session.flush()
        return row

    def first(self, entity: type[RowT], *where: ColumnElement[bool]) -> RowT | None:
        """The row matching `where`: filters that name one row at most (a key)."""
        return self.session.scalar(select(entity).where(*where))

    def claim_one(self, entity: type[Base], *where: ColumnElement[bool], **values: Any) -> bool:
        """A guarded UPDATE of one row (`where` says it is still free): True for the one
        caller whose UPDATE changed it, False for everyone who came later."""
        return update_rows(self.session, entity, *where, **values) == 1

    def rows(self, entity: type[RowT], *where: ColumnElement[bool], order_by: Any) -> list[RowT]:
        """The rows matching `where`, ordered by the column `order_by`."""
        return list(self.session.scalars(select(entity).where(*where).order_by(order_by)))


class SendQueueRepository(SessionRepository):
    """Messages planned before they are sent (the domain's SendQueue), in `send_row`'s table:
    pending -> sending (claimed_at: a sender has it) -> sent, failed, or pending again."""

    send_row: ClassVar[Any]

    def _due(self, stale_before: datetime) -> ColumnElement[bool]:
        """Still to do: pending, or claimed by a sender that went quiet before `stale_before`."""
        row = self.send_row
        return or_(
            row.status == "pending",
            (row.status == "sending") & (row.claimed_at < stale_before),
        )

    def plan_sends(
        self,
        workspace_id: int,
        journey_id: int,
        iso_week: str,
        recipients: Sequence[tuple[str, int | None]],
    ) -> None:
        if not recipients:
            return
        stmt = insert_for(self.session)(self.send_row).on_conflict_do_nothing(
            index_elements=["journey_id", "iso_week", "recipient"]
        )
        self.session.execute(
            stmt,
            [
                {
                    "workspace_id": workspace_id,
                    "journey_id": journey_id,
                    "iso_week": iso_week,
                    "recipient": recipient,
                    "member_id": member_id,
                    "status": "pending",
                    "attempts": 0,
                }
                for recipient, member_id in recipients
            ],
        )

    def due_sends(self, stale_before: datetime, journey_id: int | None = None) -> list[DigestSend]:
        row = self.send_row
        query = select(row).where(self._due(stale_before)).order_by(row.id)
        if journey_id is not None:
            query = query.where(row.journey_id == journey_id)
        return [from_row(DigestSend, r) for r in self.session.scalars(query)]

    def claim_recipient(self, send_id: int, at: datetime, stale_before: datetime) -> bool:
        row = self.send_row
        return self.claim_one(
            row, row.id == send_id, self._due(stale_before), status="sending", claimed_at=at
        )

    def finish_send(
        self, send_id: int, status: str, at: datetime, error: str | None = None
    ) -> None:
        row = self.send_row
        values: dict[str, Any] = {"status": status, "last_error": error[:200] if error else None}
        if status == "sent":
            values["sent_at"] = at
        else:
            values["attempts"] = row.attempts + 1
        update_rows(self.session, row, row.id == send_id, **values)
