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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import DomainError
from bot.domain.model import (
    PERSPECTIVES,
    Answer,
    Delivery,
    Journey,
    Language,
    Member,
    Phase,
    Prompt,
    PromptKind,
    Role,
    Signal,
)
from bot.domain.views import PromptView

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS: dict[str, int] = {d: i for i, d in enumerate(WEEKDAYS)} | {
    # Dutch, so that `/pioneer schedule pulse di 10:00` works too.
    "ma": 0,
    "di": 1,
    "wo": 2,
    "do": 3,
    "vr": 4,
    "za": 5,
    "zo": 6,
}
_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)\Z")
DEFAULT_WORKING_DAYS = "mon-fri"
# How far back a scheduler looks after downtime; older occurrences are not reconstructed.
MAX_CATCH_UP = timedelta(days=31)


# -- errors (texts in prompts/messages/scheduling.yaml) ----------------------------------------
class InvalidDays(DomainError):
    key = "error.schedule.days"  # params: days


class InvalidTime(DomainError):
    key = "error.schedule.time"  # params: time


class UnknownRitual(DomainError):
    key = "error.schedule.unknown_ritual"  # params: ritual, known


class AwayInPast(DomainError):
    key = "error.schedule.away_past"  # params: day


class NothingToSend(DomainError):
    key = "error.schedule.nothing_to_send"


class RitualKind(StrEnum):
    PULSE = "pulse"
    CHECKIN = "checkin"
    DIGEST = "digest"

    @property
    def prompt_kind(self) -> PromptKind | None:
        return {"pulse": PromptKind.PULSE, "checkin": PromptKind.CHECKIN}.get(self.value)


class Fate(StrEnum):
    PENDING = "pending"  # to be sent (maybe late, still inside its grace window)
    MISSED = "missed"  # the bot was down past the grace window: recorded, never sent


# -- days and times -------------------------------------------------------------------------
def parse_days(text: str) -> tuple[int, ...]:
    """`"mon-fri"`, `"tue,thu"`, `"tue"`, `"di"` -> sorted weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        first, dash, last = part.partition("-")
        if first not in _DAY_WORDS or (dash and last not in _DAY_WORDS):
            raise InvalidDays(days=text)
        start = _DAY_WORDS[first]
        end = _DAY_WORDS[last] if dash else start
        if end < start:
            raise InvalidDays(days=text)
        days.update(range(start, end + 1))
    if not days:
        raise InvalidDays(days=text)
    return tuple(sorted(days))


def format_days(days: Iterable[int]) -> str:
    """Weekday numbers back to names, ranges folded: (0, 1, 2, 3, 4) -> "mon-fri"."""
    ordered = sorted(set(days))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{WEEKDAYS[ordered[i]]}-{WEEKDAYS[ordered[j]]}")
        else:
            parts.extend(WEEKDAYS[d] for d in ordered[i : j + 1])
        i = j + 1
    return ",".join(parts)


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise InvalidTime(time=text)
    return time(int(match.group(1)), int(match.group(2)))


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`day` at `at` in `tz`, as UTC. A time skipped by a DST jump moves forward by the gap."""
    naive_local = datetime.combine(day, at, tzinfo=tz)
    return naive_local.astimezone(UTC)


# -- the plan -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cadence:
    days: tuple[int, ...]
    at: time

    @classmethod
    def parse(cls, days: str, at: str) -> Cadence:
        return cls(parse_days(days), parse_time(at))

    @property
    def days_text(self) -> str:
        return format_days(self.days)

    @property
    def time_text(self) -> str:
        return f"{self.at:%H:%M}"


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
    # Everyone asked on one occurrence gets the same item (of the same signal), so that
    # signal is read from the whole audience at once and clears the anonymity threshold;
    # the ritual's signals, and their items' perspectives, take turns across occurrences.
    together: bool = False

    def closes_at(self, due: datetime) -> datetime:
        return due + timedelta(hours=self.open_hours)

    def grace_until(self, due: datetime) -> datetime:
        if self.grace_hours is None:
            return self.closes_at(due)
        return min(self.closes_at(due), due + timedelta(hours=self.grace_hours))

    def remind_at(self, due: datetime) -> datetime | None:
        """When the one reminder goes to non-responders; half-way if the window is short."""
        if self.remind_before_hours is None or self.kind is RitualKind.DIGEST:
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


