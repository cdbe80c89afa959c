"""The digest's neutral view: what a director reads, anonymous, with no words in it.

Platforms render it; storage keeps it as JSON (`DigestView.to_dict`), so a digest can be
shown again later exactly as it was computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.domain.digest.codec import decode, encode
from bot.domain.exit_signals import EXIT_MIN_WEEKS
from bot.domain.model import Language, Perspective, Phase, Role, Signal, Text, TouchpointKind

# A change smaller than this is noise on a 1-5 scale; it shows as flat.
FLAT = 0.15
# The group a nudge names when a role's own figure is withheld.
EVERYONE = "everyone"


@dataclass(frozen=True)
class FigureView:
    """One aggregate; `respondents is None` means withheld (fewer than k, or differencing)."""

    respondents: int | None = None
    mean: float | None = None
    distribution: tuple[int, ...] = ()
    vs_last_week: float | None = None
    vs_phase_start: float | None = None

    @property
    def shown(self) -> bool:
        return self.respondents is not None

    @property
    def trend(self) -> str:
        """`up`, `down`, `flat`, or `` when there is nothing to compare with."""
        if self.vs_last_week is None:
            return ""
        if self.vs_last_week >= FLAT:
            return "up"
        if self.vs_last_week <= -FLAT:
            return "down"
        return "flat"


WITHHELD_FIGURE = FigureView()


def signal_key(signal: Signal, perspective: Perspective) -> str:
    """The key a signal's figures are shown under.

    Balance asks whether one perspective gets attention, so its answers mean something
    only per perspective (`balance.human`); every other signal is one figure across the
    perspectives its items belong to.
    """
    return f"{signal.value}.{perspective.value}" if signal is Signal.BALANCE else signal.value


@dataclass(frozen=True)
class RoleFigure:
    role: Role
    figure: FigureView


@dataclass(frozen=True)
class GroupView:
    """One perspective or one signal: everyone, and each role that may be shown apart."""

    key: str
    all: FigureView
    roles: tuple[RoleFigure, ...] = ()

    def role(self, role: Role) -> FigureView:
        for item in self.roles:
            if item.role is role:
                return item.figure
        return WITHHELD_FIGURE


@dataclass(frozen=True)
class ParticipationView:
    """Answered of asked this week; `role is None` is everyone. None counts are withheld."""

    role: Role | None
    answered: int | None
    asked: int | None

    @property
    def rate(self) -> float | None:
        if self.answered is None or not self.asked:
            return None
        return round(self.answered / self.asked, 2)


@dataclass(frozen=True)
class GridCell:
    phase: Phase
    perspective: Perspective
    respondents: int | None
    mean: float | None


@dataclass(frozen=True)
class TrendPoint:
    iso_week: str
    perspective: Perspective
    respondents: int | None
    mean: float | None
    # People sent a pulse of this perspective that week. Not about anyone's answers, so
    # not withheld; it tells "nobody answered" apart from "nobody was asked".
    asked: int | None = None


@dataclass(frozen=True)
class ThemeView:
    perspective: Perspective
    theme: str
    label: Text
    people: int | None  # withheld below k: the theme is named, its count is not


@dataclass(frozen=True)
class QuoteView:
    perspective: Perspective
    text: str  # shortened and escaped (&, <, >); never with a name
    # The signal of the question it answers, its label; None in digests stored before.
    signal: Signal | None = None


class ArgKind(StrEnum):
    """What a nudge's argument is, so the edge knows how to say it in a language."""

    NUMBER = "number"  # a mean or a change on the answer scale
    COUNT = "count"  # people, weeks, a percentage
    SIGNAL = "signal"
    PERSPECTIVE = "perspective"
    PHASE = "phase"
    GROUP = "group"  # the people of a role (`follower`), or `everyone`
    MEASURES = "measures"  # signals, each with its mean
    WEEK = "week"  # an ISO week, `2026-W49`


