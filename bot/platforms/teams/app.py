"""The AgentApplication: `@Pioneer <command>` in a channel or 1:1 chat and card submits,
run as a `/pioneer` command (Slack's code), remembering how to reach whom it hears from."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ConversationAccount,
    ConversationReference,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    ChannelServiceClientFactoryBase,
    RestChannelServiceClientFactory,
    RouteRank,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app.proactive import Conversation, ProactiveOptions
from microsoft_agents.hosting.core.authorization import Connections

from bot.app import commands
from bot.app.answering import AnswerBatcher
from bot.app.commands import Context, Profile
from bot.domain.model import Language
from bot.platforms.teams import render, turns
from bot.platforms.teams.conversations import (
    MissingTenant,
    NullStorage,
    SqlConversationStorage,
    TeamsPeople,
)
from prompts.messages import t

if TYPE_CHECKING:
    from bot.app.services import Services

logger = logging.getLogger(__name__)

PLATFORM = "teams"
COMMAND_PREFIX = re.compile(r"^\s*[/@]?pioneer\b[:,]?\s*", re.IGNORECASE)
AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
CHANNEL_ID_PREFIX = "19:"  # a mentioned channel (`digest channel @leaders`); people have AAD ids
WORKSPACE_KEY = "pioneer.workspace_id"

T = TypeVar("T")
_OPENED: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "pioneer_teams_opened_clients", default=None
)


class ClosingClientFactory(ChannelServiceClientFactoryBase):
    """The SDK's factory, remembering the connector clients it opens: SDK 1.9.0 leaves one
    (an aiohttp session) open when creating a conversation fails, e.g. with 403."""

    def __init__(self, inner: ChannelServiceClientFactoryBase) -> None:
        self._inner = inner

    async def create_connector_client(self, *args: Any, **kwargs: Any) -> Any:
        client = await self._inner.create_connector_client(*args, **kwargs)
        opened = _OPENED.get()
        if opened is not None:
            opened.append(client)
        return client

    async def create_user_token_client(self, *args: Any, **kwargs: Any) -> Any:
        return await self._inner.create_user_token_client(*args, **kwargs)


async def closing_on_failure(call: Awaitable[T]) -> T:
    """Run `call`; if it fails, close the connector clients it opened (closing twice is fine)."""
    token = _OPENED.set([])
    try:
        return await call
    except BaseException:
        for client in _OPENED.get() or []:
            await client.close()
        raise
    finally:
        _OPENED.reset(token)


@dataclass(frozen=True)
class Speaker:
    """Who wrote, where, in which tenant: what every handler needs from an activity."""

    tenant_id: str
    workspace_id: int
    user: str  # the AAD object id: Member.user on Teams
    teams_id: str | None
    name: str
    channel: str  # the journey key: the Teams channel id, else the conversation id
    conversation_type: str
    language: Language | None
    timezone: str | None


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    if isinstance(data, dict):
        return data
    if data is None:
        return {}
    dump = getattr(data, "model_dump", None)
    return dict(dump(by_alias=True)) if callable(dump) else {}


def tenant_id_of(activity: Activity) -> str | None:
    if activity.conversation is not None and activity.conversation.tenant_id:
        return str(activity.conversation.tenant_id)
    tenant = channel_data(activity).get("tenant") or {}
    return str(tenant["id"]) if isinstance(tenant, dict) and tenant.get("id") else None


def channel_id_of(activity: Activity) -> str | None:
    """A Teams channel post is its own conversation (`19:…;messageid=N`): key on the channel."""
    channel = channel_data(activity).get("channel") or {}
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    return None


def language_of(locale: str | None) -> Language | None:
    if not locale:
        return None
    code = locale.split("-")[0].lower()
    return Language(code) if code in ("nl", "en") else None


class TeamsBot:
    """One AgentApplication and CloudAdapter serving every tenant that installed the app."""

    def __init__(self, services: Services, connections: Connections, app_id: str) -> None:
        self.services = services
        self.app_id = app_id
        self.conversations = SqlConversationStorage(services.uow)
        self.people = TeamsPeople(services.uow)
        # Card submits arriving together are recorded in one transaction (as Slack clicks).
        self.answers = AnswerBatcher(services.answers, services.views)
        self.adapter = CloudAdapter(
            channel_service_client_factory=ClosingClientFactory(
                RestChannelServiceClientFactory(connections)
            )
        )
        self.adapter.on_turn_error = self._on_adapter_error
        self.app: AgentApplication[TurnState] = AgentApplication[TurnState](
            ApplicationOptions(
                bot_app_id=app_id,
                storage=NullStorage(),
                remove_recipient_mention=True,
                # Commands answer in well under a second; a typing indicator is only noise.
                start_typing_timer=False,
                proactive=ProactiveOptions(storage=self.conversations),
            ),
            connection_manager=connections,
        )
        self._register()

    # -- routes ------------------------------------------------------------------------------
    def _register(self) -> None:
        app = self.app
        app.before_turn(self._remember)
        app.adaptive_card.action_submit(render.ANSWER_VERB)(self._on_answer)
        app.adaptive_card.action_submit(render.COMMAND_VERB)(self._on_command_button)
        turns.register(self)
        app.activity(ActivityTypes.message, rank=RouteRank.LAST)(self._on_message)
        app.error(self._on_error)

    async def _remember(self, context: TurnContext, state: TurnState) -> bool:
        """Keep the conversation and the person, so the scheduler can reach them later."""
        activity = context.activity
        tenant = tenant_id_of(activity)
        if tenant is None or activity.conversation is None or not activity.service_url:
            return True
        workspace_id = await asyncio.to_thread(self.people.workspace, tenant)
        context.turn_state[WORKSPACE_KEY] = workspace_id
        conversation_type = activity.conversation.conversation_type or ""
        sender = activity.from_property
        memo = (
            tenant,
            activity.service_url,
            activity.conversation.id
            if conversation_type == "personal"
            else channel_id_of(activity),
            sender.aad_object_id if sender else None,
            sender.id if sender else None,
            sender.name if sender else None,
        )
        if self.people.recently_seen(memo):
            return True
        try:
            if conversation_type == "personal":
                await self.app.proactive.store_conversation(context)
            else:
                channel = channel_id_of(activity)
                if channel is not None:
                    await self.app.proactive.store_conversation(
                        self._channel_conversation(context, channel)
                    )
        except MissingTenant:
            # Another tenant's conversation id: never overwrite it; the turn itself stays
            # within this tenant's workspace.
            logger.warning("Teams conversation id already belongs to another tenant")
        if sender is not None and sender.aad_object_id:
            await asyncio.to_thread(
                self.people.seen,
                workspace_id,
                sender.aad_object_id,
                sender.id,
                sender.name or "",
                activity.conversation.id if conversation_type == "personal" else None,
            )
        self.people.note_seen(memo)
        return True

    @staticmethod
    def _channel_conversation(context: TurnContext, channel: str) -> Conversation:
        """A reference that posts a new thread in the channel (notices to the journey)."""
        reference: ConversationReference = context.activity.get_conversation_reference()
        reference = reference.model_copy(deep=True)
        old = reference.conversation
        reference.conversation = ConversationAccount(
            id=channel,
            conversation_type="channel",
            tenant_id=old.tenant_id if old is not None else None,
            is_group=True,
        )
        reference.activity_id = None
        reference.user = None
        identity = context.identity
        return Conversation(identity or {}, reference)

    async def speaker(self, context: TurnContext) -> Speaker | None:
        activity = context.activity
        tenant = tenant_id_of(activity)
        sender = activity.from_property
        if tenant is None or sender is None or activity.conversation is None:
            return None
        cached = context.turn_state.get(WORKSPACE_KEY)
        workspace_id = (
            cached
            if isinstance(cached, int)
            else await asyncio.to_thread(self.people.workspace, tenant)
        )
        return Speaker(
            tenant_id=tenant,
            workspace_id=workspace_id,
            user=str(sender.aad_object_id or sender.id),
            teams_id=sender.id,
            name=sender.name or "",
            channel=channel_id_of(activity) or str(activity.conversation.id),
            conversation_type=activity.conversation.conversation_type or "",
            language=language_of(activity.locale),
            timezone=activity.local_timezone,
        )

    def _context(self, speaker: Speaker, names: dict[str, str]) -> Context:
        people = self.people
        known: dict[str, str] = {}

        def mention(user: str) -> str:
            name = names.get(user)
            if not name:
                if not known:
                    known.update(people.names(speaker.workspace_id) or {"": ""})
                name = known.get(user) or user
            return f"**{commands.escape(name)}**"

        return Context(
            platform=PLATFORM,
            workspace_id=speaker.workspace_id,
            channel=speaker.channel,
            user=speaker.user,
            user_name=speaker.name,
            profile=lambda: Profile(language=speaker.language, timezone=speaker.timezone),
            mention=mention,
            channel_mention=lambda c: f"**{commands.escape(names.get(c) or c)}**",
            private=speaker.conversation_type == "personal",
        )

    def _command_text(self, context: TurnContext, speaker: Speaker) -> tuple[str, dict[str, str]]:
        """The text after the bot's @mention, other people's mentions as `<@aad-id>`."""
        activity = context.activity
        text = activity.text or ""
        names = {speaker.user: speaker.name}
        for mention in activity.get_mentions():
            account = mention.mentioned
            if account is None or not mention.text:
                continue
            if activity.recipient is not None and account.id == activity.recipient.id:
                text = text.replace(mention.text, " ")
                continue
            user = account.aad_object_id
            if not user and (account.id or "").startswith(CHANNEL_ID_PREFIX):
                names[account.id] = account.name or ""
                text = text.replace(mention.text, f" <#{account.id}> ")
                continue
            if not user and account.id:
                person = self.people.by_teams_id(speaker.workspace_id, account.id)
                user = person.aad_object_id if person else None
            if not user:
                continue
            names[user] = account.name or ""
            text = text.replace(mention.text, f" <@{user}> ")
        text = AT_TAG.sub(lambda m: m.group(1), text)
        return COMMAND_PREFIX.sub("", " ".join(text.split())), names

    async def _run_command(self, context: TurnContext, text: str, names: dict[str, str]) -> None:
        speaker = await self.speaker(context)
        if speaker is None:
            await context.send_activity(
                render.text_activity(t("teams.no_tenant", self._lang(context)))
            )
            return
        ctx = self._context(speaker, names)
        _, reply = await asyncio.to_thread(commands.execute, self.services, ctx, text)
        await context.send_activity(render.reply_activity(reply))

    async def _on_message(self, context: TurnContext, state: TurnState) -> None:
        if not (context.activity.text or "").strip() and context.activity.value is None:
            return
        speaker = await self.speaker(context)
        if speaker is None:
            await context.send_activity(
                render.text_activity(t("teams.no_tenant", self._lang(context)))
            )
            return
        text, names = await asyncio.to_thread(self._command_text, context, speaker)
        await self._run_command(context, text, names)

    async def _on_command_button(self, context: TurnContext, state: TurnState, data: Any) -> None:
        command = render.button_command(data)
        if command is None:
            needed = t("readiness.reason_needed", self._lang(context))
            await context.send_activity(render.text_activity(needed))
            return
        await self._run_command(context, command, {})

    async def _on_answer(self, context: TurnContext, state: TurnState, data: Any) -> None:
        speaker = await self.speaker(context)
        lang = self._lang(context)
        if speaker is None:
            await context.send_activity(render.text_activity(t("teams.no_tenant", lang)))
            return
        try:
            delivery_id = int(str(data["delivery"]))
            raw_value = data.get("value")
            value = int(str(raw_value)) if raw_value is not None else None
        except (KeyError, TypeError, ValueError):
            await context.send_activity(render.text_activity(t("teams.stale_card", lang)))
            return
        text: str | None = None
        if value is None:
            text = str(data.get(render.ANSWER_INPUT) or "").strip()
            if not text:
                await context.send_activity(render.text_activity(t("teams.checkin.empty", lang)))
                return
        answered = await self.answers.answer(
            speaker.workspace_id,
            speaker.user,
            delivery_id,
            value=value,
            text=text,
            language=lambda: speaker.language,
        )
        # A refused answer on a closed poll still updates the card: it shows it has closed.
        if answered.view is not None and (answered.refusal is None or answered.view.closed):
            card = render.prompt_activity(answered.view)
            if context.activity.reply_to_id:
                card.id = context.activity.reply_to_id
                await context.update_activity(card)
            else:
                await context.send_activity(card)
        if answered.refusal is not None:
            await context.send_activity(render.text_activity(answered.refusal))

    # -- errors --------------------------------------------------------------------------------
    @staticmethod
    def _lang(context: TurnContext) -> Language:
        return language_of(context.activity.locale) or Language.EN

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        logger.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        await context.send_activity(render.text_activity(t("teams.error", self._lang(context))))

    async def _on_adapter_error(self, context: TurnContext, error: Exception) -> None:
        # The SDK's default sends the exception text to the user; we log it instead.
        logger.error("Teams adapter error: %s", type(error).__name__, exc_info=error)
