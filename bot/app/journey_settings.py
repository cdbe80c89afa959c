"""A journey's settings that facilitators change in chat: its holidays, working days, time
zone and the channel its weekly digest is also posted in.

The scheduler reads each of them on its next pass (they are part of what it keys its plan
on), so a change needs no restart and nothing already sent is sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain import errors
from bot.domain.calendar import (
    Calendar,
    HolidayInPast,
    NotAHoliday,
    format_days,
    parse_date,
    parse_days,
    resolve_timezone,
    zone,
)
from bot.domain.journeys import FACILITATORS, require_role
from bot.domain.model import Journey
from bot.domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.domain.rituals import RitualPlan


@dataclass(frozen=True)
class JourneyCalendar:
    """What `/pioneer holiday list`, `workdays` and `timezone` show."""

    journey: Journey
    working_days: str  # "mon-fri"
    holidays: tuple[date, ...]  # in date order

    @property
    def timezone(self) -> str:
        return self.journey.timezone


@dataclass(frozen=True)
class Stranded:
    """A ritual of the current phase none of whose days is a working day any more."""

    key: str
    days: str


class JourneySettings:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, plan: RitualPlan) -> None:
        self._uow = uow
        self._clock = clock
        self._plan = plan

    @staticmethod
    def _facilitator(
        uow: UnitOfWork, workspace_id: int, journey_id: int, actor: str, action: str, admin: bool
    ) -> Journey:
        journey = uow.journeys.get(workspace_id, journey_id)
        if journey is None:
            raise errors.NoJourney()
        member = uow.members.by_user(workspace_id, journey_id, actor)
        require_role(member, FACILITATORS, action, admin)
        return journey

    def calendar(self, workspace_id: int, journey_id: int) -> JourneyCalendar:
        with self._uow() as uow:
            journey = uow.journeys.get(workspace_id, journey_id)
            schedule = uow.rituals.schedule(workspace_id, journey_id)
        if journey is None or schedule is None:
            raise errors.NoJourney()
        calendar = Calendar.of(schedule.working_days, schedule.holidays)
        return JourneyCalendar(
            journey, format_days(calendar.working_days), tuple(sorted(calendar.holidays))
        )

    def add_holidays(
        self, workspace_id: int, journey_id: int, actor: str, days: Sequence[str], admin: bool
    ) -> tuple[date, ...]:
        """Days on which no ritual of the journey falls due; returns the holidays after."""
        parsed = [parse_date(day) for day in days]  # InvalidDate names the one typed wrong
        with self._uow() as uow:
            journey = self._facilitator(uow, workspace_id, journey_id, actor, "holiday", admin)
            today = self._clock.now().astimezone(zone(journey.timezone)).date()
            past = [day for day in parsed if day < today]
            if past:
                raise HolidayInPast(day=past[0].isoformat())
            holidays = self._holidays(uow, workspace_id, journey_id) | set(parsed)
            uow.rituals.set_holidays(workspace_id, journey_id, [d.isoformat() for d in holidays])
            uow.commit()
        return tuple(sorted(holidays))

    def remove_holidays(
        self, workspace_id: int, journey_id: int, actor: str, days: Sequence[str], admin: bool
    ) -> tuple[date, ...]:
        parsed = [parse_date(day) for day in days]
        with self._uow() as uow:
            self._facilitator(uow, workspace_id, journey_id, actor, "holiday", admin)
            holidays = self._holidays(uow, workspace_id, journey_id)
            unknown = [day for day in parsed if day not in holidays]
            if unknown:
                raise NotAHoliday(day=unknown[0].isoformat())
            holidays -= set(parsed)
            uow.rituals.set_holidays(workspace_id, journey_id, [d.isoformat() for d in holidays])
            uow.commit()
        return tuple(sorted(holidays))

    @staticmethod
    def _holidays(uow: UnitOfWork, workspace_id: int, journey_id: int) -> set[date]:
        schedule = uow.rituals.schedule(workspace_id, journey_id)
        if schedule is None:
            raise errors.NoJourney()
        return set(Calendar.of(schedule.working_days, schedule.holidays).holidays)

    def set_working_days(
        self, workspace_id: int, journey_id: int, actor: str, text: str, admin: bool
    ) -> tuple[str, tuple[Stranded, ...]]:
        """The journey's working days ("mon-fri", "mon,tue,thu"), and the rituals of its
        current phase that now never fall due (each on days off only): the facilitator is
        told, so they can move them with `/pioneer schedule`."""
        days = parse_days(text)  # InvalidDays
        with self._uow() as uow:
            journey = self._facilitator(uow, workspace_id, journey_id, actor, "workdays", admin)
            overrides = uow.rituals.overrides(workspace_id, journey_id)
            uow.rituals.set_working_days(workspace_id, journey_id, format_days(days))
            uow.commit()
        stranded = tuple(
            Stranded(ritual.key, ritual.cadence.days_text)
            for ritual in self._plan.for_phase(journey.phase, overrides)
            if ritual.active and not set(ritual.cadence.days) & set(days)
        )
        return format_days(days), stranded

    def set_timezone(
        self, workspace_id: int, journey_id: int, actor: str, text: str, admin: bool
    ) -> str:
        """The journey's zone (IANA), in which its rituals fall due for every member who has
        no zone of their own; the next occurrences follow it. Returns the zone as IANA
        writes it."""
        name = resolve_timezone(text)  # UnknownTimezone, with suggestions
        with self._uow() as uow:
            journey = self._facilitator(uow, workspace_id, journey_id, actor, "timezone", admin)
            journey.timezone = name
            uow.journeys.save(journey)
            uow.commit()
        return name

    def set_digest_channel(
        self, workspace_id: int, journey_id: int, actor: str, channel: str | None, admin: bool
    ) -> None:
        """Also post the weekly digest in `channel` (None: only by DM, as before)."""
        with self._uow() as uow:
            journey = self._facilitator(uow, workspace_id, journey_id, actor, "digest", admin)
            if channel is not None and channel == journey.channel:
                raise errors.OwnChannel()
            journey.leadership_channel = channel
            uow.journeys.save(journey)
            uow.commit()
