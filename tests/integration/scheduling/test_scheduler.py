"""The APScheduler wrapper: one deterministic job in memory that wakes the dispatcher."""

from __future__ import annotations

import time

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.container import Container
from bot.domain.errors import SchedulerLocked
from bot.domain.model import Role
from bot.scheduling.scheduler import JOB_ID, dispatch_job, start_scheduler
from tests.conftest import backend
from tests.integration.scheduling.conftest import PLAN_DIR, TUE_10_AMS, World


@pytest.fixture(autouse=True)
def fast_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIONEER_SEND_RATE", "1000")


def test_the_scheduler_wakes_the_dispatcher_with_the_injected_clock(
    world: World, database_url: str
) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    world.clock.set(TUE_10_AMS)
    handle = start_scheduler(world.container.dispatch)
    try:
        assert handle.wait_for_pass(0)
        jobs = handle.scheduler.get_jobs()
        assert [j.id for j in jobs] == [JOB_ID]
        assert jobs[0].func is dispatch_job and jobs[0].args == (handle.handle_id,)
        assert isinstance(handle.scheduler._jobstores["default"], MemoryJobStore)
        assert handle.last is not None and handle.last.at == TUE_10_AMS
        assert sorted(s.to for s in world.chat.sent) == ["UFAC", "UFOL"]
        if backend() == "sqlite":
            other = Container(Settings(database_url=database_url), world.clock)
            try:
                with pytest.raises(SchedulerLocked, match="--no-scheduler"):
                    start_scheduler(other.dispatch)
            finally:
                other.close()
        passes = handle.passes
        handle.wake()
        assert handle.wait_for_pass(passes)
        assert len(world.chat.sent) == 2  # the database remembers; nothing goes twice
    finally:
        handle.stop()
    assert not handle.scheduler.running


def test_a_pass_out_of_time_is_followed_by_the_next_at_once_not_a_minute_later(
    world: World,
) -> None:
    for n in range(11):
        world.add_member(f"UFOL{n:02}", {Role.FOLLOWER})
    world.clock.set(TUE_10_AMS)
    # A time box too short for more than one message a pass: 12 passes, one after another.
    handle = start_scheduler(world.container.dispatch, every_seconds=3600, send_for=0.000001)
    try:
        deadline = time.monotonic() + 30
        while len(world.chat.sent) < 12 and time.monotonic() < deadline:
            handle.wait_for_pass(handle.passes, timeout=1)
    finally:
        handle.stop()
    assert sorted(s.to for s in world.chat.sent) == sorted(
        ["UFAC"] + [f"UFOL{n:02}" for n in range(11)]
    )
    assert handle.passes >= 12 and handle.last is not None and handle.last.unfinished == 0


def test_tick_prints_what_would_be_and_what_was_sent(
    world: World, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PIONEER_PROMPTS_DIR", str(PLAN_DIR))
    runner = CliRunner()
    dry = runner.invoke(app, ["tick", "--at", "2026-12-01T09:00:00Z", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would send: pulse 2026-12-01 to UFOL" in dry.output
    assert "would send 2" in dry.output
    real = runner.invoke(app, ["tick", "--at", "2026-12-01T09:00:00+00:00"])
    assert real.exit_code == 0, real.output
    assert "sent: pulse 2026-12-01 to UFOL #" in real.output
    assert "sent 2, still pending 0" in real.output
    again = runner.invoke(app, ["tick", "--at", "2026-12-01T09:00:00Z"])
    assert "sent 0" in again.output and "sent: " not in again.output
    bad = runner.invoke(app, ["tick", "--at", "next tuesday"])
    assert bad.exit_code == 2


def test_serve_runs_the_scheduler_unless_told_not_to(world: World, database_url: str) -> None:
    import typer

    from bot.cli import serve_scheduler

    help_text = CliRunner().invoke(app, ["serve", "--help"]).output
    assert "--no-scheduler" in help_text
    if backend() != "sqlite":
        return
    handle = start_scheduler(world.container.dispatch)
    try:
        with pytest.raises(typer.Exit) as refused:
            serve_scheduler(Settings(database_url=database_url))
        assert refused.value.exit_code == 2
    finally:
        handle.stop()
    second = serve_scheduler(Settings(database_url=database_url))
    second.stop()


def test_the_weekly_digest_ritual_calls_the_digest_hook_once(world: World) -> None:
    from datetime import timedelta

    from bot.scheduling.dispatcher import Dispatcher

    calls: list[tuple[int, int, object]] = []

    def send_weekly(workspace_id: int, journey_id: int, now: object, due_at: object) -> bool:
        assert due_at == monday_0830  # the week is the one before the due instant
        calls.append((workspace_id, journey_id, now))
        return True

    monday_0830 = TUE_10_AMS + timedelta(days=6, hours=-1.5)  # Monday 7 December, 08:30
    base = world.dispatcher()
    dispatcher = Dispatcher(
        base.uow,
        base.lock,
        base.plan,
        base.prompts,
        world.clock,
        base.chat_for,
        base.sender_factory,
        digest_hook=lambda: send_weekly,
        concurrency=1,
    )
    dispatcher.run_pass(monday_0830 - timedelta(minutes=1))
    assert calls == []
    report = dispatcher.run_pass(monday_0830)
    assert calls == [(world.workspace_id, world.journey_id, monday_0830)]
    assert report.digests == 1
    dispatcher.run_pass(monday_0830 + timedelta(minutes=1))
    assert len(calls) == 1
