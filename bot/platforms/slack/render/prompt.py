"""Block Kit of a pulse poll or check-in DM, and the modal that takes a check-in or comment.

Every piece of user text (answers, comments, journey names) goes through `escape` before it
lands in mrkdwn, so nobody can ping `@channel` or fake a link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.app.commands import escape
from bot.domain.model import SCALE_MAX, SCALE_MIN, PromptKind
from bot.domain.views import PromptView
from bot.platforms.slack.render.blocks import Block, button, context, mrkdwn, plain
from prompts.messages import t

# Ids the listeners match on; kept here so render and listeners cannot drift apart.
POLL_ACTION = "pioneer.poll."  # + the value 1..5
POLL_ACTION_PATTERN = r"^pioneer\.poll\.[1-5]$"
COMMENT_ACTION = "pioneer.comment"
CHECKIN_ACTION = "pioneer.checkin"
CHECKIN_SUBMIT = "pioneer.checkin.submit"
COMMENT_SUBMIT = "pioneer.comment.submit"
ANSWER_BLOCK = "answer"
ANSWER_INPUT = "text"


def _when(view: PromptView) -> str:
    """Slack shows this date in each reader's own time zone."""
    stamp = int(view.closes_at.timestamp())
    fallback = view.closes_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


# -- prompts -------------------------------------------------------------------------------
def prompt_message(view: PromptView) -> tuple[str, list[Block]]:
    """Fallback text and blocks of a pulse poll or check-in DM, as it stands now."""
    lang = view.language
    question = escape(view.question)
    header = t(
        "slack.prompt.context",
        lang,
        journey=escape(view.journey_name),
        phase=view.phase,
        perspective=view.perspective,
    )
    blocks: list[Block] = [mrkdwn(f"*{question}*"), context(header)]
    if view.reminder and not view.closed:
        blocks.insert(0, context(t("slack.prompt.reminder", lang)))
    if view.kind is PromptKind.PULSE:
        blocks += _pulse_blocks(view)
    else:
        blocks += _checkin_blocks(view)
    if view.closed:
        blocks.append(context(t("slack.poll.closed", lang)))
    else:
        blocks.append(
            context(t("slack.poll.anonymous", lang), t("slack.poll.closes", lang, when=_when(view)))
        )
    return t("slack.poll.fallback", lang, question=question), blocks


def _pulse_blocks(view: PromptView) -> list[Block]:
    lang = view.language
    blocks: list[Block] = []
    if not view.closed:
        buttons = []
        for value in range(SCALE_MIN, SCALE_MAX + 1):
            label = str(value)
            if value == SCALE_MIN and view.low_label:
                label = f"{value} · {view.low_label}"
            elif value == SCALE_MAX and view.high_label:
                label = f"{value} · {view.high_label}"
            style = "primary" if value == view.answered_value else None
            buttons.append(
                button(label, f"{POLL_ACTION}{value}", f"{view.delivery_id}:{value}", style)
            )
        buttons.append(
            button(t("slack.poll.comment_button", lang), COMMENT_ACTION, str(view.delivery_id))
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"pioneer.delivery.{view.delivery_id}",
                "elements": buttons,
            }
        )
    if view.answered_value is not None:
        blocks.append(mrkdwn(t("slack.poll.your_answer", lang, value=view.answered_value)))
    if view.answered_text:
        blocks.append(
            mrkdwn(t("slack.poll.your_comment", lang, comment=escape(view.answered_text)))
        )
    return blocks


def _checkin_blocks(view: PromptView) -> list[Block]:
    lang = view.language
    blocks: list[Block] = []
    if view.answered_text:
        blocks.append(mrkdwn(t("slack.checkin.your_answer", lang, text=escape(view.answered_text))))
    if not view.closed:
        key = "slack.checkin.change_button" if view.answered_text else "slack.checkin.answer_button"
        blocks.append(
            {
                "type": "actions",
                "block_id": f"pioneer.delivery.{view.delivery_id}",
                "elements": [
                    button(t(key, lang), CHECKIN_ACTION, str(view.delivery_id), "primary")
                ],
            }
        )
    return blocks


@dataclass(frozen=True)
class ModalMeta:
    """What a modal must remember: which delivery, and which message to update afterwards."""

    delivery_id: int
    channel: str
    ts: str

    def dump(self) -> str:
        return json.dumps({"d": self.delivery_id, "c": self.channel, "ts": self.ts})

    @classmethod
    def load(cls, text: str) -> ModalMeta:
        data = json.loads(text)
        return cls(delivery_id=int(data["d"]), channel=str(data["c"]), ts=str(data["ts"]))


def answer_modal(view: PromptView, meta: ModalMeta) -> Block:
    """A check-in's answer, or a pulse poll's comment: one multi-line text input."""
    lang = view.language
    checkin = view.kind is PromptKind.CHECKIN
    element: Block = {
        "type": "plain_text_input",
        "action_id": ANSWER_INPUT,
        "multiline": True,
        "max_length": 3000,
    }
    if view.answered_text:
        element["initial_value"] = view.answered_text
    return {
        "type": "modal",
        "callback_id": CHECKIN_SUBMIT if checkin else COMMENT_SUBMIT,
        "private_metadata": meta.dump(),
        "title": plain(
            t("slack.modal.checkin_title" if checkin else "slack.modal.comment_title", lang), 24
        ),
        "submit": plain(t("slack.modal.submit", lang), 24),
        "close": plain(t("slack.modal.cancel", lang), 24),
        "blocks": [
            mrkdwn(f"*{escape(view.question)}*"),
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": plain(
                    t("slack.modal.label" if checkin else "slack.modal.comment_label", lang), 2000
                ),
                "element": element,
            },
        ],
    }
