"""`/pioneer digest preview` through Slack: read, one more person clicks, read again. The
two replies must not let a director work out that person's answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.clock import FixedClock
from bot.container import Container
from bot.domain.model import PromptKind
from bot.domain.views import parse_ref
from bot.platforms.slack.chat import SlackChat
from tests.e2e.slack.conftest import BOT_TOKEN, SlackSender, deliver, slack_workspace_id
from tests.fakes.slack_api import FakeSlack

FACILITATOR, DIRECTOR = "U1", "UD1"
PEOPLE = [f"UP{i}" for i in range(1, 7)]
# Tuesday and Thursday of 2026-W50; the journey started on Monday of 2026-W49.
TUESDAY, THURSDAY = (datetime(2026, 12, d, 10, tzinfo=UTC) for d in (8, 10))
FIGURE = re.compile(r"(\d+(?:\.\d+)?) out of 5 \((\d+) people\)")


def click(
    slack: SlackSender, container: Container, fake: FakeSlack, journey: int, user: str, value: int
) -> None:
    """A pulse poll posted to `user`'s DM by the real notifier, answered by a click."""
    delivery = deliver(container, journey, user, PromptKind.PULSE, occurrence="2026-W50")
    assert delivery.id is not None
    workspace_id = slack_workspace_id(container)
    view = container.prompt_views.view_for(workspace_id, delivery.id)
    member = container.journeys.member(workspace_id, journey, user)
    assert view is not None and member is not None
    chat = SlackChat.connect(BOT_TOKEN, fake.api_url)
    channel, ts = parse_ref(chat.send_prompt(member, view, f"delivery:{delivery.id}"))
    message = fake.messages(channel)[-1]
    button = next(
        e
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == f"pioneer.poll.{value}"
    )
    response = slack.action(button["action_id"], button["value"], user=user, channel=channel, ts=ts)
    assert response.status == 200


def figures(text: str) -> list[tuple[float, int]]:
    return [(float(m), int(n)) for m, n in FIGURE.findall(text)]


def test_previewing_around_one_more_click_reveals_no_answer(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 30, 9, tzinfo=UTC))
    slack.say("start Plant Noord", user=FACILITATOR)
    for user in (DIRECTOR, *PEOPLE):
        slack.say("join", user=user)
    slack.say(f"role <@{DIRECTOR}> director", user=FACILITATOR)
    journey = container.journeys.journey_for_channel(slack_workspace_id(container), "C1").id
    assert journey is not None
    # In the journey's first week there is no week over yet: nothing to show.
    early = slack.say("digest preview", user=DIRECTOR)
    assert "Week 2026-W49 is not over yet" in early and "read from 2026-12-07" in early

    clock.set(TUESDAY)
    for user, value in zip(PEOPLE[:5], (3, 3, 4, 4, 3), strict=True):  # 3.4 from five
        click(slack, container, fake_slack, journey, user, value)
    clock.set(THURSDAY)
    first = slack.say("digest preview", user=DIRECTOR)
    click(slack, container, fake_slack, journey, PEOPLE[5], 1)
    second = slack.say("digest preview", user=DIRECTOR)

    # Before: 3.4 (5 people), then 3.0 (6 people): 6 x 3.0 - 5 x 3.4 = 1, the click.
    revealed = [
        round(n2 * mean2 - n1 * mean1, 2)
        for mean1, n1 in figures(first)
        for mean2, n2 in figures(second)
        if 0 < n2 - n1 < 5
    ]
    assert revealed == [], (first, second)
    assert first == second
    assert "2026-W49" in first and "The latest weekly digest" in first


def test_a_learning_professional_previews_their_own_week_first(
    slack: SlackSender, container: Container, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 30, 9, tzinfo=UTC))
    slack.say("start Plant Noord", user=FACILITATOR)
    slack.say("join", user="UL1")
    slack.say("role <@UL1> learning", user=FACILITATOR)
    slack.say("join", user=DIRECTOR)
    slack.say(f"role <@{DIRECTOR}> director", user=FACILITATOR)
    clock.set(THURSDAY)
    mine = slack.say("digest preview", user="UL1")
    assert mine.startswith("*For the learning professional: the human side of Plant Noord")
    assert "*Your checklist*" in mine and "The latest weekly digest" in mine
    board = slack.say("digest preview", user=DIRECTOR)
    assert "learning professional:" not in board and "The latest weekly digest" in board
