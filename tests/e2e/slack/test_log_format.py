"""What `pioneer serve` writes to its log: JSON lines on request, and quiet by default."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from tests.e2e.slack.conftest import BOT_TOKEN, SECRET
from tests.e2e.slack.test_serve import PIONEER, clean_env, free_port, wait_until_healthy
from tests.fakes.slack_api import FakeSlack


def serve_briefly(env: dict[str, str], cwd: Path) -> str:
    """Start `pioneer serve`, wait until it answers and the scheduler made a pass, stop it;
    what it logged."""
    port = free_port()
    process = subprocess.Popen(
        [*PIONEER, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process)  # type: ignore[arg-type]
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    return err


def test_json_logs_one_object_a_line_and_no_chatter(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.api_url,
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
    )
    err = serve_briefly(env, tmp_path)
    entries = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert entries, err
    assert all({"time", "level", "logger", "message", "pid"} <= e.keys() for e in entries)
    messages = [e["message"] for e in entries]
    assert any("scheduler running" in m for m in messages), messages
    # APScheduler's two lines a minute, Alembic's context lines, Bolt's notice about the
    # token it reads from the environment though we hand it a client: none of them.
    assert not [e for e in entries if e["logger"].startswith(("apscheduler", "alembic"))]
    assert not [m for m in messages if "will be unused" in m]
    assert BOT_TOKEN not in err and SECRET not in err


def test_text_logs_have_time_and_level(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.api_url,
        LOG_LEVEL="info",
    )
    err = serve_briefly(env, tmp_path)
    line = next(line for line in err.splitlines() if "scheduler running" in line)
    date, clock, level, logger = line.split()[:4]
    assert date[:2] == "20" and clock.count(":") == 2 and level == "INFO"
    assert logger == "pioneer.scheduling"
    assert "Context impl" not in err and "Running job" not in err
