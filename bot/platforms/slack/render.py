"""The only Block Kit in the code base: prompts, modals, command replies and App Home.

Every piece of user text (answers, comments, journey names, reasons) goes through
`escape` before it lands in mrkdwn, so nobody can ping `@channel` or fake a link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.app.commands import Reply, escape
from bot.app.home import Home
from bot.domain.model import SCALE_MAX, SCALE_MIN, PromptKind
from bot.domain.views import Notice, PromptView
from prompts.messages import t

Block = dict[str, Any]

# Ids the listeners match on; kept here so render and listeners cannot drift apart.
POLL_ACTION = "pioneer.poll."  # + the value 1..5
POLL_ACTION_PATTERN = r"^pioneer\.poll\.[1-5]$"
COMMENT_ACTION = "pioneer.comment"
CHECKIN_ACTION = "pioneer.checkin"
COMMAND_ACTION = "pioneer.command"
HOME_ACTION_PATTERN = r"^pioneer\.home\.(phase_next|poll_now|checkin_now)$"
CHECKIN_SUBMIT = "pioneer.checkin.submit"
COMMENT_SUBMIT = "pioneer.comment.submit"
ANSWER_BLOCK = "answer"
ANSWER_INPUT = "text"
MAX_BUTTON_TEXT = 75


def _mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": x} for x in texts]}


def _plain(text: str, limit: int = MAX_BUTTON_TEXT) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


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
    blocks: list[Block] = [_mrkdwn(f"*{question}*"), _context(header)]
    if view.reminder and not view.closed:
        blocks.insert(0, _context(t("slack.prompt.reminder", lang)))
    if view.kind is PromptKind.PULSE:
        blocks += _pulse_blocks(view)
    else:
        blocks += _checkin_blocks(view)
    if view.closed:
        blocks.append(_context(t("slack.poll.closed", lang)))
    else:
        blocks.append(
            _context(
                t("slack.poll.anonymous", lang), t("slack.poll.closes", lang, when=_when(view))
            )
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
                _button(label, f"{POLL_ACTION}{value}", f"{view.delivery_id}:{value}", style)
            )
        buttons.append(
            _button(t("slack.poll.comment_button", lang), COMMENT_ACTION, str(view.delivery_id))
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"pioneer.delivery.{view.delivery_id}",
                "elements": buttons,
            }
        )
    if view.answered_value is not None:
        blocks.append(_mrkdwn(t("slack.poll.your_answer", lang, value=view.answered_value)))
    if view.answered_text:
        blocks.append(
            _mrkdwn(t("slack.poll.your_comment", lang, comment=escape(view.answered_text)))
        )
    return blocks


def _checkin_blocks(view: PromptView) -> list[Block]:
    lang = view.language
    blocks: list[Block] = []
    if view.answered_text:
        blocks.append(
            _mrkdwn(t("slack.checkin.your_answer", lang, text=escape(view.answered_text)))
        )
    if not view.closed:
        key = "slack.checkin.change_button" if view.answered_text else "slack.checkin.answer_button"
        blocks.append(
            {
                "type": "actions",
                "block_id": f"pioneer.delivery.{view.delivery_id}",
                "elements": [
                    _button(t(key, lang), CHECKIN_ACTION, str(view.delivery_id), "primary")
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
        "title": _plain(
            t("slack.modal.checkin_title" if checkin else "slack.modal.comment_title", lang), 24
        ),
        "submit": _plain(t("slack.modal.submit", lang), 24),
        "close": _plain(t("slack.modal.cancel", lang), 24),
        "blocks": [
            _mrkdwn(f"*{escape(view.question)}*"),
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": _plain(
                    t("slack.modal.label" if checkin else "slack.modal.comment_label", lang), 2000
                ),
                "element": element,
            },
        ],
    }


# -- command replies and notices -------------------------------------------------------------
def reply_message(reply: Reply) -> dict[str, Any]:
    """Arguments for `respond()` / `chat.postMessage` (text already escaped by the command)."""
    blocks: list[Block] = [_mrkdwn(reply.text[:3000])]
    if reply.actions:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    _button(a.label, COMMAND_ACTION, a.command, "danger" if a.danger else None)
                    for a in reply.actions
                ],
            }
        )
    return {"text": reply.text, "blocks": blocks}


def notice_message(notice: Notice) -> dict[str, Any]:
    """A notice's text is composed by the bot; the parts from users were escaped there."""
    return {"text": notice.text, "blocks": [_mrkdwn(notice.text[:3000])]}


# -- App Home ------------------------------------------------------------------------------
def home_view(home: Home) -> Block:
    lang = home.language
    blocks: list[Block] = [
        {"type": "header", "text": _plain(t("slack.home.title", lang), 150)},
    ]
    if not home.journeys:
        blocks.append(_mrkdwn(t("slack.home.none", lang)))
    for journey in home.journeys:
        blocks.append({"type": "divider"})
        blocks.append(
            _mrkdwn(
                t(
                    "slack.home.journey",
                    lang,
                    name=escape(journey.name),
                    channel=journey.channel,
                    weeks=journey.weeks_in_phase,
                )
                + f"\n{journey.phase_text}\n{journey.roles_text}"
            )
        )
        if journey.open_prompts:
            lines = [t("slack.home.open", lang)]
            for view in journey.open_prompts:
                done = (
                    f" {t('slack.home.answered', lang)}"
                    if view.answered_value or view.answered_text
                    else ""
                )
                lines.append(f"• {escape(view.question)}{done}")
            blocks.append(_mrkdwn("\n".join(lines)))
        else:
            blocks.append(_context(t("slack.home.no_open", lang)))
        if journey.facilitator:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"pioneer.home.{journey.journey_id}",
                    "elements": [
                        _button(
                            t("slack.home.phase_next", lang),
                            "pioneer.home.phase_next",
                            journey.channel,
                        ),
                        _button(
                            t("slack.home.poll_now", lang),
                            "pioneer.home.poll_now",
                            journey.channel,
                            "primary",
                        ),
                        _button(
                            t("slack.home.checkin_now", lang),
                            "pioneer.home.checkin_now",
                            journey.channel,
                        ),
                    ],
                }
            )
    return {"type": "home", "blocks": blocks[:100]}
