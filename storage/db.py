"""Engines: SQLite (WAL, foreign keys on) by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

CONNECT_TIMEOUT = 10  # seconds


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 here, not psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # What is deleted or overwritten is zeroed in the pages, not left in free space: an
    # erased answer must not be readable in the file (Debian builds do this by default,
    # others do not).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


log = logging.getLogger(__name__)


def leave_no_copy(engine: Engine) -> None:
    """After an erasure is committed: no copy of what was erased left in the files.

    SQLite zeroes erased content in the pages it writes (secure_delete), but those pages go
    to the write-ahead log first, and until a checkpoint the file and the log also hold the
    pages as they were. A TRUNCATE checkpoint writes the new pages into the file and empties
    the log. It waits (busy_timeout) for readers of older pages; if one still holds on, the
    next checkpoint finishes the job. PostgreSQL keeps dead row versions until VACUUM lets
    them be overwritten: see the README's privacy section.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
    if busy:
        log.warning("erased data may stay in the SQLite log until the next checkpoint")


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    # Statement parameters are answers and notes: never in a log line or an error message.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A host that drops packets would otherwise hold a start-up for the OS's two minutes.
    kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT})
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """One round trip to the database; raises when it cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True
