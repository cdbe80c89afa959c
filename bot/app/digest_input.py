"""What a week's digest reads, in one transaction, with closed weeks' figures fixed.

The figures of a week are fixed the first time they are computed after the week has closed
(`bot/domain/digest/published.py` says why): what is fetched here for weeks already fixed
is only what the analysis needs besides them, and what it computes for newly closed weeks
is stored before it is shown, so every later digest reads the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain import errors
from bot.domain.digest import nudges
from bot.domain.digest.analysis import (
    TOUCHPOINT_WEEKS,
    DigestInput,
    detail_weeks,
    figures_of,
    phase_at,
    trend_weeks,
)
from bot.domain.digest.published import WeekFigures
from bot.domain.digest.texts import ThemeRule
from bot.domain.digest.view import DigestView
from bot.domain.digest.weeks import (
    local_week,
    shift_week,
    week_bounds,
    week_monday,
    weeks_between,
)
from bot.domain.model import PERSPECTIVES, Perspective
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory


def gather(
    uow: UnitOfWorkFactory,
    now: datetime,
    workspace_id: int,
    journey_id: int,
    iso_week: str,
    theme_rules: Sequence[ThemeRule],
    preview: bool = False,
) -> DigestInput:
    """The digest's input for `iso_week` as of `now`, newly closed weeks' figures fixed."""
    with uow() as tx:
        journey = tx.journeys.get(workspace_id, journey_id)
        if journey is None:
            raise errors.NoJourney()
        zone = journey.timezone
        start, end = week_bounds(iso_week, zone)
        history = tx.journeys.phase_history(workspace_id, journey_id)
        at = phase_at(journey, history, end)
        phase_start_week = min(local_week(at.since, zone), iso_week)
        first_week = min(local_week(journey.started_at, zone), iso_week)
        # The journey's weeks so far, each with the phase it ended in (the grid's rows).
        span = [shift_week(first_week, i) for i in range(weeks_between(first_week, iso_week) + 1)]
        phases = {w: phase_at(journey, history, week_bounds(w, zone)[1]).phase for w in span}
        published = _published(tx, workspace_id, journey_id, iso_week)
        detail = detail_weeks(iso_week, phase_start_week, at.phase)
        values = tx.answers.values_for_weeks(
            workspace_id, journey_id, [w for w in detail if w not in published or w == iso_week]
        )
        summary = sorted((set(span) | set(trend_weeks(iso_week))) - set(detail) - set(published))
        week_cells = tx.answers.week_perspective_means(workspace_id, journey_id, summary)
        last_week = shift_week(iso_week, -1)
        texts = tx.answers.texts_for_weeks(workspace_id, journey_id, [iso_week, last_week])
        asked = tx.deliveries.asked_members(workspace_id, journey_id, start, end)
        asked_by_perspective: dict[tuple[str, Perspective], int] = {}
        for week in trend_weeks(iso_week, first_week)[-nudges.QUIET_WINDOW_WEEKS :]:
            counts = tx.deliveries.asked_by_perspective(
                workspace_id, journey_id, *week_bounds(week, zone)
            )
            # Zero where nobody was asked: a perspective not asked is not a quiet one.
            asked_by_perspective.update({(week, p): counts.get(p, 0) for p in PERSPECTIVES})
        roles = tx.members.roles_by_id(workspace_id, journey_id)
        first_day = week_monday(iso_week) - timedelta(weeks=TOUCHPOINT_WEEKS - 1)
        last_day = week_monday(iso_week) + timedelta(days=6)
        touchpoints = [
            tp
            for tp in tx.touchpoints.list(workspace_id, journey_id, since=first_day)
            if tp.happened_on <= last_day
        ]
        # What the digests of the weeks just before advised: advice open for weeks folds.
        shown_before = []
        for back in range(1, nudges.FOLD_AFTER + 1):
            week = shift_week(iso_week, -back)
            stored = tx.digests.get(workspace_id, journey_id, week)
            before = DigestView.from_dict(stored.payload).nudges if stored else ()
            shown_before.append((week, before))
        data = DigestInput(
            journey=journey,
            iso_week=iso_week,
            phase=at.phase,
            phase_start_week=phase_start_week,
            values=values,
            texts=texts,
            asked=asked,
            asked_by_perspective=asked_by_perspective,
            roles=roles,
            weeks=week_cells,
            touchpoints=touchpoints,
            generated_at=now,
            theme_rules=theme_rules,
            preview=preview,
            published=published,
            phases=phases,
            shown_before=tuple(shown_before),
        )
        closed = {w for w in span if is_closed(w, zone, now)}
        fresh = {w: f for w, f in figures_of(data).items() if w in closed and w not in published}
        if not fresh:
            return data
        tx.week_figures.add(
            workspace_id, journey_id, {w: f.to_dict() for w, f in fresh.items()}, now
        )
        tx.commit()
        # What another process fixed first, if any, is what everyone reads from now on.
        return replace(data, published=_published(tx, workspace_id, journey_id, iso_week))


def _published(
    tx: UnitOfWork, workspace_id: int, journey_id: int, iso_week: str
) -> Mapping[str, WeekFigures]:
    stored = tx.week_figures.up_to(workspace_id, journey_id, iso_week)
    return {week: WeekFigures.from_dict(week, figures) for week, figures in stored.items()}


def is_closed(iso_week: str, timezone: str, now: datetime) -> bool:
    """Whether a week has ended in the journey's zone (its figures can then be fixed)."""
    return week_bounds(iso_week, timezone)[1] <= now
