"""Getting data out, served for real: a console workspace's journey whose weekly digests are
published by the real digest service, the web server on 127.0.0.1, a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from tests import seed
from tests.integration.digest.conftest import Scenario
from tests.integration.digest.test_scenarios import company_a

# Monday mornings in Amsterdam: the weekly digest then reports the week that just ended.
MONDAY_W47 = datetime(2026, 11, 16, 7, 30, tzinfo=UTC)
MONDAY_W48 = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
THURSDAY_W48 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def api_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "slack_bot_token": None,
        "slack_signing_secret": None,
        "slack_app_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "teams_app_id": None,
        "teams_app_secret": None,
        "teams_tenant_id": None,
        "pioneer_prompts_dir": None,
        "pioneer_webhook_url": None,
        "pioneer_webhook_secret": None,
    } | overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def company(container: Container, clock: FixedClock, team: str, name: str) -> Scenario:
    """Company A's journey (tests/integration/digest) in a console workspace of its own."""
    workspace_id = seed.workspace_id(container.uow, "console", team, name)

    def make(journey: str, start_week: str, k: int = 5) -> Scenario:
        return Scenario(container.uow, clock, workspace_id, journey, start_week, k=k)

    return company_a(make)


def publish(container: Container, clock: FixedClock, a: Scenario, monday: datetime) -> bool:
    """The scheduler's Monday digest: last week's, claimed and sent once."""
    clock.set(monday)
    return container.digests.send_weekly(a.workspace_id, a.journey_id, monday)


@pytest.fixture
def container(database_url: str, clock: FixedClock) -> Iterator[Container]:
    container = Container(api_settings(database_url), clock=clock, paced=False)
    yield container
    container.close()
