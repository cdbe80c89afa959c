"""The fortnight's team update in words: one set of lines each platform lays out its own way.

Texts come from prompts/messages/team.yaml; the actions in the view are escaped already, and
nothing else in it was typed by anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.digest.texts import escape
from bot.domain.digest.weeks import shift_week
from bot.domain.model import Language
from bot.domain.team_update import DoneItem, SaidFigure, TeamUpdateView
from bot.rendering.markdown import perspective_name, signal_name
from prompts.messages import number, t


@dataclass(frozen=True)
class TeamUpdateText:
    title: str
    weeks: str
    said_title: str
    said: tuple[str, ...]  # paragraphs: an intro, then headed lists (`- ` items)
    done_title: str
    done: tuple[str, ...]  # one line per action, or the one line saying nothing was recorded
    footer: str
    summary: str  # one line, for a notification


def _figure(said: SaidFigure, name: str, language: Language) -> str:
    figure = t("digest.figure", language, mean=number(said.mean, language), people=said.respondents)
    return f"- {name}: {figure}"


def _done(item: DoneItem, language: Language) -> str:
    day = item.day.isoformat()
    if item.signal:
        return t(
            "team.done.about",
            language,
            day=day,
            signal=signal_name(item.signal, language),
            text=item.text,
        )
    return t("team.done.plain", language, day=day, text=item.text)


def team_update_text(
    view: TeamUpdateView, language: Language | None = None, platform: str = "slack"
) -> TeamUpdateText:
    """`platform` names the command the way people type it there (`@Pioneer` on Teams)."""
    lang = language or view.language
    first, last = shift_week(view.iso_week, -1), view.iso_week
    said: list[str] = []
    if view.said_anything:
        said.append(t("team.said.intro", lang, k=view.k))
        if view.perspectives:
            said.append(t("team.said.perspectives", lang))
            said += [_figure(f, perspective_name(f.key, lang), lang) for f in view.perspectives]
        if view.signals:
            said.append(t("team.said.signals", lang))
            said += [_figure(f, signal_name(f.key, lang), lang) for f in view.signals]
        if view.themes:
            said.append(t("team.said.themes", lang))
            said += [
                "- "
                + t("digest.theme.line", lang, label=theme.label.in_(lang), people=theme.people)
                for theme in view.themes
            ]
    else:
        said.append(t("team.said.nothing", lang))
    if view.done:
        done = tuple(f"- {_done(item, lang)}" for item in view.done)
    else:
        command = t("team.command.did.teams" if platform == "teams" else "team.command.did", lang)
        done = (t("team.done.nothing", lang, command=command),)
    return TeamUpdateText(
        title=t("team.title", lang, name=escape(view.journey_name)),
        weeks=t("team.weeks", lang, first=first, last=last),
        said_title=t("team.said.title", lang),
        said=tuple(said),
        done_title=t("team.done.title", lang),
        done=done,
        footer=t("team.footer", lang),
        summary=t(
            "team.summary",
            lang,
            name=escape(view.journey_name),
            done=len(view.done),
            first=first,
            last=last,
        ),
    )


def render_team_update_markdown(
    view: TeamUpdateView, language: Language | None = None, platform: str = "console"
) -> str:
    """The update as Markdown: the demo's file, the console's message, the web's page."""
    text = team_update_text(view, language, platform=platform)
    out = [f"# {text.title}", "", text.weeks, "", f"## {text.said_title}", ""]
    for line in text.said:
        if not line.startswith("- ") and out[-1] != "":
            out.append("")  # a paragraph after a list
        out.append(line)
        if not line.startswith("- "):
            out.append("")
    if out[-1] != "":
        out.append("")
    out += [f"## {text.done_title}", "", *text.done, "", text.footer, ""]
    return "\n".join(out)
