"""Real `pioneer tick` processes: killed mid fan-out, run twice at once, refused on SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.errors import SchedulerLocked
from bot.domain.model import Language
from storage.db import make_engine
from storage.locks import SqlDispatchLock
from storage.models import MemberRow
from tests import seed
from tests.conftest import backend
from tests.databases import fanned_out
from tests.fakes.slack_api import FakeSlack
from tests.integration.scheduling.conftest import MON_9_AMS, PLAN_DIR, TUE_10_AMS

ROOT = Path(__file__).resolve().parents[3]
AT = TUE_10_AMS.isoformat()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def slack_journey(database_url: str, people: int) -> None:
    """A Slack workspace whose journey has `people` members (with the facilitator)."""
    container = Container(
        Settings(database_url=database_url, pioneer_prompts_dir=PLAN_DIR), FixedClock(MON_9_AMS)
    )
    try:
        workspace_id = seed.workspace_id(container.uow, "slack", "T0001", "Fake Team")
        journey = container.journeys.start(
            workspace_id, "CPLANT", "Plant", "UFAC", Language.EN, "Europe/Amsterdam"
        )
        with container.engine.begin() as conn:
            conn.execute(
                insert(MemberRow),
                [
                    {
                        "workspace_id": workspace_id,
                        "journey_id": journey.id,
                        "user": f"U{n:05}",
                        "display_name": "",
                        "roles": "follower",
                    }
                    for n in range(people - 1)
                ],
            )
    finally:
        container.close()


def tick(
    database_url: str, fake: FakeSlack, *extra: str, rate: str = "400", lease: str = "60"
) -> subprocess.Popen[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "PIONEER_PROMPTS_DIR": str(PLAN_DIR),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake.api_url,
        "PIONEER_SEND_RATE": rate,
        "PIONEER_SEND_LEASE": lease,
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tick", "--at", AT, *extra],
        env=env,
        cwd=ROOT / "tests",  # no .env of the developer's
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def assert_each_once(database_url: str, fake: FakeSlack, people: int) -> None:
    """Every member got one message, every delivery is sent, and nothing else was posted."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            users, statuses = fanned_out(conn)
    finally:
        engine.dispose()
    assert len(users) == people
    counts = {u: len(fake.messages(f"D{u}")) for u in users}
    assert [u for u, n in counts.items() if n != 1] == []
    assert statuses == {"sent": people}
    assert len(fake.calls_to("chat.postMessage")) == people


def finished(process: subprocess.Popen[str], timeout: float = 120) -> str:
    """What a tick that ends well printed."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


def test_killed_mid_fan_out_and_restarted_sends_the_rest_once(
    database_url: str, fake: FakeSlack
) -> None:
    people = 1000
    slack_journey(database_url, people)
    first = tick(database_url, fake, lease="2")
    try:
        wait_until(
            lambda: len(fake.calls_to("chat.postMessage")) >= 300 or first.poll() is not None
        )
        assert first.poll() is None, first.communicate()
        first.send_signal(signal.SIGKILL)
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate(timeout=10)  # reaps it and closes its pipes
    assert first.returncode == -signal.SIGKILL
    before = len(fake.calls_to("chat.postMessage"))
    assert 300 <= before < people
    if backend() == "postgresql":
        time.sleep(2)  # its workspace stays the dead replica's until the lease runs out
    finished(tick(database_url, fake, rate="2000"))
    assert_each_once(database_url, fake, people)


@pytest.mark.skipif(backend() != "postgresql", reason="replicas need PostgreSQL")
def test_two_ticks_at_the_same_instant_send_each_delivery_once(
    database_url: str, fake: FakeSlack
) -> None:
    people = 300
    slack_journey(database_url, people)
    both = [tick(database_url, fake, rate="2000"), tick(database_url, fake, rate="2000")]
    for process in both:
        finished(process)
    assert_each_once(database_url, fake, people)


@pytest.mark.skipif(backend() != "sqlite", reason="the lock file is SQLite's")
def test_a_second_scheduler_on_sqlite_refuses_with_a_clear_message(
    database_url: str, fake: FakeSlack
) -> None:
    slack_journey(database_url, 3)
    engine = make_engine(database_url)
    holder = SqlDispatchLock(engine, database_url)
    holder.hold_process_lock()
    try:
        other = SqlDispatchLock(engine, database_url)
        with pytest.raises(SchedulerLocked, match="only one scheduler"):
            other.hold_process_lock()
        process = tick(database_url, fake)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 3
        assert "Another Pioneer scheduler" in err and str(os.getpid()) in err
        assert fake.calls_to("chat.postMessage") == []
    finally:
        holder.release_process_lock()
        engine.dispose()
    assert "sent 3" in finished(tick(database_url, fake), timeout=60)
    assert datetime.fromisoformat(AT).tzinfo is UTC


def test_tick_reports_the_deliveries_it_recorded(database_url: str, fake: FakeSlack) -> None:
    people = 450  # more than one multi-row INSERT of 200
    slack_journey(database_url, people)
    first = finished(tick(database_url, fake, rate="2000"))
    assert f"recorded {people}, missed 0" in first.splitlines()[-1]
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert fanned_out(conn)[1] == {"sent": people}
    finally:
        engine.dispose()
    # The same instant again: everything is recorded already, nothing new is counted.
    again = finished(tick(database_url, fake, rate="2000"))
    assert "recorded 0, missed 0" in again.splitlines()[-1]
    assert_each_once(database_url, fake, people)
