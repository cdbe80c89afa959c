"""You said, we did: what leadership did about what the team said, told to the whole team.

The method asks that people feel heard, and being heard means seeing what was done with what
you said. A director or facilitator records an action (`/pioneer did …`, or the button next
to a nudge); once a fortnight every member gets a short update in their own language: what
the team said, as the figures of the fortnight's digests that already passed the anonymity
rule (never a quote, never free text), and what leadership did in those two weeks. When
nothing was recorded the update says so: skipping it would hide exactly that.

Pure: the use case (bot/app/team_updates.py) reads the stored digests and actions and sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.digest.texts import quote_text
from bot.domain.digest.view import DigestView
from bot.domain.errors import DomainError
from bot.domain.model import PERSPECTIVES, Journey, Language, Phase, Role, Text

# Who records what was done: those who act on the digest and those who run the journey.
DOERS = frozenset({Role.DIRECTOR, Role.FACILITATOR})
# A fortnight: the team update covers the two weeks its digests reported.
FORTNIGHT = 2
# An action as typed may be long; the team reads a sentence or two.
ACTION_LENGTH = 300
MAX_ACTION_LENGTH = 1000


class EmptyAction(DomainError):
    key = "error.did.empty"


class ActionTooLong(DomainError):
    key = "error.did.too_long"  # params: limit


class UnknownNudge(DomainError):
    key = "error.did.unknown_nudge"


@dataclass(frozen=True)
class LeadershipAction:
    """What a director or facilitator did about a nudge or a theme, as they wrote it."""

    workspace_id: int
    journey_id: int
    text: str
    recorded_at: datetime
    member_id: int | None = None  # who recorded it; never shown to the team
    rule: str = ""  # the nudge rule it answers, if any
    signal: str = ""  # that nudge's signal, so the team sees what it was about
    id: int | None = None


def new_action(
    workspace_id: int,
    journey_id: int,
    member_id: int | None,
    text: str,
    now: datetime,
    rule: str = "",
    signal: str = "",
) -> LeadershipAction:
    """A checked action: some words, and not a whole report."""
    text = " ".join(text.split())
    if not text:
        raise EmptyAction()
    if len(text) > MAX_ACTION_LENGTH:
        raise ActionTooLong(limit=MAX_ACTION_LENGTH)
    return LeadershipAction(workspace_id, journey_id, text, now, member_id, rule, signal)


@dataclass(frozen=True)
class SaidFigure:
    """One aggregate the team gave: a perspective or an exit signal, over k people or more."""

    key: str  # a perspective (`human`) or a signal (`heard`)
    mean: float
    respondents: int


@dataclass(frozen=True)
class SaidTheme:
    """A recurring theme of what people wrote, named only when k people or more raised it."""

    theme: str
    label: Text
    people: int


@dataclass(frozen=True)
class DoneItem:
    day: date
    text: str  # shortened, mentions dropped, escaped (&, <, >)
    signal: str = ""


@dataclass(frozen=True)
class TeamUpdateView:
    """The fortnight's team update, the same for every member but for its language."""

    journey_id: int
    journey_name: str
    iso_week: str  # the fortnight's last week
    weeks: tuple[str, ...]  # the weeks the team's figures come from (stored digests)
    language: Language
    phase: Phase
    k: int
    perspectives: tuple[SaidFigure, ...] = ()
    signals: tuple[SaidFigure, ...] = ()
    themes: tuple[SaidTheme, ...] = ()
    done: tuple[DoneItem, ...] = ()
    workspace_id: int = 0

    @property
    def said_anything(self) -> bool:
        return bool(self.perspectives or self.signals or self.themes)


def _figure(key: str, respondents: int | None, mean: float | None, k: int) -> SaidFigure | None:
    # The digest withholds groups under k already; checked again, because a team update
    # goes to everyone, and a digest stored under an older, lower k must not leak through.
    if respondents is None or mean is None or respondents < k:
        return None
    return SaidFigure(key, mean, respondents)


def team_update(
    journey: Journey,
    iso_week: str,
    digests: Sequence[DigestView],
    actions: Sequence[LeadershipAction],
) -> TeamUpdateView:
    """The update for the fortnight ending with `iso_week`.

    `digests` are the fortnight's stored digests, oldest first: the newest figure of each
    perspective, the newest digest's exit signals and its themes. Quotes are never read.
    """
    assert journey.id is not None
    k = journey.anonymity_threshold
    ordered = sorted(digests, key=lambda d: d.iso_week)
    perspectives: list[SaidFigure] = []
    for perspective in PERSPECTIVES:
        for digest in reversed(ordered):
            figure = digest.perspective(perspective).all
            said = _figure(perspective.value, figure.respondents, figure.mean, k)
            if said is not None:
                perspectives.append(said)
                break
    signals: list[SaidFigure] = []
    themes: list[SaidTheme] = []
    if ordered:
        newest = ordered[-1]
        if newest.scorecard is not None:
            for row in newest.scorecard.rows:
                said = _figure(row.signal.value, row.figure.respondents, row.figure.mean, k)
                if said is not None:
                    signals.append(said)
        seen: set[str] = set()
        for theme in newest.themes:
            if theme.people is not None and theme.people >= k and theme.theme not in seen:
                seen.add(theme.theme)
                themes.append(SaidTheme(theme.theme, theme.label, theme.people))
    done = tuple(
        DoneItem(a.recorded_at.date(), quote_text(a.text, ACTION_LENGTH), a.signal)
        for a in sorted(actions, key=lambda a: (a.recorded_at, a.id or 0))
    )
    return TeamUpdateView(
        journey_id=journey.id,
        journey_name=journey.name,
        iso_week=iso_week,
        weeks=tuple(d.iso_week for d in ordered),
        language=journey.language,
        phase=ordered[-1].phase if ordered else journey.phase,
        k=k,
        perspectives=tuple(perspectives),
        signals=tuple(signals),
        themes=tuple(themes),
        done=done,
        workspace_id=journey.workspace_id,
    )
