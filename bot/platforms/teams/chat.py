"""TeamsChat: the domain's ChatPort for one Teams tenant, over stored conversation references.

The ChatPort is synchronous (the scheduler and services are); the Agents SDK is async. A
`TeamsSender` owns one event loop in a thread and runs every send there, so callers from
any thread (a scheduler job, a command run in a worker thread, `pioneer tick`) simply block
on the result.

Like Slack's ChatPort it makes one attempt per call and says what went wrong with the
domain's exceptions: 429 is `RateLimited` (with Retry-After), 412, 5xx, lost connections
and time-outs are `TemporaryFailure`, 403 and 404 mean the person removed the app or left:
they are marked unreachable and not tried again until they write to the bot. The
scheduler's Sender paces and retries, once for every platform; Teams' limits per
conversation (7 messages per second, 60 per 30 seconds) are stated here
(`conversation_limits`, `pace_keys`) and kept there.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from microsoft_agents.activity import Activity, ConversationParameters
from microsoft_agents.hosting.core.app.proactive import Conversation, CreateConversationOptions
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

from bot.domain.errors import DeliveryFailed, RateLimited, TemporaryFailure, Unreachable
from bot.domain.model import Member
from bot.domain.views import Notice, PromptView, message_ref, parse_ref
from bot.platforms.teams import digest_card, render
from bot.platforms.teams.app import closing_on_failure

if TYPE_CHECKING:
    from bot.domain.digest.view import DigestView
    from bot.domain.team_update import TeamUpdateView
    from bot.platforms.teams.app import TeamsBot

logger = logging.getLogger(__name__)

T = TypeVar("T")

CHANNEL_ID = "msteams"
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
UNREACHABLE_STATUSES = frozenset({403, 404})
# Worth trying again, like any 5xx: Microsoft asks for 412, 502 and 504 to be retried.
TEMPORARY_STATUSES = frozenset({412})
# Per bot per conversation (Teams' documented limits): (messages, seconds).
TEAMS_WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (60, 30.0))
SEND_TIMEOUT = 120.0


def _retry_after(error: aiohttp.ClientResponseError) -> float:
    value = error.headers.get("Retry-After") if error.headers is not None else None
    try:
        return float(value) if value is not None else 1.0
    except ValueError:
        return 1.0


def _translate(error: aiohttp.ClientResponseError) -> DeliveryFailed:
    if error.status in UNREACHABLE_STATUSES:
        return Unreachable(f"HTTP {error.status}")
    if error.status == 429:
        return RateLimited(retry_after=_retry_after(error))
    if error.status in TEMPORARY_STATUSES or error.status >= 500:
        return TemporaryFailure(f"HTTP {error.status}")
    return DeliveryFailed(f"HTTP {error.status}")


def _maybe_accepted(failure: DeliveryFailed) -> bool:
    """Whether the Bot Connector may have taken the message although the call failed: it
    answered a server error, or the request went out and no answer came back."""
    cause = failure.__cause__
    if isinstance(cause, aiohttp.ClientResponseError):
        return cause.status >= 500
    if isinstance(cause, aiohttp.ClientConnectorError):
        return False  # never connected: nothing went out
    return isinstance(cause, aiohttp.ClientConnectionError | TimeoutError)


class TeamsSender:
    """Runs proactive sends for every tenant on one private event loop, one attempt each."""

    def __init__(
        self,
        bot: TeamsBot,
        *,
        default_service_url: str = DEFAULT_SERVICE_URL,
    ) -> None:
        self.bot = bot
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

    # -- one attempt --
    async def _once(
        self, call: Callable[[], Awaitable[T]], on_gone: Callable[[], Awaitable[None]]
    ) -> T:
        """Run `call` once; a failure is raised as the domain's exception, for the Sender."""
        try:
            return await call()
        except aiohttp.ClientResponseError as error:
            failure = _translate(error)
            if isinstance(failure, Unreachable):
                await on_gone()
            raise failure from error
        except (aiohttp.ClientConnectionError, TimeoutError) as error:
            raise TemporaryFailure(type(error).__name__) from error

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

        conversation = await self._once(create, self._gone(workspace_id, member.user))
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

        activity_id = await self._once(send, on_gone)
        return message_ref(conversation_id, activity_id)

    async def send_prompt(
        self, workspace_id: int, member: Member, view: PromptView, key: str
    ) -> str:
        """Send once per `key`: a mark in the person's conversation (our copy of it) says
        what became of each attempt, since the Bot Connector cannot be asked afterwards.

        Confirmed: the ref, and nothing is sent again. Refused for sure (429, 4xx, no
        connection): no mark, a later attempt is a first one. No answer after the request
        went out (a time-out, a dropped connection, a 5xx): the mark stays, and the next
        attempt says on its card that it is sent again, so a second copy is recognisable.
        """
        conversation = await self._personal_conversation(workspace_id, member)
        reference = conversation.conversation_reference
        conversation_id = reference.conversation.id
        service_url = str(reference.service_url or "")
        people = self.bot.people
        earlier = (await asyncio.to_thread(people.sent, conversation_id)).get(key)
        if earlier is not None and earlier.get("ref"):
            return str(earlier["ref"])
        resent = earlier is not None

        async def mark(value: dict[str, Any] | None) -> None:
            await asyncio.to_thread(
                people.mark_sent, workspace_id, conversation_id, service_url, key, value
            )

        await mark({"state": "sending", "resent": resent})
        try:
            ref = await self._send(
                conversation,
                render.prompt_activity(view, resent=resent),
                self._gone(workspace_id, member.user),
            )
        except DeliveryFailed as failure:
            if not _maybe_accepted(failure):
                await mark(earlier)  # as it was: this attempt surely did not arrive
            elif resent:
                logger.warning("a prompt was sent again unconfirmed: %s", type(failure).__name__)
            raise
        await mark({"state": "sent", "ref": ref, "resent": resent})
        return ref

    async def find_sent(self, workspace_id: int, member: Member, key: str) -> str | None:
        """The ref of a confirmed send of `key` to `member`, from the marks."""
        person = await asyncio.to_thread(self.bot.people.get, workspace_id, member.user)
        if person is None or not person.personal_conversation_id:
            return None
        marks = await asyncio.to_thread(self.bot.people.sent, person.personal_conversation_id)
        ref = (marks.get(key) or {}).get("ref")
        return str(ref) if ref else None

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

        await self._once(put, nothing)


