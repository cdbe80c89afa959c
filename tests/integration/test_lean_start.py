"""`pioneer serve` stays lean: what only some servers need is loaded only by those.

matplotlib (with numpy and PIL) draws digest charts, Alembic migrates, the Agents SDK serves
Teams, `cryptography` decrypts OAuth tokens and Jinja2 renders the web view: together about
65 MB that an idle server with one Slack bot token and its scheduler never uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from storage.db import make_engine
from storage.migrate import head_revision as alembic_head
from storage.revision import current_revision, head_revision
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "numpy", "PIL", "alembic", "microsoft_agents", "cryptography", "jinja2")

# What `pioneer serve` does before it idles: check the settings and the schema, build the web
# app, run the scheduler's first pass; then the top-level packages it loaded.
START = """
import asyncio, json, sys
from bot.cli import main  # noqa: F401  (the command line, as `pioneer` loads it)
from bot.cli.startup import require_migrated, served_platforms
from bot.config import Settings
from bot.container import Container
from bot.web import _worker_metrics, make_web_app

settings = Settings()
served_platforms(settings)
require_migrated(settings, "Cannot start")
web = Container(settings)
asyncio.run(make_web_app(web, _worker_metrics(web)))
scheduler = Container(settings)
scheduler.dispatch.run_pass()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def test_serving_slack_with_the_scheduler_loads_nothing_heavy(
    database_url: str, fake: FakeSlack
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake.api_url,
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(  # noqa: S603 (this interpreter, our own script)
        [sys.executable, "-c", START],
        env=env,
        cwd=ROOT / "tests",  # no .env of the developer's
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "bot" in loaded and "slack_bolt" in loaded  # it did start
    assert sorted(loaded.intersection(HEAVY)) == []


def test_the_head_revision_read_without_alembic_is_alembics() -> None:
    assert head_revision() == alembic_head()


def test_the_database_revision_is_read_without_alembic(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert current_revision(empty) is None
    finally:
        empty.dispose()
