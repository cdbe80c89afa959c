"""Benchmark (not a test): the scheduler's idle pass and hourly pass over a long history.

    .venv/bin/python benchmarks/bench_idle.py [--deliveries 5000000] [--journeys 1000]
        [--people 10] [--passes 15] [--database-url URL]

Builds `--journeys` journeys of `--people` members each, then `--deliveries` deliveries of
history in bulk (a recursive CTE on SQLite, generate_series on PostgreSQL; the secondary
indexes are dropped for the load and built again after it): polls of past weeks, closed,
mostly sent (half of them reminded), some missed or unreachable; plus one open poll per
member whose reminder is not due yet. Then times the real dispatcher (`Dispatcher.run_pass`
of the container `pioneer serve` uses) with nothing due:

- idle pass: every journey dispatched a minute ago, the clock a minute further each pass
  (target: under 30 ms);
- hourly pass: the clock an hour further each pass, so each pass moves every watermark.

Each is timed first as the load left the database (no planner statistics yet) and again
after ANALYZE; the median of `--passes` passes, wall and CPU time (on a shared machine the
CPU time is what the pass itself costs). On PostgreSQL also the server's own time for an
idle pass's delivery queries (EXPLAIN ANALYZE), which the client's CPU time leaves out.

SQLite in a temporary folder unless --database-url points at a PostgreSQL database (its
public schema is dropped first).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection, event, func, insert, select, text, update  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.container import Container  # noqa: E402
from bot.domain.model import Language  # noqa: E402
from storage.models import DeliveryRow, JourneyRow, MemberRow  # noqa: E402
from tests.databases import migrated  # noqa: E402
from tests.seed import workspace_id as seed_workspace_id  # noqa: E402

MON_9_AMS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
# Wednesday noon in Amsterdam: no ritual of the plan falls due for hours around it.
NOW = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
COLUMNS = (
    "workspace_id, journey_id, member_id, ritual_key, occurrence, prompt_id, kind, phase, "
    "perspective, signal, created_at, due_at, closes_at, status, attempts, sent_at, "
    "remind_at, reminded_at"
)


def seed(container: Container, journeys: int, people: int) -> None:
    workspace_id = seed_workspace_id(container.uow, "console", "T0001", "Bench")
    rows = []
    for j in range(journeys):
        journey = container.journeys.start(
            workspace_id, f"C{j:05}", f"Plant {j}", f"UF{j:05}", Language.EN, "Europe/Amsterdam"
        )
        rows += [
            {
                "workspace_id": workspace_id,
                "journey_id": journey.id,
                "user": f"U{j:04}{n:05}",
                "display_name": "",
                "roles": "follower",
            }
            for n in range(people - 1)
        ]
    with container.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(MemberRow), rows[start : start + 5000])


def _sqlite_history(conn: Connection, count: int, per_member: int) -> None:
    """Member by member (the unique index fills in order), one poll a day backwards."""
    day = "'-' || (3 + n.i % :per) || ' days'"
    stamp = f"strftime('%Y-%m-%d %H:%M:%S', :now, {day}, '{{}}') || '.000000'"
    conn.execute(text("PRAGMA cache_size=-400000"))
    conn.execute(
        text(
            "CREATE TEMP TABLE bench_members AS SELECT row_number() OVER (ORDER BY id) - 1 AS k,"
            " id, journey_id, workspace_id FROM members"
        )
    )
    conn.execute(
        text(
            f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :count - 1)"
            f" INSERT INTO deliveries ({COLUMNS})"
            " SELECT m.workspace_id, m.journey_id, m.id, 'pulse', printf('h%07d', n.i % :per),"
            " 'awareness-tech-1', 'pulse', 'awareness', 'technology', 'curiosity',"
            f" {stamp.format('+0 hours')}, {stamp.format('+0 hours')},"
            f" {stamp.format('+48 hours')},"
            " CASE WHEN n.i % 20 < 3 THEN 'missed' WHEN n.i % 20 = 3 THEN 'unreachable'"
            "  ELSE 'sent' END, 1,"
            f" CASE WHEN n.i % 20 > 3 THEN {stamp.format('+0 hours')} END,"
            f" {stamp.format('+24 hours')},"
            f" CASE WHEN n.i % 20 > 3 AND n.i % 2 = 0 THEN {stamp.format('+24 hours')} END"
            " FROM n JOIN bench_members m ON m.k = n.i / :per"
        ),
        {"count": count, "per": per_member, "now": NOW.strftime("%Y-%m-%d %H:%M:%S")},
    )
    conn.execute(text("DROP TABLE bench_members"))


def _postgres_history(conn: Connection, count: int, per_member: int) -> None:
    day = "(3 + g.i % :per) * interval '1 day'"
    conn.execute(
        text(
            f"INSERT INTO deliveries ({COLUMNS})"
            " SELECT m.workspace_id, m.journey_id, m.id, 'pulse', 'h' || lpad((g.i % :per)::text,"
            " 7, '0'), 'awareness-tech-1', 'pulse', 'awareness', 'technology', 'curiosity',"
            f" :now - {day}, :now - {day}, :now - {day} + interval '48 hours',"
            " CASE WHEN g.i % 20 < 3 THEN 'missed' WHEN g.i % 20 = 3 THEN 'unreachable'"
            "  ELSE 'sent' END, 1,"
            f" CASE WHEN g.i % 20 > 3 THEN :now - {day} END,"
            f" :now - {day} + interval '24 hours',"
            f" CASE WHEN g.i % 20 > 3 AND g.i % 2 = 0 THEN :now - {day} + interval '24 hours' END"
            " FROM generate_series(0, :count - 1) AS g(i)"
            " JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, journey_id, workspace_id"
            "  FROM members) AS m ON m.k = g.i / :per"
        ),
        {"count": count, "per": per_member, "now": NOW},
    )


def _secondary_indexes(conn: Connection, postgres: bool) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the deliveries' indexes that no constraint owns."""
    if postgres:
        rows = conn.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'deliveries'"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            )
        )
    else:
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'deliveries' AND sql IS NOT NULL"
            )
        )
    return [(name, sql) for name, sql in rows]


