"""Who plans and who sends (the domain's DispatchLock port).

PostgreSQL: planning (recording what fell due, expiring, digests) takes a session-level
advisory lock for that part of a pass only, so one replica plans at a time. Sending is
shared: a replica sends a workspace's messages while it holds that workspace's lease (a
row in `send_leases`, renewed as it goes), so replicas split the workspaces between them,
a workspace's pacing holds across replicas, and a replica that dies lets go when its
lease runs out. Lease times are wall-clock time, whatever clock the pass runs on.

SQLite: one scheduler process per database file, enforced with an fcntl lock on a file
next to the database, held for the life of the process; a second one refuses to start.
That process is the only sender, so a workspace's lease is only a lock in the process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url

from bot.domain.errors import SchedulerLocked
from storage.models import SendLeaseRow
from storage.sql import rowcount

# An arbitrary constant: "PIONEER" as digits, the same in every process.
ADVISORY_KEY = 7_466_366_337


def lock_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database + ".scheduler.lock")


class SqlDispatchLock:
    """`with lock.pass_() as got:` runs one pass if `got`; threads of one process queue up."""

    def __init__(
        self,
        engine: Engine,
        database_url: str,
        lease_seconds: float = 60.0,
        wall: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.url = database_url
        self.is_postgres = engine.dialect.name == "postgresql"
        self.lease = timedelta(seconds=lease_seconds)
        self.wall = wall or _utcnow
        # Unique per lock (one per dispatcher): two dispatchers of one process are two holders.
        self.holder = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._thread_lock = threading.Lock()
        self._file: IO[str] | None = None
        self._path = lock_path(database_url)
        self._holds = 0
        self._temporary = False
        self._hold_mutex = threading.Lock()
        self._workspaces: dict[int, threading.Lock] = {}

    @property
    def shared(self) -> bool:
        """Several processes may send at once (each for the workspaces it leased)."""
        return self.is_postgres

    # -- SQLite: one scheduler process per database ------------------------------------------
    def hold_process_lock(self) -> None:
        """Become this database's scheduler process, or raise SchedulerLocked."""
        with self._hold_mutex:
            self._temporary = False
            self._lock_file()

    def _lock_file(self) -> None:
        if self.is_postgres or self._path is None or self._file is not None:
            return
        handle = open(self._path, "a+")  # noqa: SIM115 (held for the life of the process)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise SchedulerLocked(
                f"Another Pioneer scheduler (pid {holder}) is already running against "
                f"{self._path.with_suffix('').with_suffix('')}; on SQLite only one scheduler "
                f"may run per database (lock file {self._path}). Stop it, or start this one "
                "with `pioneer serve --no-scheduler`, or move to PostgreSQL for replicas."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release_process_lock(self) -> None:
        with self._hold_mutex:
            self._unlock_file()

    def _unlock_file(self) -> None:
        self._temporary = False
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    # -- one pass --------------------------------------------------------------------------
    @contextlib.contextmanager
    def pass_(self, wait: bool = True) -> Iterator[bool]:
        if not self._thread_lock.acquire(blocking=wait):
            yield False
            return
        try:
            if self.is_postgres:
                with self._advisory() as got:
                    yield got
            else:
                with self.sending() as got:
                    yield got
        finally:
            self._thread_lock.release()

    @contextlib.contextmanager
    def sending(self) -> Iterator[bool]:
        """Whether this process may send now: always on PostgreSQL (the leases decide which
        workspaces); on SQLite only as the database's one scheduler process, which a
        `pioneer tick` or a "poll now" becomes for as long as it sends, when none runs."""
        if self.is_postgres:
            yield True
            return
        with self._hold_mutex:
            if self._file is None:
                try:
                    self._lock_file()
                except SchedulerLocked:
                    got = False
                else:
                    got = self._temporary = True
            else:
                got = True
            if got:
                self._holds += 1
        if not got:
            yield False
            return
        try:
            yield True
        finally:
            with self._hold_mutex:
                self._holds -= 1
                if self._holds == 0 and self._temporary:
                    self._unlock_file()

    # -- one workspace's sending -----------------------------------------------------------
    @contextlib.contextmanager
    def workspace(self, workspace_id: int) -> Iterator[WorkspaceLease | None]:
        """This workspace's sending, if nobody else has it (another thread of this process,
        or, on PostgreSQL, another replica whose lease has not run out); else None."""
        with self._hold_mutex:
            local = self._workspaces.setdefault(workspace_id, threading.Lock())
        if not local.acquire(blocking=False):
            yield None
            return
        try:
            lease = WorkspaceLease(self, workspace_id)
            if not lease.take():
                yield None
                return
            try:
                yield lease
            finally:
                lease.release()
        finally:
            local.release()

    @contextlib.contextmanager
    def _advisory(self) -> Iterator[bool]:
        conn: Connection = self.engine.connect()
        try:
            got = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}))
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                    conn.commit()
        finally:
            conn.close()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class WorkspaceLease:
    """One workspace's sending, held by one replica until `lease_until` (PostgreSQL); renewed
    as the sending goes on, so only a replica that stopped (killed, hung) loses it."""

    def __init__(self, lock: SqlDispatchLock, workspace_id: int) -> None:
        self.lock = lock
        self.workspace_id = workspace_id
        self._renewed: datetime | None = None
        self._lost = False
        self._mutex = threading.Lock()  # the sending threads of one workspace renew it

    def take(self) -> bool:
        if not self.lock.is_postgres:
            return True
        now = self.lock.wall()
        values = pg_insert(SendLeaseRow).values(
            workspace_id=self.workspace_id,
            holder=self.lock.holder,
            lease_until=now + self.lock.lease,
        )
        stmt = values.on_conflict_do_update(
            index_elements=["workspace_id"],
            set_={"holder": values.excluded.holder, "lease_until": values.excluded.lease_until},
            where=(SendLeaseRow.lease_until <= now) | (SendLeaseRow.holder == self.lock.holder),
        ).returning(SendLeaseRow.workspace_id)
        with self.lock.engine.begin() as conn:
            got = conn.execute(stmt).first() is not None
        if got:
            self._renewed = now
        return got

    def renew(self) -> bool:
        """Still ours (extended when a third of it has passed); False once another replica
        took it over, after which nothing more may be sent for this workspace."""
        if not self.lock.is_postgres:
            return True
        with self._mutex:
            if self._lost:
                return False
            now = self.lock.wall()
            if self._renewed is not None and now - self._renewed < self.lock.lease / 3:
                return True
            with self.lock.engine.begin() as conn:
                changed = rowcount(
                    conn.execute(
                        update(SendLeaseRow)
                        .where(
                            SendLeaseRow.workspace_id == self.workspace_id,
                            SendLeaseRow.holder == self.lock.holder,
                        )
                        .values(lease_until=now + self.lock.lease)
                    )
                )
            self._lost = changed != 1
            self._renewed = now
            return not self._lost

    def release(self) -> None:
        """Let go now; the row stays, its time saying when this workspace was last served."""
        if not self.lock.is_postgres or self._lost:
            return
        with self.lock.engine.begin() as conn:
            conn.execute(
                update(SendLeaseRow)
                .where(
                    SendLeaseRow.workspace_id == self.workspace_id,
                    SendLeaseRow.holder == self.lock.holder,
                )
                .values(lease_until=self.lock.wall())
            )
