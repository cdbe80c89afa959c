"""Who may send: one dispatcher at a time per database (the domain's DispatchLock port).

PostgreSQL: a session-level advisory lock held for one pass, so any number of replicas
can run the scheduler and the one that holds the lock sends (the others skip that pass).

SQLite: one scheduler process per database file, enforced with an fcntl lock on a file
next to the database, held for the life of the process; a second one refuses to start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from bot.domain.errors import SchedulerLocked

# An arbitrary constant: "PIONEER" as digits, the same in every process.
ADVISORY_KEY = 7_466_366_337


def lock_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database + ".scheduler.lock")


class SqlDispatchLock:
    """`with lock.pass_() as got:` runs one pass if `got`; threads of one process queue up."""

    def __init__(self, engine: Engine, database_url: str) -> None:
        self.engine = engine
        self.url = database_url
        self.is_postgres = engine.dialect.name == "postgresql"
        self._thread_lock = threading.Lock()
        self._file: IO[str] | None = None
        self._path = lock_path(database_url)

    # -- SQLite: one scheduler process per database ------------------------------------------
    def hold_process_lock(self) -> None:
        """Become this database's scheduler process, or raise SchedulerLocked."""
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
                held_before = self._file is not None
                if not held_before:
                    try:
                        self.hold_process_lock()
                    except SchedulerLocked:
                        yield False
                        return
                try:
                    yield True
                finally:
                    if not held_before:
                        self.release_process_lock()
        finally:
            self._thread_lock.release()

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
