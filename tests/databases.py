"""An empty database at the newest schema, and what a fan-out left in it: for the suite
and the benchmarks alike."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select, text

from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import DeliveryRow, MemberRow


def migrated(url: str) -> str:
    """Migrate the database at `url` to the newest schema, from nothing: on PostgreSQL its
    public schema is dropped first (a new SQLite file starts empty anyway)."""
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


def fanned_out(conn: Connection) -> tuple[Sequence[str], dict[str, int]]:
    """Every member's user id, and how many deliveries there are in each status."""
    users = conn.scalars(select(MemberRow.user)).all()
    statuses = dict(
        conn.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)).all()
    )
    return users, statuses
