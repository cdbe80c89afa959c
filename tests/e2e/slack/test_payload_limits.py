"""Everything the bot sends Slack fits Slack's limits and has no stray `<…>` in mrkdwn.

A whole session in each language through signed requests (every command, refusals, poll
now and check-in now, a poll clicked and commented on, a check-in answered, modals, App
Home), with the worst text people can type: 3,000 characters of `&`, `<` and `>`, which
escaping makes up to five times longer. Then every body the fake Slack received goes
through slack_sdk's own models and the documented limits (tests/e2e/slack/limits.py).
Prompts in every state, modals, Home and digests are also rendered directly, worst case.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.app.commands import escape
from bot.app.home import Home, HomeJourney
from bot.container import Container
from bot.domain.digest.view import NudgeView, QuoteView
from bot.domain.model import Language, Perspective, Text
from bot.domain.views import PromptView
from bot.platforms.slack.chat import SlackChat
from bot.platforms.slack.render.app_home import home_view
from bot.platforms.slack.render.prompt import (
    CHECKIN_ACTION,
    COMMENT_ACTION,
    ModalMeta,
    answer_modal,
    prompt_message,
)
from bot.platforms.slack.render.reply import notice_message
from tests.e2e import worst_case
from tests.e2e.slack.conftest import BOT_TOKEN, SlackSender, journey_id_of, slack_workspace_id
from tests.e2e.slack.limits import problems_of_message, problems_of_view
from tests.fakes.slack_api import FakeSlack

ALICE, BOB, CAROL = "U1", "U2", "U3"
NASTY = "<b>&<@U9> &amp; <!channel> >"
LONG = (NASTY * 200)[:3000]  # as long as a check-in or comment may be
NAME = worst_case.NAME
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
VIEW_METHODS = ("views.open", "views.update", "views.publish")


def everything_sent(fake: FakeSlack) -> list[str]:
    """What Slack would refuse of all that it received, by method."""
    problems = []
    for call in fake.calls:
        if call.method in MESSAGE_METHODS:
            problems += [f"{call.method}: {p}" for p in problems_of_message(call.args)]
        elif call.method in VIEW_METHODS:
            problems += [f"{call.method}: {p}" for p in problems_of_view(call.args["view"])]
    return problems


def typed(text: str) -> str:
    """A command's text as Slack sends it: &, < and > escaped."""
    return escape(text)


def last_prompt(fake: FakeSlack, action: str) -> tuple[str, str, str]:
    """(delivery id, channel, ts) of Bob's newest DM with a button `action`."""
    for call in reversed(fake.calls_to("chat.postMessage")):
        if call.args.get("channel") != f"D{BOB}":
            continue
        for block in call.args.get("blocks") or []:
            for element in block.get("elements") or []:
                if str(element.get("action_id", "")).startswith(action):
                    value = str(element["value"]).partition(":")[0]
                    message = fake.messages(str(call.args["channel"]))[-1]
                    return value, str(call.args["channel"]), message.ts
    raise AssertionError(f"no prompt with {action}")


def redraws_with_long_text(fake: FakeSlack) -> list[str]:
    """Redraws (after the ack) that show the long text, escaped and clipped."""
    redraws = [str(c.args.get("blocks")) for c in fake.calls_to("chat.update")]
    return [r for r in redraws if "&lt;b&gt;&amp;&lt;@U9&gt;" in r and "…" in r]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time-out"
        time.sleep(0.05)


