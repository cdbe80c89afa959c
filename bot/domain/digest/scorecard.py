"""The phase scorecard: each exit signal this week, met or not, and for how many weeks.

A director reads it first: what must be true to leave the phase (bot/domain/exit_signals.py),
where each of those signals stands this week, and whether the phase is ready to be left
(docs/method.md, "What it means for the bot": the exit signals score well for at least two
weeks in the phase). Earlier weeks of the phase are judged the same way as this one, from
the figures their digests showed (fixed once the week closed), so a streak never rests on
a figure a director could not have been shown.

The pulse asks each exit signal of part of the team every week, and now and then a week
gives too few answers to show. Such a single week without a figure does not break a run:
"met 3 times in a row" counts the weeks it was measured. Two such weeks in a row do, so a
phase is never judged ready on old figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.digest.figures import Family
from bot.domain.digest.view import FigureView, GroupView, Scorecard, ScoreRow, ScoreStatus
from bot.domain.exit_signals import EXIT_LEVEL, EXIT_SIGNALS
from bot.domain.model import Phase, Role, Signal


def status_of(mean: float | None) -> ScoreStatus:
    if mean is None:
        return ScoreStatus.NOT_MEASURED
    return ScoreStatus.MET if mean >= EXIT_LEVEL else ScoreStatus.NOT_MET


def week_statuses(phase: Phase, signals: Mapping[str, Family]) -> dict[Signal, ScoreStatus]:
    """Each exit signal's status in one week, from that week's signal figures as digests
    show them (as published once the week closed)."""
    statuses = {}
    for signal in EXIT_SIGNALS.get(phase, ()):
        family = signals.get(signal.value)
        shown = family.all if family is not None else None
        statuses[signal] = status_of(shown.mean if shown is not None else None)
    return statuses


def left_out(roles: Mapping[int, frozenset[Role]], k: int) -> tuple[Role, ...]:
    """Role groups with members but fewer than k: no figure of theirs can ever be shown."""
    sizes = {role: sum(1 for held in roles.values() if role in held) for role in Role}
    return tuple(role for role in Role if 0 < sizes[role] < k)


def scorecard(
    phase: Phase,
    now: Mapping[Signal, GroupView],
    earlier: Sequence[Mapping[Signal, ScoreStatus]],
    left: tuple[Role, ...] = (),
) -> Scorecard | None:
    """The scorecard of this week; None for a phase without exit signals (action).

    `now` holds this week's figures per exit signal; `earlier` the statuses of the
    phase's earlier weeks, oldest first (a week before the phase began is no part of it).
    """
    signals = EXIT_SIGNALS.get(phase, ())
    if not signals:
        return None
    rows = []
    for signal in signals:
        group = now.get(signal)
        figure = group.all if group is not None else FigureView()
        status = status_of(figure.mean)
        history = [week.get(signal, ScoreStatus.NOT_MEASURED) for week in earlier]
        if status is ScoreStatus.NOT_MEASURED:
            weeks = 1 + _run(history, ScoreStatus.NOT_MEASURED, bridge=False)
            before = _run(history, ScoreStatus.MET) if weeks == 1 else 0
            rows.append(ScoreRow(signal, figure, status.value, weeks, before))
        else:
            rows.append(ScoreRow(signal, figure, status.value, 1 + _run(history, status)))
    return Scorecard(phase, tuple(rows), all(r.counts_as_met for r in rows), left)


def _run(history: Sequence[ScoreStatus], status: ScoreStatus, bridge: bool = True) -> int:
    """How many of the latest weeks had `status`, newest first; with `bridge`, a single
    week without a figure between two is passed over (not counted), two end the run."""
    run = 0
    gap = 0
    for week in reversed(history):
        if week is status:
            run += 1
            gap = 0
        elif bridge and week is ScoreStatus.NOT_MEASURED and gap == 0:
            gap = 1
        else:
            break
    return run
