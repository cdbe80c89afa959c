"""What every Slack listener shares: the use cases, metrics, caches, and the database's
worker threads.

Database work runs in worker threads (`SlackDeps.run`), so the event loop keeps serving
while SQL waits; what Slack must not wait for (redrawing the message a click came from) runs
after the acknowledgement (`after_ack`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.answering import AnswerBatcher
from bot.app.commands import Context, Profile
from bot.app.services import Services
from bot.domain.model import Language
from bot.platforms.slack.installations import AsyncSqlInstallationStore
from bot.platforms.slack.updates import MessageUpdates
from bot.telemetry import Metrics

logger = logging.getLogger(__name__)

SEEN_EVENTS = 10_000
# How long a person's users.info is trusted: it says who is a workspace admin (who may act
# as facilitator), and an admin who is demoted must lose that within minutes.
PROFILE_TTL = 300.0
DB_THREADS = 8
# Slack waits 3 s for an acknowledgement; what takes longer is finished after it.
ACK_WITHIN = 2.0

P = ParamSpec("P")
T = TypeVar("T")


def locale_language(locale: str | None) -> Language | None:
    if not locale:
        return None
    return Language.NL if locale.lower().startswith("nl") else Language.EN


class SlackDeps:
    """What every listener needs: the services, metrics and a few small caches."""

    def __init__(
        self,
        services: Services,
        metrics: Metrics,
        installations: AsyncSqlInstallationStore | None,
        single_writer: bool = False,
    ) -> None:
        self.services = services
        self.metrics = metrics
        self.installations = installations
        self._workspaces: dict[str, int] = {}
        self._profiles: dict[tuple[str, str], tuple[float, Profile]] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        # SQLite takes one writer at a time; more threads only queue on its lock and sleep in
        # its busy handler, which in a load test pushed the slowest answers towards a second.
        # A server database gets a small pool.
        self._executor = ThreadPoolExecutor(
            max_workers=1 if single_writer else DB_THREADS, thread_name_prefix="pioneer-db"
        )
        self.answers = AnswerBatcher(services.answers, services.views, self.run)
        self.updates = MessageUpdates()
        metrics.registry.register(_RedrawCollector(self.updates))
        self._after: set[asyncio.Task[Any]] = set()

    def after_ack(self, work: Awaitable[Any], what: str) -> None:
        """Run `work` once the listener has returned and Slack has its acknowledgement.

        For what the person may wait a moment to see (a message updated to show their
        answer), never for what must be safe before the ack (the answer itself).
        """
        task = asyncio.ensure_future(work)
        self._after.add(task)

        def done(task: asyncio.Task[Any]) -> None:
            self._after.discard(task)
            if not task.cancelled() and task.exception() is not None:
                logger.warning("%s failed after the ack", what, exc_info=task.exception())

        task.add_done_callback(done)

    async def now_or_after_ack(
        self, slow: bool, work: Callable[[], Awaitable[Any]], what: str
    ) -> None:
        """Run `work` before the ack, or after it when it is `slow` (longer than the 3 s
        Slack waits for its answer, such as sending to a whole team).

        Work that was not slow but has not finished within ACK_WITHIN (the database is
        slow, or another process holds SQLite's writer lock) goes on after the ack, so
        Slack hears "ok" in time; its reply then goes through `response_url`.
        """
        if slow:
            self.after_ack(work(), what)
            return
        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({task}, timeout=ACK_WITHIN)
        if task in done:
            task.result()  # what it raised, raised here
        else:
            logger.info("%s takes longer than %.1f s: answered after the ack", what, ACK_WITHIN)
            self.after_ack(task, what)

    async def finish(self, timeout: float = 10) -> None:
        """Let work started after acks end (on shutdown), for at most `timeout` seconds."""
        await self.updates.finish(timeout)
        if self._after:
            await asyncio.wait(set(self._after), timeout=timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking service code off the event loop, on the database's worker threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def workspace_id(self, context: AsyncBoltContext) -> int:
        """Our Workspace row for the Slack team (or org) of a request; it never changes, so it
        is cached."""
        return await self.workspace_of(_team(context))

    async def workspace_of(self, external: str) -> int:
        """Our Workspace row for the Slack team (or org) `external`."""
        cached = self._workspaces.get(external)
        if cached is not None:
            return cached

        def lookup() -> int:
            with self.services.uow() as uow:
                workspace = uow.workspaces.get_or_create("slack", external)
                uow.commit()
            assert workspace.id is not None
            return workspace.id

        workspace_id = await self.run(lookup)
        self._workspaces[external] = workspace_id
        return workspace_id

    async def command_context(
        self,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        user: str,
        channel: str,
        user_name: str = "",
    ) -> Context:
        """Who runs a shared command, where and in which workspace, as `bot.app` takes it."""
        return Context(
            platform="slack",
            workspace_id=await self.workspace_id(context),
            channel=channel,
            user=user,
            user_name=user_name,
            profile=self.profile_getter(client, _team(context), user),
        )

    def profile_getter(
        self, client: AsyncWebClient, team_id: str, user: str
    ) -> Callable[[], Profile]:
        """A lazy, cached `users.info` for code that runs in a worker thread."""
        loop = asyncio.get_running_loop()
        key = (team_id, user)

        def get() -> Profile:
            cached = self._profiles.get(key)
            if cached is not None and time.monotonic() - cached[0] < PROFILE_TTL:
                return cached[1]
            future = asyncio.run_coroutine_threadsafe(
                client.users_info(user=user, include_locale=True), loop
            )
            try:
                info = future.result(timeout=5)["user"]
            except Exception:  # a missing profile only costs the default language
                logger.warning("users.info failed for a user; using defaults", exc_info=True)
                return Profile()
            profile = Profile(
                language=locale_language(info.get("locale")),
                timezone=info.get("tz"),
                is_admin=bool(info.get("is_admin") or info.get("is_owner")),
            )
            self._profiles[key] = (time.monotonic(), profile)
            return profile

        return get

    def language_getter(
        self, client: AsyncWebClient, team_id: str | None, user: str
    ) -> Callable[[], Language | None]:
        """The person's Slack locale, lazily, for code that runs in a worker thread: what
        we say in when nothing stored tells their language (their prompt is gone)."""
        profile = self.profile_getter(client, team_id or "", user)
        return lambda: profile().language

    def first_time(self, event_id: str) -> bool:
        """False for an event id already handled (Slack retries with X-Slack-Retry-Num)."""
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > SEEN_EVENTS:
            self._seen.popitem(last=False)
        return True

    def forget_event(self, event_id: str) -> None:
        self._seen.pop(event_id, None)


def _team(context: AsyncBoltContext) -> str:
    """The Slack team a request came from (the org, for an org-wide install)."""
    return context.team_id or context.enterprise_id or ""


class _RedrawCollector(Collector):
    """Polls redrawn after their answers, on /metrics: sent, failed, and still waiting."""

    def __init__(self, updates: MessageUpdates) -> None:
        self._updates = updates

    def collect(self) -> Iterator[Metric]:
        done = CounterMetricFamily(
            "pioneer_slack_redraws",
            "Messages redrawn to show an answer, by outcome.",
            labels=["outcome"],
        )
        done.add_metric(["sent"], self._updates.sent)
        done.add_metric(["failed"], self._updates.failed)
        yield done
        yield GaugeMetricFamily(
            "pioneer_slack_redraws_pending",
            "Messages waiting to be redrawn (one per message).",
            value=self._updates.pending,
        )
