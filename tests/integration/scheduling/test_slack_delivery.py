"""Delivery through the real slack_sdk WebClient against the fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.domain.deliveries import idempotency_key
from bot.domain.model import Role
from bot.platforms.slack.chat import SlackChat
from storage.models import DeliveryRow
from tests.fakes.slack_api import FakeSlack
from tests.integration.scheduling.conftest import TUE_10_AMS, World, deliveries


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def team(world: World) -> list[str]:
    for user in ("UDIR", "URUN", "UFOL"):
        world.add_member(user, {Role.FOLLOWER})
    return ["UFAC", "UDIR", "URUN", "UFOL"]


def test_429_500_and_accept_then_reset_each_delivery_arrives_once(
    world: World, fake: FakeSlack
) -> None:
    users = team(world)
    fake.script("chat.postMessage", [(429, 2), 500, "reset-after-accept", 503])
    chat = SlackChat.connect("xoxb-test", fake.api_url, timeout=2)
    world.clock.set(TUE_10_AMS)
    report = world.dispatcher(chat).run_pass()
    assert report.count("sent") == 4
    for user in users:
        messages = fake.messages(f"D{user}")
        assert len(messages) == 1, user
    # The Retry-After was honoured (2 s on the pacer) and 5xx were backed off, not hammered.
    assert any(s >= 1.5 for s in world.sleeps.slept)
    posted = fake.calls_to("chat.postMessage")
    # Four scripted answers (the reset one did post) and three plain successes: the
    # delivery whose post was accepted before the reset was not posted again.
    assert len(posted) == 4 + 3
    rows = deliveries(world)
    assert {status for *_, status, _ in rows} == {"sent"}
    # The one accepted before the reset was found again (by its key), not posted twice.
    assert fake.calls_to("conversations.history")
    again = world.dispatcher(chat).run_pass(TUE_10_AMS + timedelta(minutes=1))
    assert again.lines == []
    assert sum(len(fake.messages(f"D{u}")) for u in users) == 4


def test_a_send_cut_off_by_a_crash_is_found_not_repeated(world: World, fake: FakeSlack) -> None:
    team(world)
    chat = SlackChat.connect("xoxb-test", fake.api_url, timeout=2)
    world.clock.set(TUE_10_AMS)
    dispatcher = world.dispatcher(chat)
    dispatcher.record_due(TUE_10_AMS)
    # As if a process claimed UFOL's delivery, posted it, and died before writing "sent".
    (delivery, member, journey), *_ = [row for row in _pending(world) if row[1].user == "UFOL"]
    from bot.domain.deliveries import prompt_view

    view = prompt_view(delivery, journey, member, None, TUE_10_AMS)
    chat.send_prompt(member, view, idempotency_key(delivery))
    with world.container.engine.begin() as conn:
        conn.execute(update(DeliveryRow).where(DeliveryRow.id == delivery.id).values(attempts=1))
    dispatcher.run_pass()
    assert len(fake.messages("DUFOL")) == 1
    assert len(fake.messages("DUFAC")) == 1
    assert dispatcher.totals.recovered == 1


def test_unreachable_people_are_marked_and_not_retried(world: World, fake: FakeSlack) -> None:
    team(world)
    fake.unreachable("URUN", "cannot_dm_bot")
    chat = SlackChat.connect("xoxb-test", fake.api_url, timeout=2)
    world.clock.set(TUE_10_AMS)
    world.dispatcher(chat).run_pass()
    statuses = {u: s for u, _, _, s, _ in deliveries(world)}
    assert statuses == {"UFAC": "sent", "UDIR": "sent", "URUN": "unreachable", "UFOL": "sent"}
    world.dispatcher(chat).run_pass(TUE_10_AMS + timedelta(minutes=1))
    assert len(fake.calls_to("conversations.open")) == 4  # DM channels cached, URUN tried once


def _pending(world: World) -> list:  # type: ignore[type-arg]
    with world.container.uow() as uow:
        return list(uow.dispatch.pending(world.clock.now(), 100))
