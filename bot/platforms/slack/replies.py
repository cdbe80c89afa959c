"""Saying things in Slack: a command's reply where it belongs, text as typed, both languages."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.commands import Reply
from bot.domain.model import Language
from bot.platforms.slack.render.reply import reply_message
from prompts.messages import t

logger = logging.getLogger(__name__)


def unescape(text: str) -> str:
    """Slack sends typed text with &, < and > escaped; take it as typed (we escape on output)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def both_languages(key: str) -> str:
    """For the rare message said before we know whom we speak to."""
    return " / ".join(t(key, language) for language in Language)


async def send_reply(
    reply: Reply,
    client: AsyncWebClient,
    user: str,
    channel: str,
    respond: Callable[..., Awaitable[Any]] | None = None,
) -> None:
    """Say a command's reply where it belongs; a CSV goes to the person's DM as a file."""
    message = reply_message(reply)
    if respond is not None:
        await respond(
            **message,
            response_type="in_channel" if reply.public else "ephemeral",
            replace_original=False,
        )
    else:
        posted = False
        if reply.public:
            try:
                await client.chat_postMessage(channel=channel, unfurl_links=False, **message)
                posted = True
            except SlackApiError as exc:
                # Not invited to the channel: the person who acted still hears what happened.
                logger.info("could not post to the journey channel: %s", exc.response.get("error"))
        if not posted:
            dm = await client.conversations_open(users=user)
            await client.chat_postMessage(
                channel=dm["channel"]["id"], unfurl_links=False, **message
            )
    if reply.file is not None:
        dm = await client.conversations_open(users=user)
        await client.files_upload_v2(
            channel=dm["channel"]["id"],
            content=reply.file.content,
            filename=reply.file.filename,
            title=reply.file.title,
        )