@dataclass(frozen=True)
class Calendar:
    """A journey's working days and holidays."""

    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, working_days: str | None, holidays: Iterable[str] = ()) -> Calendar:
        days = parse_days(working_days or DEFAULT_WORKING_DAYS)
        parsed = set()
        for text in holidays:
            try:
                parsed.add(date.fromisoformat(text))
            except ValueError:
                continue  # a malformed holiday must not stop every other ritual
        return cls(days, frozenset(parsed))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays


# -- occurrences ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Occurrence:
    key: str  # member-local date, e.g. "2026-12-01"
    day: date
    due_at: datetime  # UTC


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
        if day.weekday() in ritual.cadence.days and calendar.is_working_day(day):
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
        if day.weekday() in ritual.cadence.days and calendar.is_working_day(day):
            due = local_instant(day, ritual.cadence.at, tz)
            if due > after:
                return Occurrence(day.isoformat(), day, due)
        day += timedelta(days=1)
    return None


def is_away(member: Member, day: date) -> bool:
    return member.away_until is not None and day < member.away_until


def member_timezone(member: Member, journey_timezone: str) -> str:
    return member.timezone or journey_timezone


# -- prompt rotation ----------------------------------------------------------------------
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


def rotation_order(prompts: Iterable[Prompt]) -> list[Prompt]:
    """Interleave perspectives (technology, human, business, technology, ...) so a rotation
    samples all three and none goes quiet; within a perspective, by id."""
    by_perspective = {
        p: sorted((x for x in prompts if x.perspective == p), key=lambda x: x.id)
        for p in PERSPECTIVES
    }
    out: list[Prompt] = []
    longest = max((len(v) for v in by_perspective.values()), default=0)
    for i in range(longest):
        for perspective in PERSPECTIVES:
            items = by_perspective[perspective]
            if i < len(items):
                out.append(items[i])
    return out


def choose_prompt(pool: Sequence[Prompt], member_id: int, seq: int) -> Prompt | None:
    """The member's prompt for occurrence number `seq`: the next one in the rotation.

    Offsetting by member id spreads one week's questions over the team, so every
    perspective gets answers each week; consecutive occurrences give a person the next
    item, so nobody is asked the same thing twice in a row while there is a choice.
    """
    order = rotation_order(pool)
    if not order:
        return None
    return order[(seq + member_id) % len(order)]


def shared_signal_pool(
    ritual: Ritual, pool: Sequence[Prompt], seq: int, everyone: Sequence[Prompt] = ()
) -> Sequence[Prompt]:
    """For a `together` ritual, the part of `pool` for this occurrence's signal.

    The signals take turns by occurrence; the perspective follows the rotation of the
    whole audience's pool (`everyone`), so people whose roles get different items of the
    signal still answer about the same perspective.
    """
    if not ritual.together or not ritual.signals:
        return pool
    turns = [s for s in Signal if s in ritual.signals]
    signal = turns[seq % len(turns)]
    of_signal = [p for p in pool if p.signal is signal]
    shared = rotation_order(p for p in everyone if p.signal is signal)
    if shared:
        perspective = shared[seq % len(shared)].perspective
        same = [p for p in of_signal if p.perspective is perspective]
        if same:
            return same
    # Someone with no item for this signal still gets a question of the ritual.
    return of_signal or pool


# -- what is due ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    """A delivery to record: status pending (send it) or missed (too late, keep the record)."""

    ritual: Ritual
    member_id: int
    occurrence: str
    due_at: datetime
    closes_at: datetime
    remind_at: datetime | None
    prompt: Prompt
    fate: Fate

    def delivery(self, journey: Journey, created_at: datetime) -> Delivery:
        assert journey.id is not None
        return Delivery(
            workspace_id=journey.workspace_id,
            journey_id=journey.id,
            member_id=self.member_id,
            prompt_id=self.prompt.id,
            kind=self.prompt.kind,
            phase=journey.phase,
            perspective=self.prompt.perspective,
            signal=self.prompt.signal,
            occurrence=self.occurrence,
            created_at=created_at,
            closes_at=self.closes_at,
            ritual_key=self.ritual.key,
            due_at=self.due_at,
            status=self.fate.value,
        )


@dataclass(frozen=True)
class JourneyDue:
    """Whole-journey rituals (the digest) that fell due."""

    ritual: Ritual
    occurrence: str
    due_at: datetime


