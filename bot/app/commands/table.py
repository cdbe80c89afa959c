"""Running a parsed command: the table from command type to its handler, and `execute`.

To add a subcommand: a typed command and its parser row in `words.py`, a handler
`run_<name>(env, command) -> Reply` in the module of its concern, and one line in HANDLERS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.app.commands import (
    administering,
    asking,
    cadence,
    exports,
    membership,
    phases,
    web_link,
)
from bot.app.commands.context import Context, Env, Reply, escape
from bot.app.commands.setting_words import DigestChannel, HolidayChange, TimezoneChange, Workdays
from bot.app.commands.words import (
    BY_NAME,
    HELP_GROUPS,
    SUBCOMMANDS,
    Away,
    CheckinNow,
    Command,
    Did,
    DigestPreview,
    Ecosystem,
    Export,
    ForgetMe,
    Help,
    Join,
    Pause,
    PhaseMove,
    PollNow,
    Resume,
    RoleChange,
    Schedule,
    SetLanguage,
    Start,
    Status,
    Unknown,
    Usage,
    Web,
    parse,
)
from bot.app.free_text import refuse_unsafe_characters
from bot.app.services import Services
from bot.domain import errors
from bot.domain.model import Journey, Language, Member
from prompts.messages import say

Handler = Callable[[Env, Any], Reply]


def run_help(env: Env, _: Help) -> Reply:
    """Every subcommand, grouped by who may use it, each with one example."""
    lines = [env.say("cmd.help.title")]
    for group in HELP_GROUPS:
        lines.append(env.say(f"cmd.help.group.{group}"))
        for sub in SUBCOMMANDS:
            if sub.group == group:
                example = env.say("cmd.help.example", example=env.say(sub.example_key))
                lines.append(f"• {env.say(sub.usage_key)} — {example}")
    return Reply(text="\n".join(lines), language=env.language)


def run_unknown(env: Env, command: Unknown) -> Reply:
    help_text = run_help(env, Help()).text
    first = env.say("cmd.unknown", text=escape(command.text[:60]))
    return Reply(text=f"{first}\n{help_text}", language=env.language)


def run_usage(env: Env, command: Usage) -> Reply:
    sub = BY_NAME[command.name]
    return env.reply("cmd.usage_hint", usage=env.say(sub.usage_key))


HANDLERS: dict[type[Command], Handler] = {
    Help: run_help,
    Unknown: run_unknown,
    Usage: run_usage,
    Start: phases.run_start,
    Status: phases.run_status,
    PhaseMove: phases.run_phase,
    Ecosystem: phases.run_ecosystem,
    Join: membership.run_join,
    RoleChange: membership.run_role,
    SetLanguage: membership.run_language,
    ForgetMe: membership.run_forget,
    PollNow: asking.run_poll,
    CheckinNow: asking.run_checkin,
    DigestPreview: asking.run_digest,
    Export: exports.run_export,
    Schedule: cadence.run_schedule,
    Pause: cadence.run_pause,
    Resume: cadence.run_resume,
    Away: cadence.run_away,
    HolidayChange: administering.run_holiday,
    Workdays: administering.run_workdays,
    TimezoneChange: administering.run_timezone,
    DigestChannel: administering.run_digest_channel,
    Did: phases.run_did,
    Web: web_link.run_web,
}


def resolve_language(member: Member | None, journey: Journey | None, ctx: Context) -> Language:
    """Member setting, else the journey's language, else the person's platform locale."""
    if member is not None and member.language is not None:
        return member.language
    if journey is not None:
        return journey.language
    return ctx.profile().language or Language.EN


def _locate(services: Services, ctx: Context) -> tuple[Journey | None, Member | None]:
    with services.uow() as uow:
        journey = uow.journeys.by_channel(ctx.workspace_id, ctx.channel)
        member = None
        if journey is not None and journey.id is not None:
            member = uow.members.by_user(ctx.workspace_id, journey.id, ctx.user)
    return journey, member


def execute(services: Services, ctx: Context, text: str) -> tuple[str, Reply]:
    """Run `/pioneer <text>` for `ctx`; returns the subcommand name (for metrics) and reply.

    Refusals come back as replies in the member's language, never as exceptions.
    """
    sub, command = parse(text)
    journey, member = _locate(services, ctx)
    env = Env(services, ctx, journey, member, resolve_language(member, journey, ctx))
    name = sub.name if sub is not None else "unknown"
    try:
        # Names, reasons, notes: every argument is text someone typed (bot/app/free_text.py).
        refuse_unsafe_characters(text)
        return name, HANDLERS[type(command)](env, command)
    except errors.DomainError as error:
        # A refusal often names what was typed (`<tue>` is no day): escaped like any user text.
        error.params = {k: escape(v) if isinstance(v, str) else v for k, v in error.params.items()}
        return name, Reply(text=say(error, env.language), language=env.language)
