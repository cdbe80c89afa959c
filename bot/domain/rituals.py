"""Rituals: what recurs in a journey, when it is due for whom, and what each person is asked.

Pure: no database, no scheduler, no chat platform. The scheduler asks this module which
deliveries are due between two instants and records them before anything is sent.

Time rules:
- a ritual has a cadence in *local* time (weekdays by name, "10:00"); each member gets it
  at that time in their own zone (member setting, else the journey's);
- only on the journey's working days, never on its holidays, never while a member is away
  (`away until D`: nothing on days before D) and never while the journey is paused;
- an occurrence's key is the member-local date (`2026-12-01`), so it is the same however
  often and by whichever process it is computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.calendar import Cadence, Calendar, local_instant, zone
from bot.domain.errors import DomainError
from bot.domain.model import Member, Phase, Prompt, PromptKind, Role, Signal

# How far back a scheduler looks after downtime; older occurrences are not reconstructed.
MAX_CATCH_UP = timedelta(days=31)


# -- errors (texts in prompts/messages/scheduling.yaml) ----------------------------------------
class UnknownRitual(DomainError):
    key = "error.schedule.unknown_ritual"  # params: ritual, known


class AwayInPast(DomainError):
    key = "error.schedule.away_past"  # params: day


class NothingToSend(DomainError):
    key = "error.schedule.nothing_to_send"


class JourneyPaused(DomainError):
    """Asking now while paused: nothing goes out until the journey resumes."""

    key = "error.schedule.paused"


class RitualKind(StrEnum):
    PULSE = "pulse"
    CHECKIN = "checkin"
    DIGEST = "digest"
    TEAM_UPDATE = "team_update"  # "you said, we did": to every member, once a fortnight

    @property
    def prompt_kind(self) -> PromptKind | None:
        return {"pulse": PromptKind.PULSE, "checkin": PromptKind.CHECKIN}.get(self.value)


class Fate(StrEnum):
    PENDING = "pending"  # to be sent (maybe late, still inside its grace window)
    MISSED = "missed"  # the bot was down past the grace window: recorded, never sent


# -- the plan -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ritual:
    """One recurring thing in a phase: who is asked what, when, and for how long."""

    key: str
    kind: RitualKind
    cadence: Cadence
    open_hours: int = 72
    audience: frozenset[Role] = frozenset(Role)
    signals: frozenset[Signal] = frozenset()  # empty: any signal of the phase
    remind_before_hours: int | None = 24  # None: no reminder
    grace_hours: int | None = None  # None: until the poll would close
    active: bool = True
    questions: int = 1  # pulses: questions asked each occurrence (each its own message)
    # 2: every other week. Counted from a fixed Monday, so every process and every pass
    # agrees on which weeks, whatever the journey's start or the scheduler's history.
    every_weeks: int = 1

    @property
    def for_journey(self) -> bool:
        """Handled once for the whole journey (digest, team update), not per member."""
        return self.kind in (RitualKind.DIGEST, RitualKind.TEAM_UPDATE)

    def falls_on(self, day: date) -> bool:
        """Whether the cadence has `day` (its weekday, and its week when not weekly)."""
        if day.weekday() not in self.cadence.days:
            return False
        return self.every_weeks <= 1 or _week_number(day) % self.every_weeks == 0

    def closes_at(self, due: datetime) -> datetime:
        return due + timedelta(hours=self.open_hours)

    def grace_until(self, due: datetime) -> datetime:
        if self.grace_hours is None:
            return self.closes_at(due)
        return min(self.closes_at(due), due + timedelta(hours=self.grace_hours))

    def remind_at(self, due: datetime) -> datetime | None:
        """When the one reminder goes to non-responders; half-way if the window is short."""
        if self.remind_before_hours is None or self.for_journey:
            return None
        closes = self.closes_at(due)
        at = closes - timedelta(hours=self.remind_before_hours)
        return at if at > due else due + (closes - due) / 2

    def fate(self, due: datetime, now: datetime) -> Fate:
        return Fate.PENDING if now <= self.grace_until(due) else Fate.MISSED

    def occurrence_seq(self, day: date) -> int:
        """Consecutive occurrences get consecutive numbers (drives the prompt rotation)."""
        monday = day - timedelta(days=day.weekday())
        week = monday.toordinal() // 7
        position = (
            self.cadence.days.index(day.weekday()) if day.weekday() in self.cadence.days else 0
        )
        return week * len(self.cadence.days) + position

    def with_cadence(self, cadence: Cadence) -> Ritual:
        return replace(self, cadence=cadence)


@dataclass(frozen=True)
class CadenceOverride:
    """A facilitator's change to one ritual of one journey (a row of the rituals table)."""

    key: str
    days: str
    local_time: str
    open_hours: int | None = None
    active: bool = True