@dataclass(frozen=True)
class Measure:
    """A signal with its mean, one item of a `MEASURES` argument."""

    signal: Signal
    mean: float

    @property
    def plain(self) -> str:
        return f"{self.signal.value}={self.mean}"


@dataclass(frozen=True)
class NudgeArg:
    """One value a nudge's message is filled in with: plain data, put into words at the edge.

    `value` is the number, or the id of a word of the vocabulary (a signal, perspective,
    phase or role group); a list of signals with their means is in `measures`.
    """

    kind: ArgKind
    value: str | int | float = ""
    measures: tuple[Measure, ...] = ()

    @classmethod
    def number(cls, value: float) -> NudgeArg:
        return cls(ArgKind.NUMBER, value)

    @classmethod
    def count(cls, value: int) -> NudgeArg:
        return cls(ArgKind.COUNT, value)

    @classmethod
    def word(cls, value: Signal | Perspective | Phase) -> NudgeArg:
        kinds = {Signal: ArgKind.SIGNAL, Perspective: ArgKind.PERSPECTIVE, Phase: ArgKind.PHASE}
        return cls(kinds[type(value)], value.value)

    @classmethod
    def week(cls, iso_week: str) -> NudgeArg:
        return cls(ArgKind.WEEK, iso_week)

    @classmethod
    def group(cls, role: Role | None) -> NudgeArg:
        """The people of `role`, or everyone when the role's own figure is not shown."""
        return cls(ArgKind.GROUP, role.value if role else EVERYONE)

    @classmethod
    def means(cls, pairs: Sequence[tuple[Signal, float]]) -> NudgeArg:
        return cls(ArgKind.MEASURES, measures=tuple(Measure(s, m) for s, m in pairs))

    @property
    def plain(self) -> str | int | float:
        """One plain value: a number, or the vocabulary's id; measures as `id=mean, ...`."""
        if self.kind is ArgKind.MEASURES:
            return ", ".join(m.plain for m in self.measures)
        return self.value


@dataclass(frozen=True)
class NudgeView:
    """One piece of advice as data: the rule that fired, its message key and arguments.

    No words: the edge says it in the reader's language (`nudge_text` in
    `bot/rendering/markdown.py`), so a stored digest is shown in whichever language is
    asked for, with the texts of the day.
    """

    rule: str
    signal: str
    priority: int
    method: str  # the passage of docs/method.md the advice comes from
    key: str = ""  # `nudge.<rule>[.<variant>]`, a message in prompts/messages/digest.yaml
    args: dict[str, NudgeArg] = field(default_factory=dict)
    # Legacy, only in digests stored by versions that put the words in the view itself:
    # such a nudge has no key, and is shown with these words as they were stored.
    text: Text | None = None
    # The ISO week this advice was first shown, when it has been open for weeks: then
    # `key` is the rule's next step (`nudge.<rule>.next`), not the same words again.
    open_since: str = ""

    @property
    def params(self) -> dict[str, str | int | float]:
        """The arguments as plain values (for a log line or a test)."""
        return {name: arg.plain for name, arg in self.args.items()}


class ScoreStatus(StrEnum):
    """Where an exit signal stands this week."""

    MET = "met"  # shown, and its mean at least the exit level
    NOT_MET = "not_met"  # shown, below the exit level
    NOT_MEASURED = "not_measured"  # not asked, or too few answers to show


@dataclass(frozen=True)
class ScoreRow:
    """One exit signal of the phase on the scorecard."""

    signal: Signal
    figure: FigureView  # this week's figure for everyone (withheld: respondents None)
    status: str  # a ScoreStatus: "met" | "not_met" | "not_measured"
    # Measured: weeks it was measured with this status in a row (one week without a figure
    # between them does not break the run), this one included. Not measured: weeks in a row.
    weeks: int
    # Not measured this week only: the run of "met" just before (0 if none).
    before: int = 0

    @property
    def counts_as_met(self) -> bool:
        """Met for long enough to leave the phase (a single week without a figure aside)."""
        run = self.weeks if self.status == ScoreStatus.MET else self.before
        return run >= EXIT_MIN_WEEKS


