"""Answers that arrive together are recorded together: one transaction per batch.

A pulse poll goes to a whole team at once, so clicks come in bursts. Recording each in its
own transaction makes every click pay for a session, a commit and a hop to the database
thread; under a burst those hops queue behind each other. `AnswerBatcher` lets the first
click of a burst start a transaction and every click that arrives while it runs join the
next one, so the cost of a transaction is shared by everyone in it. A quiet moment still
records a lone click at once: nothing waits for a batch to fill.

Every caller still waits for its own answer to be committed (or refused) before it hears
back, so a platform acknowledges a click only once the answer is safe. If a batch fails as
a whole, its answers are retried one by one, so one bad answer cannot sink the others and
a dropped database connection costs no answer.
Platform-neutral: Slack and Teams both record through it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from bot.app.free_text import has_unsafe_characters
from bot.app.prompt_views import PromptViews
from bot.domain import errors
from bot.domain.answers import AnswerRequest, AnswerService, Recorded
from bot.domain.model import Answer, Language
from bot.domain.views import PromptView
from prompts.messages import say

logger = logging.getLogger(__name__)

T = TypeVar("T")
Runner = Callable[[Callable[[], Any]], Awaitable[Any]]
MAX_BATCH = 200


async def _to_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


@dataclass(frozen=True)
class Answered:
    """The outcome of a click or a submitted form: the updated view, or a refusal."""

    view: PromptView | None
    refusal: str | None
    language: Language
    answer: Answer | None = None
    error: errors.DomainError | None = None


def answer_many(
    answers: AnswerService, views: PromptViews, requests: Sequence[AnswerRequest]
) -> list[Answered]:
    """Record a batch of answers in one transaction; each says how its prompt looks now."""
    answered: list[Answered] = []
    now = views.clock.now()
    for request, outcome in zip(requests, _record_safe(answers, requests), strict=True):
        if isinstance(outcome, errors.DomainError):
            view = views.view_for(request.workspace_id, request.delivery_id)
            language = view.language if view else Language.EN
            refusal = say(outcome, language)
            answered.append(Answered(view, refusal, language, error=outcome))
            continue
        view = views.build(outcome.delivery, outcome.journey, outcome.member, outcome.answer, now)
        answered.append(
            Answered(view=view, refusal=None, language=view.language, answer=outcome.answer)
        )
    return answered


def _record_safe(
    answers: AnswerService, requests: Sequence[AnswerRequest]
) -> list[Recorded | errors.DomainError]:
    """`record_many`, with texts that cannot be stored refused first (bot/app/free_text.py)."""
    unsafe = {i for i, r in enumerate(requests) if has_unsafe_characters(r.text)}
    safe = [r for i, r in enumerate(requests) if i not in unsafe]
    recorded = iter(answers.record_many(safe) if safe else [])
    return [errors.UnsafeText() if i in unsafe else next(recorded) for i in range(len(requests))]


class AnswerBatcher:
    def __init__(
        self,
        answers: AnswerService,
        views: PromptViews,
        run: Runner = _to_thread,
        max_batch: int = MAX_BATCH,
    ) -> None:
        """`run` runs a blocking call off the event loop (the database's worker threads)."""
        self._answers = answers
        self._views = views
        self._run = run
        self._max_batch = max_batch
        self._queue: list[tuple[AnswerRequest, asyncio.Future[Answered]]] = []
        self._draining: asyncio.Task[None] | None = None
        self.batches = 0  # how many transactions recorded answers

    async def answer(
        self,
        workspace_id: int,
        user: str,
        delivery_id: int,
        value: int | None = None,
        text: str | None = None,
        language: Callable[[], Language | None] | None = None,
    ) -> Answered:
        """Record one answer; returns once it is committed (or refused).

        `language` asks the platform for the person's language (a blocking call, run like
        the database's work); it is used only for a refusal about a prompt that is gone,
        when nothing stored says whom we speak to (after forget-me, say).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answered] = loop.create_future()
        request = AnswerRequest(workspace_id, delivery_id, user, value=value, text=text)
        self._queue.append((request, future))
        draining = self._draining
        if draining is None or draining.done() or draining.get_loop() is not loop:
            self._draining = loop.create_task(self._drain())
        outcome = await future
        if outcome.view is None and outcome.error is not None and language is not None:
            spoken: Language | None = await self._run(language)
            if spoken is not None:
                outcome = replace(outcome, refusal=say(outcome.error, spoken), language=spoken)
        return outcome

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                outcomes = await self._record([request for request, _ in batch])
            except Exception:  # noqa: BLE001 - retried alone below, else reported
                # Once more, one by one: a lost database connection fails one transaction
                # (the pool then renews its connections), and recording is idempotent (one
                # answer per delivery), so trying again cannot record anything twice.
                logger.warning("a batch of %d answers failed; recording one by one", len(batch))
                for request, future in batch:
                    try:
                        (outcome,) = await self._record([request])
                    except Exception as single:  # noqa: BLE001 - the caller gets it
                        _settle(future, error=single)
                    else:
                        _settle(future, outcome)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                _settle(future, outcome)

    async def _record(self, requests: list[AnswerRequest]) -> list[Answered]:
        self.batches += 1
        result: list[Answered] = await self._run(
            functools.partial(answer_many, self._answers, self._views, requests)
        )
        return result


def _settle(
    future: asyncio.Future[Answered],
    outcome: Answered | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done() or future.get_loop().is_closed():  # the caller is gone
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert outcome is not None
        future.set_result(outcome)
