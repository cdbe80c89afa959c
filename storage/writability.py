"""Whether the database takes a write now, asked within a short time.

A read answers while SQLite's one writer lock is held by someone else, or while a
PostgreSQL row lock blocks every write, so `SELECT 1` says nothing about the commands that
would then wait (SQLite's busy timeout is 5 s, past Slack's 3 s). These probes take the
write lock itself and give it straight back; nothing is written.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url


class NotWritable(RuntimeError):
    """The database took no write within the time given; the message says why, briefly."""


def check_writable(engine: Engine, seconds: float) -> str:
    """ "writable", or raise NotWritable within about `seconds`."""
    if engine.dialect.name == "sqlite":
        return _sqlite(engine, seconds)
    return _postgresql(engine, seconds)


def _sqlite(engine: Engine, seconds: float) -> str:
    path = make_url(str(engine.url)).database or ""
    if path in ("", ":memory:"):
        return "writable"
    # A connection of its own: one from the pool would keep this short busy timeout.
    connection = sqlite3.connect(path, timeout=seconds, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # the writer lock, as a write would take it
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        raise NotWritable(f"no write within {seconds:g} s: {exc}") from None
    finally:
        connection.close()
    return "writable"


def _postgresql(engine: Engine, seconds: float) -> str:
    ms = max(int(seconds * 1000), 1)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = {ms}"))
            conn.execute(text(f"SET LOCAL statement_timeout = {ms}"))
            # A row lock needs a writable, unlocked table: a read-only replica or a
            # migration holding the schema answers this with an error, not a wait.
            conn.execute(text("SELECT version_num FROM alembic_version FOR UPDATE"))
            conn.rollback()
    except Exception as exc:  # psycopg's errors, through SQLAlchemy's
        first = str(getattr(exc, "orig", exc)).splitlines()[0] if str(exc) else type(exc).__name__
        raise NotWritable(f"no write within {seconds:g} s: {first}") from None
    return "writable"
