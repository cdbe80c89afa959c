"""An empty database at the newest schema, for the suite and the benchmarks alike."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import upgrade


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
