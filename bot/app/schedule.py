"""What facilitators and members change about the schedule: cadence, pause, away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain import errors
from bot.domain.calendar import Cadence, Calendar, NotAWorkingDay, format_days, zone
from bot.domain.journeys import FACILITATORS, require_role, validate_timezone
from bot.domain.model import Journey, Phase, Role
from bot.domain.ports import Clock, UnitOfWorkFactory
from bot.domain.rituals import (
    AwayInPast,
    CadenceOverride,
    RitualKind,
    RitualPlan,
    UnknownRitual,
    next_occurrence,
)


@dataclass(frozen=True)
class RitualLine:
    key: str
    kind: RitualKind
    days: str
    time: str
    open_hours: int
    audience: frozenset[Role]
    next_due: datetime | None  # in the journey's zone; None while paused
    changed: bool  # the journey's own cadence, not the phase's default


@dataclass(frozen=True)
class ScheduleView:
    journey: Journey
    phase: Phase
    paused: bool
    timezone: str
    rituals: tuple[RitualLine, ...]


class ScheduleService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, plan: RitualPlan) -> None:
        self._uow = uow
        self._clock = clock
        self.plan = plan

    def show(self, workspace_id: int, journey_id: int) -> ScheduleView:
        now = self._clock.now()
        with self._uow() as uow:
            journey = uow.journeys.get(workspace_id, journey_id)
            schedule = uow.rituals.schedule(workspace_id, journey_id)
            if journey is None or schedule is None:
                raise errors.NoJourney()
            overrides = list(uow.rituals.overrides(workspace_id, journey_id))
        changed = {o.key for o in overrides}
        calendar = Calendar.of(schedule.working_days, schedule.holidays)
        lines = []
        for ritual in self.plan.for_phase(journey.phase, overrides):
            occ = next_occurrence(ritual, journey.timezone, calendar, now)
            lines.append(
                RitualLine(
                    key=ritual.key,
                    kind=ritual.kind,
                    days=ritual.cadence.days_text,
                    time=ritual.cadence.time_text,
                    open_hours=ritual.open_hours,
                    audience=ritual.audience,
                    next_due=None
                    if schedule.paused or occ is None
                    else occ.due_at.astimezone(zone(journey.timezone)),
                    changed=ritual.key in changed,
                )
            )
        return ScheduleView(journey, journey.phase, schedule.paused, journey.timezone, tuple(lines))

    def change(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        key: str,
        days: str,
        at: str,
        admin: bool = False,
    ) -> CadenceOverride:
        """`/pioneer schedule pulse tue 10:00`: this journey's cadence of one ritual."""
        cadence = Cadence.parse(days, at)  # InvalidDays / InvalidTime
        known = self.plan.keys()
        if key not in known:
            raise UnknownRitual(ritual=key, known=", ".join(known))
        change = CadenceOverride(key=key, days=cadence.days_text, local_time=cadence.time_text)
        with self._uow() as uow:
            schedule = uow.rituals.schedule(workspace_id, journey_id)
            if uow.journeys.get(workspace_id, journey_id) is None or schedule is None:
                raise errors.NoJourney()
            require_role(
                uow.members.by_user(workspace_id, journey_id, actor),
                FACILITATORS,
                "schedule",
                admin,
            )
            # Rituals fall due on working days only: a cadence on other days would answer
            # "now runs on sun" and then never send anything.
            calendar = Calendar.of(schedule.working_days, schedule.holidays)
            off = calendar.days_off(cadence.days)
            if off:
                raise NotAWorkingDay(
                    days=format_days(off), working=format_days(calendar.working_days)
                )
            uow.rituals.set_override(workspace_id, journey_id, change)
            uow.commit()
        return change

    def set_paused(
        self, workspace_id: int, journey_id: int, actor: str, paused: bool, admin: bool = False
    ) -> None:
        """Pause or resume a journey's rituals; occurrences while paused are skipped."""
        now = self._clock.now()
        with self._uow() as uow:
            if uow.journeys.get(workspace_id, journey_id) is None:
                raise errors.NoJourney()
            require_role(
                uow.members.by_user(workspace_id, journey_id, actor),
                FACILITATORS,
                "pause" if paused else "resume",
                admin,
            )
            uow.rituals.set_paused(workspace_id, journey_id, paused)
            # Resuming starts from now: what fell due while paused is skipped, not "missed".
            uow.dispatch.set_watermark(workspace_id, journey_id, now)
            uow.commit()

    def adopt_timezone(
        self, workspace_id: int, journey_id: int, user: str, timezone: str | None
    ) -> bool:
        """Remember a member's own zone (from their chat profile) when it is not the
        journey's; unknown zone names are ignored. True when something was stored."""
        if not timezone:
            return False
        try:
            validate_timezone(timezone)
        except errors.InvalidTimezone:
            return False
        with self._uow() as uow:
            journey = uow.journeys.get(workspace_id, journey_id)
            member = uow.members.by_user(workspace_id, journey_id, user)
            if journey is None or member is None or member.timezone is not None:
                return False
            if timezone == journey.timezone:
                return False  # follows the journey, also when the journey's zone changes
            member.timezone = timezone
            uow.members.save(member)
            uow.commit()
        return True

    def away(self, workspace_id: int, user: str, until: date | None) -> int:
        """`/pioneer away until D`: no prompts for `user` before D, in all their journeys.

        Returns in how many journeys; `until=None` ends an absence.
        """
        today = self._clock.now().date()
        if until is not None and until < today:
            raise AwayInPast(day=until.isoformat())
        count = 0
        with self._uow() as uow:
            for journey in uow.journeys.list(workspace_id):
                assert journey.id is not None
                member = uow.members.by_user(workspace_id, journey.id, user)
                if member is None:
                    continue
                member.away_until = until
                uow.members.save(member)
                count += 1
            uow.commit()
        if count == 0:
            raise errors.NotAMember()
        return count
