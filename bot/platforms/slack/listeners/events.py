"""Events: App Home opened; the app uninstalled or its tokens revoked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

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
