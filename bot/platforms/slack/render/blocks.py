"""The Block Kit pieces every Slack surface is built of (and Slack's limits on them)."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]
MAX_BUTTON_TEXT = 75


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": x} for x in texts]}


def plain(text: str, limit: int = MAX_BUTTON_TEXT) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button