def session(slack: SlackSender, fake: FakeSlack, container: Container, language: str) -> None:
    slack.say("help", user=ALICE)  # before any journey: the "no journey here" kind of help
    slack.say("status", user=ALICE)
    slack.say(typed(f"start {NAME}"), user=ALICE)
    if language == "nl":
        for user in (ALICE, BOB, CAROL):
            slack.say("language nl", user=user)
    slack.say("help", user=ALICE)
    slack.say("join", user=BOB)
    slack.say("join", user=CAROL)
    slack.say(f"role <@{CAROL}> director", user=ALICE)
    for text in (
        "status",
        "schedule",
        "schedule pulse sun 10:00",
        "schedule pulse wed 10:00",
        "schedule lunch <tue> 10:00",
        "pause",
        "resume",
        typed(f"ecosystem {NASTY}"),
        typed("ecosystem " + LONG[:990]),
        typed("ecosystem " + LONG),
        typed(f"phase back {NASTY}"),
        "phase next",
        typed("frobnicate <this>"),
        "poll now",
        "checkin now",
    ):
        slack.say(text, user=ALICE)
    slack.say("digest preview", user=CAROL)
    slack.say("digest", user=CAROL)
    slack.say("away until 2099-01-01", user=BOB)
    slack.say("away off", user=BOB)
    slack.say("export", user=BOB)
    # Bob answers the poll, comments on it, and answers the check-in, at the limits.
    delivery, channel, ts = last_prompt(fake, "pioneer.poll.")
    slack.action("pioneer.poll.3", f"{delivery}:3", user=BOB, channel=channel, ts=ts)
    slack.action(COMMENT_ACTION, delivery, user=BOB, channel=channel, ts=ts)
    modal = fake.calls_to("views.open")[-1].args["view"]
    slack.submit(modal["callback_id"], modal["private_metadata"], LONG, user=BOB)
    delivery, channel, ts = last_prompt(fake, CHECKIN_ACTION)
    slack.action(CHECKIN_ACTION, delivery, user=BOB, channel=channel, ts=ts)
    modal = fake.calls_to("views.open")[-1].args["view"]
    slack.submit(modal["callback_id"], modal["private_metadata"], LONG, user=BOB)
    slack.action(CHECKIN_ACTION, delivery, user=BOB, channel=channel, ts=ts)  # to change it
    wait_until(lambda: len(redraws_with_long_text(fake)) >= 2)  # the comment and the check-in
    for user in (ALICE, BOB, "U7"):
        slack.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
    # The weekly digest as the scheduler sends it, and at its worst.
    workspace_id = slack_workspace_id(container)
    journey_id = journey_id_of(container)
    view = container.digests.compute(workspace_id, journey_id, "2026-W49")
    chat = SlackChat.connect(BOT_TOKEN, fake.api_url)
    chat.send_digest("C1", view, b"")
    long_text = Text(nl=escape(LONG), en=escape(LONG))
    nudge = NudgeView("x", "heard", 1, "docs/method.md", text=long_text)
    worst = replace(
        view,
        journey_name=escape(NAME) * 20,
        nudges=(nudge,) * 3,
        quotes=tuple(QuoteView(Perspective.HUMAN, escape(LONG)) for _ in range(10)),
    )
    chat.send_digest("C1", worst, b"")
    slack.say("forget-me yes", user=BOB)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_message_and_view_of_a_session_fits_slacks_limits(
    slack: SlackSender, fake_slack: FakeSlack, container: Container, language: str
) -> None:
    session(slack, fake_slack, container, language)
    methods = {c.method for c in fake_slack.calls}
    assert {"chat.postMessage", "chat.update", "response_url", *VIEW_METHODS[::2]} <= methods
    assert everything_sent(fake_slack) == []
    # The worst text is there, escaped and clipped rather than refused by Slack.
    assert redraws_with_long_text(fake_slack)


# -- rendered directly, every state ---------------------------------------------------------
def prompt_views() -> list[PromptView]:
    return worst_case.prompt_views(LONG, label_times=5)


def test_prompts_in_every_state_and_their_modals_fit() -> None:
    problems: list[str] = []
    for view in prompt_views():
        text, blocks = prompt_message(view)
        problems += problems_of_message({"text": text, "blocks": blocks})
        if not view.closed:
            meta = ModalMeta(view.delivery_id, "D0123456789", "1700000000.000100")
            problems += problems_of_view(answer_modal(view, meta))
    assert problems == []


def test_app_home_with_many_journeys_and_open_prompts_fits() -> None:
    prompts = tuple(prompt_views()[:8])
    for language in Language:
        journey = HomeJourney(
            journey_id=1,
            name=NAME * 10,
            channel="C0123456789",
            phase_text="*desire* " * 50,
            roles_text="facilitator, director",
            weeks_in_phase=3,
            open_prompts=prompts,
            facilitator=True,
        )
        home = Home(
            language=language, journeys=tuple(replace(journey, journey_id=i) for i in range(40))
        )
        assert problems_of_view(home_view(home)) == []
        assert problems_of_view(home_view(Home(language=language, journeys=()))) == []


def test_a_notice_at_its_longest_fits() -> None:
    from bot.domain.views import Notice

    notice = Notice(Language.EN, escape(LONG) + " in <#C0123456789>")
    assert problems_of_message(notice_message(notice)) == []


def test_the_checker_catches_what_slack_refuses() -> None:
    """The checks themselves: each catches its mistake."""
    section: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert problems_of_message({"text": "x", "blocks": [section]})
    placeholder = {"type": "section", "text": {"type": "mrkdwn", "text": "`start <name>`"}}
    assert problems_of_message({"text": "x", "blocks": [placeholder]})
    bare = {"type": "context", "elements": [{"type": "mrkdwn", "text": "R&D"}]}
    assert problems_of_message({"text": "x", "blocks": [bare]})
    fine = {"type": "section", "text": {"type": "mrkdwn", "text": "<@U1> &amp; <#C1> ok"}}
    assert problems_of_message({"text": "ok", "blocks": [fine] * 50}) == []
    assert problems_of_message({"text": "ok", "blocks": [fine] * 51})
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": [fine]}
    assert problems_of_view(modal)
    assert problems_of_view({"type": "home", "blocks": [fine] * 101})
