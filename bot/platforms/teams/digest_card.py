"""The weekly digest and the fortnight's team update as Adaptive Cards: aggregates over at
least k people only, every piece of user text escaped, the chart inline when it is small."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from microsoft_agents.activity import Activity

from bot.app.commands import escape
from bot.domain.digest.texts import MAX_QUOTES
from bot.domain.model import Perspective
from bot.domain.team_update import MAX_ACTION_LENGTH, TeamUpdateView
from bot.platforms.teams.render import (
    Card,
    _card,
    _small,
    _text,
    card_activity,
    markdown,
)
from bot.rendering.markdown import (
    ecosystem_lines,
    left_out_line,
    nudge_text,
    quote_label,
    ready_line,
    score_line,
    scorecard_level,
    scorecard_title,
    signal_name,
)
from bot.rendering.steward_text import intro, sections
from bot.rendering.steward_text import title as steward_title
from bot.rendering.update_text import team_update_text
from prompts.messages import number, t

if TYPE_CHECKING:
    from bot.domain.digest.view import DigestView, FigureView, NudgeView

# `data.verb` of the "what we did" button under a nudge, and its text field.
DID_VERB = "pioneer.did"
DID_INPUT = "did_text"
# Teams refuses messages over ~28 KB: a larger chart is sent with fewer colours (and smaller if
# need be), and left out only when even that does not fit.
MAX_INLINE_CHART = 18 * 1024


# -- the weekly digest --------------------------------------------------------------------------
def _figure(figure: FigureView, k: int, lang: str) -> str:
    if not figure.shown or figure.mean is None:
        return t("teams.digest.withheld", lang, k=k)
    arrow = {"up": " ↑", "down": " ↓", "flat": " →"}.get(figure.trend, "")
    mean = number(figure.mean, lang)
    return t("teams.digest.figure", lang, mean=mean, respondents=figure.respondents) + arrow


def steward_body(view: DigestView) -> list[Card]:
    """The learning professional's week, before the board's digest on the same card."""
    lang = view.language
    body = [_text(steward_title(view, lang), weight="Bolder", size="Large"), _small(intro(lang))]
    for section in sections(view, lang):
        body.append(_text(section.title, weight="Bolder"))
        lines = [f"- {x}" if section.bullets else x for x in section.lines]
        body.append(_text(("\n" if section.bullets else "\n\n").join(lines)))
    return body


def digest_card(view: DigestView, chart_png: bytes | None = None) -> Card:
    """The digest for directors: aggregates over >= k people only, nudges, the trend chart;
    for a learning professional, their own week first."""
    lang = view.language
    body: list[Card] = steward_body(view) if view.for_steward else []
    body += [
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
    if view.quotes:
        # Quotes are escaped by the domain already, like the Slack and Markdown digests.
        body.append(_text(t("digest.section.quotes", lang), weight="Bolder"))
        for quote in view.quotes[:MAX_QUOTES]:
            body.append(_text(f"“{quote.text}”"))
            body.append(_small(quote_label(quote, lang)))
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
