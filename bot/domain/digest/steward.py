"""The learning professional's week: the human side of a digest, for its steward.

docs/method.md, "The learning professional": the steward of the human perspective keeps
watch over how staff learn to work with the new technology. Everything here is read from
a digest as it was computed (and, for a closed week, stored): the same figures, withheld
the same way, so this view can never show a group, a count or a week differently from
the director's digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.digest.view import (
    WITHHELD_FIGURE,
    DigestView,
    FigureView,
    GroupView,
    Headcount,
    HumanSide,
    ThemeView,
)
from bot.domain.model import Perspective, Phase, Signal

# The human-side signals per role group, in the order the view lists them.
HUMAN_SIGNALS: tuple[Signal, ...] = (Signal.HEARD, Signal.MY_ROLE, Signal.LEARNING)
# Below this, people say they are not trained or supported enough (the nudges' LOW).
LEARNING_LOW = 3.0
# The method's three things that help a learning professional, as message keys.
CHECKLIST: tuple[str, ...] = ("recognisable", "no_way_back", "other_rules")


class Timing(StrEnum):
    """Where training stands against the phase (docs/method.md, Signals: `learning`
    matters in action; warming up is where the steward matters most)."""

    EARLY = "early"  # waking up: be known as the person to go to, no courses yet
    PREPARE = "prepare"  # desire: plan training so it starts with the first experiments
    ON_TRACK = "on_track"  # action: people say they are trained and supported
    BEHIND = "behind"  # action: people say they are not
    UNMEASURED = "unmeasured"  # action: too few answers to tell


@dataclass(frozen=True)
class StewardView:
    digest: DigestView
    signals: tuple[GroupView, ...]  # HUMAN_SIGNALS, each for everyone and per role group
    themes: tuple[ThemeView, ...]  # human-side themes that at least k people wrote about
    human: HumanSide
    timing: Timing
    learning: FigureView
    checklist: tuple[str, ...] = CHECKLIST


def timing(phase: Phase, learning: FigureView) -> Timing:
    if phase in (Phase.AWARENESS, Phase.INTEREST):
        return Timing.EARLY
    if phase is Phase.DESIRE:
        return Timing.PREPARE
    if learning.mean is None:
        return Timing.UNMEASURED
    return Timing.BEHIND if learning.mean < LEARNING_LOW else Timing.ON_TRACK


def steward_view(view: DigestView) -> StewardView:
    learning = view.signal(Signal.LEARNING).all
    return StewardView(
        digest=view,
        signals=tuple(view.signal(s) for s in HUMAN_SIGNALS),
        # A theme named from fewer than k writers is a hint for the board, not for the one
        # person who may know who wrote it.
        themes=tuple(
            x for x in view.themes if x.perspective is Perspective.HUMAN and x.people is not None
        ),
        human=view.human or HumanSide(Headcount(), Headcount()),
        timing=timing(view.phase, learning if learning.shown else WITHHELD_FIGURE),
        learning=learning,
    )
