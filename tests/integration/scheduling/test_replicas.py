"""Sending shared by scheduler replicas, one workspace per sender at a time, and a pass's
time box: the real Dispatcher on real SQLite and PostgreSQL, the real slack_sdk against the
fake Slack Web API on 127.0.0.1, injected clocks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.model import Language, Member, PromptKind, Role
from bot.domain.ports import ChatPort
from bot.domain.views import PromptView
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.report import PassReport
from bot.scheduling.sender import Sender
from storage.db import make_engine
from storage.locks import SqlDispatchLock
from storage.models import MemberRow, SendLeaseRow
from tests import seed
from tests.conftest import backend
from tests.databases import fanned_out
from tests.fakes.slack_api import FakeSlack
from tests.integration.scheduling.conftest import (
    ALL_BUT_FACILITATOR,
    MON_9_AMS,
    PLAN_DIR,
    TUE_10_AMS,
    World,
)

postgres_only = pytest.mark.skipif(backend() != "postgresql", reason="replicas need PostgreSQL")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def slack_workspaces(database_url: str, workspaces: int, people: int) -> list[int]:
    """`workspaces` Slack workspaces, each with a journey of `people` (its facilitator too)."""
    container = Container(
        Settings(database_url=database_url, pioneer_prompts_dir=PLAN_DIR), FixedClock(MON_9_AMS)
    )
    ids = []
    try:
        for w in range(workspaces):
            workspace_id = seed.workspace_id(container.uow, "slack", f"T{w:04}", f"Team {w}")
            journey = container.journeys.start(
                workspace_id, f"C{w:04}", "Plant", f"UF{w:04}", Language.EN, "Europe/Amsterdam"
            )
            with container.engine.begin() as conn:
                conn.execute(
                    insert(MemberRow),
                    [
                        {
                            "workspace_id": workspace_id,
                            "journey_id": journey.id,
                            "user": f"U{w:02}{n:04}",
                            "display_name": "",
                            "roles": "follower",
                        }
                        for n in range(people - 1)
                    ],
                )
            ids.append(workspace_id)
    finally:
        container.close()
    return ids


def replica(
    database_url: str,
    fake: FakeSlack,
    rate: float = 1000.0,
    wall: Callable[[], datetime] | None = None,
    wrap: Callable[[ChatPort], ChatPort] | None = None,
    concurrency: int = 4,
) -> tuple[Container, Dispatcher]:
    """One scheduler replica: its own container, dispatch lock (a holder of its own) and
    senders paced to `rate` per workspace, on the fixed clock of Tuesday's pulse."""
    settings = Settings(
        database_url=database_url,
        pioneer_prompts_dir=PLAN_DIR,
        slack_bot_token="xoxb-test",  # noqa: S106 (the fake accepts any token)
        slack_api_url=fake.api_url,
        pioneer_send_rate=rate,
    )
    container = Container(settings, FixedClock(TUE_10_AMS))
    base = container.dispatch
    lock = SqlDispatchLock(container.engine, database_url, 60.0, wall)
    dispatcher = Dispatcher(
        base.uow,
        lock,
        base.plan,
        base.prompts,
        container.clock,
        (lambda w: wrap(container.chat_for(w))) if wrap else container.chat_for,
        container.sender,
        concurrency=concurrency,
    )
    return container, dispatcher


def assert_each_once(database_url: str, fake: FakeSlack, people: int) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            users, statuses = fanned_out(conn)
    finally:
        engine.dispose()
    assert len(users) == people
    assert [u for u in users if len(fake.messages(f"D{u}")) != 1] == []
    assert statuses == {"sent": people}


