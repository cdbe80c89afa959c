"""Answers arriving together are recorded together, each keeping its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.app.answering import AnswerBatcher, Answered
from bot.app.services import Services
from tests import seed
from tests.seed import deliver


@pytest.fixture
def polls(services: Services, workspace_id: int) -> tuple[int, dict[str, int]]:
    """A journey of twelve people, each with an open pulse poll: (workspace, user -> delivery)."""
    journey = services.journeys.start(workspace_id, "C1", "Plant", "UFAC")
    assert journey.id is not None
    deliveries = {}
    for n in range(12):
        services.journeys.join(workspace_id, journey.id, f"U{n}")
        delivery = deliver(services, workspace_id, journey.id, f"U{n}", closes_in=timedelta(days=1))
        assert delivery.id is not None
        deliveries[f"U{n}"] = delivery.id
    return workspace_id, deliveries


def stored(services: Services, workspace_id: int) -> dict[int, int | None]:
    journey = services.journeys.journey_for_channel(workspace_id, "C1")
    assert journey.id is not None
    with services.uow() as uow:
        return {a.delivery_id: a.value for a in uow.answers.for_journey(workspace_id, journey.id)}


def at_once(*clicks: Coroutine[Any, Any, Answered]) -> list[Answered]:
    """The clicks as a burst: all in flight together on one event loop; their outcomes."""

    async def burst() -> list[Answered]:
        return list(await asyncio.gather(*clicks))

    return asyncio.run(burst())


def test_a_burst_of_clicks_is_one_transaction_and_each_gets_its_own_outcome(
    services: Services, polls: tuple[int, dict[str, int]]
) -> None:
    workspace, deliveries = polls
    batcher = AnswerBatcher(services.answers, services.views)
    clicks = [
        batcher.answer(workspace, user, d, value=1 + n % 5)
        for n, (user, d) in enumerate(deliveries.items())
    ]
    # Someone else's poll, and a value off the scale: refused, the others unharmed.
    clicks.append(batcher.answer(workspace, "U1", deliveries["U0"], value=3))
    clicks.append(batcher.answer(workspace, "U2", deliveries["U2"], value=9))

    outcomes = at_once(*clicks)
    assert batcher.batches == 1
    assert [o.refusal is None for o in outcomes] == [True] * 12 + [False, False]
    assert "someone else" in (outcomes[12].refusal or "")
    assert "1" in (outcomes[13].refusal or "") and "5" in (outcomes[13].refusal or "")
    assert stored(services, workspace) == {d: 1 + n % 5 for n, d in enumerate(deliveries.values())}
    for n, outcome in enumerate(outcomes[:12]):
        assert outcome.answer is not None and outcome.answer.id is not None
        assert outcome.view is not None and outcome.view.answered_value == 1 + n % 5


def test_a_double_click_in_one_batch_keeps_one_answer_the_last(
    services: Services, polls: tuple[int, dict[str, int]]
) -> None:
    workspace, deliveries = polls
    batcher = AnswerBatcher(services.answers, services.views)

    first, second = at_once(
        batcher.answer(workspace, "U3", deliveries["U3"], value=4),
        batcher.answer(workspace, "U3", deliveries["U3"], value=2),
    )
    assert batcher.batches == 1
    assert stored(services, workspace) == {deliveries["U3"]: 2}
    assert first.answer is not None and second.answer is not None
    assert (first.answer.value, second.answer.value) == (4, 2)
    assert first.answer.id == second.answer.id


def test_a_batch_that_fails_is_recorded_one_by_one_and_nothing_is_lost(
    services: Services, polls: tuple[int, dict[str, int]]
) -> None:
    """The database refuses the first transaction (say, locked); every answer still lands."""
    workspace, deliveries = polls
    calls: list[int] = []

    async def flaky(fn: Callable[[], Any]) -> Any:
        calls.append(len(getattr(fn, "args", ((), []))[-1]))
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return await asyncio.to_thread(fn)

    batcher = AnswerBatcher(services.answers, services.views, run=flaky)

    outcomes = at_once(*(batcher.answer(workspace, u, d, value=5) for u, d in deliveries.items()))
    assert calls == [12] + [1] * 12
    assert all(o.refusal is None for o in outcomes)
    assert stored(services, workspace) == dict.fromkeys(deliveries.values(), 5)


def test_a_lone_failure_reaches_its_caller(
    services: Services, polls: tuple[int, dict[str, int]]
) -> None:
    workspace, deliveries = polls

    async def down(fn: Callable[[], Any]) -> Any:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    batcher = AnswerBatcher(services.answers, services.views, run=down)
    with pytest.raises(OperationalError):
        asyncio.run(batcher.answer(workspace, "U4", deliveries["U4"], value=3))
    assert stored(services, workspace) == {}


def test_a_poll_of_another_workspace_is_not_found_from_this_one(
    services: Services, polls: tuple[int, dict[str, int]]
) -> None:
    workspace, deliveries = polls
    other = seed.workspace_id(services.uow, "console", "T-OTHER")
    assert other != workspace
    batcher = AnswerBatcher(services.answers, services.views)

    foreign, own = at_once(
        batcher.answer(other, "U5", deliveries["U5"], value=2),
        batcher.answer(workspace, "U6", deliveries["U6"], value=2),
    )
    assert foreign.answer is None and foreign.view is None and foreign.refusal
    assert own.refusal is None
    assert stored(services, workspace) == {deliveries["U6"]: 2}
