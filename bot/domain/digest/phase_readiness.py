"""The facilitator's readiness card: is the journey ready to move on, or to go back?

docs/method.md, "What it means for the bot": a facilitator moves the journey on, or back,
giving a reason. The card puts together what that decision needs: the phase and how long
it has run, the exit signals as the latest stored digest scored them (a week that is over:
the week in progress is shown to nobody), the risk of hobbyism, and the last moves with
their reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.digest.nudges import HOBBYISM_WEEKS
from bot.domain.digest.texts import escape
from bot.domain.digest.view import DigestView, Scorecard
from bot.domain.model import Phase, PhaseChange, Signal

# The last moves the card lists, newest first.
LAST_MOVES = 3
# Weeks before HOBBYISM_WEEKS at which the card starts to warn.
HOBBYISM_WARNING = 2


class Hobbyism(StrEnum):
    NONE = "none"  # not in interest, or a picture of the future is there
    WATCH = "watch"  # in interest for a while, no shared picture yet
    RISK = "risk"  # HOBBYISM_WEEKS or more in interest without one


@dataclass(frozen=True)
class MoveView:
    day: date
    from_phase: Phase
    to_phase: Phase
    reason: str  # escaped (&, <, >)


@dataclass(frozen=True)
class ReadinessCard:
    journey_id: int
    journey_name: str  # escaped
    channel: str
    phase: Phase
    weeks_in_phase: int
    # The latest digest of a week that is over, and its scorecard when it scored this
    # phase (a digest from before the last move scored another one).
    digest_week: str | None
    scorecard: Scorecard | None
    hobbyism: Hobbyism
    moves: tuple[MoveView, ...]

    @property
    def can_go_next(self) -> bool:
        return self.phase.next() is not None

    @property
    def can_go_back(self) -> bool:
        return self.phase is not Phase.AWARENESS


def _future_picture_met(card: Scorecard | None) -> bool:
    if card is None:
        return False
    return any(r.signal is Signal.FUTURE_PICTURE and r.counts_as_met for r in card.rows)


def hobbyism(phase: Phase, weeks_in_phase: int, card: Scorecard | None) -> Hobbyism:
    if phase is not Phase.INTEREST or _future_picture_met(card):
        return Hobbyism.NONE
    if weeks_in_phase >= HOBBYISM_WEEKS:
        return Hobbyism.RISK
    if weeks_in_phase >= HOBBYISM_WEEKS - HOBBYISM_WARNING:
        return Hobbyism.WATCH
    return Hobbyism.NONE


def readiness_card(
    journey_id: int,
    name: str,
    channel: str,
    phase: Phase,
    weeks_in_phase: int,
    latest: DigestView | None,
    history: Sequence[PhaseChange],
) -> ReadinessCard:
    card = latest.scorecard if latest is not None else None
    if card is not None and card.phase is not phase:
        card = None
    moves = sorted(history, key=lambda c: c.at, reverse=True)[:LAST_MOVES]
    return ReadinessCard(
        journey_id=journey_id,
        journey_name=escape(name),
        channel=channel,
        phase=phase,
        weeks_in_phase=weeks_in_phase,
        digest_week=latest.iso_week if latest is not None else None,
        scorecard=card,
        hobbyism=hobbyism(phase, weeks_in_phase, card),
        moves=tuple(
            MoveView(c.at.date(), c.from_phase, c.to_phase, escape(c.reason)) for c in moves
        ),
    )
