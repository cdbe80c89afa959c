"""Starting a journey, where it stands, moving its phase, contact with the outside world,
and what leadership did about it (`did`)."""

from __future__ import annotations

from bot.app.commands.administering import digest_destination
from bot.app.commands.cadence import next_rituals
from bot.app.commands.context import Env, Reply, escape
from bot.app.commands.words import Did, Ecosystem, PhaseMove, Start, Status
from bot.app.readiness import readiness
from bot.app.team_updates import recorded_text
from bot.domain.digest import nudges
from bot.domain.journeys import DIGEST_READERS
from bot.domain.model import ROLES, Journey, Language
from bot.domain.team_update import DOERS, UnknownNudge
from bot.rendering.readiness_text import readiness_text
from prompts.messages import t

# How many people of one role `/pioneer status` names; the others it counts.
STATUS_NAMES = 5


def run_start(env: Env, command: Start) -> Reply:
    profile = env.ctx.profile()
    defaults = env.services.defaults
    journey = env.services.journeys.start(
        env.ctx.workspace_id,
        env.ctx.channel,
        command.name,
        env.ctx.user,
        language=profile.language or Language(defaults.language),
        timezone=profile.timezone or defaults.timezone,
        anonymity_threshold=defaults.anonymity_threshold,
        starter_name=env.ctx.user_name,
    )
    env.language = journey.language
    return env.reply(
        "cmd.started",
        public=True,
        name=escape(journey.name),
        user=env.ctx.mention(env.ctx.user),
        phase=journey.phase,
    )


def _weeks_in_phase(env: Env, journey: Journey) -> int:
    return max(0, (env.services.clock.now() - journey.phase_since).days // 7)


def run_status(env: Env, _: Status) -> Reply:
    journey = env.need_journey()
    members = env.services.journeys.members(env.ctx.workspace_id, env.journey_id)
    lines = [
        env.say(
            "cmd.status.head",
            name=escape(journey.name),
            phase=journey.phase,
            stage=journey.stage,
            weeks=_weeks_in_phase(env, journey),
        )
    ]
    for role in ROLES:
        people = [m.user for m in members if m.has(role)]
        if people:
            lines.append(f"• {t(f'role.{role.value}', env.language)} ({len(people)}): ")
            lines[-1] += _a_few(env, people)
    if not members:
        lines.append(env.say("cmd.status.nobody"))
    rituals = next_rituals(env, journey)
    if rituals:
        lines.append(env.say("cmd.status.next"))
        lines += [f"• {line}" for line in rituals]
    lines.append(digest_destination(env, journey))
    card = None
    # The scorecard is the digest's: shown to those who may read the digest.
    if env.member is not None and env.member.roles & DIGEST_READERS:
        services = env.services
        card = readiness(services.uow, services.clock, env.ctx.workspace_id, env.journey_id)
        lines += ["", readiness_text(card, env.language)]
    return Reply(text="\n".join(lines), language=env.language, readiness=card)


def _a_few(env: Env, users: list[str]) -> str:
    """At most STATUS_NAMES people by name, and how many more: a big team's status must
    stay one short message (Slack cuts a text at 3,000 characters)."""
    named = ", ".join(env.ctx.mention(user) for user in users[:STATUS_NAMES])
    rest = len(users) - STATUS_NAMES
    return f"{named} {env.say('cmd.status.more', count=rest)}" if rest > 0 else named


def run_phase(env: Env, command: PhaseMove) -> Reply:
    journey = env.need_journey()
    change = env.services.journeys.move_phase(
        env.ctx.workspace_id,
        env.journey_id,
        env.ctx.user,
        command.target,
        command.reason,
        admin=env.admin(),
    )
    # The channel hears it in the journey's language: it is said to everyone.
    text = t(
        "cmd.phase.moved",
        journey.language,
        user=env.ctx.mention(env.ctx.user),
        name=escape(journey.name),
        before=change.from_phase,
        after=change.to_phase,
        stage=change.to_phase.stage,
    )
    if change.reason:
        text += "\n" + t("cmd.phase.reason", journey.language, reason=escape(change.reason))
    return Reply(text=text, language=journey.language, public=True)


def run_ecosystem(env: Env, command: Ecosystem) -> Reply:
    env.need_journey()
    touchpoint = env.services.journeys.log_touchpoint(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, command.note, kind=command.kind
    )
    return env.reply(
        "cmd.ecosystem.logged",
        note=escape(touchpoint.note),
        day=touchpoint.happened_on,
        kind=env.say(f"touchpoint.{touchpoint.kind.value}"),
    )


def run_did(env: Env, command: Did) -> Reply:
    """Record what leadership did; the team reads it in the next fortnight's update."""
    env.need_journey()
    signal = ""
    if command.rule:
        rule = next((r for r in nudges.RULES if r.key == command.rule), None)
        if rule is None:
            raise UnknownNudge()
        signal = rule.signal
    action = env.services.team_updates.record(
        env.ctx.workspace_id,
        env.journey_id,
        env.ctx.user,
        command.text,
        command.rule,
        signal,
        admin=env.admin(DOERS),
    )
    return Reply(text=recorded_text(action, env.language), language=env.language)