@postgres_only
def test_two_dispatchers_on_one_database_split_the_workspaces_and_send_each_once(
    database_url: str, fake: FakeSlack
) -> None:
    slack_workspaces(database_url, 6, 30)
    replicas = [replica(database_url, fake, rate=60.0) for _ in range(2)]
    reports: list[PassReport] = []
    start = threading.Barrier(2)

    def run(dispatcher: Dispatcher) -> None:
        start.wait()
        reports.append(dispatcher.run_pass())

    try:
        # Recorded first, so both replicas find the whole fan-out waiting.
        replicas[0][1].record_due(TUE_10_AMS)
        threads = [threading.Thread(target=run, args=(d,)) for _, d in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for container, _ in replicas:
            container.close()
    assert len(reports) == 2
    sent = sorted(r.count("sent") for r in reports)
    assert sum(sent) == 180
    assert sent[0] >= 30  # the second replica sent whole workspaces, not nothing
    assert sum(r.held for r in reports) >= 1  # and kept off the other's workspaces
    assert_each_once(database_url, fake, 180)


class Crash(BaseException):
    """The process dying right after a message went out, before its outcome was written."""


class CrashingChat:
    """The real SlackChat, until the `after`-th prompt it posts: then the process "dies"."""

    def __init__(self, chat: ChatPort, after: int) -> None:
        self.chat = chat
        self.after = after
        self.posted = 0

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        ref = self.chat.send_prompt(member, view, idempotency_key)
        self.posted += 1
        if self.posted == self.after:
            raise Crash()
        return ref

    def find_sent(self, member: Member, idempotency_key: str) -> str | None:
        return self.chat.find_sent(member, idempotency_key)  # type: ignore[attr-defined,no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.chat, name)


@postgres_only
def test_a_dead_replicas_workspace_is_taken_over_when_its_lease_runs_out(
    database_url: str, fake: FakeSlack
) -> None:
    slack_workspaces(database_url, 2, 25)
    wall = FixedClock(datetime(2026, 12, 1, 9, 0, 5, tzinfo=UTC))
    crashing: list[CrashingChat] = []

    def crash_after_six(chat: ChatPort) -> ChatPort:
        crashing.append(CrashingChat(chat, after=6))
        return crashing[-1]  # type: ignore[return-value]

    # One message at a time, so it dies at once, in its first workspace.
    dead, dead_dispatcher = replica(
        database_url, fake, wall=wall.now, wrap=crash_after_six, concurrency=1
    )
    try:
        dead_dispatcher.record_due(TUE_10_AMS)
        with pytest.raises(Crash):
            dead_dispatcher.run_pass()
        # As a SIGKILL leaves it: the lease still the dead replica's, for another minute.
        holder = dead_dispatcher.lock.holder  # type: ignore[attr-defined]
        with dead.engine.begin() as conn:
            conn.execute(
                update(SendLeaseRow).values(
                    holder=holder, lease_until=wall.now() + timedelta(seconds=60)
                )
            )
    finally:
        dead.close()
    posted = len(fake.calls_to("chat.postMessage"))
    assert posted == 6

    container, survivor = replica(database_url, fake, wall=wall.now)
    try:
        report = survivor.run_pass()
        # The other workspace is sent; the dead replica's is left alone while its lease runs.
        assert report.held == 1 and report.count("sent") == 25
        assert len(fake.calls_to("chat.postMessage")) == posted + 25

        wall.set(wall.now() + timedelta(seconds=61))
        report = survivor.run_pass()
        assert report.held == 0 and report.count("sent") == 25
        assert survivor.totals.recovered == 6  # found already posted, not posted again
    finally:
        container.close()
    assert_each_once(database_url, fake, 50)


def test_a_long_paced_fan_out_does_not_hold_up_another_workspaces_ritual(world: World) -> None:
    """A pass sends for at most `send_for` seconds, then the next records what fell due
    meanwhile and serves the workspace that waited first."""
    for n in range(40):
        world.add_member(f"UA{n:02}", ALL_BUT_FACILITATOR)
    other = seed.workspace_id(world.container.uow, "console", "T-OTHER", "Other BV")
    # An hour later: 10:00 in London is 10:00 UTC, an hour after Amsterdam's pulse.
    journey = world.container.journeys.start(
        other, "C-OTHER", "Plant Zuid", "UFAC2", Language.EN, "Europe/London"
    )
    with world.container.uow() as uow:
        for user in ("UB1", "UB2"):
            uow.members.add(
                Member(
                    workspace_id=other, journey_id=journey.id or 0, user=user, roles={Role.FOLLOWER}
                )
            )
        uow.commit()
    base = world.container.dispatch
    # One a second per workspace (simulated time): the first workspace's 40 take 40 s.
    dispatcher = Dispatcher(
        base.uow,
        base.lock,
        base.plan,
        base.prompts,
        world.clock,
        lambda _w: world.chat,
        lambda: Sender(rate=1.0, sleep=world.sleeps, monotonic=world.sleeps.monotonic),
        concurrency=1,
        monotonic=world.sleeps.monotonic,
    )
    world.clock.set(TUE_10_AMS)
    first = dispatcher.run_pass(send_for=10)
    assert first.unfinished == 1 and 8 <= first.count("sent") <= 12
    assert world.sent_to("UB1") == []

    world.clock.set(TUE_10_AMS + timedelta(hours=1))
    second = dispatcher.run_pass(send_for=10)
    # The other workspace's pulse went out in the pass after it fell due, first of all.
    assert {line.user for line in second.lines[:3]} == {"UFAC2", "UB1", "UB2"}
    assert len(world.sent_to("UB1")) == len(world.sent_to("UB2")) == 1
    assert second.unfinished == 1  # the long fan-out goes on, not finished yet

    passes = 0
    while dispatcher.run_pass(send_for=10).unfinished and passes < 10:
        passes += 1
    assert passes < 10
    assert all(len(world.sent_to(f"UA{n:02}")) == 1 for n in range(40))
    assert len(world.sent_to("UFAC")) == 1


@postgres_only
def test_poll_now_goes_at_once_while_another_workspace_is_being_sent(
    database_url: str, fake: FakeSlack
) -> None:
    busy, free = slack_workspaces(database_url, 2, 4)
    wall = FixedClock(datetime(2026, 12, 1, 9, 0, 5, tzinfo=UTC))
    container, dispatcher = replica(database_url, fake, wall=wall.now)
    deferred: list[str] = []
    dispatcher.on_deferred = lambda: deferred.append("woken")
    try:
        with container.engine.begin() as conn:
            # Another replica is in the middle of the busy workspace's fan-out.
            conn.execute(
                insert(SendLeaseRow).values(
                    workspace_id=busy,
                    holder="other",
                    lease_until=wall.now() + timedelta(seconds=60),
                )
            )
        with container.uow() as uow:
            journeys = {w: uow.journeys.list(w)[0].id for w in (busy, free)}
        asked = dispatcher.send_now(free, journeys[free] or 0, "UF0001", PromptKind.PULSE)
        assert asked == 4 and deferred == []
        assert len(fake.calls_to("chat.postMessage")) == 4  # sent at once

        asked = dispatcher.send_now(busy, journeys[busy] or 0, "UF0000", PromptKind.PULSE)
        assert asked == 4 and deferred == ["woken"]  # its own workspace's sender sends them
        assert len(fake.calls_to("chat.postMessage")) == 4
    finally:
        container.close()
