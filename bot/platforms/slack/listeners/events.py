"""Events: App Home opened; Pioneer added to a channel; the app uninstalled or its tokens
revoked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.welcome import channel_welcome
from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.listeners.actions import publish_home

logger = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    async def home_opened(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(deps, client, context, event["user"])

    @app.event("member_joined_channel")
    async def joined_channel(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        # Only Pioneer itself: a person joining the channel has not joined a journey.
        if not context.bot_user_id or event.get("user") != context.bot_user_id:
            return
        workspace = await deps.workspace_id(context)
        channel = str(event["channel"])
        text, _ = await deps.run(channel_welcome, deps.services, workspace, channel)
        await client.chat_postMessage(channel=channel, text=text, unfurl_links=False)

    @app.event("app_uninstalled")
    async def uninstalled(context: AsyncBoltContext) -> None:
        await _forget_tokens(deps, context)

    @app.event("tokens_revoked")
    async def revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        # Only bot tokens matter: the app asks for no user scopes.
        if (event.get("tokens") or {}).get("bot"):
            await _forget_tokens(deps, context)


async def _forget_tokens(deps: SlackDeps, context: AsyncBoltContext) -> None:
    if deps.installations is None:
        logger.info("app uninstalled in single-workspace mode; remove SLACK_BOT_TOKEN")
        return
    await deps.installations.async_delete_all(
        enterprise_id=context.enterprise_id, team_id=context.team_id
    )
    logger.info("deleted the Slack installation of a workspace after uninstall/revoke")