@dataclass(frozen=True)
class Scorecard:
    """The current phase's exit signals, and whether the phase is ready to be left."""

    phase: Phase
    rows: tuple[ScoreRow, ...]
    ready: bool  # every exit signal counts as met (ScoreRow.counts_as_met)
    left_out: tuple[Role, ...] = ()  # role groups that can never reach k


@dataclass(frozen=True)
class ContactView:
    """A touchpoint of the last weeks: when, what kind, whether outside, what was noted."""

    day: date
    kind: TouchpointKind
    outside: bool
    note: str  # shortened and escaped (&, <, >); mentions dropped


@dataclass(frozen=True)
class Headcount:
    """A number of people, said only from k on: below it `people` is None and `fewer_than`
    is k; both None when not known (too few were asked, or a digest stored before)."""

    people: int | None = None
    fewer_than: int | None = None

    @classmethod
    def of(cls, people: int | None, k: int) -> Headcount:
        if people is None:
            return cls()
        return cls(people) if people >= k else cls(None, k)


@dataclass(frozen=True)
class HumanSide:
    """The counts the learning professional's view reads, fixed with the digest."""

    concern_writers: Headcount = Headcount()
    no_next_step: Headcount = Headcount()


@dataclass(frozen=True)
class DigestView:
    journey_id: int
    journey_name: str
    iso_week: str
    language: Language
    phase: Phase
    weeks_in_phase: int
    phase_start_week: str
    k: int
    generated_at: datetime
    participation: tuple[ParticipationView, ...]
    perspectives: tuple[GroupView, ...]
    signals: tuple[GroupView, ...]
    roles: tuple[RoleFigure, ...]
    grid: tuple[GridCell, ...]
    trend_weeks: tuple[str, ...]
    trend: tuple[TrendPoint, ...]
    touchpoints: int  # contacts outside the organisation in the last weeks
    themes: tuple[ThemeView, ...] = ()
    quotes: tuple[QuoteView, ...] = ()
    nudges: tuple[NudgeView, ...] = ()
    preview: bool = False
    workspace_id: int = 0
    # None in action (no phase after it) and in digests stored before scorecards.
    scorecard: Scorecard | None = None
    # Role groups with fewer than k members: never shown on their own, so not listed.
    left_out: tuple[Role, ...] = ()
    contacts: tuple[ContactView, ...] = ()  # every touchpoint of the last weeks, newest first
    human: HumanSide | None = None  # None in digests stored before it
    # Set when sent to a learning professional (never stored): the platforms then put the
    # steward's section first (bot/domain/digest/steward.py).
    for_steward: bool = False

    def perspective(self, perspective: Perspective) -> GroupView:
        for group in self.perspectives:
            if group.key == perspective.value:
                return group
        return GroupView(perspective.value, WITHHELD_FIGURE)

    def signal(self, signal: Signal) -> GroupView:
        for group in self.signals:
            if group.key == signal.value:
                return group
        return GroupView(signal.value, WITHHELD_FIGURE)

    def participation_of(self, role: Role | None) -> ParticipationView | None:
        for item in self.participation:
            if item.role is role:
                return item
        return None

    def series(self, perspective: Perspective) -> list[TrendPoint]:
        return [p for p in self.trend if p.perspective is perspective]

    def asked(self, perspective: Perspective) -> int | None:
        """People sent a pulse of `perspective` this week (0: nobody); None if not known."""
        for point in self.trend:
            if point.iso_week == self.iso_week and point.perspective is perspective:
                return point.asked
        return None

    def to_dict(self) -> dict[str, Any]:
        encoded = encode(self)
        assert isinstance(encoded, dict)
        return encoded

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DigestView:
        decoded = decode(cls, data)
        assert isinstance(decoded, DigestView)
        return decoded
