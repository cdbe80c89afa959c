"""The facilitator's readiness card in words, the same on every platform.

Lines carry Slack-style `*bold*` at most; Markdown, Block Kit and Teams each show them as
they are (Teams turns the bold into its own).
"""

from __future__ import annotations

import re

from bot.domain.digest.nudges import HOBBYISM_WEEKS
from bot.domain.digest.phase_readiness import Hobbyism, MoveView, ReadinessCard
from bot.domain.model import Language
from bot.rendering.markdown import ready_line, score_line, scorecard_level, signal_name
from prompts.messages import t

_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")


def title(card: ReadinessCard, language: Language) -> str:
    return t(
        "readiness.title",
        language,
        name=card.journey_name,
        phase=card.phase,
        week=card.weeks_in_phase + 1,
    )


def score_lines(card: ReadinessCard, language: Language) -> list[str]:
    if not card.can_go_next:
        return [t("readiness.last_phase", language)]
    score = card.scorecard
    if score is None:
        return [t("readiness.no_scorecard", language)]
    return [
        t("readiness.scored", language, week=card.digest_week),
        *(
            f"• *{signal_name(r.signal.value, language)}*: {score_line(r, language)}"
            for r in score.rows
        ),
        f"_{scorecard_level(language)}_",
        f"*{ready_line(score, language)}*",
    ]


def hobbyism_line(card: ReadinessCard, language: Language) -> str | None:
    if card.hobbyism is Hobbyism.NONE:
        return None
    return t(
        f"readiness.hobbyism.{card.hobbyism.value}",
        language,
        weeks=card.weeks_in_phase,
        limit=HOBBYISM_WEEKS,
    )


def move_line(move: MoveView, language: Language) -> str:
    key = "readiness.move" if move.reason else "readiness.move.no_reason"
    return t(
        key,
        language,
        day=move.day.isoformat(),
        before=move.from_phase,
        after=move.to_phase,
        reason=move.reason,
    )


def move_lines(card: ReadinessCard, language: Language) -> list[str]:
    if not card.moves:
        return [t("readiness.no_moves", language)]
    return [t("readiness.moves", language), *(f"• {move_line(m, language)}" for m in card.moves)]


def how_lines(card: ReadinessCard, language: Language) -> list[str]:
    lines = []
    if card.can_go_next:
        lines.append(t("readiness.how_next", language))
    if card.can_go_back:
        lines.append(t("readiness.how_back", language))
    return lines


def blocks_of_text(card: ReadinessCard, language: Language, commands: bool = True) -> list[str]:
    """The card as paragraphs: the title, the scorecard, hobbyism, the moves, the commands."""
    parts = [f"*{title(card, language)}*", "\n".join(score_lines(card, language))]
    hobby = hobbyism_line(card, language)
    if hobby:
        parts.append(f"⚠ {hobby}")
    parts.append("\n".join(move_lines(card, language)))
    if commands:
        parts.append("\n".join(how_lines(card, language)))
    return parts


def readiness_text(card: ReadinessCard, language: Language) -> str:
    """For a chat reply (`/pioneer status`) and the console."""
    return "\n\n".join(blocks_of_text(card, language))


def render_readiness_markdown(card: ReadinessCard, language: Language) -> str:
    """For a file (the demo): bullets as Markdown lists, Slack's `*bold*` as `**bold**`."""
    out = [f"# {title(card, language)}", ""]
    for part in blocks_of_text(card, language)[1:]:
        for line in part.splitlines():
            line = "- " + line[2:] if line.startswith("• ") else line
            out.append(_BOLD.sub(r"**\1**", line))
        out.append("")
    return "\n".join(out).rstrip() + "\n"
