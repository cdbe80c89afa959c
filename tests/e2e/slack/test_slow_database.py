"""A database that takes no write, and tokens the key cannot open: /healthz says so within
a short time, and slash commands still answer Slack within its 3 s.

Another process holding the database's writer lock is played by a second connection:
SQLite's `BEGIN IMMEDIATE`, PostgreSQL's `LOCK TABLE ... IN EXCLUSIVE MODE` (reads go on,
every write waits). The real server, Bolt and signed requests, the fake Slack Web API.
"""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.clock import FixedClock
from bot.container import Container
from bot.crypto import TokenCipher
from bot.platforms.slack.installations import SqlInstallationStore
from storage.db import normalise_url
from tests.conftest import backend
from tests.e2e.server import serve
from tests.e2e.slack.conftest import (
    ServerThread,
    SlackSender,
    oauth_settings,
    slack_workspace_id,
)
from tests.fakes.slack_api import FakeSlack

SLACK_WAITS = 3.0


@contextmanager
def writer_lock_held(database_url: str) -> Iterator[None]:
    """Someone else holds the lock every write needs, until the block ends."""
    if backend() == "postgresql":
        engine = create_engine(normalise_url(database_url))
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE members, alembic_version IN EXCLUSIVE MODE"))
            yield
            conn.rollback()
        engine.dispose()
        return
    path = make_url(database_url).database
    assert path
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def health(base_url: str) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=10) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, json.loads(body), time.monotonic() - started


def test_health_reports_a_database_that_takes_no_write_within_a_short_time(
    server: ServerThread, container: Container
) -> None:
    status, report, _ = health(server.url)
    assert (status, report) == (200, {"status": "ok", "database": "writable"})
    with writer_lock_held(container.settings.database_url):
        status, report, took = health(server.url)
    assert status == 503 and report["status"] == "error"
    assert report["database"].startswith("no write within 2 s")
    assert took < SLACK_WAITS
    assert health(server.url)[0] == 200  # the lock is gone: healthy again


def test_a_command_answers_slack_in_time_while_the_database_is_locked_and_replies_after(
    slack: SlackSender, fake_slack: FakeSlack, container: Container
) -> None:
    slack.say("start Plant Noord", user="U1")
    with writer_lock_held(container.settings.database_url):
        started = time.monotonic()
        response = slack.command("join", user="U2")
        took = time.monotonic() - started
        assert response.status == 200 and took < SLACK_WAITS
        assert len(slack.replies()) == 1  # only the start's: the join waits for the lock
    # The lock is gone: the join is stored and its reply goes through response_url.
    fake_slack.wait_for("response_url", 2, timeout=10)
    assert "You are in *Plant Noord*" in str(slack.last_reply().args["text"])
    workspace_id = slack_workspace_id(container)
    journey = container.journeys.journey_for_channel(workspace_id, "C1")
    assert journey.id is not None
    assert "U2" in {m.user for m in container.journeys.members(workspace_id, journey.id)}


# -- stored tokens that the key no longer opens --------------------------------------------------
def test_health_reports_stored_tokens_the_current_key_cannot_decrypt(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()

    def server_with(key: str) -> tuple[ServerThread, Container]:
        settings = oauth_settings(database_url, fake_slack, pioneer_encryption_key=key)
        container = Container(settings, clock=clock)
        return serve(container), container

    server, container = server_with(old_key)
    try:
        store = SqlInstallationStore(container.uow, TokenCipher(old_key))
        store.save(
            Installation(
                app_id="A0001",
                team_id="T0001",
                bot_token="xoxb-stored-token",
                bot_id="B1",
                bot_user_id="UBOT",
                user_id="U1",
                installed_at=datetime(2026, 11, 1, tzinfo=UTC).timestamp(),
            )
        )
        status, report, _ = health(server.url)
        assert (status, report["tokens"]) == (200, "1 decrypt")
    finally:
        server.stop()
        container.close()

    server, container = server_with(new_key)  # the key was changed
    try:
        status, report, took = health(server.url)
        assert status == 503 and report["database"] == "writable"
        assert "1 of the 1 newest stored tokens cannot be decrypted" in report["tokens"]
        assert "xoxb" not in json.dumps(report) and took < SLACK_WAITS
    finally:
        server.stop()
        container.close()


def test_single_workspace_mode_has_no_stored_tokens_to_check(server: ServerThread) -> None:
    status, report, _ = health(server.url)
    assert status == 200 and "tokens" not in report
