"""A person's own membership: joining, roles (facilitators), language, and being forgotten."""

from __future__ import annotations

from bot.app.commands.context import Action, Env, Reply, escape, roles_text
from bot.app.commands.words import ForgetMe, Join, RoleChange, SetLanguage
from bot.app.welcome import member_welcome, what_pioneer_asks
from bot.domain import errors
from bot.domain.model import Role


def run_join(env: Env, _: Join) -> Reply:
    journey = env.need_journey()
    member = env.services.journeys.join(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, env.ctx.user_name
    )
    # Prompts arrive at the planned time in the member's own zone (their chat profile's).
    env.services.schedule.adopt_timezone(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, env.ctx.profile().timezone
    )
    joined = env.say(
        "cmd.joined", name=escape(journey.name), roles=roles_text(member.roles, env.language)
    )
    # First contact: what they will be asked, how often, and what stays anonymous.
    body = what_pioneer_asks(env.services, journey, member.roles, env.language)
    return Reply(text="\n\n".join([joined, *body]), language=env.language)


def run_role(env: Env, command: RoleChange) -> Reply:
    journey = env.need_journey()
    with env.services.uow() as uow:
        before = {m.user for m in uow.members.list(env.ctx.workspace_id, env.journey_id)}
    changed = env.services.journeys.change_roles(
        env.ctx.workspace_id,
        env.journey_id,
        env.ctx.user,
        command.users,
        add=command.add,
        remove=command.remove,
        admin=env.admin(),
    )
    lines = []
    for member in changed:
        key = "cmd.role.now" if member.roles else "cmd.role.none"
        roles = roles_text(member.roles, env.language)
        lines.append(env.say(key, user=env.ctx.mention(member.user), roles=roles))
    added = [m for m in changed if m.user not in before and m.roles]
    if not added:
        return Reply(text="\n".join(lines), language=env.language)
    # People new to the journey are welcomed where they can read it: in the channel, in the
    # journey's language, with what their roles will be asked.
    by_roles: dict[frozenset[Role], list[str]] = {}
    for member in added:
        by_roles.setdefault(frozenset(member.roles), []).append(env.ctx.mention(member.user))
    welcomes = [
        f"{', '.join(users)}: {member_welcome(env.services, journey, roles, journey.language)}"
        for roles, users in by_roles.items()
    ]
    text = "\n\n".join(["\n".join(lines), *welcomes])
    return Reply(text=text, language=journey.language, public=True)


def run_language(env: Env, command: SetLanguage) -> Reply:
    mine = env.my_journeys()
    if not mine:
        raise errors.NotAMember()
    for journey, _ in mine:
        assert journey.id is not None
        env.services.journeys.set_language(
            env.ctx.workspace_id, journey.id, env.ctx.user, command.language
        )
    env.language = command.language
    return env.reply("cmd.language.set")


def run_forget(env: Env, command: ForgetMe) -> Reply:
    mine = env.my_journeys()
    if not mine:
        return env.reply("cmd.forget.nothing")
    if not command.confirmed:
        return Reply(
            text=env.say("cmd.forget.confirm", count=len(mine)),
            language=env.language,
            actions=(Action(env.say("cmd.forget.button"), "forget-me yes", danger=True),),
        )
    kept = []
    for journey, _ in mine:
        assert journey.id is not None
        try:
            env.services.journeys.forget(env.ctx.workspace_id, journey.id, env.ctx.user)
        except errors.LastFacilitator:
            kept.append(escape(journey.name))
    if kept:
        return env.reply("cmd.forget.kept", journeys=", ".join(kept))
    return env.reply("cmd.forget.done")
