"""Pulse polls and check-ins in a DM: clicks, changes, double clicks, modals, escaping."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.commands import escape
from bot.clock import FixedClock
from bot.container import Container
from bot.domain.model import Language, PromptKind
from bot.domain.views import parse_ref
from bot.platforms.slack.chat import SlackChat
from bot.platforms.slack.render.prompt import (
    CHECKIN_ACTION,
    CHECKIN_SUBMIT,
    COMMENT_ACTION,
    COMMENT_SUBMIT,
    ModalMeta,
)
from bot.platforms.slack.updates import MessageUpdates
from tests.e2e.slack.conftest import (
    BOT_TOKEN,
    SlackSender,
    a_prompt,
    deliver,
    slack_workspace_id,
)
from tests.fakes.slack_api import FakeSlack

ALICE, BOB = "U1", "U2"


@pytest.fixture
def journey_id(slack: SlackSender, container: Container) -> int:
    slack.say("start Plant Noord", user=ALICE)
    slack.say("join", user=BOB)
    journey = container.journeys.journey_for_channel(slack_workspace_id(container), "C1")
    assert journey.id is not None
    return journey.id


def sent_prompt(
    container: Container, fake: FakeSlack, journey_id: int, kind: PromptKind, **kw: Any
) -> tuple[int, str, str]:
    """A delivery posted to Bob's DM with the real notifier; (delivery id, channel, ts)."""
    delivery = deliver(container, journey_id, BOB, kind, **kw)
    assert delivery.id is not None
    view = container.prompt_views.view_for(slack_workspace_id(container), delivery.id)
    assert view is not None
    chat = SlackChat.connect(BOT_TOKEN, fake.api_url)
    member = container.journeys.member(slack_workspace_id(container), journey_id, BOB)
    assert member is not None
    ref = chat.send_prompt(member, view, f"delivery:{delivery.id}")
    channel, ts = parse_ref(ref)
    return delivery.id, channel, ts


