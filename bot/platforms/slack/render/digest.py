"""The weekly digest in Block Kit, within Slack's limits.

Slack allows at most 50 blocks per message, 3,000 characters in a section's text, 2,000 in
a field and 150 in a header; longer content is cut here rather than rejected by Slack.
Every text from users (the journey's name, quotes) is escaped by the domain already.
"""

from __future__ import annotations

from typing import Any

from bot.domain.digest.view import DigestView
from bot.domain.model import PERSPECTIVES, Language
from bot.platforms.slack.render.blocks import MAX_FIELD, MAX_TEXT, Block, clip
from bot.platforms.slack.render.did import nudge_section
from bot.rendering.markdown import (
    ARROWS,
    ecosystem_lines,
    headline,
    left_out_line,
    participation_line,
    perspective_figure,
    perspective_name,
    phase_line,
    quote_label,
    ready_line,
    score_line,
    scorecard_level,
    scorecard_title,
    signal_name,
)
from bot.rendering.steward_text import intro, sections, title
from prompts.messages import t

MAX_BLOCKS = 50
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_QUOTES = 3


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_TEXT)}}


def _context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(x, MAX_TEXT)} for x in texts[:10]],
    }


def _fields(title: str, items: list[str]) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(f"*{title}*", MAX_TEXT)},
        "fields": [{"type": "mrkdwn", "text": clip(x, MAX_FIELD)} for x in items[:MAX_FIELDS]],
    }


def steward_blocks(view: DigestView, language: Language | None = None) -> list[Block]:
    """The learning professional's week: the human side, before the board's digest."""
    lang = Language(language or view.language)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(title(view, lang), 150)}},
        _context(intro(lang)),
    ]
    for section in sections(view, lang):
        lines = [f"• {x}" if section.bullets else x for x in section.lines]
        blocks.append(_section("\n".join([f"*{section.title}*", *lines])))
    blocks.append({"type": "divider"})
    return blocks


def digest_blocks(view: DigestView, language: Language | None = None) -> list[Block]:
    lang = Language(language or view.language)
    blocks: list[Block] = steward_blocks(view, lang) if view.for_steward else []
    blocks.append(
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(headline(view, lang), MAX_HEADER)},
        }
    )
    context = [phase_line(view, lang), t("digest.anonymity_note", lang, k=view.k)]
    if view.preview:
        context.insert(0, f"_{t('digest.preview_note', lang)}_")
    blocks.append(_context(*context))

    card = view.scorecard
    if card is not None:
        rows = [
            f"• *{signal_name(r.signal.value, lang)}*: {score_line(r, lang)}" for r in card.rows
        ]
        blocks.append(_section("\n".join([f"*{scorecard_title(card, lang)}*", *rows])))
        blocks.append(_context(scorecard_level(lang)))
        blocks.append(_section(f"*{ready_line(card, lang)}*"))
        blocks.append({"type": "divider"})

    blocks.append(_section(f"*{t('digest.section.nudges', lang)}*"))
    if view.nudges:
        blocks += [nudge_section(view.journey_id, n, lang) for n in view.nudges]
    else:
        blocks.append(_section(t("digest.no_nudges", lang)))
    blocks.append({"type": "divider"})

    blocks.append(
        _fields(
            t("digest.section.participation", lang),
            [participation_line(item, lang, view.k) for item in view.participation],
        )
    )
    if view.left_out:
        blocks.append(_context(left_out_line(view.left_out, view.k, lang)))
    perspective_fields = []
    for perspective in PERSPECTIVES:
        group = view.perspective(perspective)
        arrow = ARROWS[group.all.trend]
        name = perspective_name(perspective.value, lang)
        perspective_fields.append(
            f"*{name}* {arrow}\n{perspective_figure(view, perspective, lang)}"
        )
    blocks.append(_fields(t("digest.section.perspectives", lang), perspective_fields))

    count, *contacts = ecosystem_lines(view, lang)
    extras = [count]
    if contacts:
        extras.append("\n".join(f"• {line}" for line in contacts))
    if view.themes:
        themes = ", ".join(
            f"{x.label.in_(lang)} ({perspective_name(x.perspective.value, lang)})"
            for x in view.themes
        )
        extras.append(f"{t('digest.section.themes', lang)}: {themes}")
    blocks.append(_context(*extras))

    if view.quotes:
        blocks.append({"type": "divider"})
        blocks.append(_section(f"*{t('digest.section.quotes', lang)}*"))
        for quote in view.quotes[:MAX_QUOTES]:
            blocks.append(_section(f"> {quote.text}\n_{quote_label(quote, lang)}_"))
    return blocks[:MAX_BLOCKS]


def digest_message(view: DigestView, language: Language | None = None) -> dict[str, Any]:
    """Arguments for chat.postMessage: the blocks and a plain fallback text."""
    lang = Language(language or view.language)
    return {
        "text": clip(headline(view, lang), MAX_TEXT),
        "blocks": digest_blocks(view, lang),
        "unfurl_links": False,
        "unfurl_media": False,
    }


def chart_title(view: DigestView, language: Language | None = None) -> str:
    return t("digest.chart.alt", Language(language or view.language))
