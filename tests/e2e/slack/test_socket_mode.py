"""Socket Mode: the same Bolt app, fed over a WebSocket instead of HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import WSMsgType, web

from bot.clock import FixedClock
from bot.container import Container
from bot.platforms.slack.app import BOT_SCOPES
from bot.platforms.slack.manifest import render_manifest
from tests.e2e.server import ServerThread, serve
from tests.e2e.slack.conftest import slack_settings, slack_workspace_id
from tests.e2e.slack.test_serve import run_cli
from tests.fakes.slack_api import FakeSlack

WAIT = 10.0


class FakeSocketMode:
    """A WebSocket endpoint like wss-primary.slack.com: says hello, sends envelopes, takes acks."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.connected = threading.Event()
        self.acks: dict[str, threading.Event] = {}
        self.replies: dict[str, Any] = {}
        self._ws: web.WebSocketResponse | None = None
        self.port = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(WAIT)

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_get("/link", self._socket)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return int(self.runner.addresses[0][1])

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        async for message in ws:
            if message.type is WSMsgType.TEXT:
                data = json.loads(message.data)
                envelope = data.get("envelope_id")
                if envelope in self.acks:
                    self.replies[envelope] = data.get("payload")
                    self.acks[envelope].set()
        return ws

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def send(self, envelope_id: str, kind: str, payload: dict[str, Any]) -> threading.Event:
        self.acks[envelope_id] = threading.Event()
        data = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": True,
        }
        assert self._ws is not None
        asyncio.run_coroutine_threadsafe(self._ws.send_str(json.dumps(data)), self.loop).result(
            WAIT
        )
        return self.acks[envelope_id]

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(WAIT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT)
        self.loop.close()


@pytest.fixture
def socket_fake() -> Iterator[FakeSocketMode]:
    fake = FakeSocketMode()
    yield fake
    fake.stop()


@contextmanager
def over_socket_mode(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock, *links: str
) -> Iterator[tuple[Container, ServerThread]]:
    """The app served in Socket Mode, whose apps.connections.open hands out `links`."""
    fake_slack.script("apps.connections.open", [{"ok": True, "url": link} for link in links])
    settings = slack_settings(
        database_url, fake_slack, slack_app_token="xapp-test", slack_signing_secret=None
    )
    container = Container(settings, clock=clock)
    server = serve(container, socket_mode=True)
    try:
        yield container, server
    finally:
        server.stop()
        container.close()


def test_slash_commands_arrive_over_socket_mode(
    database_url: str, fake_slack: FakeSlack, socket_fake: FakeSocketMode, clock: FixedClock
) -> None:
    with over_socket_mode(database_url, fake_slack, clock, socket_fake.url) as (container, server):
        assert socket_fake.connected.wait(WAIT)
        opened = fake_slack.calls_to("apps.connections.open")
        assert opened and opened[0].token == "xapp-test"
        acked = socket_fake.send(
            "env-1",
            "slash_commands",
            {
                "team_id": "T0001",
                "channel_id": "C1",
                "user_id": "U1",
                "user_name": "ann",
                "command": "/pioneer",
                "text": "start Plant Noord",
                "api_app_id": "A0001",
                "response_url": f"{fake_slack.url}/response/1",
                "trigger_id": "t-1",
            },
        )
        assert acked.wait(WAIT)
        reply = fake_slack.calls_to("response_url")[-1]
        assert "Plant Noord" in reply.args["text"] and reply.args["response_type"] == "in_channel"
        journey = container.journeys.journey_for_channel(slack_workspace_id(container), "C1")
        assert journey.name == "Plant Noord"
        # Over Socket Mode there is no HTTP endpoint for Slack to call.
        paths = {r.resource.canonical for r in server.app.router.routes() if r.resource}
        assert "/slack/events" not in paths and "/healthz" in paths


def test_health_answers_while_socket_mode_cannot_connect(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    """Slack's WebSocket unreachable: the server is up anyway, and /healthz says why."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = f"ws://127.0.0.1:{closed.getsockname()[1]}/link"
    with over_socket_mode(database_url, fake_slack, clock, *[nowhere] * 50) as (container, server):
        deadline = time.monotonic() + WAIT
        while True:
            with urllib.request.urlopen(server.url + "/healthz", timeout=WAIT) as resp:
                status, health = resp.status, json.loads(resp.read())
            if "socket_mode_error" in health or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert status == 200
        assert health["socket_mode"] == "connecting" and health["status"] == "degraded"
        assert "127.0.0.1" in health["socket_mode_error"] and health["socket_mode_failures"] >= 1
        assert "xapp-test" not in json.dumps(health)
        with urllib.request.urlopen(server.url + "/metrics", timeout=WAIT) as resp:
            assert resp.status == 200


def test_health_says_connected_once_socket_mode_is_up(
    database_url: str, fake_slack: FakeSlack, socket_fake: FakeSocketMode, clock: FixedClock
) -> None:
    with over_socket_mode(database_url, fake_slack, clock, socket_fake.url) as (container, server):
        assert socket_fake.connected.wait(WAIT)
        deadline = time.monotonic() + WAIT
        health: dict[str, Any] = {}
        while health.get("socket_mode") != "connected" and time.monotonic() < deadline:
            with urllib.request.urlopen(server.url + "/healthz", timeout=WAIT) as resp:
                health = json.loads(resp.read())
            time.sleep(0.05)
        assert health == {"status": "ok", "database": "writable", "socket_mode": "connected"}


def test_the_socket_mode_manifest_has_no_request_urls(tmp_path: Path) -> None:
    result = run_cli("manifest", "--socket-mode", env={}, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.stdout)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert "request_url" not in settings["event_subscriptions"]
    assert (
        "request_url" not in settings["interactivity"] and settings["interactivity"]["is_enabled"]
    )
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/pioneer" and "url" not in command
    assert "redirect_urls" not in manifest["oauth_config"]
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert "https://" not in result.stdout.split("display_information:")[1]
    # Everything else is the HTTP manifest's.
    http = yaml.safe_load(render_manifest())
    assert (
        settings["event_subscriptions"]["bot_events"]
        == (http["settings"]["event_subscriptions"]["bot_events"])
    )
    assert manifest["features"]["app_home"] == http["features"]["app_home"]
    both = run_cli("manifest", "--socket-mode", "--url", "https://x.nl", env={}, cwd=tmp_path)
    assert both.exit_code == 2
