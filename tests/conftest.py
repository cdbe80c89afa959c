"""Shared fixtures: a migrated database per test, on SQLite or on a real PostgreSQL.

Set PIONEER_TEST_DATABASE_URL to a PostgreSQL URL to run the suite there; otherwise each
test gets a copy of a SQLite file migrated once per session.

The suite by speed: tests/unit (the domain and use cases on an in-memory unit of work; its
conftest swaps `uow` for the fake, and `journeys`, `answers` and `workspace_id` follow),
tests/integration (storage, the scheduler, the CLI, the demo), tests/e2e (Slack and Teams
through their real SDKs against fakes of their APIs). Fakes live in tests/fakes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.clock import FixedClock
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Base
from storage.uow import SqlUnitOfWorkFactory
from tests import seed
from tests.databases import migrated

PG_URL = os.environ.get("PIONEER_TEST_DATABASE_URL")


def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_migrated() -> str | None:
    return migrated(PG_URL) if PG_URL else None


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty, migrated database of the backend under test."""
    if PG_URL:
        url = request.getfixturevalue("_pg_migrated")
        engine = make_engine(url)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield url
        return
    template = request.getfixturevalue("_sqlite_template")
    path = tmp_path / "pioneer.db"
    shutil.copyfile(template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(make_session_factory(engine))


@pytest.fixture
def clock() -> FixedClock:
    # A Monday morning in Amsterdam, in winter time.
    return FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))


@pytest.fixture
def journeys(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> JourneyService:
    return JourneyService(uow, clock)


@pytest.fixture
def answers(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> AnswerService:
    return AnswerService(uow, clock)


@pytest.fixture
def workspace_id(uow: SqlUnitOfWorkFactory) -> int:
    return seed.workspace_id(uow, "console", "T-TEST", "Test BV")
