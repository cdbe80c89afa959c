"""Cadence -> APScheduler 3 trigger (pure apart from APScheduler): weekdays by name."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from bot.domain.rituals import WEEKDAYS, Ritual, zone


def cron_trigger(ritual: Ritual, timezone: str) -> CronTrigger:
    """Fires at the ritual's local time on its days in `timezone`.

    Days are passed by name ("tue,thu"): APScheduler 3 numbers Monday as 0, cron as 1, and
    a name cannot be misread. Working days and holidays are the dispatcher's business.
    """
    return CronTrigger(
        day_of_week=",".join(WEEKDAYS[d] for d in ritual.cadence.days),
        hour=ritual.cadence.at.hour,
        minute=ritual.cadence.at.minute,
        timezone=zone(timezone),
    )
