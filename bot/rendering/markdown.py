"""The digest as Markdown, for the command line and the demo (Dutch or English).

The formatting helpers here are shared with the Block Kit renderer and the Teams card so
all say the same numbers the same way; `nudge_text` is the one place a nudge becomes words.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.digest.texts import escape
from bot.domain.digest.view import (
    ArgKind,
    ContactView,
    DigestView,
    FigureView,
    GroupView,
    Measure,
    NudgeArg,
    NudgeView,
    ParticipationView,
    QuoteView,
    Scorecard,
    ScoreRow,
    signal_key,
)
from bot.domain.exit_signals import EXIT_LEVEL, EXIT_MIN_WEEKS
from bot.domain.model import PERSPECTIVES, Language, Perspective, Phase, Role
from prompts.messages import number, t

ARROWS = {"up": "↑", "down": "↓", "flat": "→", "": ""}


def change(value: float | None, language: Language) -> str:
    if value is None:
        return "–"
    value = round(value, 1)
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + number(abs(value), language)


def figure(fig: FigureView, language: Language) -> str:
    if fig.mean is None or fig.respondents is None:
        return t("digest.not_enough", language)
    return t("digest.figure", language, mean=number(fig.mean, language), people=fig.respondents)


def figure_line(fig: FigureView, language: Language) -> str:
    """`3.4 out of 5 (12 people) ↑ +0.3 vs last week, −0.1 since the phase began`."""
    text = figure(fig, language)
    if not fig.shown:
        return text
    parts = []
    if fig.vs_last_week is not None:
        parts.append(t("digest.change.week", language, change=change(fig.vs_last_week, language)))
    if fig.vs_phase_start is not None:
        parts.append(
            t("digest.change.phase", language, change=change(fig.vs_phase_start, language))
        )
    arrow = ARROWS[fig.trend]
    return f"{text} {arrow} {', '.join(parts)}".replace("  ", " ").strip()


def who(role_value: str | None, language: Language) -> str:
    return t(f"digest.group.{role_value or 'everyone'}", language)


def participation_line(item: ParticipationView, language: Language, k: int | None = None) -> str:
    """`followers: 15 answered of 19 asked (79%)`; a withheld count says why it is withheld."""
    name = who(item.role.value if item.role else None, language)
    if item.answered is not None and item.asked and item.rate is not None:
        return t(
            "digest.participation.line",
            language,
            who=name,
            answered=item.answered,
            asked=item.asked,
            percent=round(item.rate * 100),
        )
    if item.answered is not None:
        return t("digest.participation.answered_only", language, who=name, answered=item.answered)
    if item.asked is not None and k is not None:
        return t("digest.participation.withheld", language, who=name, asked=item.asked, k=k)
    return f"{name}: {t('digest.not_enough', language)}"


def listing(words: Sequence[str], language: Language) -> str:
    """`a`, `a and b`, `a, b and c` (`a, b en c`)."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + t("digest.and", language) + words[-1]


def group_names(roles: Sequence[Role], language: Language) -> str:
    return listing([who(r.value, language) for r in roles], language)


def left_out_line(roles: Sequence[Role], k: int, language: Language) -> str:
    """Why some role groups have no lines: they can never reach k (a board of three)."""
    key = "digest.left_out.one" if len(roles) == 1 else "digest.left_out.many"
    return _capitalise(t(key, language, groups=group_names(roles, language), k=k))


def score_status(row: ScoreRow, language: Language) -> str:
    """`met 3 times in a row`, `not measured this week (...); met the 2 times before`."""
    if row.before:
        return t("digest.scorecard.not_measured.after_met", language, before=row.before)
    many = "many" if row.weeks > 1 else "one"
    return t(f"digest.scorecard.{row.status}.{many}", language, weeks=row.weeks)


def score_line(row: ScoreRow, language: Language) -> str:
    """One exit signal: its figure this week (when shown) and where it stands."""
    status = score_status(row, language)
    if not row.figure.shown:
        return status
    return f"{figure(row.figure, language)} — {status}"


def ready_line(card: Scorecard, language: Language) -> str:
    """The facilitator's question: ready to move on? Yes, or which signals are not yet."""
    if card.ready:
        return t("digest.scorecard.ready", language, weeks=EXIT_MIN_WEEKS)
    waiting = [signal_name(r.signal.value, language) for r in card.rows if not r.counts_as_met]
    signals = listing(waiting, language)
    return t("digest.scorecard.not_ready", language, weeks=EXIT_MIN_WEEKS, signals=signals)


def scorecard_title(card: Scorecard, language: Language) -> str:
    return t("digest.section.scorecard", language, phase=card.phase)


def scorecard_level(language: Language) -> str:
    return t("digest.scorecard.level", language, level=number(EXIT_LEVEL, language))