def answers_of(container: Container, journey_id: int) -> list[tuple[int | None, str | None]]:
    with container.uow() as uow:
        found = uow.answers.for_journey(slack_workspace_id(container), journey_id)
    return [(a.value, a.text) for a in found]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_a_poll_shows_the_scale_with_labels_and_the_anonymity_note(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    delivery_id, channel, _ = sent_prompt(container, fake_slack, journey_id, PromptKind.PULSE)
    message = fake_slack.messages(channel)[-1]
    values = [
        b["value"] for b in buttons(message.blocks) if b["action_id"].startswith("pioneer.poll.")
    ]
    assert values == [f"{delivery_id}:{n}" for n in range(1, 6)]
    labels = [b["text"]["text"] for b in buttons(message.blocks)]
    assert labels[0].startswith("1 · ") and labels[4].startswith("5 · ")
    assert "anonymous" in str(message.blocks)
    assert message.metadata == {
        "event_type": "pioneer_delivery",
        "event_payload": {"key": f"delivery:{delivery_id}"},
    }


def test_a_poll_answered_changed_and_double_clicked_keeps_one_answer(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    delivery_id, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.PULSE)
    assert (
        slack.action("pioneer.poll.4", f"{delivery_id}:4", user=BOB, channel=channel, ts=ts).status
        == 200
    )
    # The answer is committed before the ack; the message is updated right after it.
    assert answers_of(container, journey_id) == [(4, None)]
    update = fake_slack.wait_for("chat.update", 1)[-1]
    assert (update.args["channel"], update.args["ts"]) == (channel, ts)
    chosen = [b for b in buttons(update.args["blocks"]) if b.get("style") == "primary"]
    assert [b["value"] for b in chosen] == [f"{delivery_id}:4"]
    assert "Your answer: *4*" in str(update.args["blocks"])

    slack.action("pioneer.poll.2", f"{delivery_id}:2", user=BOB, channel=channel, ts=ts)
    slack.action("pioneer.poll.2", f"{delivery_id}:2", user=BOB, channel=channel, ts=ts)
    assert answers_of(container, journey_id) == [(2, None)]
    fake_slack.wait_for("chat.update", 3)
    assert "Your answer: *2*" in str(fake_slack.messages(channel)[-1].blocks)


def test_a_poll_clicked_by_someone_else_is_refused(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    delivery_id, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.PULSE)
    replies = len(slack.replies())
    slack.action("pioneer.poll.5", f"{delivery_id}:5", user=ALICE, channel=channel, ts=ts)
    assert answers_of(container, journey_id) == []
    fake_slack.wait_for("response_url", replies + 1)
    assert "someone else" in slack.last_reply().args["text"]


def test_a_closed_poll_takes_no_answer_and_shows_it_closed(
    slack: SlackSender,
    container: Container,
    fake_slack: FakeSlack,
    journey_id: int,
    clock: FixedClock,
) -> None:
    delivery_id, channel, ts = sent_prompt(
        container, fake_slack, journey_id, PromptKind.PULSE, closes_in=timedelta(hours=1)
    )
    clock.advance(timedelta(hours=2))
    replies = len(slack.replies())
    slack.action("pioneer.poll.3", f"{delivery_id}:3", user=BOB, channel=channel, ts=ts)
    assert answers_of(container, journey_id) == []
    fake_slack.wait_for("response_url", replies + 1)
    assert "closed" in slack.last_reply().args["text"]
    update = fake_slack.wait_for("chat.update")[-1]
    assert buttons(update.args["blocks"]) == []


def test_a_comment_on_a_poll_is_kept_and_escaped(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    delivery_id, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.PULSE)
    slack.action(COMMENT_ACTION, str(delivery_id), user=BOB, channel=channel, ts=ts)
    modal = fake_slack.calls_to("views.open")[-1].args["view"]
    assert modal["callback_id"] == COMMENT_SUBMIT
    # A comment before any value: the modal says what is missing, nothing is stored.
    response = slack.submit(modal["callback_id"], modal["private_metadata"], "hm", user=BOB)
    assert json.loads(response.body)["response_action"] == "errors"
    assert answers_of(container, journey_id) == []

    slack.action("pioneer.poll.3", f"{delivery_id}:3", user=BOB, channel=channel, ts=ts)
    response = slack.submit(
        modal["callback_id"], modal["private_metadata"], "<!channel> look <@U9>", user=BOB
    )
    assert response.status == 200 and "errors" not in response.body
    assert answers_of(container, journey_id) == [(3, "<!channel> look <@U9>")]
    fake_slack.wait_for("chat.update", 2)  # the click's, then the comment's
    shown = str(fake_slack.messages(channel)[-1].blocks)
    assert "&lt;!channel&gt; look &lt;@U9&gt;" in shown
    assert "<!channel>" not in shown and "<@U9>" not in shown


def test_a_checkin_modal_is_submitted_and_confirmed(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    delivery_id, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.CHECKIN)
    message = fake_slack.messages(channel)[-1]
    (answer_button,) = buttons(message.blocks)
    assert answer_button["action_id"] == CHECKIN_ACTION
    slack.action(
        answer_button["action_id"], answer_button["value"], user=BOB, channel=channel, ts=ts
    )
    opened = fake_slack.calls_to("views.open")[-1]
    assert opened.args["trigger_id"].startswith("trigger-")
    modal = opened.args["view"]
    element = modal["blocks"][1]["element"]
    assert element["multiline"] is True

    text = "Try the robot on line 2 & <!here> ask the night shift"
    response = slack.submit(modal["callback_id"], modal["private_metadata"], text, user=BOB)
    assert response.status == 200
    assert answers_of(container, journey_id) == [(None, text)]
    fake_slack.wait_for("chat.update")
    shown = str(fake_slack.messages(channel)[-1].blocks)
    assert "Thank you" in shown and "&amp; &lt;!here&gt;" in shown and "<!here>" not in shown

    # Opening it again shows the earlier answer to edit; a second submit replaces it.
    slack.action(CHECKIN_ACTION, str(delivery_id), user=BOB, channel=channel, ts=ts)
    modal = fake_slack.calls_to("views.open")[-1].args["view"]
    assert modal["blocks"][1]["element"]["initial_value"] == text
    slack.submit(modal["callback_id"], modal["private_metadata"], "Something else", user=BOB)
    assert answers_of(container, journey_id) == [(None, "Something else")]


def test_a_checkin_too_long_is_refused_in_the_modal(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    delivery_id, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.CHECKIN)
    meta = ModalMeta(delivery_id, channel, ts).dump()
    response = slack.submit(CHECKIN_SUBMIT, meta, "x" * 3001, user=BOB)
    assert "3000" in response.body and "errors" in response.body
    assert answers_of(container, journey_id) == []


def test_prompts_speak_dutch_to_a_dutch_member(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    slack.say("language nl", user=BOB)
    delivery_id, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.PULSE)
    message = fake_slack.messages(channel)[-1]
    prompt = a_prompt(container, PromptKind.PULSE)
    assert escape(prompt.text.nl) in str(message.blocks)
    assert "anoniem" in str(message.blocks)
    slack.action("pioneer.poll.1", f"{delivery_id}:1", user=BOB, channel=channel, ts=ts)
    assert "Je antwoord: *1*" in str(fake_slack.wait_for("chat.update")[-1].args["blocks"])


# -- redrawing a message after its answer ------------------------------------------------------
def message(fake: FakeSlack, channel: str, ts: str) -> Any:
    (found,) = [m for m in fake.messages(channel) if m.ts == ts]
    return found


def two_polls(
    container: Container, fake: FakeSlack, journey_id: int
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """Two open polls in Bob's DM (weeks 49 and 50): (delivery id, channel, ts) each."""
    first = sent_prompt(container, fake, journey_id, PromptKind.PULSE)
    return first, sent_prompt(container, fake, journey_id, PromptKind.PULSE, occurrence="2026-W50")


def retrying_client(fake: FakeSlack) -> AsyncWebClient:
    """An async client that waits out HTTP 429 twice, as the app's own does."""
    return AsyncWebClient(
        token=BOT_TOKEN,
        base_url=fake.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )


def answered_view(container: Container, delivery_id: int, value: int) -> Any:
    view = container.prompt_views.view_for(slack_workspace_id(container), delivery_id)
    assert view is not None
    return replace(view, answered_value=value)


def test_redraws_of_one_message_collapse_to_the_latest_view(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    (first, channel, ts), (other, channel_2, ts_2) = two_polls(container, fake_slack, journey_id)
    updates = MessageUpdates(in_flight=1)

    async def clicks() -> None:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
        await updates.show(client, channel, ts, answered_view(container, first, 4))
        await updates.show(client, channel_2, ts_2, answered_view(container, other, 5))
        await updates.show(client, channel, ts, answered_view(container, first, 2))
        await updates.finish()
        # A click right after the queue ran dry gets a worker of its own.
        await updates.show(client, channel_2, ts_2, answered_view(container, other, 1))
        await updates.finish()

    asyncio.run(clicks())
    calls = fake_slack.wait_for("chat.update", 3)
    assert [(c.args["ts"], "Your answer: *2*" in str(c.args["blocks"])) for c in calls] == [
        (ts, True),
        (ts_2, False),
        (ts_2, False),
    ]
    assert "Your answer: *2*" in str(message(fake_slack, channel, ts).blocks)
    assert "Your answer: *1*" in str(message(fake_slack, channel_2, ts_2).blocks)
    assert (updates.sent, updates.failed, updates.pending) == (3, 0, 0)


def test_redraws_wait_out_a_rate_limit_and_back_up_into_the_click(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    (first, channel, ts), (other, channel_2, ts_2) = two_polls(container, fake_slack, journey_id)
    fake_slack.script("chat.update", [(429, 0.2)])
    updates = MessageUpdates(in_flight=1, max_pending=1)

    async def clicks() -> int:
        client = retrying_client(fake_slack)
        await updates.show(client, channel, ts, answered_view(container, first, 4))
        # Two messages waiting is over the bound: this click waits for its own redraw.
        await updates.show(client, channel_2, ts_2, answered_view(container, other, 3))
        return len(fake_slack.calls_to("chat.update"))

    sent_when_returned = asyncio.run(clicks())
    assert sent_when_returned == 3  # the 429, its retry, then the second message
    assert "Your answer: *4*" in str(message(fake_slack, channel, ts).blocks)
    assert "Your answer: *3*" in str(message(fake_slack, channel_2, ts_2).blocks)


def test_a_redraw_still_rate_limited_after_the_clients_waits_is_tried_again_later(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    first, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.PULSE)
    # Three 429s use up the client's own two retries; the queue tries once more.
    fake_slack.script("chat.update", [(429, 0.0)] * 4)
    updates = MessageUpdates(in_flight=1)

    async def click() -> None:
        client = retrying_client(fake_slack)
        await updates.show(client, channel, ts, answered_view(container, first, 5))
        await updates.finish()

    asyncio.run(click())
    assert len(fake_slack.calls_to("chat.update")) == 5
    assert "Your answer: *5*" in str(message(fake_slack, channel, ts).blocks)
    assert (updates.sent, updates.failed) == (1, 0)


def test_a_newer_redraw_never_overtakes_one_still_in_flight(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    """4 then 3 on one poll while the redraw of 4 waits out a rate limit: 3 must win."""
    (first, channel, ts), (other, channel_2, ts_2) = two_polls(container, fake_slack, journey_id)
    fake_slack.script("chat.update", [(429, 0.3)])  # the first redraw is held 0.3 s
    updates = MessageUpdates(in_flight=4)

    async def clicks() -> None:
        client = retrying_client(fake_slack)
        await updates.show(client, channel, ts, answered_view(container, first, 4))
        while not fake_slack.calls_to("chat.update"):
            await asyncio.sleep(0.01)  # the redraw of 4 is in flight
        await updates.show(client, channel_2, ts_2, answered_view(container, other, 1))
        await updates.show(client, channel, ts, answered_view(container, first, 3))
        await updates.finish()

    asyncio.run(clicks())
    shown = [
        "Your answer: *3*" in str(c.args["blocks"])
        for c in fake_slack.calls_to("chat.update")
        if c.args["ts"] == ts
    ]
    assert shown[-1] is True
    assert "Your answer: *3*" in str(message(fake_slack, channel, ts).blocks)


def test_a_reminder_says_it_is_one_in_the_members_language(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, journey_id: int
) -> None:
    delivery_id, channel, ts = sent_prompt(container, fake_slack, journey_id, PromptKind.PULSE)
    assert "Reminder" not in str(message(fake_slack, channel, ts).blocks)
    view = container.prompt_views.view_for(slack_workspace_id(container), delivery_id)
    assert view is not None
    member = container.journeys.member(slack_workspace_id(container), journey_id, BOB)
    assert member is not None
    chat = SlackChat.connect(BOT_TOKEN, fake_slack.api_url)
    for language, word in (("en", "Reminder"), ("nl", "Herinnering")):
        reminder = replace(view, reminder=True, language=Language(language))
        ref = chat.send_prompt(member, reminder, f"reminder:{delivery_id}:{language}")
        blocks = str(message(fake_slack, *parse_ref(ref)).blocks)
        assert f"*{word}:*" in blocks
