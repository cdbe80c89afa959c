"""The domain's unit of work on plain dicts, for unit tests that need no database.

A fake, not a mock: each repository method does what its SQL twin in
`storage/repositories/*_repo.py` does (the same filters by workspace, the same order, the
same keys that must be unique, the same cascades when a member is deleted), and
`tests/integration/test_uow_contract.py` runs one set of assertions against both, so the
two cannot drift apart unnoticed.

It covers the repositories the domain services (`bot/domain/journeys.py`, `answers.py`) and
the use cases of `bot/app` (commands, answering, home, prompt views, schedule) call:
workspaces, journeys, members, deliveries, answers, touchpoints, rituals, the
dispatcher's watermark, and stored digests as erasure reads and redacts them. The digest's
reads of answers, its sending, the dispatcher's scans, installations, conversations,
people and API tokens are not faked: asking for them raises NotImplementedError, and
what needs them is tested on a real database.

Transactions: `with uow:` starts from a snapshot of what is committed; `commit()` writes
the rows this unit of work changed back, row by row; leaving without it discards them.
Rows are stored as private copies and replaced, never changed in place, so a snapshot is
a shallow copy of each table. Ids come from counters that a rollback does not rewind, as
a database's sequences.
"""

from __future__ import annotations

import itertools
import threading
from copy import deepcopy
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from tests.fakes.memory_digests import MemoryDigests
from tests.fakes.memory_repos import (
    IntegrityViolation,
    MemoryAnswers,
    MemoryDeliveries,
    MemoryDispatch,
    MemoryJourneys,
    MemoryMembers,
    MemoryRituals,
    MemoryTouchpoints,
    MemoryWorkspaces,
    NotFaked,
)

__all__ = ["IntegrityViolation", "MemoryUnitOfWork", "MemoryUnitOfWorkFactory"]

T = TypeVar("T")
Tables = dict[str, dict[Any, Any]]

TABLES = (
    "workspaces",
    "journeys",
    "calendars",  # a journey's paused, working days, holidays and watermark (journey id)
    "phase_changes",  # id -> (workspace id, PhaseChange)
    "members",
    "deliveries",
    "answers",
    "touchpoints",
    "rituals",  # (journey id, key) -> (workspace id, CadenceOverride)
    "digests",  # (journey id, week) -> (workspace id, StoredDigest)
)


def utc(value: T) -> T:
    """A datetime as storage hands it back (aware, in UTC); naive ones are refused."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware datetimes")
        return value.astimezone(UTC)
    return value


def stored(obj: T) -> T:
    """A private copy of a record, as the database keeps it: datetimes in UTC."""
    copy = deepcopy(obj)
    if is_dataclass(copy):
        for f in fields(copy):
            # object.__setattr__: some records (PhaseChange) are frozen dataclasses.
            object.__setattr__(copy, f.name, utc(getattr(copy, f.name)))
    elif isinstance(copy, tuple) and hasattr(copy, "_fields"):  # a NamedTuple record
        record: Any = copy
        return record._replace(**{n: utc(getattr(record, n)) for n in record._fields})
    elif isinstance(copy, tuple):  # a row kept with its workspace: (workspace id, record)
        return tuple(stored(item) for item in copy)  # type: ignore[return-value]
    return copy


class MemoryDatabase:
    """What is committed, shared by every unit of work of one factory."""

    def __init__(self) -> None:
        self.tables: Tables = {name: {} for name in TABLES}
        self.lock = threading.Lock()
        self._ids = {name: itertools.count(1) for name in TABLES}

    def next_id(self, table: str) -> int:
        with self.lock:
            return next(self._ids[table])

    def snapshot(self) -> Tables:
        with self.lock:
            return {name: dict(rows) for name, rows in self.tables.items()}


class MemoryUnitOfWork:
    """Implements the domain's UnitOfWork port in memory; see the module's docstring."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database
        self._begun: Tables = {}
        self.tables: Tables = {}
        self.digests = NotFaked("digests")
        self.team_updates = NotFaked("team_updates")
        self.installations = NotFaked("installations")
        self.conversations = NotFaked("conversations")
        self.people = NotFaked("people")
        self.week_figures = NotFaked("week_figures")
        self.api_tokens = NotFaked("api_tokens")
        self.web_sessions = NotFaked("web_sessions")

    def __enter__(self) -> MemoryUnitOfWork:
        self._begin()
        self.workspaces = MemoryWorkspaces(self)
        self.journeys = MemoryJourneys(self)
        self.members = MemoryMembers(self)
        self.deliveries = MemoryDeliveries(self)
        self.answers = MemoryAnswers(self)
        self.touchpoints = MemoryTouchpoints(self)
        self.rituals = MemoryRituals(self)
        self.dispatch = MemoryDispatch(self)
        self.digests = MemoryDigests(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._begun = self.tables = {}  # rolled back: nothing uncommitted survives

    def _begin(self) -> None:
        self._begun = self.database.snapshot()
        self.tables = {name: dict(rows) for name, rows in self._begun.items()}

    def commit(self) -> None:
        committed = self.database.tables
        with self.database.lock:
            for name, rows in self.tables.items():
                begun = self._begun[name]
                for key in begun.keys() - rows.keys():
                    committed[name].pop(key, None)
                for key, row in rows.items():
                    if begun.get(key) is not row:
                        committed[name][key] = row
        self._begin()  # as a session after commit: a new transaction, on what is committed

    # -- what the repositories share ----------------------------------------------------
    def rows(self, table: str) -> list[Any]:
        """A table's rows, by key (by id where the key is the id)."""
        return [row for _, row in sorted(self.tables[table].items())]

    def put(self, table: str, key: Any, row: Any) -> None:
        """Insert or replace a row: always a new copy, never the caller's object."""
        self.tables[table][key] = stored(row)

    def get(self, table: str, key: Any) -> Any:
        """A copy of one row by key, or None: the caller may change it freely."""
        row = self.tables[table].get(key)
        return None if row is None else deepcopy(row)

    def unique(self, table: str, row: Any, *names: str) -> None:
        wanted = tuple(getattr(row, n) for n in names)
        if any(tuple(getattr(r, n) for n in names) == wanted for r in self.rows(table)):
            raise IntegrityViolation(f"{table}: a row with {wanted} in {names} exists")

    def exists(self, table: str, key: Any) -> None:
        """A foreign key: the row pointed at must be there."""
        if key not in self.tables[table]:
            raise IntegrityViolation(f"{table}: no row {key}")


class MemoryUnitOfWorkFactory:
    """The UnitOfWorkFactory port: every unit of work it makes shares one database."""

    def __init__(self) -> None:
        self.database = MemoryDatabase()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.database)
