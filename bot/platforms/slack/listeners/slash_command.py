"""`/pioneer`: ack, run the shared command code in a worker thread, say the reply."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.commands import execute, fans_out
from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.replies import both_languages, send_reply, unescape

logger = logging.getLogger(__name__)

COMMAND = "/pioneer"


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command(COMMAND)
    async def pioneer(
        ack: AsyncAck,
        command: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        user = command["user_id"]
        text = unescape(command.get("text") or "")

        async def run() -> None:
            try:
                # Inside the work that may finish after the ack: it reads the database.
                ctx = await deps.command_context(
                    client, context, user, command["channel_id"], command.get("user_name", "")
                )
                name, reply = await deps.run(execute, deps.services, ctx, text)
            except Exception:
                # Refusals come back as replies; this is a bug or an outage. Say so, not the
                # trace.
                logger.exception("the /pioneer command failed")
                await respond(text=both_languages("error.generic"), response_type="ephemeral")
                return
            deps.metrics.commands.labels("slack", name).inc()
            await send_reply(reply, client, user, ctx.channel, respond)

        # `poll now` / `checkin now` reply through response_url once the team has its DMs;
        # any other command too when the database makes it take longer than Slack waits.
        await deps.now_or_after_ack(fans_out(text), run, "a /pioneer command")
