"""The Slack test rig: the real aiohttp server and Bolt app on a free port, requests signed
exactly as Slack signs them, and the real slack_sdk clients talking to a fake Web API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.model import Delivery, Phase, Prompt, PromptKind
from tests import seed
from tests.e2e.server import ServerThread, serve
from tests.fakes.slack_api import Call, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0001"
EVENT_IDS = itertools.count(1)  # Slack's event ids are unique across teams


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    status: int
    body: str


class SlackSender:
    """Sends what Slack would send, signed, over real HTTP, and reads what the fake received."""

    def __init__(self, base_url: str, fake: FakeSlack, secret: str = SECRET, team: str = TEAM):
        self.base_url = base_url
        self.fake = fake
        self.secret = secret
        self.team = team
        self._ids = itertools.count(1)

    # -- transport -------------------------------------------------------------------------
    def post(
        self,
        body: str,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        request = urllib.request.Request(
            self.base_url + path,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": signature or sign(self.secret, ts, body),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return Response(resp.status, resp.read().decode())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read().decode())

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
        request = urllib.request.Request(self.base_url + path, headers=headers or {})
        opener = urllib.request.build_opener(_NoRedirect())
        try:
            with opener.open(request, timeout=10) as resp:
                return resp.status, resp.read().decode(), resp.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers

    def _form(self, data: dict[str, str], **kw: Any) -> Response:
        return self.post(urllib.parse.urlencode(data), "application/x-www-form-urlencoded", **kw)

    def _payload(self, payload: dict[str, Any], **kw: Any) -> Response:
        return self._form({"payload": json.dumps(payload)}, **kw)

    # -- what Slack sends ----------------------------------------------------------------------
    def command(
        self, text: str, user: str = "U1", channel: str = "C1", user_name: str = "", **kw: Any
    ) -> Response:
        n = next(self._ids)
        return self._form(
            {
                "token": "verification-token",
                "team_id": self.team,
                "team_domain": "fake",
                "channel_id": channel,
                "channel_name": "pioneers",
                "user_id": user,
                "user_name": user_name or user.lower(),
                "command": "/pioneer",
                "text": text,
                "api_app_id": "A0001",
                "response_url": f"{self.fake.url}/response/{n}",
                "trigger_id": f"trigger-{n}",
            },
            **kw,
        )

    def action(
        self,
        action_id: str,
        value: str,
        user: str = "U1",
        channel: str = "DU1",
        ts: str = "1700000001.000100",
        container_type: str = "message",
        **kw: Any,
    ) -> Response:
        n = next(self._ids)
        container: dict[str, Any] = {"type": container_type}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team, "domain": "fake"},
            "user": {"id": user, "team_id": self.team, "username": user.lower()},
            "api_app_id": "A0001",
            "token": "verification-token",
            "trigger_id": f"trigger-{n}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if container_type == "message":
            container |= {"channel_id": channel, "message_ts": ts, "is_ephemeral": False}
            payload |= {
                "channel": {"id": channel},
                "message": {"ts": ts, "type": "message"},
                "response_url": f"{self.fake.url}/response/{n}",
            }
        else:
            container |= {"view_id": "VHOME"}
            payload["view"] = {"id": "VHOME", "type": "home", "team_id": self.team}
        payload["container"] = container
        return self._payload(payload, **kw)

    def submit(
        self,
        callback_id: str,
        private_metadata: str,
        value: str,
        user: str = "U1",
        block: str = "answer",
        input_id: str = "text",
        **kw: Any,
    ) -> Response:
        n = next(self._ids)
        return self._payload(
            {
                "type": "view_submission",
                "team": {"id": self.team, "domain": "fake"},
                "user": {"id": user, "team_id": self.team},
                "api_app_id": "A0001",
                "token": "verification-token",
                "trigger_id": f"trigger-{n}",
                "view": {
                    "id": f"V{n}",
                    "team_id": self.team,
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "state": {
                        "values": {block: {input_id: {"type": "plain_text_input", "value": value}}}
                    },
                },
            },
            **kw,
        )

    def event(
        self, event: dict[str, Any], event_id: str | None = None, retry_num: int | None = None
    ) -> Response:
        body = {
            "token": "verification-token",
            "team_id": self.team,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(EVENT_IDS):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": "UBOT", "is_bot": True}],
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(body), "application/json", headers=headers)

    # -- what Slack received ---------------------------------------------------------------------
    def replies(self) -> list[Call]:
        return self.fake.calls_to("response_url")

    def last_reply(self) -> Call:
        replies = self.replies()
        assert replies, f"no reply was sent; calls: {[c.method for c in self.fake.calls]}"
        return replies[-1]

    def say(self, text: str, user: str = "U1", channel: str = "C1") -> str:
        """Run a slash command; the text of the reply it got."""
        before = len(self.replies())
        response = self.command(text, user=user, channel=channel)
        assert response.status == 200, response
        # `poll now` and `checkin now` reply after the ack, once their DMs are out.
        self.fake.wait_for("response_url", before + 1)
        replies = self.replies()
        assert len(replies) == before + 1, [c.args for c in replies[before:]]
        return str(replies[-1].args["text"])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(team_id=TEAM) as fake:
        yield fake


def slack_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SECRET,
        "slack_app_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "slack_api_url": fake.api_url,
        "pioneer_encryption_key": None,
        "pioneer_prompts_dir": None,
        "pioneer_default_language": "en",
    } | overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def oauth_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    """Multi-workspace mode: no bot token; OAuth installs each team with the app's client."""
    return slack_settings(
        database_url,
        fake,
        slack_bot_token=None,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
        **overrides,
    )


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return slack_settings(database_url, fake_slack)


@pytest.fixture
def container(settings: Settings, clock: FixedClock) -> Iterator[Container]:
    container = Container(settings, clock=clock)
    yield container
    container.close()


@pytest.fixture
def server(container: Container) -> Iterator[ServerThread]:
    thread = serve(container)
    yield thread
    thread.stop()


@pytest.fixture
def slack(server: ServerThread, fake_slack: FakeSlack) -> SlackSender:
    return SlackSender(server.url, fake_slack)


# -- data a test needs that another part of the bot would normally create ----------------------
def slack_workspace_id(container: Container, team: str = TEAM) -> int:
    return seed.workspace_id(container.uow, "slack", team)


def a_prompt(container: Container, kind: PromptKind, phase: Phase = Phase.AWARENESS) -> Prompt:
    return container.catalog.select(kind=kind, phase=phase)[0]


def deliver(
    container: Container,
    journey_id: int,
    user: str,
    kind: PromptKind = PromptKind.PULSE,
    **options: Any,
) -> Delivery:
    """A delivery in the Slack team's journey as the scheduler would have made and sent it
    (`options`: those of `tests.seed.deliver`)."""
    workspace_id = slack_workspace_id(container)
    return seed.deliver(container.services, workspace_id, journey_id, user, kind, **options)


def journey_id_of(container: Container, channel: str = "C1") -> int:
    journey = container.journeys.journey_for_channel(slack_workspace_id(container), channel)
    assert journey.id is not None
    return journey.id