def perspective_figure(view: DigestView, perspective: Perspective, language: Language) -> str:
    """A perspective's line: its figure, or that nobody was asked about it this week."""
    group = view.perspective(perspective)
    if not group.all.shown and view.asked(perspective) == 0:
        return t("digest.not_asked", language)
    return figure_line(group.all, language)


def contact_line(contact: ContactView, language: Language) -> str:
    """`2027-02-16, outside expert: <note>`; a step inside the walls says it does not count."""
    key = "digest.contact.outside" if contact.outside else "digest.contact.inside"
    kind = t(f"touchpoint.{contact.kind.value}", language)
    return t(key, language, day=contact.day.isoformat(), kind=kind, note=contact.note)


def ecosystem_lines(view: DigestView, language: Language) -> list[str]:
    """The count of outside contacts, then every touchpoint of the last weeks by kind."""
    count = t("digest.ecosystem.line", language, count=view.touchpoints)
    return [count, *(contact_line(c, language) for c in view.contacts)]


def perspective_name(value: str, language: Language) -> str:
    return t(f"perspective.{value}", language)


def quote_label(quote: QuoteView, language: Language) -> str:
    """What a quote answered: its question's signal (stored before that: its perspective)."""
    if quote.signal is None:
        return perspective_name(quote.perspective.value, language)
    return signal_name(signal_key(quote.signal, quote.perspective), language)


def perspective_side(value: str, language: Language) -> str:
    """A perspective in running text: "de menselijke kant", "the human side"."""
    return t(f"perspective.{value}.side", language)


def signal_name(key: str, language: Language) -> str:
    """A signal's name; `balance.<perspective>` (see `signal_key`) names its perspective."""
    signal, _, perspective = key.partition(".")
    if perspective:
        return t(f"signal.{signal}.of", language, side=perspective_side(perspective, language))
    return t(f"signal.{signal}", language)


def nudge_text(nudge: NudgeView, language: Language | str) -> str:
    """A nudge in words: its message in `language`, filled in with its arguments."""
    lang = Language(language)
    if not nudge.key:
        # Stored by a version that kept the words in the digest: shown as they were.
        return nudge.text.in_(lang) if nudge.text is not None else ""
    words = {name: _say(arg, lang) for name, arg in nudge.args.items()}
    # A perspective reads as a name in a list and as "the human side" in a sentence.
    words |= {
        f"{name}_side": perspective_side(str(arg.value), lang)
        for name, arg in nudge.args.items()
        if arg.kind is ArgKind.PERSPECTIVE
    }
    text = _capitalise(t(nudge.key, lang, **words))
    if nudge.open_since:
        return t("digest.still_open", lang, since=nudge.open_since, text=text)
    return text


def _say(arg: NudgeArg, language: Language) -> str:
    value = str(arg.value)
    match arg.kind:
        case ArgKind.NUMBER:
            return number(float(arg.value), language)
        case ArgKind.SIGNAL:
            return signal_name(value, language)
        case ArgKind.PERSPECTIVE:
            return perspective_name(value, language)
        case ArgKind.PHASE:
            return t(f"phase.{value}", language)
        case ArgKind.GROUP:
            return who(value, language)
        case ArgKind.MEASURES:
            return listing([_measure(m, language) for m in arg.measures], language)
    return value  # a count


def _measure(measure: Measure, language: Language) -> str:
    return f"{signal_name(measure.signal.value, language)} {number(measure.mean, language)}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def headline(view: DigestView, language: Language) -> str:
    return t("digest.title", language, journey=escape(view.journey_name), week=view.iso_week)


def phase_line(view: DigestView, language: Language) -> str:
    return t(
        "digest.phase_line",
        language,
        phase=view.phase,
        stage=view.phase.stage,
        weeks=view.weeks_in_phase,
        since=view.phase_start_week,
    )


def group_lines(group: GroupView, name: str, language: Language) -> list[str]:
    lines = [f"- **{name}**: {figure_line(group.all, language)}"]
    for item in group.roles:
        if item.figure.shown:
            lines.append(
                f"  - {who(item.role.value, language)}: {figure_line(item.figure, language)}"
            )
    return lines


def _cell(mean: float | None, language: Language) -> str:
    return number(mean, language) if mean is not None else "–"


