"""The Block Kit pieces every Slack surface is built of, within Slack's limits.

Limits are on the text as sent, and what users typed is sent escaped (`&` becomes `&amp;`,
five characters for one), so a text is clipped by its rendered length: a 3,000-character
comment full of `&`, `<` and `>` still fits a section. A cut never splits an entity or a
`<…>` sequence (a mention, a channel, a date), which Slack would show broken.
"""

from __future__ import annotations

import re
from typing import Any

Block = dict[str, Any]
MAX_BUTTON_TEXT = 75
MAX_TEXT = 3000  # a section's text, a context element's text
MAX_FIELD = 2000  # one of a section's fields
ELLIPSIS = "…"
# Where a cut may not fall: inside an entity or a control sequence.
_UNBREAKABLE = re.compile(r"&[a-z]{2,4};|<[^<>\n]{1,500}>")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text` as it will be sent, at most `limit` characters, cut before a whole unit."""
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    for unit in _UNBREAKABLE.finditer(text, max(0, cut - 510), cut + 510):
        if unit.start() < cut < unit.end():
            cut = unit.start()
            break
    return text[:cut] + ELLIPSIS


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(x)} for x in texts]}


def plain(text: str, limit: int = MAX_BUTTON_TEXT) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
    return {"type": "plain_text", "text": text, "emoji": True}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button
