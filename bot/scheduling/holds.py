"""What waits in a pass: `bot.domain.deliveries.hold` for each delivery, each journey's
calendar and pause read once per pass."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.calendar import Calendar
from bot.domain.deliveries import Hold, hold
from bot.domain.model import Delivery, Journey, Member
from bot.domain.ports import UnitOfWork
from bot.domain.records import JourneySchedule

Item = tuple[Delivery, Member, Journey]


class Holds:
    """`hold` for the deliveries of one pass, each journey's calendar and pause read once."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._schedules: dict[int, tuple[Calendar, bool] | None] = {}

    def of(self, uow: UnitOfWork, item: Item, reminder: bool) -> Hold | None:
        delivery, member, journey = item
        assert journey.id is not None
        if journey.id not in self._schedules:
            schedule = uow.rituals.schedule(journey.workspace_id, journey.id)
            self._schedules[journey.id] = _calendar(schedule)
        known = self._schedules[journey.id]
        if known is None:
            return None
        calendar, paused = known
        return hold(delivery, member, journey.timezone, calendar, paused, self.now, reminder)

    def ready(self, uow: UnitOfWork, items: Sequence[Item], reminder: bool) -> list[Item]:
        return [item for item in items if self.of(uow, item, reminder) is None]


def _calendar(schedule: JourneySchedule | None) -> tuple[Calendar, bool] | None:
    if schedule is None:
        return None
    return Calendar.of(schedule.working_days, schedule.holidays), schedule.paused
