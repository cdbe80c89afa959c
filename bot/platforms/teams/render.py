"""The only Adaptive Card (and Teams message) markup in the code base.

Every piece of user text (answers, journey names, reasons) is escaped (&, <, >) before it
lands in a card or a message, so nobody can fake a mention or a link through an answer.
Command replies come with Slack-style `*bold*`; Teams' markdown wants `**bold**`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from bot.app.commands import Reply, escape
from bot.domain.digest.phase_readiness import ReadinessCard
from bot.domain.journeys import MAX_REASON_LENGTH
from bot.domain.model import SCALE_MAX, SCALE_MIN, Language, PromptKind
from bot.domain.views import Notice, PromptView
from prompts.messages import t

if TYPE_CHECKING:
    pass

Card = dict[str, Any]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
# `data.verb` of our Action.Submit buttons; the app routes card submits on it.
ANSWER_VERB = "pioneer.answer"
COMMAND_VERB = "pioneer.command"
ANSWER_INPUT = "text"
FILE_PREVIEW_LINES = 20
# The command as typed (at the start or after a space, quote or bracket), not a URL path.
_SLASH_COMMAND = re.compile(r"(?<![\w./:-])/pioneer\b")
_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")


def markdown(text: str) -> str:
    """Slack-flavoured command text as Teams markdown: the bold differs, and a command is
    typed `@Pioneer help` in Teams, not `/pioneer help` (help, usage lines, refusals)."""
    return _BOLD.sub(r"**\1**", _SLASH_COMMAND.sub("@Pioneer", text))


def _card(body: list[Card], actions: list[Card] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **extra: Any) -> Card:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _small(text: str) -> Card:
    return _text(text, size="Small", isSubtle=True)


def card_activity(card: Card, summary: str) -> Activity:
    """A message carrying one card; `summary` is what notifications and old clients show."""
    return Activity(
        type=ActivityTypes.message,
        summary=summary,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def text_activity(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=markdown(text), text_format="markdown")


# -- prompts -------------------------------------------------------------------------------
def _when(view: PromptView) -> str:
    # Adaptive Cards format this in each reader's own time zone and language.
    stamp = view.closes_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({stamp}, SHORT)}}}} {{{{TIME({stamp})}}}}"


def prompt_card(view: PromptView, resent: bool = False) -> Card:
    """A pulse poll (five buttons) or a check-in (a text field), as it stands now.

    `resent`: an earlier attempt may have arrived unconfirmed, so this copy says so."""
    lang = view.language
    body: list[Card] = []
    if resent and not view.closed:
        body.append(_small(t("teams.prompt.resent", lang)))
    if view.reminder and not view.closed:
        body.append(_text(t("teams.prompt.reminder", lang), weight="Bolder", color="Accent"))
    body += [
        _text(escape(view.question), weight="Bolder", size="Medium"),
        _small(
            t(
                "teams.prompt.context",
                lang,
                journey=escape(view.journey_name),
                phase=view.phase,
                perspective=view.perspective,
            )
        ),
    ]
    actions: list[Card] = []
    if view.kind is PromptKind.PULSE:
        if view.low_label and view.high_label:
            body.append(
                _small(
                    t(
                        "teams.poll.scale",
                        lang,
                        low=escape(view.low_label),
                        high=escape(view.high_label),
                    )
                )
            )
        if view.answered_value is not None:
            body.append(_text(t("teams.poll.your_answer", lang, value=view.answered_value)))
        if not view.closed:
            actions = [
                {
                    "type": "Action.Submit",
                    "title": ("● " if value == view.answered_value else "") + str(value),
                    "data": {"verb": ANSWER_VERB, "delivery": view.delivery_id, "value": value},
                }
                for value in range(SCALE_MIN, SCALE_MAX + 1)
            ]
    else:
        if view.answered_text:
            body.append(
                _text(t("teams.checkin.your_answer", lang, text=escape(view.answered_text)))
            )
        if not view.closed:
            body.append(
                {
                    "type": "Input.Text",
                    "id": ANSWER_INPUT,
                    "isMultiline": True,
                    "maxLength": 3000,
                    "placeholder": t("teams.checkin.placeholder", lang),
                    "value": view.answered_text or "",
                }
            )
            key = "teams.checkin.change" if view.answered_text else "teams.checkin.submit"
            actions = [
                {
                    "type": "Action.Submit",
                    "title": t(key, lang),
                    "data": {"verb": ANSWER_VERB, "delivery": view.delivery_id},
                }
            ]
    if view.closed:
        body.append(_small(t("teams.prompt.closed", lang)))
    else:
        body.append(_small(t("teams.prompt.closes", lang, when=_when(view))))
        body.append(_small(t("teams.prompt.anonymous", lang)))
    return _card(body, actions)


def prompt_activity(view: PromptView, resent: bool = False) -> Activity:
    summary = t("teams.prompt.fallback", view.language, question=escape(view.question))
    return card_activity(prompt_card(view, resent), summary)


# -- notices and command replies --------------------------------------------------------------
def notice_activity(notice: Notice) -> Activity:
    return text_activity(markdown(notice.text))


def reply_activity(reply: Reply) -> Activity:
    """A command's neutral reply: text, plus a card when it has buttons or a file."""
    text = markdown(reply.text)
    if not reply.actions and reply.file is None and reply.readiness is None:
        return text_activity(text)
    body: list[Card] = [_text(text)]
    if reply.file is not None:
        # Bots cannot attach files in channels without a SharePoint round trip; a preview
        # of the CSV keeps the answer useful, `export` in a 1:1 chat gives the same lines.
        lines = reply.file.content.decode("utf-8", "replace").splitlines()
        shown = lines[:FILE_PREVIEW_LINES]
        body.append(
            _text(
                t(
                    "teams.file.preview",
                    reply.language,
                    title=escape(reply.file.title),
                    filename=escape(reply.file.filename),
                    lines=len(shown),
                )
            )
        )
        body.append(_text(escape("\n".join(shown)), fontType="Monospace", size="Small"))
    actions = [
        {
            "type": "Action.Submit",
            "title": action.label,
            "style": "destructive" if action.danger else "default",
            "data": {"verb": COMMAND_VERB, "command": action.command},
        }
        for action in reply.actions
    ]
    if reply.readiness is not None:
        moves = readiness_moves(reply.readiness, reply.language)
        if moves:
            body.append(moves[0])
            actions += moves[1:]
    activity = card_activity(_card(body, actions), summary=text[:200])
    activity.text = text
    return activity


