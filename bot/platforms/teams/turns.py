"""Turns beyond commands and answers: the welcome when Pioneer is added to a team, a group
chat or a person's 1:1 chat (Teams sends a conversationUpdate with the bot among the members
added), and a digest card's field for what leadership did about a nudge."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.app.team_updates import recorded_text
from bot.app.welcome import channel_welcome
from bot.domain import errors
from bot.domain.model import Language
from bot.platforms.teams import digest_card, render
from prompts.messages import say, t

if TYPE_CHECKING:
    from bot.platforms.teams.app import TeamsBot


def register(bot: TeamsBot) -> None:
    async def on_members_added(context: TurnContext, state: TurnState) -> None:
        await welcome(bot, context, state)

    async def on_did(context: TurnContext, state: TurnState, data: Any) -> None:
        await record_did(bot, context, state, data)

    bot.app.conversation_update("membersAdded")(on_members_added)
    bot.app.adaptive_card.action_submit(digest_card.DID_VERB)(on_did)


async def welcome(bot: TeamsBot, context: TurnContext, state: TurnState) -> None:
    """Pioneer itself was added: say what it asks, how often, and what stays anonymous."""
    from bot.platforms.teams.app import channel_id_of, language_of

    activity = context.activity
    me = activity.recipient
    if me is None or not any(m.id == me.id for m in activity.members_added or []):
        return  # a person joined the team: that is not joining a journey
    speaker = await bot.speaker(context)
    if speaker is None or activity.conversation is None:
        return
    channel = channel_id_of(activity) or str(activity.conversation.id)
    text, _ = await asyncio.to_thread(
        channel_welcome,
        bot.services,
        speaker.workspace_id,
        channel,
        language_of(activity.locale),
    )
    await context.send_activity(render.text_activity(text))


async def record_did(bot: TeamsBot, context: TurnContext, state: TurnState, data: Any) -> None:
    """The digest card's "done" field, submitted: record it for the team update."""
    speaker = await bot.speaker(context)
    lang = Language.NL if isinstance(data, dict) and data.get("language") == "nl" else Language.EN
    if speaker is None:
        await context.send_activity(render.text_activity(t("teams.no_tenant", lang)))
        return
    try:
        journey_id = int(str(data["journey"]))
        rule, signal = str(data.get("rule") or ""), str(data.get("signal") or "")
    except (KeyError, TypeError, ValueError):
        await context.send_activity(render.text_activity(t("teams.stale_card", lang)))
        return
    text = str(data.get(digest_card.DID_INPUT) or "")
    try:
        action = await asyncio.to_thread(
            bot.services.team_updates.record,
            speaker.workspace_id,
            journey_id,
            speaker.user,
            text,
            rule,
            signal,
        )
    except errors.DomainError as refusal:
        await context.send_activity(render.text_activity(say(refusal, lang)))
        return
    await context.send_activity(render.text_activity(recorded_text(action, lang)))
