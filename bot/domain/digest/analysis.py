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
from bot.domain.digest.texts import ThemeRule, quote_seed, quotes, themes
from bot.domain.digest.view import DigestView, TrendPoint
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
from bot.domain.records import AnswerPoint, TextPoint, WeekCell

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
    values: Sequence[AnswerPoint]  # pulses of this week, and of detail weeks not published
    texts: Sequence[TextPoint]  # check-ins and comments of this week and the one before
    asked: set[int]  # members sent a prompt this week
    roles: Mapping[int, frozenset[Role]]  # every member's roles now
    weeks: Sequence[WeekCell]  # week x perspective of the other weeks not published
    touchpoints: int  # logged in the last four weeks
    generated_at: datetime
    theme_rules: Sequence[ThemeRule] = ()
    preview: bool = False
    # (week, perspective) -> people sent a pulse of it, for the recent trend weeks.
    asked_by_perspective: Mapping[tuple[str, Perspective], int] = field(default_factory=dict)
    # Weeks' figures as first published (published.py): they win over `values` and `weeks`.
    published: Mapping[str, WeekFigures] = field(default_factory=dict)
    # The phase each week ended in, for the grid (this week's is `phase`).
    phases: Mapping[str, Phase] = field(default_factory=dict)


def trend_weeks(iso_week: str) -> tuple[str, ...]:
    return tuple(shift_week(iso_week, -i) for i in range(TREND_WEEKS - 1, -1, -1))


def detail_weeks(iso_week: str, phase_start_week: str) -> list[str]:
    """The weeks whose answers the analysis reads one by one (the rest comes aggregated)."""
    return sorted({iso_week, shift_week(iso_week, -1), phase_start_week})


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
    for iso in detail_weeks(week, data.phase_start_week):
        texts = data.texts if iso in (week, shift_week(week, -1)) else None
        figures[iso] = detailed_week(rule, iso, data.values, texts)
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
    now, last = figures[week], figures[last_week]
    start = figures[start_week] if start_week else None
    perspectives_now, signals_now = now.perspective_families(), now.signal_families()
    perspectives_last, signals_last = last.perspective_families(), last.signal_families()
    perspectives_start = start.perspective_families() if start else {}
    signals_start = start.signal_families() if start else {}
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
    answered = {p.member_id for p in data.values if p.iso_week == week} | {
        t.member_id for t in data.texts if t.iso_week == week
    }

    weeks = trend_weeks(week)
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
        grid=grid(figures, {**data.phases, week: data.phase}),
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


def _cell(cell: Cell | None) -> tuple[int | None, float | None]:
    return (cell.respondents, cell.mean) if cell is not None else (None, None)