class TeamsChat:
    """The ChatPort for one Teams tenant (workspace)."""

    conversation_limits = TEAMS_WINDOWS

    def __init__(self, sender: TeamsSender, workspace_id: int) -> None:
        self.sender = sender
        self.workspace_id = workspace_id

    def _check(self, member: Member) -> None:
        if member.workspace_id != self.workspace_id:
            raise ValueError("member belongs to another workspace")

    def pace_keys(self, to: Member | str) -> tuple[str, ...]:
        """The conversations a message to `to` counts against, for the Sender's pacing.

        A person's 1:1 chat with the bot is one conversation, so it is named by the person;
        one not yet created also counts against the tenant's conversation creations.
        """
        if isinstance(to, str):
            return (f"teams:{to}",)
        own = f"teams:{self.workspace_id}:{to.user}"
        person = self.sender.bot.people.get(self.workspace_id, to.user)
        if person is not None and person.personal_conversation_id:
            return (own,)
        return (own, f"teams:create:{self.workspace_id}")

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        self._check(member)
        return self.sender.run(
            self.sender.send_prompt(self.workspace_id, member, view, idempotency_key)
        )

    def find_sent(self, member: Member, idempotency_key: str) -> str | None:
        """The domain's FindsSent: Teams keeps no message metadata to search, so the marks
        this chat keeps of its own sends answer (see `TeamsSender.send_prompt`)."""
        self._check(member)
        return self.sender.run(self.sender.find_sent(self.workspace_id, member, idempotency_key))

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

    def send_team_update(self, member: Member, view: TeamUpdateView) -> str:
        """The fortnight's team update card, in the person's 1:1 chat."""
        return self.send_card(member, digest_card.team_update_activity(view))

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        """The weekly digest card (the domain's DigestSender), to a person or a channel."""
        activity = digest_card.digest_activity(view, chart_png)
        if isinstance(member_or_channel, Member):
            return self.send_card(member_or_channel, activity)
        return self.post_card(member_or_channel, activity)
