"""A closed week's figures, fixed when first published, so no two moments can be compared.

A figure a director can see at two moments must not reveal one person. Shown as 3.4 from
5 people and later as 3.0 from 6, a week's mean gives away the sixth answer (6 x 3.0 -
5 x 3.4); a changed answer, or someone erased, shows the same way. So a week's figures are
computed once, after the week has closed, and kept (`WeekFigures`): every later digest
reads them from there for its trend, its changes since last week or since the phase began,
and its phases x perspectives grid. The week in progress is shown to nobody (a preview is
the last closed week's digest). And the grid is made of the weekly figures only (`grid`):
it never holds an answer that no shown weekly figure holds, so no combination of weekly
figures can be subtracted from it to isolate the people a withheld week would hide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.anonymity import AnonymityRule, Shown
from bot.domain.digest.figures import Family, week_figures
from bot.domain.digest.view import GridCell
from bot.domain.model import PERSPECTIVES, Perspective, Phase, Role, Signal
from bot.domain.records import AnswerPoint, TextPoint, WeekCell


@dataclass(frozen=True)
class Cell:
    """One perspective's mean of per-person means in one week, from at least k people."""

    respondents: int
    mean: float


@dataclass(frozen=True)
class WeekFigures:
    """What the digests show of one week. `cells` for every week; the families (everyone
    and each role, per perspective and per signal) and the number of people who wrote a
    concern for the weeks a digest read answer by answer (its own, the one before, the
    phase's first). A week kept without them never gets them: they would be computed
    later than its cells, from answers that may have changed since."""

    iso_week: str
    cells: Mapping[Perspective, Cell]
    perspectives: Mapping[str, Family] | None = None
    signals: Mapping[str, Family] | None = None
    concerns: int | None = None
    # People whose answers on `my_role` averaged below the middle of the scale: they do not
    # know their next step yet. None when fewer than k answered it, or not computed.
    no_next_step: int | None = None

    def perspective_families(self) -> Mapping[str, Family]:
        """Each perspective's figures; from the cells alone (everyone) when that is all."""
        if self.perspectives is not None:
            return self.perspectives
        return {
            p.value: Family(Shown(cell.respondents, cell.mean, ()))
            for p, cell in self.cells.items()
        }

    def signal_families(self) -> Mapping[str, Family]:
        return self.signals or {}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "cells": {p.value: [c.respondents, c.mean] for p, c in self.cells.items()}
        }
        if self.perspectives is not None and self.signals is not None:
            data["perspectives"] = _families_out(self.perspectives)
            data["signals"] = _families_out(self.signals)
            data["concerns"] = self.concerns
            data["no_next_step"] = self.no_next_step
        return data

    @classmethod
    def from_dict(cls, iso_week: str, data: Mapping[str, Any]) -> WeekFigures:
        cells = {Perspective(p): Cell(int(n), float(m)) for p, (n, m) in data["cells"].items()}
        if "perspectives" not in data:
            return cls(iso_week, cells)
        return cls(
            iso_week,
            cells,
            _families_in(data["perspectives"]),
            _families_in(data["signals"]),
            data.get("concerns"),
            data.get("no_next_step"),
        )


def detailed_week(
    rule: AnonymityRule,
    iso_week: str,
    points: Iterable[AnswerPoint],
    texts: Sequence[TextPoint] | None = None,
    first: Sequence[Signal] = (),
) -> WeekFigures:
    """A week's figures from its answers; `texts` None: not read, so no concern count.
    `first`: the signals that get the first chance to be shown (`week_figures`)."""
    points = [p for p in points if p.iso_week == iso_week]
    perspectives, signals = week_figures(rule, points, first)
    cells = {
        Perspective(key): Cell(family.all.respondents, family.all.mean)
        for key, family in perspectives.items()
        if family.all is not None
    }
    concerns = concern_writers(texts, iso_week) if texts is not None else None
    return WeekFigures(
        iso_week, cells, perspectives, signals, concerns, without_next_step(rule, points)
    )


def summary_week(rule: AnonymityRule, iso_week: str, cells: Iterable[WeekCell]) -> WeekFigures:
    """A week's cells alone, from the per-person means storage aggregated."""
    return WeekFigures(
        iso_week,
        {
            c.perspective: Cell(c.respondents, round(c.mean, 2))
            for c in cells
            if c.iso_week == iso_week and c.respondents >= rule.k
        },
    )


def concern_writers(texts: Iterable[TextPoint], iso_week: str) -> int:
    """How many people wrote a concern in a week (a nudge compares weeks)."""
    return len(
        {t.member_id for t in texts if t.iso_week == iso_week and t.signal is Signal.CONCERNS}
    )


# Below the middle of the 1-5 scale: "it is not clear to me how my own job will change".
UNCLEAR_BELOW = 3.0


def without_next_step(rule: AnonymityRule, points: Iterable[AnswerPoint]) -> int | None:
    """How many people of one week's `my_role` answers do not know their next step (their
    mean below UNCLEAR_BELOW); None when fewer than k answered it."""
    answers: dict[int, list[int]] = {}
    for p in points:
        if p.signal is Signal.MY_ROLE:
            answers.setdefault(p.member_id, []).append(p.value)
    if rule.count(answers) is None:
        return None
    return sum(1 for values in answers.values() if sum(values) / len(values) < UNCLEAR_BELOW)


def grid(figures: Mapping[str, WeekFigures], phases: Mapping[str, Phase]) -> tuple[GridCell, ...]:
    """Phases x perspectives: per phase, the shown weekly cells of the weeks the journey
    ended in that phase, weighted by their respondents (a person counts once a week).

    Only shown weekly figures go in, each from at least k people, so the grid reveals no
    more than those figures do together; a week under k adds nothing to it.
    """
    sums: dict[tuple[Phase, Perspective], tuple[int, float]] = {}
    for week, figure in figures.items():
        phase = phases.get(week)
        if phase is None:
            continue
        for perspective, cell in figure.cells.items():
            n, total = sums.get((phase, perspective), (0, 0.0))
            n, total = n + cell.respondents, total + cell.respondents * cell.mean
            sums[(phase, perspective)] = (n, total)
    cells = []
    for phase in Phase:
        for perspective in PERSPECTIVES:
            n, total = sums.get((phase, perspective), (0, 0.0))
            cells.append(
                GridCell(phase, perspective, n or None, round(total / n, 2) if n else None)
            )
    return tuple(cells)


# -- the stored form ---------------------------------------------------------------------
def _shown_out(figure: Shown | None) -> list[Any] | None:
    if figure is None:
        return None
    return [figure.respondents, figure.mean, list(figure.distribution)]


def _shown_in(data: Sequence[Any] | None) -> Shown | None:
    if data is None:
        return None
    respondents, mean, distribution = data
    return Shown(int(respondents), float(mean), tuple(int(n) for n in distribution))


def _families_out(families: Mapping[str, Family]) -> dict[str, Any]:
    return {
        key: {
            "all": _shown_out(family.all),
            "roles": {role.value: _shown_out(fig) for role, fig in family.roles.items()},
            # The items behind the figures: a later digest compares like with like.
            "items": sorted(family.items),
            "role_items": {role.value: sorted(i) for role, i in family.role_items.items()},
        }
        for key, family in families.items()
    }


def _families_in(data: Mapping[str, Any]) -> dict[str, Family]:
    return {
        key: Family(
            _shown_in(item["all"]),
            {Role(role): _shown_in(fig) for role, fig in item["roles"].items()},
            frozenset(item.get("items", ())),
            {Role(r): frozenset(i) for r, i in item.get("role_items", {}).items()},
        )
        for key, item in data.items()
    }