def build_history(container: Container, count: int) -> float:
    """Load `count` closed deliveries and one open poll per member; returns seconds."""
    began = time.perf_counter()
    postgres = container.engine.dialect.name == "postgresql"
    with container.engine.begin() as conn:
        members = conn.scalar(select(func.count()).select_from(MemberRow)) or 1
        indexes = _secondary_indexes(conn, postgres)
        for name, _sql in indexes:
            conn.execute(text(f"DROP INDEX {name}"))
        per_member = max(1, count // members)
        load = _postgres_history if postgres else _sqlite_history
        load(conn, per_member * members, per_member)
        for _name, sql in indexes:
            conn.execute(text(sql))
        # This week's poll, open until Friday, its reminder due tomorrow: nothing due now.
        member_rows = conn.execute(select(MemberRow.id, MemberRow.journey_id)).all()
        workspace = conn.scalar(select(JourneyRow.workspace_id).limit(1))
        due = NOW - timedelta(hours=26)
        conn.execute(
            insert(DeliveryRow),
            [
                {
                    "workspace_id": workspace,
                    "journey_id": journey_id,
                    "member_id": member_id,
                    "ritual_key": "pulse",
                    "occurrence": "open",
                    "prompt_id": "awareness-tech-1",
                    "kind": "pulse",
                    "phase": "awareness",
                    "perspective": "technology",
                    "signal": "curiosity",
                    "created_at": due,
                    "due_at": due,
                    "closes_at": NOW + timedelta(days=2),
                    "status": "sent",
                    "attempts": 1,
                    "sent_at": due,
                    "remind_at": NOW + timedelta(days=1),
                }
                for member_id, journey_id in member_rows
            ],
        )
    settle(container)
    return time.perf_counter() - began


def settle(container: Container) -> None:
    """SQLite: the bulk load's pages written from the log into the file, as months of
    checkpoints would have; else the next passes' commits copy gigabytes and time that."""
    if container.engine.dialect.name == "sqlite":
        with container.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(passes: int, one: Callable[[int], None]) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `passes` runs of `one` (CPU time leaves out what
    other processes on a shared machine take from us)."""
    wall, cpu = [], []
    for n in range(1, passes + 1):
        began, began_cpu = time.perf_counter(), time.process_time()
        one(n)
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def measure(container: Container, passes: int, label: str) -> None:
    dispatch = container.dispatch

    def idle(n: int) -> None:
        report = dispatch.run_pass(NOW + timedelta(minutes=n))
        assert not report.lines and not report.recorded and not report.expired, report

    def hourly(n: int) -> None:
        # An hour (and a minute) on, as the scheduler sees it: every watermark moves.
        report = dispatch.run_pass(NOW + timedelta(minutes=61 * n))
        assert not report.lines and not report.recorded and not report.expired, report

    if container.engine.dialect.name == "postgresql":
        server_time(container, label)
    for one in (idle, hourly):
        with container.engine.begin() as conn:
            conn.execute(update(JourneyRow).values(dispatched_through=NOW))
        dispatch.run_pass(NOW)  # the scheduler's first pass fills its caches
        wall, cpu = timed(passes, one)
        print(f"  {label}: {one.__name__} pass median {wall:.1f} ms (CPU {cpu:.1f} ms)")


def server_time(container: Container, label: str) -> None:
    """PostgreSQL: the server's own execution time of an idle pass's delivery queries
    (expiry, pending, reminders), which the client's CPU time does not include."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if "deliveries" in sql:
            seen.append((sql, params))

    with container.engine.begin() as conn:
        conn.execute(update(JourneyRow).values(dispatched_through=NOW))
    event.listen(container.engine, "before_cursor_execute", record)
    try:
        container.dispatch.run_pass(NOW + timedelta(minutes=1))
    finally:
        event.remove(container.engine, "before_cursor_execute", record)
    total = 0.0
    with container.engine.connect() as conn:
        for sql, params in seen:
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).scalar()
            total += float(plan[0]["Execution Time"]) + float(plan[0]["Planning Time"])
        conn.rollback()  # EXPLAIN ANALYZE ran the expiry UPDATE (it changed nothing)
    print(f"  {label}: {len(seen)} delivery queries of an idle pass, {total:.2f} ms on the server")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=5_000_000)
    parser.add_argument("--journeys", type=int, default=1000)
    parser.add_argument("--people", type=int, default=10, help="members per journey")
    parser.add_argument("--passes", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = migrated(args.database_url or f"sqlite:///{Path(folder) / 'idle.db'}")
        container = Container(Settings(database_url=url), FixedClock(MON_9_AMS))
        try:
            began = time.perf_counter()
            seed(container, args.journeys, args.people)
            seeded = time.perf_counter() - began
            built = build_history(container, args.deliveries)
            with container.engine.connect() as conn:
                total = conn.scalar(select(func.count()).select_from(DeliveryRow))
            backend = container.engine.dialect.name
            print(
                f"idle scheduler on {backend}: {args.journeys} journeys of {args.people}, "
                f"{total:,} deliveries (journeys in {seeded:.1f} s, history in {built:.1f} s)"
            )
            measure(container, args.passes, "without statistics")
            with container.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            settle(container)
            measure(container, args.passes, "after ANALYZE")
        finally:
            container.close()


if __name__ == "__main__":
    main()
