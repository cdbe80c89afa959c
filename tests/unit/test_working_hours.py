"""Working hours in a person's own zone, and what may go out now (bot/domain/deliveries.py).

A prompt at its scheduled moment goes whatever the hour; a late one (the bot or the
platform was down) and every reminder wait for 08:00-18:00 on a working day; nothing goes
to a paused journey or to someone away.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.calendar import Calendar
from bot.domain.deliveries import LATE_AFTER, Hold, hold
from bot.domain.model import Member, Role
from tests import seed

AMS = "Europe/Amsterdam"
CAL = Calendar.of("mon-fri", ["2026-12-25"])
FRI_17_AMS = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # Friday 17:00 in Amsterdam (UTC+1)


@pytest.mark.parametrize(
    ("at", "working"),
    [
        (datetime(2026, 12, 4, 6, 59, tzinfo=UTC), False),  # Friday 07:59
        (datetime(2026, 12, 4, 7, 0, tzinfo=UTC), True),  # Friday 08:00
        (datetime(2026, 12, 4, 16, 59, tzinfo=UTC), True),  # Friday 17:59
        (datetime(2026, 12, 4, 17, 0, tzinfo=UTC), False),  # Friday 18:00
        (datetime(2026, 12, 5, 10, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 12, 25, 10, 0, tzinfo=UTC), False),  # a holiday
    ],
)
def test_working_time_is_in_the_persons_zone(at: datetime, working: bool) -> None:
    assert CAL.is_working_time(at, AMS) is working


def test_the_next_working_time_skips_evenings_weekends_holidays_and_follows_dst() -> None:
    assert CAL.next_working_time(FRI_17_AMS, AMS) == FRI_17_AMS  # already in hours
    after_friday = CAL.next_working_time(FRI_17_AMS + timedelta(hours=2), AMS)
    assert after_friday == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday 08:00
    christmas_eve = datetime(2026, 12, 24, 20, 0, tzinfo=UTC)  # then Christmas, a Friday
    assert CAL.next_working_time(christmas_eve, AMS) == datetime(2026, 12, 28, 7, 0, tzinfo=UTC)
    # Summer time starts on Sunday 28 March 2027: Monday 08:00 is 06:00 UTC, not 07:00.
    saturday = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    assert CAL.next_working_time(saturday, AMS) == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)
    # New York is six hours behind: Friday 17:00 in Amsterdam is 11:00 there.
    assert CAL.is_working_time(FRI_17_AMS + timedelta(hours=3), "America/New_York")


def _member(away_until: date | None = None, timezone: str | None = None) -> Member:
    return Member(1, 1, "U1", {Role.FOLLOWER}, away_until=away_until, timezone=timezone, id=1)


def test_on_time_goes_whatever_the_hour_late_and_reminders_wait_for_working_hours() -> None:
    evening = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)  # Thursday 21:00 in Amsterdam
    on_time = seed.a_delivery(evening)
    assert hold(on_time, _member(), AMS, CAL, False, evening + LATE_AFTER) is None
    late = evening + LATE_AFTER + timedelta(minutes=1)
    assert hold(on_time, _member(), AMS, CAL, False, late) is Hold.OFF_HOURS
    assert hold(on_time, _member(), AMS, CAL, False, evening, reminder=True) is Hold.OFF_HOURS
    friday_morning = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert hold(on_time, _member(), AMS, CAL, False, friday_morning) is None
    assert hold(on_time, _member(), AMS, CAL, False, friday_morning, reminder=True) is None
    # In New York it is Thursday 15:00: working hours there.
    assert hold(on_time, _member(timezone="America/New_York"), AMS, CAL, False, late) is None


def test_pause_and_away_hold_everything_already_recorded() -> None:
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    delivery = seed.a_delivery(monday)
    assert hold(delivery, _member(), AMS, CAL, True, monday) is Hold.PAUSED
    away = _member(away_until=date(2026, 12, 8))
    assert hold(delivery, away, AMS, CAL, False, monday) is Hold.AWAY
    assert hold(delivery, away, AMS, CAL, False, monday, reminder=True) is Hold.AWAY
    assert hold(delivery, away, AMS, CAL, False, monday + timedelta(days=1)) is None
