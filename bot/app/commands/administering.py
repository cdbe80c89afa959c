"""A journey's settings in chat: holidays, working days, time zone, the digest's channel.

Anyone in the journey's channel may look at them; changing them is for facilitators (and
workspace admins, who may act as facilitator of any journey).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.app.commands.context import Env, Reply, escape
from bot.app.commands.setting_words import DigestChannel, HolidayChange, TimezoneChange, Workdays
from bot.app.journey_settings import Stranded
from bot.domain import errors
from bot.domain.model import Journey


def _days(days: Iterable[date]) -> str:
    return ", ".join(day.isoformat() for day in days)


def run_holiday(env: Env, command: HolidayChange) -> Reply:
    journey = env.need_journey()
    settings = env.services.journey_settings
    where = (env.ctx.workspace_id, env.journey_id, env.ctx.user)
    if command.action == "add":
        holidays = settings.add_holidays(*where, command.days, admin=env.admin())
        said = env.say("cmd.holiday.added", count=len(command.days), days=", ".join(command.days))
    elif command.action == "remove":
        holidays = settings.remove_holidays(*where, command.days, admin=env.admin())
        said = env.say("cmd.holiday.removed", count=len(command.days), days=", ".join(command.days))
    else:
        holidays = settings.calendar(env.ctx.workspace_id, env.journey_id).holidays
        said = ""
    name = escape(journey.name)
    listed = (
        env.say("cmd.holiday.list", name=name, count=len(holidays), days=_days(holidays))
        if holidays
        else env.say("cmd.holiday.none", name=name)
    )
    return Reply(text=f"{said} {listed}".strip(), language=env.language)


def run_workdays(env: Env, command: Workdays) -> Reply:
    journey = env.need_journey()
    name = escape(journey.name)
    if command.days is None:
        calendar = env.services.journey_settings.calendar(env.ctx.workspace_id, env.journey_id)
        return env.reply("cmd.workdays.show", name=name, days=calendar.working_days)
    days, stranded = env.services.journey_settings.set_working_days(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, command.days, admin=env.admin()
    )
    lines = [env.say("cmd.workdays.set", name=name, days=days)]
    lines += [_stranded(env, ritual) for ritual in stranded]
    return Reply(text="\n".join(lines), language=env.language)


def _stranded(env: Env, ritual: Stranded) -> str:
    return env.say("cmd.workdays.stranded", ritual=ritual.key, days=ritual.days)


def run_timezone(env: Env, command: TimezoneChange) -> Reply:
    journey = env.need_journey()
    name = escape(journey.name)
    if command.zone is None:
        return env.reply("cmd.timezone.show", name=name, timezone=journey.timezone)
    zone = env.services.journey_settings.set_timezone(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, command.zone, admin=env.admin()
    )
    return env.reply("cmd.timezone.set", name=name, timezone=zone)


def run_digest_channel(env: Env, command: DigestChannel) -> Reply:
    journey = env.need_journey()
    if command.action == "show":
        return Reply(text=digest_destination(env, journey), language=env.language)
    if not command.linked:
        raise errors.NotAChannel(text=command.channel)
    channel = command.channel if command.action == "set" else None
    env.services.journey_settings.set_digest_channel(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, channel, admin=env.admin()
    )
    if channel is None:
        return env.reply("cmd.digest_channel.off")
    return env.reply("cmd.digest_channel.set", channel=env.ctx.channel_mention(channel))


def digest_destination(env: Env, journey: Journey) -> str:
    """Where the weekly digest goes (for `status` and `digest channel`)."""
    if journey.leadership_channel:
        channel = env.ctx.channel_mention(journey.leadership_channel)
        return env.say("cmd.digest_channel.where.channel", channel=channel)
    return env.say("cmd.digest_channel.where.dm")
