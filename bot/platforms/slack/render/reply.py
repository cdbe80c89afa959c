"""Block Kit of a command's reply (with its buttons) and of a notice to a channel."""

from __future__ import annotations

from typing import Any

from bot.app.commands import Reply
from bot.domain.views import Notice
from bot.platforms.slack.render.blocks import Block, button, mrkdwn

# The action id of a reply's buttons; pressing one runs its command as the same person.
COMMAND_ACTION = "pioneer.command"


def reply_message(reply: Reply) -> dict[str, Any]:
    """Arguments for `respond()` / `chat.postMessage` (text already escaped by the command)."""
    blocks: list[Block] = [mrkdwn(reply.text)]
    if reply.actions:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button(a.label, COMMAND_ACTION, a.command, "danger" if a.danger else None)
                    for a in reply.actions
                ],
            }
        )
    return {"text": reply.text, "blocks": blocks}


def notice_message(notice: Notice) -> dict[str, Any]:
    """A notice's text is composed by the bot; the parts from users were escaped there."""
    return {"text": notice.text, "blocks": [mrkdwn(notice.text)]}
