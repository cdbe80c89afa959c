"""The weekly digest's analysis: pure functions from answers to a neutral, anonymous view.

Everything a director reads comes through here: the figures (`figures.py`) obey the
anonymity rule and resist differencing, the texts (`texts.py`) only show where enough
people wrote, and the result is the neutral view (`view.py`) that platforms render.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.anonymity import AnonymityRule
from bot.domain.digest.figures import Family, group_view, participation, week_figures
from bot.domain.digest.texts import ThemeRule, quote_seed, quotes, themes
from bot.domain.digest.view import DigestView, GridCell, TrendPoint
from bot.domain.digest.weeks import shift_week, weeks_between
from bot.domain.model import (
    PERSPECTIVES,
    Journey,
    Perspective,
    Phase,
    PhaseChange,
    PromptKind,
    Role,
    Signal,
)
from bot.domain.records import AnswerPoint, PhaseCell, TextPoint, WeekCell

TREND_WEEKS = 8
TOUCHPOINT_WEEKS = 4


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
    values: Sequence[AnswerPoint]  # pulses of this week, last week and the phase's first
    texts: Sequence[TextPoint]  # check-ins and comments of this week and the one before
    asked: set[int]  # members sent a prompt this week
    roles: Mapping[int, frozenset[Role]]  # every member's roles now
    cells: Sequence[PhaseCell]  # the whole journey, phase x perspective
    weeks: Sequence[WeekCell]  # the trend weeks, week x perspective
    touchpoints: int  # logged in the last four weeks
    generated_at: datetime
    theme_rules: Sequence[ThemeRule] = ()
    preview: bool = False
    # (week, perspective) -> people sent a pulse of it, for the recent trend weeks.
    asked_by_perspective: Mapping[tuple[str, Perspective], int] = field(default_factory=dict)


def trend_weeks(iso_week: str) -> tuple[str, ...]:
    return tuple(shift_week(iso_week, -i) for i in range(TREND_WEEKS - 1, -1, -1))


def detail_weeks(iso_week: str, phase_start_week: str) -> list[str]:
    """The weeks whose answers the analysis reads one by one (the rest comes aggregated)."""
    return sorted({iso_week, shift_week(iso_week, -1), phase_start_week})


def _shown(cell: PhaseCell | WeekCell | None, k: int) -> tuple[int | None, float | None]:
    """A cell's count and mean, or neither when it holds fewer than k people."""
    if cell is None or cell.respondents < k:
        return None, None
    return cell.respondents, round(cell.mean, 2)


def analyse(data: DigestInput) -> DigestView:
    """The digest for one journey and one week, without nudges (see `nudges.py`)."""
    journey = data.journey
    assert journey.id is not None
    rule = AnonymityRule(journey.anonymity_threshold)
    week, last_week, start_week = data.iso_week, shift_week(data.iso_week, -1), None
    if data.phase_start_week != week:
        start_week = data.phase_start_week

    by_week: dict[str, list[AnswerPoint]] = defaultdict(list)
    for point in data.values:
        by_week[point.iso_week].append(point)

    empty: tuple[dict[str, Family], dict[str, Family]] = ({}, {})
    perspectives_now, signals_now = week_figures(rule, by_week.get(week, []))
    perspectives_last, signals_last = week_figures(rule, by_week.get(last_week, []))
    perspectives_start, signals_start = (
        week_figures(rule, by_week.get(start_week, [])) if start_week else empty
    )
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
        group_view(s.value, fam, signals_last.get(s.value), signals_start.get(s.value))
        for s in Signal
        if (fam := signals_now.get(s.value)) is not None
    )
    answered = {p.member_id for p in by_week.get(week, [])} | {
        t.member_id for t in data.texts if t.iso_week == week
    }

    weeks = trend_weeks(week)
    week_cells = {(c.iso_week, c.perspective): c for c in data.weeks}
    trend = [
        TrendPoint(
            iso,
            perspective,
            *_shown(week_cells.get((iso, perspective)), rule.k),
            data.asked_by_perspective.get((iso, perspective)),
        )
        for iso in weeks
        for perspective in PERSPECTIVES
    ]
    cells = {(c.phase, c.perspective): c for c in data.cells}
    grid = [
        GridCell(phase, perspective, *_shown(cells.get((phase, perspective)), rule.k))
        for phase in Phase
        for perspective in PERSPECTIVES
    ]

    week_texts = [t for t in data.texts if t.iso_week == week]
    return DigestView(
        journey_id=journey.id,
        journey_name=journey.name,
        iso_week=week,
        language=journey.language,
        phase=data.phase,
        weeks_in_phase=weeks_between(data.phase_start_week, week) + 1,
        phase_start_week=data.phase_start_week,
        k=rule.k,
        generated_at=data.generated_at,
        participation=participation(rule, data.asked, answered, data.roles),
        perspectives=perspectives,
        signals=signals,
        # Per role across all perspectives is not shown: when people answer one perspective
        # a week, it minus the shown perspective x role figures reveals the withheld ones.
        roles=(),
        grid=tuple(grid),
        trend_weeks=weeks,
        trend=tuple(trend),
        touchpoints=data.touchpoints,
        themes=themes(
            rule.k, [t for t in week_texts if t.kind is PromptKind.CHECKIN], data.theme_rules
        ),
        quotes=quotes(rule.k, week_texts, seed=quote_seed(journey.id, week)),
        preview=data.preview,
        workspace_id=journey.workspace_id,
    )


def concern_writers(texts: Sequence[TextPoint], iso_week: str) -> int:
    """How many people wrote a concern in a week (a nudge compares weeks)."""
    return len(
        {t.member_id for t in texts if t.iso_week == iso_week and t.signal is Signal.CONCERNS}
    )
