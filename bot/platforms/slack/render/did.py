""" "You said, we did" on Slack: the button beside a digest's nudge, its modal, and the
fortnight's team update as Block Kit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.domain.digest.view import NudgeView
from bot.domain.model import Language
from bot.domain.team_update import MAX_ACTION_LENGTH, TeamUpdateView
from bot.platforms.slack.render.blocks import Block, button, clip, context, mrkdwn, plain
from bot.rendering.markdown import nudge_text
from bot.rendering.update_text import team_update_text
from prompts.messages import t

DID_ACTION = "pioneer.did.open"
DID_SUBMIT = "pioneer.did.submit"
DID_BLOCK = "did"
DID_INPUT = "did_text"
MAX_MODAL_TITLE = 24


@dataclass(frozen=True)
class DidMeta:
    """What the button and then the modal carry: the journey, the nudge, the language."""

    journey_id: int
    rule: str
    signal: str
    language: Language

    def dump(self) -> str:
        return json.dumps(
            {"j": self.journey_id, "r": self.rule, "s": self.signal, "l": self.language.value}
        )

    @classmethod
    def load(cls, text: str) -> DidMeta:
        data = json.loads(text)
        return cls(int(data["j"]), str(data["r"]), str(data["s"]), Language(data["l"]))


def did_button(journey_id: int, nudge: NudgeView, language: Language) -> Block:
    meta = DidMeta(journey_id, nudge.rule, nudge.signal, language)
    return button(t("did.button", language), DID_ACTION, meta.dump())


def did_modal(meta: DidMeta, nudge: str) -> Block:
    """One text input under the nudge it answers; the team reads it, so no names."""
    lang = meta.language
    return {
        "type": "modal",
        "callback_id": DID_SUBMIT,
        "private_metadata": meta.dump(),
        "title": plain(t("did.modal.title", lang), MAX_MODAL_TITLE),
        "submit": plain(t("did.modal.submit", lang), MAX_MODAL_TITLE),
        "close": plain(t("did.modal.cancel", lang), MAX_MODAL_TITLE),
        "blocks": [
            mrkdwn(f"> {nudge}") if nudge else context(t("did.modal.hint", lang)),
            {
                "type": "input",
                "block_id": DID_BLOCK,
                "label": plain(t("did.modal.label", lang), 2000),
                "hint": plain(t("did.modal.hint", lang), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": DID_INPUT,
                    "multiline": True,
                    "max_length": MAX_ACTION_LENGTH,
                },
            },
        ],
    }


def nudge_of(message: dict[str, Any], rule: str) -> str:
    """The nudge's words as the digest message showed them (for the modal's first line)."""
    for block in message.get("blocks") or []:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == DID_ACTION:
            meta = DidMeta.load(str(accessory.get("value", "{}")))
            if meta.rule == rule:
                return str((block.get("text") or {}).get("text", ""))
    return ""


def nudge_section(journey_id: int, nudge: NudgeView, language: Language) -> Block:
    """A digest's nudge with the button to record what was done about it."""
    block = mrkdwn(f"• {nudge_text(nudge, language)}")
    if journey_id:
        block["accessory"] = did_button(journey_id, nudge, language)
    return block


def team_update_message(view: TeamUpdateView, language: Language | None = None) -> dict[str, Any]:
    """Arguments for chat.postMessage: the update's blocks and a one-line fallback."""
    text = team_update_text(view, language, platform="slack")
    blocks: list[Block] = [
        {"type": "header", "text": plain(text.title, 150)},
        context(text.weeks),
        mrkdwn(f"*{text.said_title}*\n" + "\n".join(_bullets(text.said))),
        {"type": "divider"},
        mrkdwn(f"*{text.done_title}*\n" + "\n".join(_bullets(text.done))),
        context(text.footer),
    ]
    return {
        "text": clip(text.summary),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def _bullets(lines: tuple[str, ...]) -> list[str]:
    return [f"• {line[2:]}" if line.startswith("- ") else line for line in lines]