@dataclass
class DuePlan:
    deliveries: list[Planned] = field(default_factory=list)
    journey_rituals: list[JourneyDue] = field(default_factory=list)


def plan_due(
    journey: Journey,
    rituals: Sequence[Ritual],
    members: Iterable[Member],
    prompts: Sequence[Prompt],
    calendar: Calendar,
    after: datetime,
    upto: datetime,
    now: datetime,
) -> DuePlan:
    """Everything of `journey` that fell due in (after, upto], with its fate as of `now`."""
    plan = DuePlan()
    after = max(after, upto - MAX_CATCH_UP)
    members = list(members)
    for ritual in rituals:
        if ritual.kind is RitualKind.DIGEST:
            for occ in occurrences(ritual, journey.timezone, calendar, after, upto):
                plan.journey_rituals.append(JourneyDue(ritual, occ.key, occ.due_at))
            continue
        pools: dict[frozenset[Role], list[Prompt]] = {}
        everyone = candidates(prompts, ritual, journey.phase, ritual.audience)
        for member in members:
            if member.id is None or not (member.roles & ritual.audience):
                continue
            tz = member_timezone(member, journey.timezone)
            for occ in occurrences(ritual, tz, calendar, after, upto):
                if is_away(member, occ.day):
                    continue
                roles = frozenset(member.roles)
                pool = pools.get(roles)
                if pool is None:
                    pool = pools[roles] = candidates(prompts, ritual, journey.phase, roles)
                seq = ritual.occurrence_seq(occ.day)
                # Together, everyone gets the same signal and perspective: the digest may
                # then show the signal without a split of it falling under the threshold.
                spread = 0 if ritual.together else member.id
                shared = shared_signal_pool(ritual, pool, seq, everyone)
                prompt = choose_prompt(shared, spread, seq)
                if prompt is None:
                    continue
                plan.deliveries.append(
                    Planned(
                        ritual=ritual,
                        member_id=member.id,
                        occurrence=occ.key,
                        due_at=occ.due_at,
                        closes_at=ritual.closes_at(occ.due_at),
                        remind_at=ritual.remind_at(occ.due_at),
                        prompt=prompt,
                        fate=ritual.fate(occ.due_at, now),
                    )
                )
    return plan


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


# -- ad-hoc ("/pioneer poll now") ---------------------------------------------------------
def adhoc_ritual(plan_ritual: Ritual | None, kind: PromptKind, audience: frozenset[Role]) -> Ritual:
    """The ritual a facilitator's "send now" runs as: the phase's own window and reminder."""
    base = plan_ritual or Ritual(
        key="pulse", kind=RitualKind(kind.value), cadence=Cadence((0,), time(10, 0))
    )
    return replace(base, key=f"adhoc-{kind.value}", kind=RitualKind(kind.value), audience=audience)


# -- the view a member receives ----------------------------------------------------------
def prompt_view(
    delivery: Delivery,
    journey: Journey,
    member: Member,
    prompt: Prompt | None,
    now: datetime,
    reminder: bool = False,
    answer: Answer | None = None,
) -> PromptView:
    """What `member` sees of `delivery` now: question, scale, their answer, open or closed."""
    assert delivery.id is not None
    language: Language = member.language or journey.language
    if prompt is None:
        question, low, high = delivery.prompt_id, None, None
    else:
        question = prompt.text.in_(language)
        low = prompt.low.in_(language) if prompt.low else None
        high = prompt.high.in_(language) if prompt.high else None
    return PromptView(
        delivery_id=delivery.id,
        kind=delivery.kind,
        language=language,
        journey_name=journey.name,
        phase=delivery.phase,
        perspective=delivery.perspective,
        question=question,
        low_label=low,
        high_label=high,
        closes_at=delivery.closes_at,
        answered_value=answer.value if answer else None,
        answered_text=answer.text if answer else None,
        closed=not delivery.is_open(now),
        reminder=reminder,
    )


def idempotency_key(delivery: Delivery, reminder: bool = False) -> str:
    """Stable per delivery (and per reminder), so a retry can find what was already posted."""
    base = (
        f"d{delivery.journey_id}.{delivery.ritual_key}.{delivery.occurrence}.{delivery.member_id}"
    )
    return f"{base}.reminder" if reminder else base
