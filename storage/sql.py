"""SQL shapes the repositories share: the dialect's INSERT, and UPDATEs that count."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from storage.base import Base

RowT = TypeVar("RowT", bound=Base)


def insert_for(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL both do)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


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
