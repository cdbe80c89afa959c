"""The weekly digest's analysis: pure functions from answers to a neutral, anonymous view.

Everything a director reads comes through here: the figures (`figures.py`) obey the
anonymity rule and resist differencing, the texts (`texts.py`) only show where enough
people wrote, and the result is the neutral view (`view.py`) that platforms render.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.anonymity import AnonymityRule
from bot.domain.digest.figures import Family, group_view, participation
from bot.domain.digest.published import (
    Cell,
    WeekFigures,
    detailed_week,
    grid,
    summary_week,
)
from bot.domain.digest.scorecard import left_out, scorecard, week_statuses
from bot.domain.digest.texts import ThemeRule, quote_seed, quote_text, quotes, themes
from bot.domain.digest.view import ContactView, DigestView, NudgeView, TrendPoint, signal_key
from bot.domain.digest.weeks import local_week, shift_week, weeks_between
from bot.domain.exit_signals import EXIT_SIGNALS
from bot.domain.model import (
    PERSPECTIVES,
    Journey,
    Perspective,
    Phase,
    PhaseChange,
    PromptKind,
    Role,
    Signal,
    Touchpoint,
)
from bot.domain.pulse_design import WEEKLY_SIGNALS
from bot.domain.records import AnswerPoint, TextPoint, WeekCell

TREND_WEEKS = 8
TOUCHPOINT_WEEKS = 4
# The order signals are shown in: the method's, balance once per perspective.
SIGNAL_KEYS: tuple[str, ...] = tuple(
    signal_key(s, p)
    for s in Signal
    for p in (PERSPECTIVES if s is Signal.BALANCE else PERSPECTIVES[:1])
)


@dataclass(frozen=True)
class PhaseAt:
    """The journey's phase at the end of a week, and when it began."""

    phase: Phase
    since: datetime


def phase_at(journey: Journey, history: Sequence[PhaseChange], moment: datetime) -> PhaseAt:
    # Every journey starts in awareness and every move is in the history.
    phase, since = Phase.AWARENESS, journey.started_at
    for change in sorted(history, key=lambda c: c.at):
        if change.at >= moment:
            break
        phase, since = change.to_phase, change.at
    return PhaseAt(phase, since)


@dataclass(frozen=True)
class DigestInput:
    """Everything the analysis reads, already fetched: the analysis itself does no I/O."""

    journey: Journey
    iso_week: str
    phase: Phase
    phase_start_week: str
    # Pulses of this week, and of the weeks `detail_weeks` names that are not published.
    values: Sequence[AnswerPoint]
    texts: Sequence[TextPoint]  # check-ins and comments of this week and the one before
    asked: set[int]  # members sent a prompt this week
    roles: Mapping[int, frozenset[Role]]  # every member's roles now
    weeks: Sequence[WeekCell]  # week x perspective of the other weeks not published
    touchpoints: Sequence[Touchpoint]  # logged in the last TOUCHPOINT_WEEKS weeks
    generated_at: datetime
    theme_rules: Sequence[ThemeRule] = ()
    preview: bool = False
    # (week, perspective) -> people sent a pulse of it (0: nobody), for the recent trend
    # weeks; a week missing here is one whose deliveries were not counted.
    asked_by_perspective: Mapping[tuple[str, Perspective], int] = field(default_factory=dict)
    # Weeks' figures as first published (published.py): they win over `values` and `weeks`.
    published: Mapping[str, WeekFigures] = field(default_factory=dict)
    # The phase each week ended in, for the grid (this week's is `phase`).
    phases: Mapping[str, Phase] = field(default_factory=dict)
    # The nudges the digests of the weeks just before showed, newest first (they fold).
    shown_before: Sequence[tuple[str, Sequence[NudgeView]]] = ()


def trend_weeks(iso_week: str, first_week: str | None = None) -> tuple[str, ...]:
    """The trend's weeks up to `iso_week`: at most TREND_WEEKS, none before `first_week`
    (the journey's first week: before it there was nothing to ask)."""
    weeks = [shift_week(iso_week, -i) for i in range(TREND_WEEKS - 1, -1, -1)]
    return tuple(w for w in weeks if first_week is None or w >= first_week) or (iso_week,)


def first_week(journey: Journey) -> str:
    """The ISO week the journey started in, in its own time zone."""
    return local_week(journey.started_at, journey.timezone)


def detail_weeks(iso_week: str, phase_start_week: str, phase: Phase) -> list[str]:
    """The weeks whose answers the analysis reads one by one (the rest comes aggregated):
    this week and last week, and every week of the phase so far when it has exit signals
    (the scorecard counts weeks in a row), else only its first week."""
    weeks = {iso_week, shift_week(iso_week, -1), phase_start_week}
    if EXIT_SIGNALS.get(phase):
        weeks |= set(phase_weeks(phase_start_week, iso_week))
    return sorted(weeks)


def phase_weeks(phase_start_week: str, iso_week: str) -> list[str]:
    """The weeks the phase has run by `iso_week`, from its first to that one."""
    count = weeks_between(phase_start_week, iso_week) + 1
    return [shift_week(phase_start_week, i) for i in range(count)]


