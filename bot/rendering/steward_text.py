"""The learning professional's week in words: sections of plain lines every platform shows.

One place says it, so Markdown, Block Kit, the Teams card and the console cannot drift
apart; each platform only decides how a title and a line look.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.digest.steward import StewardView, Timing, steward_view
from bot.domain.digest.texts import escape
from bot.domain.digest.view import DigestView, GroupView, Headcount
from bot.domain.model import Language, Phase
from bot.rendering.markdown import figure, figure_line, listing, signal_name, who
from prompts.messages import t


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]
    bullets: bool = True  # each line an item of a list, else one paragraph each


def title(view: DigestView, language: Language) -> str:
    return t("steward.title", language, journey=escape(view.journey_name), week=view.iso_week)


def _group(group: GroupView, language: Language) -> str:
    """`Feeling heard: everyone 3.4 out of 5 (12 people); followers 3.1 …` — only the
    groups the digest shows (a withheld group has no line of its own)."""
    parts = [f"{who(None, language)} {figure_line(group.all, language)}"]
    parts += [
        f"{who(r.role.value, language)} {figure_line(r.figure, language)}"
        for r in group.roles
        if r.figure.shown
    ]
    name = signal_name(group.key, language)
    return f"{name[:1].upper()}{name[1:]}: " + "; ".join(parts)


def _count(count: Headcount, key: str, language: Language) -> str:
    if count.people is not None:
        return t(f"{key}.people", language, people=count.people)
    if count.fewer_than is not None:
        return t(f"{key}.few", language, k=count.fewer_than)
    return t(f"{key}.unknown", language)


def _timing(view: StewardView, language: Language) -> str:
    key = f"steward.timing.{view.timing.value}"
    if view.timing in (Timing.ON_TRACK, Timing.BEHIND):
        return t(key, language, phase=view.digest.phase, figure=figure(view.learning, language))
    return t(key, language, phase=view.digest.phase, next=Phase.ACTION)


def sections(digest: DigestView, language: Language) -> tuple[Section, ...]:
    view = steward_view(digest)
    signals = [_group(g, language) for g in view.signals]
    if any(not r.figure.shown for g in view.signals for r in g.roles):
        signals.append(t("steward.withheld_groups", language))
    themes = (
        t(
            "steward.themes",
            language,
            themes=listing(
                [
                    t("steward.theme", language, label=x.label.in_(language), people=x.people)
                    for x in view.themes
                ],
                language,
            ),
        )
        if view.themes
        else t("steward.no_themes", language, k=digest.k)
    )
    return (
        Section(t("steward.section.signals", language), tuple(signals)),
        Section(
            t("steward.section.concerns", language),
            (_count(view.human.concern_writers, "steward.concerns", language), themes),
            bullets=False,
        ),
        Section(
            t("steward.section.next_step", language),
            (_count(view.human.no_next_step, "steward.next_step", language),),
            bullets=False,
        ),
        Section(t("steward.section.timing", language), (_timing(view, language),), bullets=False),
        Section(
            t("steward.section.checklist", language),
            tuple(t(f"steward.check.{key}", language) for key in view.checklist),
        ),
    )


def intro(language: Language) -> str:
    return t("steward.intro", language)


def steward_summary(digest: DigestView, language: Language) -> str:
    """The learning professional's week as one chat reply (`/pioneer digest preview`)."""
    out = [f"*{title(digest, language)}*"]
    for section in sections(digest, language):
        lines = [f"• {line}" if section.bullets else line for line in section.lines]
        out.append("\n".join([f"*{section.title}*", *lines]))
    return "\n\n".join(out)


def render_steward_markdown(digest: DigestView, language: Language | None = None) -> str:
    """The learning professional's week as Markdown (the demo, the console, a file)."""
    lang = Language(language or digest.language)
    out = [f"# {title(digest, lang)}", "", intro(lang), ""]
    for section in sections(digest, lang):
        out += [f"## {section.title}", ""]
        if section.bullets:
            out += [*(f"- {line}" for line in section.lines), ""]
        else:
            out += [x for line in section.lines for x in (line, "")]
    return "\n".join(out).rstrip() + "\n"