@dataclass(frozen=True)
class RitualPlan:
    """The default rituals per phase (prompts/rituals.yaml plus an organisation's override)."""

    by_phase: Mapping[Phase, tuple[Ritual, ...]]

    def keys(self) -> list[str]:
        seen: dict[str, None] = {}
        for rituals in self.by_phase.values():
            for ritual in rituals:
                seen.setdefault(ritual.key)
        return list(seen)

    def for_phase(
        self, phase: Phase, overrides: Iterable[CadenceOverride] = ()
    ) -> tuple[Ritual, ...]:
        """The phase's rituals with a journey's cadence changes applied."""
        changes = {o.key: o for o in overrides}
        out: list[Ritual] = []
        for ritual in self.by_phase.get(phase, ()):
            change = changes.get(ritual.key)
            if change is not None:
                ritual = replace(
                    ritual,
                    cadence=Cadence.parse(change.days, change.local_time),
                    open_hours=change.open_hours or ritual.open_hours,
                    active=change.active,
                )
            if ritual.active:
                out.append(ritual)
        return tuple(out)

    def find(self, phase: Phase, key: str) -> Ritual | None:
        return next((r for r in self.by_phase.get(phase, ()) if r.key == key), None)


# -- occurrences ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Occurrence:
    key: str  # member-local date, e.g. "2026-12-01"
    day: date
    due_at: datetime  # UTC


def _week_number(day: date) -> int:
    return (day - timedelta(days=day.weekday())).toordinal() // 7


def occurrences(
    ritual: Ritual, timezone: str, calendar: Calendar, after: datetime, upto: datetime
) -> list[Occurrence]:
    """Occurrences of `ritual` in `timezone` with `after < due_at <= upto`."""
    if upto <= after:
        return []
    tz = zone(timezone)
    day = after.astimezone(tz).date()
    last = upto.astimezone(tz).date()
    out = []
    while day <= last:
        if ritual.falls_on(day) and calendar.is_working_day(day):
            due = local_instant(day, ritual.cadence.at, tz)
            if after < due <= upto:
                out.append(Occurrence(day.isoformat(), day, due))
        day += timedelta(days=1)
    return out


def next_occurrence(
    ritual: Ritual, timezone: str, calendar: Calendar, after: datetime, horizon_days: int = 400
) -> Occurrence | None:
    tz = zone(timezone)
    day = after.astimezone(tz).date()
    for _ in range(horizon_days):
        if ritual.falls_on(day) and calendar.is_working_day(day):
            due = local_instant(day, ritual.cadence.at, tz)
            if due > after:
                return Occurrence(day.isoformat(), day, due)
        day += timedelta(days=1)
    return None


def is_away(member: Member, day: date) -> bool:
    return member.away_until is not None and day < member.away_until


def member_timezone(member: Member, journey_timezone: str) -> str:
    return member.timezone or journey_timezone


def first_due(
    rituals: Sequence[Ritual], timezones: Iterable[str], calendar: Calendar, after: datetime
) -> datetime | None:
    """The earliest instant after `after` at which any ritual falls due in any of the zones."""
    best: datetime | None = None
    zones = set(timezones)
    for ritual in rituals:
        for tz in zones:
            occ = next_occurrence(ritual, tz, calendar, after)
            if occ is not None and (best is None or occ.due_at < best):
                best = occ.due_at
    return best


def anything_due(
    rituals: Sequence[Ritual],
    timezones: Iterable[str],
    calendar: Calendar,
    after: datetime,
    upto: datetime,
) -> bool:
    """Cheap test for the idle pass: does any occurrence fall in (after, upto]?"""
    after = max(after, upto - MAX_CATCH_UP)
    zones = set(timezones)
    return any(occurrences(r, tz, calendar, after, upto) for r in rituals for tz in zones)


def asked_per_week(rituals: Sequence[Ritual], roles: Iterable[Role]) -> tuple[int, int]:
    """How many pulse questions and check-ins a person with `roles` gets in a usual week."""
    wanted = set(roles)
    pulses = checkins = 0
    for ritual in rituals:
        if not (ritual.audience & wanted) or ritual.for_journey:
            continue
        times = len(ritual.cadence.days)
        if ritual.kind is RitualKind.PULSE:
            pulses += times * ritual.questions
        elif ritual.kind is RitualKind.CHECKIN:
            checkins += times
    return pulses, checkins


def candidates(
    prompts: Iterable[Prompt], ritual: Ritual, phase: Phase, roles: Iterable[Role]
) -> list[Prompt]:
    """Prompts this ritual may ask a person with `roles` in `phase`."""
    kind = ritual.kind.prompt_kind
    wanted = set(roles) & ritual.audience
    return [
        p
        for p in prompts
        if p.kind == kind
        and phase in p.phases
        and (p.audience & wanted)
        and (not ritual.signals or p.signal in ritual.signals)
    ]
