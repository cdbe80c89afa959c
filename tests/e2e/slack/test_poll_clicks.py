"""Poll clicks that go around Bolt's dispatch (`PollClicks`) behave as they did through Bolt.

Which clicks may: only plain poll clicks of the installed team, once Bolt has learnt that
team; every other request, and every click before that, still goes through Bolt.
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.container import Container
from bot.platforms.slack.poll_clicks import PollClicks
from tests.e2e.slack.conftest import TEAM, SlackSender, deliver, slack_workspace_id
from tests.e2e.slack.test_edge import workspaces
from tests.fakes.slack_api import FakeSlack


def click(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U2", "team_id": TEAM},
        "response_url": "http://127.0.0.1:9/response/1",
        "container": {"type": "message", "channel_id": "D2", "message_ts": "1.0"},
        "actions": [{"type": "button", "action_id": "pioneer.poll.4", "value": "7:4"}],
    }
    return body | changes


@pytest.mark.parametrize(
    ("changes", "taken"),
    [
        ({}, True),
        ({"team": {"id": "T0666"}}, False),
        ({"enterprise": {"id": "E1"}, "is_enterprise_install": True}, False),
        ({"function_data": {"execution_id": "Fx1"}}, False),
        ({"type": "view_submission"}, False),
        ({"actions": []}, False),
        ({"actions": [click()["actions"][0], click()["actions"][0]]}, False),
        ({"actions": [{"action_id": "pioneer.comment", "value": "7"}]}, False),
        ({"actions": [{"action_id": "pioneer.poll.9", "value": "7:9"}]}, False),
        ({"actions": [{"action_id": "pioneer.poll.4"}]}, False),
        ({"response_url": None}, False),
        ({"user": {}}, False),
    ],
)
def test_only_a_plain_poll_click_of_the_installed_team_goes_around_bolt(
    changes: dict[str, Any], taken: bool
) -> None:
    clicks = PollClicks(cast(Any, None), AsyncWebClient(token="xoxb-test"))  # noqa: S106
    assert not clicks.takes(click())  # the installed team is not known yet
    clicks.installed_team = TEAM
    assert clicks.takes(click(**changes)) is taken


def answers(container: Container) -> list[tuple[int, int | None]]:
    journey = container.journeys.journey_for_channel(slack_workspace_id(container), "C1")
    assert journey.id is not None
    with container.uow() as uow:
        found = uow.answers.for_journey(slack_workspace_id(container), journey.id)
    return [(a.delivery_id, a.value) for a in found]


def test_the_first_click_goes_through_bolt_and_the_next_around_it_alike(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    # A journey made without a word to Slack: the first request the server sees is a click.
    workspace = slack_workspace_id(container)
    journey = container.journeys.start(workspace, "C1", "Plant Noord", "U1")
    assert journey.id is not None
    container.journeys.join(workspace, journey.id, "U2")
    first, second = (deliver(container, journey.id, "U2", occurrence=w) for w in ("W1", "W2"))
    assert first.id is not None and second.id is not None

    assert slack.action("pioneer.poll.4", f"{first.id}:4", user="U2").status == 200
    assert slack.action("pioneer.poll.2", f"{second.id}:2", user="U2").status == 200
    assert sorted(answers(container)) == [(first.id, 4), (second.id, 2)]
    updates = fake_slack.wait_for("chat.update", 2)
    assert [u.args["blocks"] for u in updates][-1] != updates[0].args["blocks"]
    assert len(fake_slack.calls_to("auth.test")) == 1  # learnt once, by Bolt

    # Someone else's poll: refused in their language through response_url, as before.
    assert slack.action("pioneer.poll.5", f"{first.id}:5", user="U1").status == 200
    assert "someone else" in fake_slack.wait_for("response_url", 1)[-1].args["text"]
    assert sorted(answers(container)) == [(first.id, 4), (second.id, 2)]


def test_a_poll_click_of_another_team_is_still_refused(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord")  # Bolt learns the installed team
    replies = len(fake_slack.calls_to("response_url"))
    stranger = SlackSender(slack.base_url, fake_slack, team="T0666")
    assert stranger.action("pioneer.poll.3", "1:3", user="U9").status == 200
    assert workspaces(container) == ["T0001"]  # none made for the stranger
    assert len(fake_slack.calls_to("response_url")) == replies