# A card button whose command needs the reason typed in the card's field (REASON_INPUT).
ASKS_REASON = "asks"
REASON_INPUT = "reason"


def readiness_moves(card: ReadinessCard, language: Language) -> list[Card]:
    """The reason field and the `phase next` / `phase back` buttons of the facilitator's
    card: the move runs only with a reason, which goes with it into the history."""
    buttons = [
        {
            "type": "Action.Submit",
            "title": t(f"readiness.button.{direction}", language),
            "data": {"verb": COMMAND_VERB, "command": f"phase {direction}", ASKS_REASON: 1},
        }
        for direction, possible in (("next", card.can_go_next), ("back", card.can_go_back))
        if possible
    ]
    if not buttons:
        return []
    field = {
        "type": "Input.Text",
        "id": REASON_INPUT,
        "label": t("readiness.modal.reason", language),
        "placeholder": t("readiness.modal.reason_hint", language),
        "isMultiline": True,
        "maxLength": MAX_REASON_LENGTH,
        "isRequired": True,
        "errorMessage": t("readiness.reason_needed", language),
    }
    return [field, *buttons]


def button_command(data: Any) -> str | None:
    """The command a pressed card button runs; None when it asks a reason and got none
    (old clients submit without checking `isRequired`)."""
    command = str(data.get("command", "")) if isinstance(data, dict) else ""
    if isinstance(data, dict) and data.get(ASKS_REASON):
        reason = " ".join(str(data.get(REASON_INPUT) or "").split())
        return f"{command} {reason}" if reason else None
    return command
