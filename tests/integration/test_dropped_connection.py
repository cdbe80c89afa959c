"""A PostgreSQL connection that dies (server restart, a proxy that forgets it) costs no answer.

Pooled connections are not tested before every transaction (a round trip each time), only
after lying idle; a connection killed while in use fails one transaction, the pool renews
itself, and the answer is recorded on the retry. The server really ends the connection:
`pg_terminate_backend`, as a restart or an operator would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from bot.app.answering import AnswerBatcher
from bot.app.prompt_views import PromptViews
from bot.clock import FixedClock
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService
from bot.domain.model import PromptKind
from prompts.catalog import load_catalog
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests import seed
from tests.conftest import backend

pytestmark = pytest.mark.skipif(backend() != "postgresql", reason="a PostgreSQL server")

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def kill_pooled_connections(engine: Engine, url: str) -> int:
    """End, from another session, every server process of `engine`'s pool; how many."""
    with engine.connect() as conn:
        pid = conn.scalar(text("SELECT pg_backend_pid()"))
    killer = make_engine(url)
    with killer.connect() as conn:
        ended = conn.scalar(text("SELECT count(pg_terminate_backend(:pid))"), {"pid": pid})
    killer.dispose()
    return int(ended or 0)


@pytest.fixture
def polls(database_url: str) -> Iterator[tuple[int, list[int]]]:
    """A journey of three people, each with an open pulse poll: (workspace, deliveries)."""
    engine = make_engine(database_url)
    uow = SqlUnitOfWorkFactory(make_session_factory(engine))
    clock = FixedClock(NOW)
    workspace = seed.workspace_id(uow, "slack", "T1")
    journeys = JourneyService(uow, clock)
    journey = journeys.start(workspace, "C1", "Plant", "UFAC")
    assert journey.id is not None
    prompt = seed.first_prompt(load_catalog(), PromptKind.PULSE)
    deliveries = []
    for n in range(3):
        journeys.join(workspace, journey.id, f"U{n}")
        delivery = seed.record(
            uow, prompt, NOW, workspace, journey.id, f"U{n}", closes_in=timedelta(days=1)
        )
        assert delivery.id is not None
        deliveries.append(delivery.id)
    engine.dispose()
    yield workspace, deliveries


def batcher_on(engine: Engine) -> tuple[AnswerBatcher, SqlUnitOfWorkFactory]:
    uow = SqlUnitOfWorkFactory(make_session_factory(engine))
    clock = FixedClock(NOW)
    views = PromptViews(uow, load_catalog(), clock)
    return AnswerBatcher(AnswerService(uow, clock), views), uow


def stored(uow: SqlUnitOfWorkFactory, workspace: int, delivery: int) -> int | None:
    with uow() as tx:
        answer = tx.answers.for_delivery(workspace, delivery)
    return answer.value if answer else None


def test_a_connection_killed_while_idle_is_replaced_before_use(
    database_url: str, polls: tuple[int, list[int]]
) -> None:
    workspace, deliveries = polls
    engine = make_engine(database_url, ping_after_idle=0.0)
    uow = SqlUnitOfWorkFactory(make_session_factory(engine))
    answers = AnswerService(uow, FixedClock(NOW))
    answers.record(workspace, deliveries[0], "U0", value=2)
    assert kill_pooled_connections(engine, database_url) == 1

    # No retry here: the pool itself tests the idle connection and hands out a new one.
    answers.record(workspace, deliveries[1], "U1", value=4)
    assert stored(uow, workspace, deliveries[1]) == 4
    engine.dispose()


def test_a_connection_killed_while_in_use_costs_no_answer(
    database_url: str, polls: tuple[int, list[int]]
) -> None:
    workspace, deliveries = polls
    engine = make_engine(database_url, ping_after_idle=3600.0)  # never tested: it dies in use
    batcher, uow = batcher_on(engine)

    async def clicks() -> None:
        first = await batcher.answer(workspace, "U0", deliveries[0], value=3)
        assert first.refusal is None
        assert kill_pooled_connections(engine, database_url) == 1
        second = await batcher.answer(workspace, "U1", deliveries[1], value=5)
        assert second.refusal is None and second.answer is not None

    asyncio.run(clicks())
    assert batcher.batches == 3  # the first click, the second's failed try, its retry
    assert stored(uow, workspace, deliveries[0]) == 3
    assert stored(uow, workspace, deliveries[1]) == 5
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM answers"))
    assert count == 2
    engine.dispose()
