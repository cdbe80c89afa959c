"""What /slack/events refuses before Bolt runs anything: bodies that are not signed or not
Slack's shape, and a signed command or click sent a second time."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import text as sql

from bot.container import Container
from bot.domain.model import Touchpoint
from bot.platforms.slack.render.reply import COMMAND_ACTION
from tests.e2e.slack.conftest import (
    SECRET,
    TEAM,
    SlackSender,
    journey_id_of,
    sign,
    slack_workspace_id,
)
from tests.fakes.slack_api import FakeSlack

FORM = "application/x-www-form-urlencoded"
MALFORMED = [
    (b"payload={x", FORM),
    (b"payload=%5B1%2C2%2C3%5D", FORM),
    (b"[1,2,3]", "application/json"),
    (b'{"type": "event_callback"', "application/json"),
    (b"\xff\xfe payload=\xc3\x28", FORM),
]


def touchpoints(container: Container) -> list[Touchpoint]:
    with container.uow() as uow:
        return list(uow.touchpoints.list(slack_workspace_id(container), journey_id_of(container)))


def workspaces(container: Container) -> list[str]:
    with container.engine.connect() as conn:
        return list(conn.scalars(sql("SELECT external_id FROM workspaces ORDER BY id")))


def post_raw(slack: SlackSender, body: bytes, content_type: str, secret: str = SECRET) -> int:
    """`body` as bytes, which need not be text, signed with `secret`."""
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        slack.base_url + "/slack/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_a_malformed_body_is_refused_before_bolt_and_logged_in_one_line(
    slack: SlackSender, body: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert post_raw(slack, body, content_type, secret="not-the-secret") == 401
    assert post_raw(slack, body, content_type) == 400
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 2, [r.getMessage() for r in lines]
    assert all(r.exc_info is None and "Traceback" not in r.getMessage() for r in lines)
    assert "bad signature" in lines[0].getMessage()


def test_a_stale_or_odd_timestamp_or_signature_is_refused(slack: SlackSender) -> None:
    assert slack.command("help", timestamp=int(time.time()) - 6 * 60).status == 401
    odd = {"X-Slack-Request-Timestamp": "\u00b2"}  # a digit to str.isdigit, not to int()
    assert slack.post("text=help", FORM, headers=odd).status == 401
    assert slack.post("text=help", FORM, signature="v0=\u00e9t\u00e9").status == 401
    assert slack.fake.calls_to("response_url") == []


def test_a_replayed_command_runs_once(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord")
    ts = str(int(time.time()))
    body = (
        "team_id=T0001&channel_id=C1&user_id=U1&user_name=u1&command=%2Fpioneer"
        "&text=ecosystem+met+the+works+council&response_url="
        + fake_slack.url
        + "/response/99&trigger_id=t99"
    )
    signature = sign(SECRET, ts, body)
    first = slack.post(body, FORM, timestamp=int(ts), signature=signature)
    again = slack.post(body, FORM, timestamp=int(ts), signature=signature)
    assert (first.status, again.status) == (200, 200)
    assert len(touchpoints(container)) == 1


def test_a_replayed_click_runs_once(slack: SlackSender, container: Container) -> None:
    slack.say("start Plant Noord")
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U1", "team_id": TEAM},
        "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1", "message_ts": "1.0"},
        "trigger_id": "t1",
        "response_url": slack.fake.url + "/response/1",
        "actions": [{"type": "button", "action_id": COMMAND_ACTION, "value": "ecosystem met HR"}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    ts = int(time.time())
    for _ in range(2):
        response = slack.post(body, FORM, timestamp=ts, signature=sign(SECRET, str(ts), body))
        assert response.status == 200
    assert len(touchpoints(container)) == 1


def test_another_team_is_refused_in_single_workspace_mode(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    stranger = SlackSender(slack.base_url, fake_slack, team="T0666")
    response = stranger.command("start Takeover")
    assert response.status == 200
    assert "another workspace" in response.body and "andere werkruimte" in response.body
    assert stranger.action(COMMAND_ACTION, "start Takeover").status == 200
    assert workspaces(container) == []
    assert fake_slack.calls_to("response_url") == []
    # The installed team is learnt once and still served.
    assert "Plant Noord" in slack.say("start Plant Noord")
    assert len(fake_slack.calls_to("auth.test")) == 1
    assert workspaces(container) == ["T0001"]
