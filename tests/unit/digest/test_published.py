"""A week's figures as published: kept whole, read back the same, and the grid made of them."""

from __future__ import annotations

import json

from bot.domain.anonymity import AnonymityRule
from bot.domain.digest.published import Cell, WeekFigures, detailed_week, grid, summary_week
from bot.domain.model import Perspective, Phase, PromptKind, Role, Signal
from bot.domain.records import TextPoint, WeekCell
from tests.unit.digest.test_anonymity_digest import WEEK, digest, point

RULE = AnonymityRule(5)


def test_a_detailed_week_survives_storage_as_it_was() -> None:
    points = [point(i, 1 + i % 5, roles=(Role.FOLLOWER,)) for i in range(7)]
    points += [point(i, 4, roles=(Role.FRONTRUNNER,)) for i in range(7, 12)]
    points += [point(i, 2, perspective=Perspective.TECHNOLOGY, week="2026-W48") for i in range(6)]
    texts = [
        TextPoint(i, WEEK, Perspective.HUMAN, Signal.CONCERNS, PromptKind.CHECKIN, "x")
        for i in range(3)
    ]
    week = detailed_week(RULE, WEEK, points, texts)
    assert week.cells == {Perspective.HUMAN: Cell(12, week.cells[Perspective.HUMAN].mean)}
    assert week.concerns == 3
    assert list(week.perspective_families()["human"].roles) == [Role.FRONTRUNNER, Role.FOLLOWER]
    stored = json.loads(json.dumps(week.to_dict()))
    assert WeekFigures.from_dict(WEEK, stored) == week


def test_a_week_kept_with_its_cells_alone_shows_everyone_and_no_breakdown() -> None:
    cells = [
        WeekCell(WEEK, Perspective.HUMAN, 6, 3.333),
        WeekCell(WEEK, Perspective.BUSINESS, 4, 2.0),
    ]
    week = summary_week(RULE, WEEK, cells)
    assert week.cells == {Perspective.HUMAN: Cell(6, 3.33)}  # four people: withheld
    assert WeekFigures.from_dict(WEEK, json.loads(json.dumps(week.to_dict()))) == week
    human = week.perspective_families()["human"]
    assert (human.all and human.all.respondents, human.roles) == (6, {})
    assert week.signal_families() == {} and week.concerns is None


def test_the_grid_is_the_shown_weeks_of_each_phase_weighted_by_their_people() -> None:
    figures = {
        "2026-W46": WeekFigures("2026-W46", {Perspective.HUMAN: Cell(6, 3.0)}),
        "2026-W47": WeekFigures("2026-W47", {Perspective.HUMAN: Cell(10, 4.0)}),
        "2026-W48": WeekFigures("2026-W48", {}),  # withheld that week: adds nothing
        "2026-W49": WeekFigures("2026-W49", {Perspective.HUMAN: Cell(5, 1.0)}),
    }
    phases = {"2026-W46": Phase.INTEREST, "2026-W47": Phase.INTEREST, "2026-W48": Phase.INTEREST}
    cells = {(c.phase, c.perspective): (c.respondents, c.mean) for c in grid(figures, phases)}
    assert cells[(Phase.INTEREST, Perspective.HUMAN)] == (16, 3.62)
    assert cells[(Phase.DESIRE, Perspective.HUMAN)] == (None, None)  # W49: no phase given
    assert cells[(Phase.INTEREST, Perspective.TECHNOLOGY)] == (None, None)


def test_published_figures_win_over_the_answers_as_they_are_now() -> None:
    now = [point(i, 5) for i in range(8)]  # what the answers say today
    then = detailed_week(RULE, WEEK, [point(i, 2) for i in range(6)])  # what was shown
    view = digest(5, now, published={WEEK: then})
    human = view.perspective(Perspective.HUMAN).all
    assert (human.respondents, human.mean) == (6, 2.0)
    assert view.series(Perspective.HUMAN)[-1].respondents == 6
    unpublished = digest(5, now).perspective(Perspective.HUMAN).all
    assert (unpublished.respondents, unpublished.mean) == (8, 5.0)
