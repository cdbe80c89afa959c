"""Refusals said as answers, through the real Bolt app: an empty check-in is called empty,
and a prompt erased by forget-me says so in the person's Slack language."""

from __future__ import annotations

import json

from bot.container import Container
from bot.domain.model import PromptKind
from bot.platforms.slack.render.prompt import CHECKIN_ACTION, CHECKIN_SUBMIT, ModalMeta
from tests.e2e.slack.conftest import SlackSender, deliver, journey_id_of
from tests.fakes.slack_api import FakeSlack


def test_a_whitespace_only_checkin_is_called_empty(
    slack: SlackSender, container: Container
) -> None:
    slack.say("start Plant Noord")
    delivery = deliver(container, journey_id_of(container), "U1", PromptKind.CHECKIN)
    assert delivery.id is not None
    response = slack.submit(CHECKIN_SUBMIT, ModalMeta(delivery.id, "DU1", "1.0").dump(), "  \n ")
    error = json.loads(response.body)["errors"]["answer"]
    assert "empty" in error and "3000" not in error


def test_after_forget_me_old_prompts_say_they_are_gone_in_the_persons_language(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord")
    fake_slack.set_user("U2", locale="nl-NL")
    slack.say("join", user="U2")
    poll = deliver(container, journey_id_of(container), "U2", PromptKind.PULSE)
    checkin = deliver(container, journey_id_of(container), "U2", PromptKind.CHECKIN)
    assert poll.id is not None and checkin.id is not None
    slack.say("forget-me yes", user="U2")

    before = len(slack.replies())
    slack.action("pioneer.poll.4", f"{poll.id}:4", user="U2", channel="DU2")
    slack.action(CHECKIN_ACTION, str(checkin.id), user="U2", channel="DU2")
    replies = [c.args["text"] for c in fake_slack.wait_for("response_url", before + 2)[before:]]
    assert len(replies) == 2
    for text in replies:
        assert "bestaat niet meer" in text and "delivery" not in text
    assert fake_slack.calls_to("views.open") == []
    meta = ModalMeta(checkin.id, "DU2", "1.0").dump()
    error = json.loads(slack.submit(CHECKIN_SUBMIT, meta, "hoi", user="U2").body)
    assert "bestaat niet meer" in error["errors"]["answer"]
