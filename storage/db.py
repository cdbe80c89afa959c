"""Engines: SQLite (WAL, foreign keys on) by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

CONNECT_TIMEOUT = 10  # seconds
# A pooled connection unused this long is tested before it is handed out (a server that
# restarted, or a firewall that forgot the connection, is found then, not by a query).
PING_AFTER_IDLE = 2.0  # seconds
# Older connections are replaced: proxies and servers close connections idle for long.
RECYCLE_AFTER = 1800  # seconds


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


def ping_when_idle(engine: Engine, after: float = PING_AFTER_IDLE) -> None:
    """Test a pooled connection before handing it out, if it lay unused for `after` seconds.

    `pool_pre_ping` tests every checkout: a round trip before every transaction, a third of
    a lone poll click's time on PostgreSQL. A busy connection is known to be alive; one that
    lay idle is what a restart or a dropped link leaves broken, and is tested then. If it
    is dead, the pool throws it away and hands out a new one. A connection that dies while
    in use fails its transaction, and SQLAlchemy then renews the whole pool (the error says
    `connection_invalidated`); callers that must not lose work retry once (answers do).
    """

    @event.listens_for(engine, "checkin")
    def _rested(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < after:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("a pooled connection was gone") from error
        if not alive:
            raise DisconnectionError("a pooled connection was gone")


def make_engine(url: str, ping_after_idle: float = PING_AFTER_IDLE, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    # Statement parameters are answers and notes: never in a log line or an error message.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A host that drops packets would otherwise hold a start-up for the OS's two minutes.
    kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT})
    kwargs.setdefault("pool_recycle", RECYCLE_AFTER)
    engine = create_engine(url, **kwargs)
    ping_when_idle(engine, ping_after_idle)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """One round trip to the database; raises when it cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True
