"""The schedule: show and change a ritual's cadence, pause and resume, a member's absence."""

from __future__ import annotations

from bot.app.commands.context import Env, Reply, escape
from bot.app.commands.words import Away, Pause, Resume, Schedule
from bot.app.schedule import RitualLine
from bot.domain.journeys import FACILITATORS, require_role
from bot.domain.model import ROLES, Journey, Language
from prompts.messages import t


def _audience(line: RitualLine, language: Language) -> str:
    return ", ".join(t(f"role.{r.value}", language) for r in ROLES if r in line.audience)


def _describe(line: RitualLine, language: Language) -> str:
    text = t(
        "scheduling.show.line",
        language,
        ritual=line.key,
        kind=t(f"scheduling.kind.{line.kind.value}", language),
        days=line.days,
        time=line.time,
        hours=line.open_hours,
        audience=_audience(line, language),
    )
    if line.changed:
        text += " " + t("scheduling.show.changed", language)
    if line.next_due is not None:
        when = f"{line.next_due:%Y-%m-%d %H:%M}"
        text += " — " + t("scheduling.show.next", language, when=when)
    return text


def run_schedule(env: Env, command: Schedule) -> Reply:
    journey = env.need_journey()
    words = command.args.split()
    service = env.services.schedule
    if words:
        if len(words) != 3:
            return env.reply("cmd.usage_hint", usage=env.say("cmd.usage.schedule"))
        key, days, at = words
        admin = env.admin()
        require_role(env.member, FACILITATORS, "schedule", admin)
        change = service.change(
            env.ctx.workspace_id, env.journey_id, env.ctx.user, key, days, at, admin=admin
        )
        return env.reply(
            "scheduling.changed", ritual=change.key, days=change.days, time=change.local_time
        )
    view = service.show(env.ctx.workspace_id, env.journey_id)
    lines = [
        env.say(
            "scheduling.show.head",
            name=escape(journey.name),
            phase=view.phase,
            timezone=view.timezone,
        )
    ]
    if view.paused:
        lines.append(env.say("scheduling.show.paused"))
    lines += [f"• {_describe(line, env.language)}" for line in view.rituals]
    lines.append(env.say("scheduling.show.hint"))
    return Reply(text="\n".join(lines), language=env.language)


def run_pause(env: Env, _: Pause) -> Reply:
    return _set_paused(env, True, "scheduling.paused")


def run_resume(env: Env, _: Resume) -> Reply:
    return _set_paused(env, False, "scheduling.resumed")


def _set_paused(env: Env, paused: bool, said: str) -> Reply:
    """Pause or resume the journey's rituals; the channel is told (`said`)."""
    journey = env.need_journey()
    env.services.schedule.set_paused(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, paused, admin=env.admin()
    )
    return env.reply(said, public=True, name=escape(journey.name))


def run_away(env: Env, command: Away) -> Reply:
    env.services.schedule.away(env.ctx.workspace_id, env.ctx.user, command.until)
    if command.until is None:
        return env.reply("scheduling.away_off")
    return env.reply("scheduling.away", day=command.until.isoformat())


def next_rituals(env: Env, journey: Journey) -> list[str]:
    """For `/pioneer status`: the next occurrence of each ritual of the current phase."""
    if journey.id is None:
        return []
    view = env.services.schedule.show(journey.workspace_id, journey.id)
    return [_describe(line, env.language) for line in view.rituals if line.next_due is not None]
