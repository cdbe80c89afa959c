"""The only Adaptive Card (and Teams message) markup in the code base.

Every piece of user text (answers, journey names, reasons) is escaped (&, <, >) before it
lands in a card or a message, so nobody can fake a mention or a link through an answer.
Command replies come with Slack-style `*bold*`; Teams' markdown wants `**bold**`.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from bot.app.commands import Reply, escape
from bot.domain.model import SCALE_MAX, SCALE_MIN, Perspective, PromptKind
from bot.domain.team_update import MAX_ACTION_LENGTH, TeamUpdateView
from bot.domain.views import Notice, PromptView
from bot.rendering.markdown import (
    ecosystem_lines,
    left_out_line,
    nudge_text,
    ready_line,
    score_line,
    scorecard_level,
    scorecard_title,
    signal_name,
)
from bot.rendering.update_text import team_update_text
from prompts.messages import number, t

if TYPE_CHECKING:
    from bot.domain.digest.view import DigestView, FigureView, NudgeView

Card = dict[str, Any]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
# `data.verb` of our Action.Submit buttons; the app routes card submits on it.
ANSWER_VERB = "pioneer.answer"
COMMAND_VERB = "pioneer.command"
DID_VERB = "pioneer.did"
DID_INPUT = "did_text"
ANSWER_INPUT = "text"
FILE_PREVIEW_LINES = 20
# Teams refuses messages over ~28 KB: a larger chart is sent with fewer colours (and smaller if
# need be), and left out only when even that does not fit.
MAX_INLINE_CHART = 18 * 1024
_SLASH_COMMAND = re.compile(r"/pioneer\b")
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
    if not reply.actions and reply.file is None:
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
    activity = card_activity(_card(body, actions), summary=text[:200])
    activity.text = text
    return activity


# -- the weekly digest --------------------------------------------------------------------------
def _figure(figure: FigureView, k: int, lang: str) -> str:
    if not figure.shown or figure.mean is None:
        return t("teams.digest.withheld", lang, k=k)
    arrow = {"up": " ↑", "down": " ↓", "flat": " →"}.get(figure.trend, "")
    mean = number(figure.mean, lang)
    return t("teams.digest.figure", lang, mean=mean, respondents=figure.respondents) + arrow


def digest_card(view: DigestView, chart_png: bytes | None = None) -> Card:
    """The digest for directors: aggregates over >= k people only, nudges, the trend chart."""
    lang = view.language
    body: list[Card] = [
        _text(
            t("teams.digest.title", lang, journey=escape(view.journey_name), week=view.iso_week),
            weight="Bolder",
            size="Large",
        )
    ]
    if view.preview:
        body.append(_text(t("teams.digest.preview", lang), color="Warning"))
    body.append(_small(t("teams.digest.phase", lang, phase=view.phase, weeks=view.weeks_in_phase)))
    everyone = view.participation_of(None)
    if everyone is not None and everyone.answered is not None and everyone.asked is not None:
        body.append(
            _small(
                t(
                    "teams.digest.participation",
                    lang,
                    answered=everyone.answered,
                    asked=everyone.asked,
                )
            )
        )
    if view.left_out:
        body.append(_small(left_out_line(view.left_out, view.k, lang)))
    card = view.scorecard
    if card is not None:
        body.append(_text(scorecard_title(card, lang), weight="Bolder"))
        body.append(_small(scorecard_level(lang)))
        rows = [
            {"title": signal_name(r.signal.value, lang), "value": score_line(r, lang)}
            for r in card.rows
        ]
        body.append({"type": "FactSet", "facts": rows})
        body.append(_text(markdown(ready_line(card, lang)), weight="Bolder"))
    facts = [
        {
            "title": t(f"perspective.{p.value}", lang),
            "value": (
                t("digest.not_asked", lang)
                if not view.perspective(p).all.shown and view.asked(p) == 0
                else _figure(view.perspective(p).all, view.k, lang)
            ),
        }
        for p in Perspective
    ]
    body.append({"type": "FactSet", "facts": facts})
    if view.nudges:
        body.append(_text(t("teams.digest.nudges", lang), weight="Bolder"))
        for nudge in view.nudges:
            body.append(_text("• " + markdown(escape(nudge_text(nudge, lang)))))
            if view.journey_id:
                body.append(_did_action(view, nudge))
    count, *contacts = ecosystem_lines(view, lang)
    body.append(_small("\n\n".join([count, *(f"• {line}" for line in contacts)])))
    if chart_png and len(chart_png) > MAX_INLINE_CHART:
        from bot.rendering.png import compact_png

        chart_png = compact_png(chart_png, MAX_INLINE_CHART)
    if chart_png:
        encoded = base64.b64encode(chart_png).decode("ascii")
        body.append(
            {
                "type": "Image",
                "url": f"data:image/png;base64,{encoded}",
                "altText": t("teams.digest.chart", lang),
            }
        )
    return _card(body)


def _did_action(view: DigestView, nudge: NudgeView) -> Card:
    """Beside a nudge: open a field to record what was done about it (for the team update)."""
    lang = view.language
    form = _card(
        [
            {
                "type": "Input.Text",
                "id": DID_INPUT,
                "label": t("did.modal.label", lang),
                "placeholder": t("did.modal.hint", lang),
                "isMultiline": True,
                "maxLength": MAX_ACTION_LENGTH,
            }
        ],
        [
            {
                "type": "Action.Submit",
                "title": t("did.modal.submit", lang),
                "data": {
                    "verb": DID_VERB,
                    "journey": view.journey_id,
                    "language": lang.value,
                    "rule": nudge.rule,
                    "signal": nudge.signal,
                },
            }
        ],
    )
    del form["$schema"]
    return {
        "type": "ActionSet",
        "actions": [{"type": "Action.ShowCard", "title": t("did.button", lang), "card": form}],
    }


def team_update_activity(view: TeamUpdateView) -> Activity:
    """The fortnight's team update as a card: what the team said, what leadership did."""
    text = team_update_text(view, platform="teams")
    body: list[Card] = [
        _text(text.title, weight="Bolder", size="Large"),
        _small(text.weeks),
        _text(text.said_title, weight="Bolder"),
        *(_text(line) for line in text.said),
        _text(text.done_title, weight="Bolder"),
        *(_text(line) for line in text.done),
        _small(text.footer),
    ]
    return card_activity(_card(body), summary=text.summary[:200])


def digest_activity(view: DigestView, chart_png: bytes | None = None) -> Activity:
    title = t(
        "teams.digest.title", view.language, journey=escape(view.journey_name), week=view.iso_week
    )
    return card_activity(digest_card(view, chart_png), summary=title)
