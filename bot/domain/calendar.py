"""Days and times of a journey: weekdays by name, local times, working days and holidays.

Weekdays are numbered Monday = 0 (as Python's `date.weekday()`), but only ever written by
name ("mon-fri", "tue,thu"); Dutch day names are understood too.

Working hours (08:00-18:00 on a working day, in a person's own zone) are when a message
that is not going out at its scheduled moment may still reach someone: a prompt sent late
after downtime, or a reminder. A message at its scheduled moment goes when it was planned.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.errors import DomainError

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
WORKDAY_STARTS = time(8, 0)
WORKDAY_ENDS = time(18, 0)


class InvalidDays(DomainError):
    key = "error.schedule.days"  # params: days


class InvalidTime(DomainError):
    key = "error.schedule.time"  # params: time


class NotAWorkingDay(DomainError):
    """A cadence on days the journey does not work: nothing would ever be sent then."""

    key = "error.schedule.not_working_day"  # params: days, working


class InvalidDate(DomainError):
    key = "error.calendar.date"  # params: day


class HolidayInPast(DomainError):
    key = "error.calendar.holiday_past"  # params: day


class NotAHoliday(DomainError):
    key = "error.calendar.not_a_holiday"  # params: day


class UnknownTimezone(DomainError):
    """A zone name nobody uses; `closest` names the closest real ones."""

    key = "error.calendar.timezone"  # params: timezone, closest


# What to suggest when a typed zone resembles nothing: where most journeys live.
FALLBACK_ZONE = "Europe/Amsterdam"


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


def parse_date(text: str) -> date:
    """A day written YYYY-MM-DD; anything else (also 2027-02-30) is refused by name."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise InvalidDate(day=text)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(day=text) from None


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA zone name, by its lower-case form (people type `europe/amsterdam`)."""
    return {name.lower(): name for name in available_timezones()}


def resolve_timezone(text: str) -> str:
    """The IANA zone `text` names, written as IANA writes it; `Amsterdam` is not one, but
    the refusal then suggests `Europe/Amsterdam` (the closest names, else FALLBACK_ZONE)."""
    names = _zone_names()
    typed = text.strip().replace(" ", "_")
    found = names.get(typed.lower())
    if found is not None:
        return found
    city = typed.lower().rsplit("/", 1)[-1]
    close = [name for low, name in sorted(names.items()) if low.rsplit("/", 1)[-1] == city]
    if not close:
        matches = difflib.get_close_matches(typed.lower(), list(names), n=3, cutoff=0.6)
        close = [names[low] for low in matches]
    suggestions = close[:3] or [FALLBACK_ZONE]
    raise UnknownTimezone(timezone=text, closest=", ".join(suggestions))


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

    def days_off(self, days: Iterable[int]) -> tuple[int, ...]:
        """The weekdays of `days` that are not working days of this calendar."""
        return tuple(sorted(set(days) - set(self.working_days)))

    def is_working_time(self, instant: datetime, timezone: str) -> bool:
        """`instant` falls in working hours of a working day, in `timezone`."""
        local = instant.astimezone(zone(timezone))
        return self.is_working_day(local.date()) and WORKDAY_STARTS <= local.time() < WORKDAY_ENDS

    def next_working_time(
        self, after: datetime, timezone: str, horizon_days: int = 400
    ) -> datetime | None:
        """The first instant from `after` on that is working time in `timezone` (UTC)."""
        if self.is_working_time(after, timezone):
            return after
        tz = zone(timezone)
        day = after.astimezone(tz).date()
        for _ in range(horizon_days):
            if self.is_working_day(day):
                start = local_instant(day, WORKDAY_STARTS, tz)
                if start >= after:
                    return start
            day += timedelta(days=1)
        return None