def render_markdown(view: DigestView, language: Language | None = None) -> str:
    lang = Language(language or view.language)
    out = []
    if view.for_steward:
        from bot.rendering.steward_text import render_steward_markdown

        out = [render_steward_markdown(view, lang)]
    out += [f"# {headline(view, lang)}", ""]
    if view.preview:
        out += [f"_{t('digest.preview_note', lang)}_", ""]
    out += [phase_line(view, lang), "", t("digest.anonymity_note", lang, k=view.k), ""]

    card = view.scorecard
    if card is not None:
        out += [f"## {scorecard_title(card, lang)}", "", scorecard_level(lang), ""]
        out += [
            f"- **{signal_name(r.signal.value, lang)}**: {score_line(r, lang)}" for r in card.rows
        ]
        out += ["", f"**{ready_line(card, lang)}**", ""]

    out += [f"## {t('digest.section.nudges', lang)}", ""]
    if view.nudges:
        out += [f"{i}. {nudge_text(n, lang)}" for i, n in enumerate(view.nudges, 1)]
    else:
        out.append(t("digest.no_nudges", lang))
    out.append("")

    out += [f"## {t('digest.section.participation', lang)}", ""]
    out += [f"- {participation_line(item, lang, view.k)}" for item in view.participation]
    if view.left_out:
        out += ["", left_out_line(view.left_out, view.k, lang)]
    out.append("")

    out += [f"## {t('digest.section.perspectives', lang)}", ""]
    for perspective in PERSPECTIVES:
        group = view.perspective(perspective)
        name = perspective_name(perspective.value, lang)
        out.append(f"- **{name}**: {perspective_figure(view, perspective, lang)}")
        out += group_lines(group, name, lang)[1:]
    out.append("")

    if view.signals:
        out += [f"## {t('digest.section.signals', lang)}", ""]
        for group in view.signals:
            out += group_lines(group, signal_name(group.key, lang), lang)
        out.append("")

    out += [f"## {t('digest.section.trend', lang)}", ""]
    names = [perspective_name(p.value, lang) for p in PERSPECTIVES]
    out += ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for week in view.trend_weeks:
        means = {p.perspective: p.mean for p in view.trend if p.iso_week == week}
        cells = [_cell(means.get(p), lang) for p in PERSPECTIVES]
        out.append(f"| {week} | " + " | ".join(cells) + " |")
    out.append("")

    out += [f"## {t('digest.section.grid', lang)}", ""]
    out += ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for phase in Phase:
        grid = {c.perspective: c.mean for c in view.grid if c.phase is phase}
        cells = [_cell(grid.get(p), lang) for p in PERSPECTIVES]
        out.append(f"| {t(f'phase.{phase.value}', lang)} | " + " | ".join(cells) + " |")
    out.append("")

    out += [f"## {t('digest.section.ecosystem', lang)}", ""]
    count, *contacts = ecosystem_lines(view, lang)
    out += [count, ""]
    if contacts:
        out += [*(f"- {line}" for line in contacts), ""]

    if view.themes:
        out += [f"## {t('digest.section.themes', lang)}", ""]
        for theme in view.themes:
            label = theme.label.in_(lang)
            text = (
                t("digest.theme.line", lang, label=label, people=theme.people)
                if theme.people is not None
                else label
            )
            out.append(f"- {perspective_name(theme.perspective.value, lang)}: {text}")
        out.append("")

    if view.quotes:
        out += [f"## {t('digest.section.quotes', lang)}", ""]
        for quote in view.quotes:
            out += [f"> {quote.text}", f"> — {quote_label(quote, lang)}", ""]
    return "\n".join(out).rstrip() + "\n"


def perspective_label(perspective: Perspective, language: Language) -> str:
    return perspective_name(perspective.value, language)


def render_summary(view: DigestView, language: Language | None = None, limit: int = 2900) -> str:
    """A short plain-text digest for a chat reply (the `/pioneer digest preview` answer).

    No Markdown headers or tables, which chat clients show as raw symbols; it fits one
    Slack section (3,000 characters) and one Teams text block.
    """
    lang = Language(language or view.language)
    lines = [headline(view, lang)]
    if view.preview:
        lines.append(t("digest.preview_note", lang))
    lines += [phase_line(view, lang), ""]
    card = view.scorecard
    if card is not None:
        lines.append(scorecard_title(card, lang) + ":")
        lines += [
            f"• {signal_name(r.signal.value, lang)}: {score_line(r, lang)}" for r in card.rows
        ]
        lines += [ready_line(card, lang), ""]
    lines.append(t("digest.section.nudges", lang) + ":")
    if view.nudges:
        lines += [f"• {nudge_text(n, lang)}" for n in view.nudges]
    else:
        lines.append(t("digest.no_nudges", lang))
    lines += ["", t("digest.section.participation", lang) + ":"]
    lines += [f"• {participation_line(item, lang, view.k)}" for item in view.participation]
    if view.left_out:
        lines.append(left_out_line(view.left_out, view.k, lang))
    lines += ["", t("digest.section.perspectives", lang) + ":"]
    for perspective in PERSPECTIVES:
        name = perspective_name(perspective.value, lang)
        lines.append(f"• {name}: {perspective_figure(view, perspective, lang)}")
    count, *contacts = ecosystem_lines(view, lang)
    lines += ["", count, *(f"• {line}" for line in contacts)]
    lines += ["", t("digest.anonymity_note", lang, k=view.k)]
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"
