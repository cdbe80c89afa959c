"""TeamsChat: the domain's ChatPort for one Teams tenant, over stored conversation references.

The ChatPort is synchronous (the scheduler and services are); the Agents SDK is async. A
`TeamsSender` owns one event loop in a thread and runs every send there, so callers from
any thread (a scheduler job, a command run in a worker thread, `pioneer tick`) simply block
on the result.

Teams allows a bot 7 messages per second and 60 per 30 seconds in one conversation: the
`Pacer` waits rather than be refused. 429, 412, 502 and 504 (and lost connections) are
retried with exponential backoff and jitter, honouring Retry-After; 403 and 404 mean the
person removed the app or left: they are marked unreachable and not tried again until they
write to the bot.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from microsoft_agents.activity import Activity, ConversationParameters
from microsoft_agents.hosting.core.app.proactive import Conversation, CreateConversationOptions
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

from bot.domain.model import Member
from bot.domain.views import (
    DeliveryFailed,
    Notice,
    PromptView,
    RateLimited,
    TemporaryFailure,
    Unreachable,
)
from bot.platforms.teams import render
from bot.platforms.teams.app import closing_on_failure

if TYPE_CHECKING:
    from bot.domain.digest.view import DigestView
    from bot.platforms.teams.app import TeamsBot

logger = logging.getLogger(__name__)

T = TypeVar("T")

CHANNEL_ID = "msteams"
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
RETRY_STATUSES = frozenset({429, 412, 502, 504})
UNREACHABLE_STATUSES = frozenset({403, 404})
# Per bot per conversation (Teams' documented limits): (messages, seconds).
TEAMS_WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (60, 30.0))
SEND_TIMEOUT = 120.0
REF_SEPARATOR = "|"

Sleep = Callable[[float], Awaitable[None]]


def message_ref(conversation_id: str, activity_id: str) -> str:
    return f"{conversation_id}{REF_SEPARATOR}{activity_id}"


def parse_ref(ref: str) -> tuple[str, str]:
    conversation_id, _, activity_id = ref.rpartition(REF_SEPARATOR)
    return conversation_id, activity_id


class Pacer:
    """Sliding windows per conversation; `acquire` returns when one more message fits."""

    def __init__(
        self,
        windows: tuple[tuple[int, float], ...] = TEAMS_WINDOWS,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.windows = windows
        self._monotonic = monotonic
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._longest = max(period for _, period in windows)

    def _wait(self, key: str, now: float) -> float:
        sent = self._sent.setdefault(key, deque())
        while sent and now - sent[0] >= self._longest:
            sent.popleft()
        wait = 0.0
        for limit, period in self.windows:
            recent = [stamp for stamp in sent if now - stamp < period]
            if len(recent) >= limit:
                wait = max(wait, recent[-limit] + period - now)
        return wait

    async def acquire(self, key: str) -> None:
        for _ in range(1000):  # bounded: each pass either sends or waits out a window
            now = self._monotonic()
            wait = self._wait(key, now)
            if wait <= 0:
                self._sent[key].append(now)
                self._forget_idle(now)
                return
            await self._sleep(wait)
        raise RateLimited(retry_after=self._longest)

    def _forget_idle(self, now: float) -> None:
        if len(self._sent) > 10_000:
            for key in [k for k, v in self._sent.items() if not v or now - v[-1] >= self._longest]:
                del self._sent[key]


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits in [b·2ⁿ/2, b·2ⁿ], capped."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.cap, self.base * (2**attempt))
        jittered = self.rng.uniform(backoff / 2, backoff)
        return max(jittered, min(retry_after or 0.0, self.cap))


def _retry_after(error: aiohttp.ClientResponseError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class TeamsSender:
    """Runs proactive sends for every tenant on one private event loop."""

    def __init__(
        self,
        bot: TeamsBot,
        *,
        pacer: Pacer | None = None,
        policy: RetryPolicy | None = None,
        default_service_url: str = DEFAULT_SERVICE_URL,
    ) -> None:
        self.bot = bot
        self.pacer = pacer or Pacer()
        self.policy = policy or RetryPolicy()
        self.default_service_url = default_service_url
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- the loop thread -------------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="pioneer-teams-sender", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = SEND_TIMEOUT) -> T:
        loop = self._ensure_loop()
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("TeamsSender.run() called from its own loop")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def drain() -> None:
            await loop.shutdown_asyncgens()
            await loop.shutdown_default_executor()

        asyncio.run_coroutine_threadsafe(drain(), loop).result(SEND_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(SEND_TIMEOUT)
        loop.close()

    # -- retries --
    async def _with_retries(
        self,
        pace_key: str,
        call: Callable[[], Awaitable[T]],
        on_gone: Callable[[], Awaitable[None]],
    ) -> T:
        last: DeliveryFailed = TemporaryFailure("no attempt made")
        for attempt in range(self.policy.attempts):
            await self.pacer.acquire(pace_key)
            retry_after: float | None = None
            try:
                return await call()
            except aiohttp.ClientResponseError as error:
                if error.status in UNREACHABLE_STATUSES:
                    await on_gone()
                    raise Unreachable(f"HTTP {error.status}") from error
                if error.status not in RETRY_STATUSES:
                    raise DeliveryFailed(f"HTTP {error.status}") from error
                retry_after = _retry_after(error)
                last = (
                    RateLimited(retry_after=retry_after or 1.0)
                    if error.status == 429
                    else TemporaryFailure(f"HTTP {error.status}")
                )
            except (aiohttp.ClientConnectionError, TimeoutError) as error:
                last = TemporaryFailure(type(error).__name__)
            if attempt + 1 < self.policy.attempts:
                delay = self.policy.delay(attempt, retry_after)
                logger.info("Teams send to %s: %s, retrying in %.2fs", pace_key, last, delay)
                await self.policy.sleep(delay)
        raise last

    # -- sending --
    async def _conversation(self, conversation_id: str) -> Conversation | None:
        return await self.bot.app.proactive.get_conversation(conversation_id)

    async def _personal_conversation(self, workspace_id: int, member: Member) -> Conversation:
        people = self.bot.people
        person = await asyncio.to_thread(people.get, workspace_id, member.user)
        if person is not None and person.unreachable_since is not None:
            raise Unreachable(f"marked unreachable since {person.unreachable_since.isoformat()}")
        if person is not None and person.personal_conversation_id:
            found = await self._conversation(person.personal_conversation_id)
            if found is not None:
                return found
        tenant = await asyncio.to_thread(people.tenant_of, workspace_id)
        if tenant is None:
            raise Unreachable(f"workspace {workspace_id} is not a Teams tenant")
        service_url = (
            await asyncio.to_thread(people.service_url, workspace_id) or self.default_service_url
        )
        app_id = self.bot.app_id
        # Teams takes the 29: id or the AAD object id of the person.
        teams_id = person.teams_id if person is not None and person.teams_id else member.user
        options = CreateConversationOptions(
            identity=ClaimsIdentity({"aud": app_id, "appid": app_id, "tid": tenant}),
            channel_id=CHANNEL_ID,
            service_url=service_url,
            parameters=ConversationParameters.model_validate(
                {
                    "isGroup": False,
                    "bot": {"id": f"28:{app_id}"},
                    "members": [{"id": teams_id}],
                    "tenantId": tenant,
                    "channelData": {"tenant": {"id": tenant}},
                }
            ),
            store_conversation=True,
        )

        async def create() -> Conversation:
            # Without a handler: with one, SDK 1.9.0 fails (`from_property`) after creating.
            return await closing_on_failure(
                self.bot.app.proactive.create_conversation(self.bot.adapter, options)
            )

        conversation = await self._with_retries(
            f"create:{tenant}", create, self._gone(workspace_id, member.user)
        )
        conversation_id = conversation.conversation_reference.conversation.id
        await asyncio.to_thread(
            people.set_personal_conversation, workspace_id, member.user, conversation_id
        )
        return conversation

    def _gone(self, workspace_id: int, user: str) -> Callable[[], Awaitable[None]]:
        async def mark() -> None:
            await asyncio.to_thread(
                self.bot.people.mark_unreachable, workspace_id, user, datetime.now(UTC)
            )

        return mark

    async def _send(
        self, conversation: Conversation, activity: Activity, on_gone: Callable[[], Awaitable[None]]
    ) -> str:
        conversation_id = conversation.conversation_reference.conversation.id

        async def send() -> str:
            response = await self.bot.app.proactive.send_activity(
                self.bot.adapter, conversation, activity
            )
            return response.id if response is not None and response.id else ""

        activity_id = await self._with_retries(conversation_id, send, on_gone)
        return message_ref(conversation_id, activity_id)

    async def send_prompt(self, workspace_id: int, member: Member, view: PromptView) -> str:
        conversation = await self._personal_conversation(workspace_id, member)
        return await self._send(
            conversation, render.prompt_activity(view), self._gone(workspace_id, member.user)
        )

    async def send_activity_to(self, workspace_id: int, member: Member, activity: Activity) -> str:
        conversation = await self._personal_conversation(workspace_id, member)
        return await self._send(conversation, activity, self._gone(workspace_id, member.user))

    async def post_to_channel(self, workspace_id: int, channel: str, activity: Activity) -> str:
        conversation = await self._conversation(channel)
        if conversation is None or not await self._belongs(workspace_id, channel):
            raise Unreachable(f"no conversation reference for channel {channel}")

        async def nothing() -> None:
            return None

        return await self._send(conversation, activity, nothing)

    async def _belongs(self, workspace_id: int, conversation_id: str) -> bool:
        owner = await asyncio.to_thread(self.bot.people.conversation_workspace, conversation_id)
        return owner == workspace_id

    async def update(self, workspace_id: int, ref: str, activity: Activity) -> None:
        conversation_id, activity_id = parse_ref(ref)
        conversation = await self._conversation(conversation_id)
        if conversation is None or not await self._belongs(workspace_id, conversation_id):
            raise Unreachable(f"no conversation reference for {conversation_id}")
        activity.id = activity_id

        async def put() -> None:
            async def callback(context: Any) -> None:
                await context.update_activity(activity)

            claims = Conversation.identity_from_claims(conversation.claims)
            continuation = conversation.conversation_reference.get_continuation_activity()
            await self.bot.adapter.continue_conversation_with_claims(claims, continuation, callback)

        async def nothing() -> None:
            return None

        await self._with_retries(conversation_id, put, nothing)


class TeamsChat:
    """The ChatPort for one Teams tenant (workspace)."""

    def __init__(self, sender: TeamsSender, workspace_id: int) -> None:
        self.sender = sender
        self.workspace_id = workspace_id

    def _check(self, member: Member) -> None:
        if member.workspace_id != self.workspace_id:
            raise ValueError("member belongs to another workspace")

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        # Teams keeps no message metadata to search by key; the delivery row (unique per
        # member and occurrence) is what prevents a second send.
        self._check(member)
        return self.sender.run(self.sender.send_prompt(self.workspace_id, member, view))

    def post_notice(self, channel: str, notice: Notice) -> str:
        return self.sender.run(
            self.sender.post_to_channel(self.workspace_id, channel, render.notice_activity(notice))
        )

    def update_prompt(self, ref: str, view: PromptView) -> None:
        self.sender.run(self.sender.update(self.workspace_id, ref, render.prompt_activity(view)))

    def send_card(self, member: Member, activity: Activity) -> str:
        """Any rendered message to one person (the digest card, for instance)."""
        self._check(member)
        return self.sender.run(self.sender.send_activity_to(self.workspace_id, member, activity))

    def post_card(self, channel: str, activity: Activity) -> str:
        return self.sender.run(self.sender.post_to_channel(self.workspace_id, channel, activity))

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        """The weekly digest card (the domain's DigestSender), to a person or a channel."""
        activity = render.digest_activity(view, chart_png)
        if isinstance(member_or_channel, Member):
            return self.send_card(member_or_channel, activity)
        return self.post_card(member_or_channel, activity)
