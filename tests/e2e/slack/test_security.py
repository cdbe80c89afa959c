"""Requests Slack did not sign, stale ones, and retried events."""

from __future__ import annotations

import json
import time

from bot.container import Container
from tests.e2e.slack.conftest import SECRET, SlackSender, sign, slack_workspace_id
from tests.fakes.slack_api import FakeSlack


def test_a_wrong_signature_is_refused_and_does_nothing(
    slack: SlackSender, fake_slack: FakeSlack, container: Container
) -> None:
    response = slack.command("start Sneaky", signature="v0=" + "0" * 64)
    assert response.status == 401
    body = "text=start+Sneaky"
    ts = str(int(time.time()))
    response = slack.command("start Sneaky", signature=sign("not-the-secret", ts, body))
    assert response.status == 401
    assert fake_slack.calls == []
    with container.uow() as uow:
        assert uow.journeys.list(slack_workspace_id(container)) == []


def test_a_request_six_minutes_old_is_refused(slack: SlackSender, fake_slack: FakeSlack) -> None:
    old = int(time.time()) - 6 * 60
    response = slack.command("help", timestamp=old)  # correctly signed, but stale
    assert response.status == 401
    assert fake_slack.calls == []
    assert slack.command("help", timestamp=int(time.time()) - 60).status == 200


def test_a_signature_over_another_body_is_refused(slack: SlackSender) -> None:
    ts = str(int(time.time()))
    body = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}})
    signature = sign(SECRET, ts, body + " ")
    assert (
        slack.post(body, "application/json", timestamp=int(ts), signature=signature).status == 401
    )


def test_a_retried_event_has_one_effect(slack: SlackSender, fake_slack: FakeSlack) -> None:
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    assert slack.event(event, event_id="Ev0001").status == 200
    assert slack.event(event, event_id="Ev0001", retry_num=1).status == 200
    assert slack.event(event, event_id="Ev0001", retry_num=2).status == 200
    assert len(fake_slack.calls_to("views.publish")) == 1
    # A different event id is a new event.
    slack.event(event, event_id="Ev0002")
    assert len(fake_slack.calls_to("views.publish")) == 2


def test_url_verification_is_answered(slack: SlackSender) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    response = slack.post(body, "application/json")
    assert response.status == 200 and "abc123" in response.body