def figures_of(data: DigestInput) -> dict[str, WeekFigures]:
    """Every week's figures the digest reads: as published where they were, else from the
    answers (the weeks it reads one by one) or from storage's weekly means (the others)."""
    rule = AnonymityRule(data.journey.anonymity_threshold)
    week = data.iso_week
    figures: dict[str, WeekFigures] = {}
    cell_weeks = {c.iso_week for c in data.weeks} | set(trend_weeks(week)) | set(data.phases)
    for iso in sorted(cell_weeks):
        if iso <= week:
            figures[iso] = summary_week(rule, iso, (c for c in data.weeks if c.iso_week == iso))
    for iso in detail_weeks(week, data.phase_start_week, data.phase):
        texts = data.texts if iso in (week, shift_week(week, -1)) else None
        # The phase's own signals get the first chance to be shown (figures.week_figures).
        first = WEEKLY_SIGNALS.get(data.phases.get(iso, data.phase), ())
        figures[iso] = detailed_week(rule, iso, data.values, texts, first)
    return {**figures, **data.published}


def analyse(data: DigestInput) -> DigestView:
    """The digest for one journey and one week, without nudges (see `nudges.py`)."""
    journey = data.journey
    assert journey.id is not None
    rule = AnonymityRule(journey.anonymity_threshold)
    week, last_week, start_week = data.iso_week, shift_week(data.iso_week, -1), None
    if data.phase_start_week != week:
        start_week = data.phase_start_week

    figures = figures_of(data)
    now_figures, last = figures[week], figures[last_week]
    start = figures[start_week] if start_week else None
    perspectives_now, signals_now = (
        now_figures.perspective_families(),
        now_figures.signal_families(),
    )
    perspectives_last, signals_last = last.perspective_families(), last.signal_families()
    perspectives_start = start.perspective_families() if start else {}
    signals_start = start.signal_families() if start else {}
    stint = phase_weeks(data.phase_start_week, week)
    perspectives = tuple(
        group_view(
            p.value,
            perspectives_now.get(p.value, Family(None)),
            perspectives_last.get(p.value),
            perspectives_start.get(p.value),
        )
        for p in PERSPECTIVES
    )
    signals = tuple(
        group_view(key, fam, signals_last.get(key), signals_start.get(key))
        for key in SIGNAL_KEYS
        if (fam := signals_now.get(key)) is not None
    )
    answered = {p.member_id for p in data.values if p.iso_week == week} | {
        t.member_id for t in data.texts if t.iso_week == week
    }

    weeks = trend_weeks(week, first_week(journey))
    trend = [
        TrendPoint(
            iso,
            perspective,
            *_cell(figures[iso].cells.get(perspective)),
            data.asked_by_perspective.get((iso, perspective)),
        )
        for iso in weeks
        for perspective in PERSPECTIVES
    ]

    week_texts = [t for t in data.texts if t.iso_week == week]
    small = left_out(data.roles, rule.k)
    exits = EXIT_SIGNALS.get(data.phase, ())
    earlier = [week_statuses(data.phase, figures[w].signal_families()) for w in stint[:-1] if exits]
    now = {s: group for s in exits for group in signals if group.key == s.value}
    return DigestView(
        journey_id=journey.id,
        journey_name=journey.name,
        iso_week=week,
        language=journey.language,
        phase=data.phase,
        weeks_in_phase=len(stint),
        phase_start_week=data.phase_start_week,
        k=rule.k,
        generated_at=data.generated_at,
        participation=tuple(
            item
            for item in participation(rule, data.asked, answered, data.roles)
            if item.role not in small
        ),
        perspectives=perspectives,
        signals=signals,
        # Per role across all perspectives is not shown: when people answer one perspective
        # a week, it minus the shown perspective x role figures reveals the withheld ones.
        roles=(),
        grid=grid(figures, {**data.phases, week: data.phase}),
        trend_weeks=weeks,
        trend=tuple(trend),
        touchpoints=sum(1 for tp in data.touchpoints if tp.outside),
        themes=themes(
            rule.k, [t for t in week_texts if t.kind is PromptKind.CHECKIN], data.theme_rules
        ),
        quotes=quotes(rule.k, week_texts, seed=quote_seed(journey.id, week)),
        preview=data.preview,
        workspace_id=journey.workspace_id,
        scorecard=scorecard(data.phase, now, earlier, small),
        left_out=small,
        contacts=contacts(data.touchpoints),
    )


def contacts(touchpoints: Sequence[Touchpoint]) -> tuple[ContactView, ...]:
    """Every touchpoint as the digest lists it: newest first, the note made safe to show."""
    return tuple(
        ContactView(tp.happened_on, tp.kind, tp.outside, quote_text(tp.note))
        for tp in sorted(touchpoints, key=lambda tp: (tp.happened_on, tp.id or 0), reverse=True)
    )


def _cell(cell: Cell | None) -> tuple[int | None, float | None]:
    return (cell.respondents, cell.mean) if cell is not None else (None, None)
