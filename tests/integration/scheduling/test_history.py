"""The scheduler's routine passes cost what can still be due, not what history holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select, text, update

from bot.domain.model import Language, Role
from bot.scheduling.dispatcher import PassReport
from storage.models import DeliveryRow, JourneyRow
from tests.conftest import backend
from tests.integration.scheduling.conftest import TUE_10_AMS, World, deliveries

LONG_HISTORY = {
    "ix_deliveries_open": "5000000 1666667 500 500",
    "ix_deliveries_workspace_id": "5000000 5000000",
    "ix_deliveries_member_id": "5000000 500",
    "ix_deliveries_journey_id": "5000000 5000",
    "sqlite_autoindex_deliveries_1": "5000000 5000 5000 10 1",
}
# Wednesday noon in Amsterdam: the test plan has nothing due for hours around it.
WED_NOON = TUE_10_AMS + timedelta(days=1, hours=2)


def past_pulses(world: World, member_id: int | None) -> list[dict[str, Any]]:
    """Nearly two thousand days of one person's sent pulses, the oldest last: history."""
    day = timedelta(days=1)
    return [
        {
            "workspace_id": world.workspace_id,
            "journey_id": world.journey_id,
            "member_id": member_id,
            "ritual_key": "pulse",
            "occurrence": f"h{n:04}",
            "prompt_id": "p",
            "kind": "pulse",
            "phase": "awareness",
            "perspective": "technology",
            "signal": "curiosity",
            "created_at": WED_NOON - n * day,
            "due_at": WED_NOON - n * day,
            "closes_at": WED_NOON - n * day + 2 * day,
            "status": "sent",
            "attempts": 1,
            "sent_at": WED_NOON - n * day,
        }
        for n in range(3, 2000)
    ]


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement (and its parameters) the engine runs inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        seen.append((sql, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_hourly_pass_moves_every_idle_watermark_in_one_update(world: World) -> None:
    for n in range(12):
        world.container.journeys.start(
            world.workspace_id, f"C-{n}", f"Plant {n}", "UFAC", Language.EN, "Europe/Amsterdam"
        )
    engine = world.container.engine
    with engine.begin() as conn:
        conn.execute(update(JourneyRow).values(dispatched_through=WED_NOON))
    now = WED_NOON + timedelta(minutes=61)
    with statements(engine) as seen:
        report = world.tick(now)
    assert isinstance(report, PassReport) and report.recorded == 0
    moves = [sql for sql, _ in seen if sql.lstrip().upper().startswith("UPDATE JOURNEYS")]
    assert len(moves) == 1
    with engine.connect() as conn:
        marks = conn.scalars(select(JourneyRow.dispatched_through)).all()
    assert len(marks) == 13 and set(marks) == {now}
    # What it remembered of each journey's next due instant still holds: next Tuesday's
    # pulse is recorded and sent when it falls due.
    world.add_member("UFOL", {Role.FOLLOWER})
    world.tick(TUE_10_AMS + timedelta(days=7))
    pulses = [(u, st) for u, key, occ, st, _ in deliveries(world) if occ == "2026-12-08"]
    # Every journey's facilitator and the new member, each asked once.
    assert len(pulses) == 14 and pulses.count(("UFOL", "sent")) == 1
    assert world.sent_to("UFOL") != []


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite's query plans")
def test_an_idle_pass_reads_open_and_pending_deliveries_through_their_indexes(
    world: World,
) -> None:
    member = world.add_member("UFOL", {Role.FOLLOWER})
    day = timedelta(days=1)
    history = [
        row | {"status": "sent" if n % 4 else "missed", "remind_at": WED_NOON - n * day + day}
        for n, row in enumerate(past_pulses(world, member.id), start=3)
    ]
    engine = world.container.engine
    with engine.begin() as conn:
        conn.execute(insert(DeliveryRow), history)
        conn.execute(update(JourneyRow).values(dispatched_through=WED_NOON))
        conn.execute(text("ANALYZE"))  # statistics tempt SQLite to walk the primary key
        # ...and those of five million deliveries (10,000 people, 1,000 journeys) to start
        # from the members and read every delivery of each.
        conn.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'deliveries'"))
        conn.execute(
            text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('deliveries', :idx, :stat)"),
            [{"idx": idx, "stat": stat} for idx, stat in LONG_HISTORY.items()],
        )
    engine.dispose()  # new connections read the statistics
    with statements(engine) as seen:
        report = world.tick(WED_NOON + timedelta(minutes=1))
        # What a workspace with work due reads: its pending prompts, then its reminders.
        with world.container.uow() as uow:
            later = WED_NOON + timedelta(minutes=1)
            uow.dispatch.pending(later, 200, 0, None, world.workspace_id)
            uow.dispatch.due_reminders(later, 200, 0, world.workspace_id)
    assert isinstance(report, PassReport) and report.lines == []
    plans = {}
    with engine.connect() as conn:
        for sql, params in seen:
            if "deliveries" in sql and not sql.lstrip().upper().startswith("INSERT"):
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                plans[sql] = " / ".join(str(row[-1]) for row in rows)
    # The pass: expiry, and which workspaces have prompts or reminders due (one UNION);
    # then one workspace's pending prompts and its reminders.
    assert len(plans) == 4, list(plans)
    for sql, plan in plans.items():
        assert "SCAN deliveries" not in plan and "PRIMARY KEY" not in plan.split("/")[0], sql
        assert "ix_deliveries_pending" in plan or "ix_deliveries_open" in plan, (sql, plan)
        assert "ix_deliveries_workspace_id" not in plan, (sql, plan)


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite's query plans")
def test_who_was_asked_in_a_week_reads_that_weeks_deliveries(world: World) -> None:
    member = world.add_member("UFOL", {Role.FOLLOWER})
    day = timedelta(days=1)
    with world.container.engine.begin() as conn:
        conn.execute(insert(DeliveryRow), past_pulses(world, member.id))
        conn.execute(text("ANALYZE"))  # every delivery 'sent': the status says nothing
    engine = world.container.engine
    engine.dispose()
    week = (WED_NOON - 9 * day, WED_NOON - 2 * day)
    with statements(engine) as seen, world.container.uow() as uow:
        asked = uow.deliveries.asked_members(world.workspace_id, world.journey_id, *week)
        uow.deliveries.asked_by_perspective(world.workspace_id, world.journey_id, *week)
    assert asked == {member.id}
    with engine.connect() as conn:
        for sql, params in seen:
            if "deliveries" in sql:
                plan = " / ".join(
                    str(row[-1])
                    for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                )
                assert "ix_deliveries_journey_due" in plan and "SCAN" not in plan, (sql, plan)
