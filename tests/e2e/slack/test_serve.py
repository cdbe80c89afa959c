"""`pioneer serve` as a real process, over HTTP, with the fake Slack Web API."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from bot import cli
from bot.container import Container
from bot.domain.model import PromptKind
from bot.platforms.slack.app import BOT_SCOPES
from bot.platforms.slack.manifest import render_manifest
from tests.e2e.serve_process import PIONEER, ROOT, free_port, slack_env, wait_until_healthy
from tests.e2e.slack.conftest import SECRET, SlackSender, deliver, journey_id_of, slack_settings
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def served(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = slack_env(database_url, fake_slack, PORT=str(port), LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [*PIONEER, "serve", "--host", "127.0.0.1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stderr:
            process.stderr.close()


def test_serve_answers_signed_slack_requests_over_http(
    served: tuple[str, subprocess.Popen[bytes]],
    fake_slack: FakeSlack,
    database_url: str,
) -> None:
    url, process = served
    slack = SlackSender(url, fake_slack)
    assert "`start ‹name›`" in slack.say("help")
    assert "Plant" in slack.say("start Plant Noord", user="U1")
    slack.say("join", user="U2")

    # A poll as the scheduler would have sent it; the process runs on the real clock.
    container = Container(slack_settings(database_url, fake_slack))
    try:
        journey_id = journey_id_of(container)
        delivery = deliver(
            container, journey_id, "U2", PromptKind.PULSE, closes_in=timedelta(days=1)
        )
        for value in (5, 3, 3):
            response = slack.action(f"pioneer.poll.{value}", f"{delivery.id}:{value}", user="U2")
            assert response.status == 200
        with container.uow() as uow:
            answers = uow.answers.for_journey(delivery.workspace_id, journey_id)
        assert [a.value for a in answers] == [3]
        assert answers[0].answered_at <= datetime.now(UTC)
    finally:
        container.close()

    # The poll's message is redrawn after the acks; the last redraw shows the last answer.
    redraws = fake_slack.wait_for("chat.update", 1)
    deadline = time.monotonic() + 5
    while "Your answer: *3*" not in str(redraws[-1].args["blocks"]):
        assert time.monotonic() < deadline, [c.args["blocks"] for c in redraws]
        time.sleep(0.05)
        redraws = fake_slack.calls_to("chat.update")

    assert slack.command("help", signature="v0=" + "1" * 64).status == 401

    def read_metrics() -> str:
        with urllib.request.urlopen(url + "/metrics", timeout=5) as resp:
            return str(resp.read().decode())

    # Redraws are counted once Slack has answered them, a moment after the fake saw them;
    # a redraw still in flight when the last answer showed is counted when it lands.
    def sent_line() -> str:
        count = len(fake_slack.calls_to("chat.update"))
        return f'pioneer_slack_redraws_total{{outcome="sent"}} {count}.0'

    deadline = time.monotonic() + 5
    while (sent := sent_line()) not in (metrics := read_metrics()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert 'pioneer_http_requests_total{route="slack_events",status="401"} 1.0' in metrics
    assert 'pioneer_answers_total{kind="pulse",platform="slack"} 3.0' in metrics
    assert 'pioneer_commands_total{platform="slack",subcommand="start"} 1.0' in metrics
    # The in-process scheduler publishes its counts on the same endpoint.
    assert "pioneer_deliveries_retrying 0.0" in metrics
    assert sent in metrics
    assert "pioneer_slack_redraws_pending 0.0" in metrics

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> Result:
    """The CLI in-process (starting Python three more times would triple this file's time)."""
    unset: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("SLACK_", "PIONEER_", "DATABASE_URL"))
    }
    old = Path.cwd()
    os.chdir(cwd)  # no stray .env file is read
    try:
        return CliRunner().invoke(cli.app, list(args), env={**unset, **env})
    finally:
        os.chdir(old)


def test_serve_refuses_settings_that_cannot_work(database_url: str, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "s",
    }
    result = run_cli("serve", env=env, cwd=tmp_path)
    assert result.exit_code == 2
    assert "PIONEER_ENCRYPTION_KEY" in result.stderr
    assert isinstance(result.exception, SystemExit)  # a clean refusal, no traceback
    env["PIONEER_ENCRYPTION_KEY"] = "not-a-key"
    assert "not a valid" in run_cli("serve", env=env, cwd=tmp_path).stderr
    env["PIONEER_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run_cli("serve", env=env, cwd=tmp_path)  # everything set, but not migrated
    assert result.exit_code == 2 and "pioneer migrate" in result.stderr


def test_manifest_matches_what_the_app_needs(tmp_path: Path) -> None:
    result = run_cli("manifest", "--url", "https://pioneer.acme.nl/", env={}, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.stdout)
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert "user" not in manifest["oauth_config"]["scopes"]
    settings = manifest["settings"]
    assert settings["interactivity"]["request_url"] == "https://pioneer.acme.nl/slack/events"
    assert settings["event_subscriptions"]["request_url"] == "https://pioneer.acme.nl/slack/events"
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/pioneer" and command["should_escape"] is True
    assert command["url"] == "https://pioneer.acme.nl/slack/events"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://pioneer.acme.nl/slack/oauth_redirect"
    ]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "member_joined_channel",
        "app_uninstalled",
        "tokens_revoked",
    }
    bad = run_cli("manifest", "--url", "pioneer.acme.nl", env={}, cwd=tmp_path)
    assert bad.exit_code == 2


def test_the_repository_manifest_is_the_one_the_cli_prints() -> None:
    assert (ROOT / "manifest.yml").read_text(encoding="utf-8") == render_manifest()
