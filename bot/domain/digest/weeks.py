"""ISO weeks: the digest's unit of time, parsed, shifted and bounded in a journey's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.errors import DomainError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidWeek(DomainError):
    key = "digest.error.invalid_week"  # params: week


class WeekNotOver(DomainError):
    """A week's digest is shown once the week has ended (see published.py)."""

    key = "digest.error.week_not_over"  # params: week, day (ISO date it can be read from)


def parse_week(text: str) -> str:
    """Validate and normalise `2026-W49`."""
    match = _WEEK.match(text.strip().upper())
    if not match:
        raise InvalidWeek(week=text)
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InvalidWeek(week=text) from None
    return f"{year}-W{week:02d}"


def week_monday(iso: str) -> date:
    match = _WEEK.match(iso)
    if not match:
        raise InvalidWeek(week=iso)
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def shift_week(iso: str, weeks: int) -> str:
    return week_of(week_monday(iso) + timedelta(weeks=weeks))


def weeks_between(first: str, last: str) -> int:
    return (week_monday(last) - week_monday(first)).days // 7


def week_bounds(iso: str, timezone: str) -> tuple[datetime, datetime]:
    """The week's start and end (exclusive) as UTC instants, in the journey's time zone."""
    zone = ZoneInfo(timezone)
    monday = week_monday(iso)
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_week(moment: datetime, timezone: str) -> str:
    return week_of(moment.astimezone(ZoneInfo(timezone)).date())
