"""A NUL in a check-in, a comment or a command's text: refused with a clear message, on
SQLite and PostgreSQL alike (PostgreSQL cannot store it, SQLite cut the text at it)."""

from __future__ import annotations

import json

from bot.container import Container
from bot.domain.model import PromptKind
from bot.platforms.slack.render.prompt import CHECKIN_SUBMIT, COMMENT_SUBMIT, ModalMeta
from tests.e2e.slack.conftest import SlackSender, deliver, journey_id_of, slack_workspace_id
from tests.fakes.slack_api import FakeSlack

REFUSAL = "invisible control character"


def test_a_checkin_or_comment_with_a_nul_is_refused_in_the_modal(
    slack: SlackSender, container: Container
) -> None:
    slack.say("start Plant Noord")
    workspace_id = slack_workspace_id(container)
    checkin = deliver(container, journey_id_of(container), "U1", PromptKind.CHECKIN)
    pulse = deliver(container, journey_id_of(container), "U1", PromptKind.PULSE)
    assert checkin.id is not None and pulse.id is not None
    slack.action("pioneer.poll.4", f"{pulse.id}:4")
    for callback, delivery_id in ((CHECKIN_SUBMIT, checkin.id), (COMMENT_SUBMIT, pulse.id)):
        meta = ModalMeta(delivery_id, "DU1", "1.0").dump()
        response = slack.submit(callback, meta, "the robot\x00 scares us")
        assert response.status == 200
        body = json.loads(response.body)
        assert body["response_action"] == "errors" and REFUSAL in body["errors"]["answer"]
    with container.uow() as uow:
        assert uow.answers.for_delivery(workspace_id, checkin.id) is None
        comment = uow.answers.for_delivery(workspace_id, pulse.id)
    assert comment is not None and (comment.value, comment.text) == (4, None)
    meta = ModalMeta(checkin.id, "DU1", "1.0").dump()
    # Valid JSON, but no UTF-8 can hold it.
    assert REFUSAL in slack.submit(CHECKIN_SUBMIT, meta, "a lone \ud800 surrogate").body
    assert slack.submit(CHECKIN_SUBMIT, meta, "the robot scares us").body == ""


def test_a_command_with_a_nul_is_refused_and_changes_nothing(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    assert REFUSAL in slack.say("start Plant\x00Noord")
    assert "Plant Noord" in slack.say("start Plant Noord")
    for text in ("ecosystem met\x00HR", "phase back we\x00 missed it", "ecosystem bell\x07"):
        assert REFUSAL in slack.say(text)
    with container.uow() as uow:
        workspace_id = slack_workspace_id(container)
        assert list(uow.touchpoints.list(workspace_id, journey_id_of(container))) == []
    assert "error" not in slack.say("ecosystem met HR").lower()
