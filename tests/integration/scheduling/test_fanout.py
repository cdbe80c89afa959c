"""A fan-out through the real dispatcher and the real slack_sdk client against the fake Slack
Web API: DM channels kept with the member, 429s, and how many calls are in flight at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.domain.model import Role
from bot.platforms.slack.chat import SlackChat
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.sender import Sender
from storage.models import MemberRow
from tests.fakes.slack_api import FakeSlack
from tests.integration.scheduling.conftest import TUE_10_AMS, World, deliveries

NEXT_TUESDAY = TUE_10_AMS + timedelta(days=7)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def team(world: World, size: int = 3) -> list[str]:
    users = [f"U{n:03}" for n in range(size)]
    for user in users:
        world.add_member(user, {Role.FOLLOWER})
    return ["UFAC", *users]


def stored_channels(world: World) -> dict[str, str | None]:
    with world.container.engine.connect() as conn:
        return dict(conn.execute(select(MemberRow.user, MemberRow.dm_channel)).all())  # type: ignore[arg-type]


def opened(fake: FakeSlack) -> list[str]:
    return [str(c.args["users"]) for c in fake.calls_to("conversations.open")]


def test_the_dm_channel_is_opened_once_per_member_across_two_fan_outs(
    world: World, fake: FakeSlack
) -> None:
    users = team(world)
    world.clock.set(TUE_10_AMS)
    world.dispatcher(SlackChat.connect("xoxb-test", fake.api_url, timeout=2)).run_pass()
    assert sorted(opened(fake)) == sorted(users)
    assert stored_channels(world) == {u: f"D{u}" for u in users}
    # A restarted process (a new client, nothing cached) a week later: only posts.
    world.clock.set(NEXT_TUESDAY)
    report = world.dispatcher(SlackChat.connect("xoxb-test", fake.api_url, timeout=2)).run_pass()
    assert report.count("sent") >= len(users)
    assert sorted(opened(fake)) == sorted(users)
    assert_each_delivered_once(world, fake, users)


def assert_each_delivered_once(world: World, fake: FakeSlack, users: list[str]) -> None:
    sent = [u for u, *_, status, _ in deliveries(world) if status == "sent"]
    for user in users:
        assert len(fake.messages(f"D{user}")) == sent.count(user), user


def test_a_429_is_tried_again_after_exactly_its_retry_after_without_doubles(
    world: World, fake: FakeSlack
) -> None:
    users = team(world)
    fake.limit_every("chat.postMessage", 3, retry_after=2)
    world.clock.set(TUE_10_AMS)
    report = world.dispatcher(SlackChat.connect("xoxb-test", fake.api_url, timeout=2)).run_pass()
    assert report.count("sent") == len(users)
    assert all(len(fake.messages(f"D{u}")) == 1 for u in users)
    assert len(fake.calls_to("chat.postMessage")) == len(users) + 1  # the third, again
    # The pacer at 1,000/s waits 1 ms between messages; the 429 held for 2 s, not more.
    held = [s for s in world.sleeps.slept if s > 0.01]
    assert held == [pytest.approx(2.0, abs=0.002)]
    assert {status for *_, status, _ in deliveries(world)} == {"sent"}


def test_a_429_holds_only_the_workspace_it_came_from() -> None:
    slept: list[float] = []
    clock = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    sender = Sender(rate=0, sleep=sleep, monotonic=lambda: clock[0])
    sender.pacer.hold(5.0, scope="workspace A")
    sender.pacer.wait(scope="workspace B")
    assert slept == []
    sender.pacer.wait(scope="workspace A")
    assert slept == [5.0]


def test_sending_never_has_more_calls_in_flight_than_its_bound(
    world: World, fake: FakeSlack
) -> None:
    users = team(world, size=24)
    fake.latency = 0.02  # long enough for calls to overlap when they can
    chat = SlackChat.connect("xoxb-test", fake.api_url, timeout=2)
    base = world.container.dispatch
    dispatcher = Dispatcher(
        base.uow,
        base.lock,
        base.plan,
        base.prompts,
        world.clock,
        lambda _workspace_id: chat,
        lambda: Sender(rate=1000.0, sleep=time.sleep),
        concurrency=3,
        chunk=12,
    )
    world.clock.set(TUE_10_AMS)
    report = dispatcher.run_pass()
    assert report.count("sent") == len(users)
    assert fake.max_in_flight == 3
    assert all(len(fake.messages(f"D{u}")) == 1 for u in users)


def test_a_stored_dm_channel_slack_no_longer_accepts_is_opened_again_once(
    world: World, fake: FakeSlack
) -> None:
    users = team(world)
    with world.container.engine.begin() as conn:
        conn.execute(update(MemberRow).values(dm_channel="DOLD"))
        conn.execute(update(MemberRow).where(MemberRow.user == "U001").values(dm_channel="DGONE"))
    fake.close_channel("DGONE")
    world.clock.set(TUE_10_AMS)
    report = world.dispatcher(SlackChat.connect("xoxb-test", fake.api_url, timeout=2)).run_pass()
    assert report.count("sent") == len(users)
    assert opened(fake) == ["U001"]
    assert len(fake.messages("DU001")) == 1
    assert fake.messages("DGONE") == []
    assert len(fake.messages("DOLD")) == len(users) - 1
    assert stored_channels(world)["U001"] == "DU001"
    world.clock.set(NEXT_TUESDAY)
    world.dispatcher(SlackChat.connect("xoxb-test", fake.api_url, timeout=2)).run_pass()
    assert opened(fake) == ["U001"]
    assert fake.messages("DGONE") == []
    assert_each_delivered_once(world, fake, ["U001"])
