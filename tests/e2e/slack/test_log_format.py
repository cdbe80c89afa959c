"""What `pioneer serve` writes to its log: JSON lines on request, and quiet by default."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.serve_process import serving, slack_env, wait_until_healthy
from tests.e2e.slack.conftest import BOT_TOKEN, SECRET
from tests.fakes.slack_api import FakeSlack


def serve_briefly(env: dict[str, str], cwd: Path) -> str:
    """Start `pioneer serve`, wait until it answers and the scheduler made a pass, stop it;
    what it logged."""
    with serving(env, cwd) as served:
        wait_until_healthy(served.url, served.process)
    assert served.process.returncode == 0, served.err
    return served.err


def test_json_logs_one_object_a_line_and_no_chatter(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = slack_env(database_url, fake_slack, LOG_LEVEL="INFO", LOG_FORMAT="json")
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
    env = slack_env(database_url, fake_slack, LOG_LEVEL="info")
    err = serve_briefly(env, tmp_path)
    line = next(line for line in err.splitlines() if "scheduler running" in line)
    date, clock, level, logger = line.split()[:4]
    assert date[:2] == "20" and clock.count(":") == 2 and level == "INFO"
    assert logger == "pioneer.scheduling"
    assert "Context impl" not in err and "Running job" not in err
