"""The `/pioneer` command, for every platform: parse text into a typed command, run it.

Parsing lives here and only here. `parse(text)` turns the text after `/pioneer` into one
of the command dataclasses below; `execute(services, ctx, text)` runs it and returns a
neutral `Reply` (text, for the channel or only the caller, maybe a CSV file, maybe buttons
that run another command). Platforms turn a `Reply` into Block Kit or an Adaptive Card.

`SUBCOMMANDS` is the table: one `Subcommand` per first word with its parser, its runner and
its help text. `help` lists the table in the member's language. To add or back a
subcommand, add or edit its row and write one `run_*` function.

Also here, because Slack and Teams share them: building a `PromptView` for a delivery,
answering one (`answer`), and the per-member home (`home`).

Synchronous on purpose: the services are. Async platforms call this in a worker thread.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.domain import errors
from bot.domain.anonymity import AnonymityRule, Shown
from bot.domain.answers import AnswerRequest
from bot.domain.journeys import DIGEST_READERS, FACILITATORS, PhaseTarget, require_role
from bot.domain.model import (
    ROLES,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Delivery,
    Journey,
    Language,
    Member,
    Perspective,
    PromptKind,
    Role,
)
from bot.domain.rituals import NothingToSend, prompt_view
from bot.domain.views import PromptView
from prompts.messages import say, t

if TYPE_CHECKING:
    from bot.container import Container

# Slack ids (U123) and Teams AAD object ids (GUIDs, with hyphens; the Teams adapter writes
# its mentions in this form).
MENTION = re.compile(r"<@([A-Z0-9][A-Z0-9-]*)(?:\|[^>]*)?>", re.IGNORECASE)


def roles_text(roles: set[Role] | frozenset[Role], language: Language) -> str:
    return ", ".join(t(f"role.{r.value}", language) for r in sorted(roles, key=ROLES.index))


def escape(text: str) -> str:
    """Neutralise markup in user text: no @channel, no fake links (Slack and Teams alike)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- what a platform passes in and gets back ----------------------------------------------
@dataclass(frozen=True)
class Profile:
    """What the platform knows of a person, used only when the journey does not say."""

    language: Language | None = None
    timezone: str | None = None


def _no_profile() -> Profile:
    return Profile()


@dataclass(frozen=True)
class Context:
    platform: str
    workspace_id: int
    channel: str
    user: str
    user_name: str = ""
    # Lazily asked (a Web API call on Slack), so most commands never pay for it.
    profile: Callable[[], Profile] = _no_profile
    mention: Callable[[str], str] = lambda user: f"<@{user}>"


@dataclass(frozen=True)
class ReplyFile:
    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class Action:
    """A button offered with a reply; pressing it runs `command` as the same person."""

    label: str
    command: str
    danger: bool = False


@dataclass(frozen=True)
class Reply:
    text: str
    language: Language
    public: bool = False  # for the whole channel, not only the caller
    file: ReplyFile | None = None
    actions: tuple[Action, ...] = ()


class Dispatch(Protocol):
    def send_now(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        kind: PromptKind,
        perspective: Perspective | None = None,
    ) -> int: ...


# -- typed commands ------------------------------------------------------------------------
@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Unknown:
    text: str


@dataclass(frozen=True)
class Usage:
    """A known subcommand with arguments it cannot use: answer with its usage line."""

    name: str


@dataclass(frozen=True)
class Start:
    name: str


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Join:
    pass


@dataclass(frozen=True)
class RoleChange:
    users: tuple[str, ...]
    add: frozenset[Role]
    remove: frozenset[Role]


@dataclass(frozen=True)
class PhaseMove:
    target: PhaseTarget
    reason: str


@dataclass(frozen=True)
class PollNow:
    perspective: Perspective | None


@dataclass(frozen=True)
class CheckinNow:
    pass


@dataclass(frozen=True)
class DigestPreview:
    pass


@dataclass(frozen=True)
class Ecosystem:
    note: str


@dataclass(frozen=True)
class SetLanguage:
    language: Language


@dataclass(frozen=True)
class ForgetMe:
    confirmed: bool


@dataclass(frozen=True)
class Export:
    pass


@dataclass(frozen=True)
class Schedule:
    args: str


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Away:
    until: date


Command = (
    Help
    | Unknown
    | Usage
    | Start
    | Status
    | Join
    | RoleChange
    | PhaseMove
    | PollNow
    | CheckinNow
    | DigestPreview
    | Ecosystem
    | SetLanguage
    | ForgetMe
    | Export
    | Schedule
    | Pause
    | Resume
    | Away
)


class BadArguments(Exception):
    """The words after a subcommand do not fit it."""


# -- parsers (the text after the subcommand word) -------------------------------------------
ROLE_WORDS: dict[str, Role] = {r.value: r for r in ROLES} | {
    "directeur": Role.DIRECTOR,
    "koploper": Role.FRONTRUNNER,
    "volger": Role.FOLLOWER,
    "leerprofessional": Role.LEARNING,
    "hrd": Role.LEARNING,
}
PERSPECTIVE_WORDS: dict[str, Perspective] = {p.value: p for p in Perspective} | {
    "technologie": Perspective.TECHNOLOGY,
    "tech": Perspective.TECHNOLOGY,
    "mens": Perspective.HUMAN,
}
LANGUAGE_WORDS: dict[str, Language] = {
    "nl": Language.NL,
    "nederlands": Language.NL,
    "dutch": Language.NL,
    "en": Language.EN,
    "engels": Language.EN,
    "english": Language.EN,
}
YES_WORDS = frozenset({"yes", "ja", "confirm", "bevestig"})


def _no_args(command: Command) -> Callable[[str], Command]:
    def parse(rest: str) -> Command:
        if rest:
            raise BadArguments
        return command

    return parse


def _parse_start(rest: str) -> Command:
    if not rest:
        raise BadArguments
    return Start(name=rest)


def _parse_role(rest: str) -> Command:
    users = tuple(MENTION.findall(rest))
    words = MENTION.sub(" ", rest).replace(",", " ").lower().split()
    add: set[Role] = set()
    remove: set[Role] = set()
    for word in words:
        negative = word.startswith("-")
        role = ROLE_WORDS.get(word.lstrip("-+"))
        if role is None:
            raise BadArguments
        (remove if negative else add).add(role)
    if not users or not (add or remove):
        raise BadArguments
    return RoleChange(users=users, add=frozenset(add), remove=frozenset(remove))


def _parse_phase(rest: str) -> Command:
    word, _, reason = rest.partition(" ")
    if not word:
        raise BadArguments
    try:
        target = PhaseTarget.parse(word)
    except errors.NotFound:
        raise BadArguments from None
    return PhaseMove(target=target, reason=reason.strip())


def _parse_poll(rest: str) -> Command:
    words = rest.lower().split()
    if not words or words[0] not in ("now", "nu") or len(words) > 2:
        raise BadArguments
    if len(words) == 1:
        return PollNow(perspective=None)
    perspective = PERSPECTIVE_WORDS.get(words[1])
    if perspective is None:
        raise BadArguments
    return PollNow(perspective=perspective)


def _parse_checkin(rest: str) -> Command:
    if rest.lower() not in ("now", "nu"):
        raise BadArguments
    return CheckinNow()


def _parse_digest(rest: str) -> Command:
    if rest.lower() not in ("preview", "voorbeeld"):
        raise BadArguments
    return DigestPreview()


def _parse_ecosystem(rest: str) -> Command:
    if not rest:
        raise BadArguments
    return Ecosystem(note=rest)


def _parse_language(rest: str) -> Command:
    language = LANGUAGE_WORDS.get(rest.lower())
    if language is None:
        raise BadArguments
    return SetLanguage(language=language)


def _parse_forget(rest: str) -> Command:
    if rest and rest.lower() not in YES_WORDS:
        raise BadArguments
    return ForgetMe(confirmed=bool(rest))


def _parse_away(rest: str) -> Command:
    words = rest.split()
    if len(words) == 2 and words[0].lower() in ("until", "tot"):
        words = words[1:]
    if len(words) != 1:
        raise BadArguments
    try:
        return Away(until=date.fromisoformat(words[0]))
    except ValueError:
        raise BadArguments from None


# -- running ----------------------------------------------------------------------------------
@dataclass
class Env:
    """Everything a runner needs: services, who asks where, and in which language to answer."""

    services: Container
    ctx: Context
    journey: Journey | None
    member: Member | None
    language: Language

    def say(self, key: str, **params: Any) -> str:
        return t(key, self.language, **params)

    def reply(self, key: str, public: bool = False, **params: Any) -> Reply:
        return Reply(text=self.say(key, **params), language=self.language, public=public)

    def need_journey(self) -> Journey:
        if self.journey is None or self.journey.id is None:
            raise errors.NoJourney()
        return self.journey

    @property
    def journey_id(self) -> int:
        journey_id = self.need_journey().id
        assert journey_id is not None
        return journey_id


Runner = Callable[[Env, Any], Reply]


@dataclass(frozen=True)
class Subcommand:
    name: str
    parse: Callable[[str], Command]
    run: Runner
    aliases: tuple[str, ...] = field(default=())

    @property
    def usage_key(self) -> str:
        return f"cmd.usage.{self.name.replace('-', '_')}"


def run_help(env: Env, _: Any) -> Reply:
    lines = [env.say("cmd.help.title")]
    lines += [f"• {env.say(sub.usage_key)}" for sub in SUBCOMMANDS]
    return Reply(text="\n".join(lines), language=env.language)


def run_unknown(env: Env, command: Unknown) -> Reply:
    help_text = run_help(env, Help()).text
    first = env.say("cmd.unknown", text=escape(command.text[:60]))
    return Reply(text=f"{first}\n{help_text}", language=env.language)


def run_usage(env: Env, command: Usage) -> Reply:
    sub = BY_NAME[command.name]
    return env.reply("cmd.usage_hint", usage=env.say(sub.usage_key))


def run_start(env: Env, command: Start) -> Reply:
    profile = env.ctx.profile()
    settings = env.services.settings
    language = profile.language or Language(settings.pioneer_default_language)
    journey = env.services.journeys.start(
        env.ctx.workspace_id,
        env.ctx.channel,
        command.name,
        env.ctx.user,
        language=language,
        timezone=profile.timezone or settings.pioneer_default_timezone,
        anonymity_threshold=settings.pioneer_anonymity_threshold,
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


def next_rituals(env: Env, journey: Journey) -> list[str]:
    """Lines about the journey's next rituals (bot/scheduling/commands.py)."""
    from bot.app.schedule_commands import next_rituals as lines

    return lines(env, journey)


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
        people = [env.ctx.mention(m.user) for m in members if m.has(role)]
        if people:
            lines.append(f"• {t(f'role.{role.value}', env.language)}: {', '.join(people)}")
    if not members:
        lines.append(env.say("cmd.status.nobody"))
    rituals = next_rituals(env, journey)
    if rituals:
        lines.append(env.say("cmd.status.next"))
        lines += [f"• {line}" for line in rituals]
    return Reply(text="\n".join(lines), language=env.language)


def run_join(env: Env, _: Join) -> Reply:
    journey = env.need_journey()
    member = env.services.journeys.join(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, env.ctx.user_name
    )
    # Prompts arrive at the planned time in the member's own zone (their chat profile's).
    env.services.schedule.adopt_timezone(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, env.ctx.profile().timezone
    )
    return env.reply(
        "cmd.joined", name=escape(journey.name), roles=roles_text(member.roles, env.language)
    )


def run_role(env: Env, command: RoleChange) -> Reply:
    env.need_journey()
    changed = env.services.journeys.change_roles(
        env.ctx.workspace_id,
        env.journey_id,
        env.ctx.user,
        command.users,
        add=command.add,
        remove=command.remove,
    )
    lines = []
    for member in changed:
        key = "cmd.role.now" if member.roles else "cmd.role.none"
        roles = roles_text(member.roles, env.language)
        lines.append(env.say(key, user=env.ctx.mention(member.user), roles=roles))
    return Reply(text="\n".join(lines), language=env.language)


def run_phase(env: Env, command: PhaseMove) -> Reply:
    journey = env.need_journey()
    change = env.services.journeys.move_phase(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, command.target, command.reason
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


def run_poll(env: Env, command: PollNow) -> Reply:
    return _send_now(env, PromptKind.PULSE, command.perspective)


def run_checkin(env: Env, _: CheckinNow) -> Reply:
    return _send_now(env, PromptKind.CHECKIN, None)


def _send_now(env: Env, kind: PromptKind, perspective: Perspective | None) -> Reply:
    env.need_journey()
    require_role(env.member, FACILITATORS, "poll" if kind is PromptKind.PULSE else "checkin")
    dispatch: Dispatch = env.services.dispatch
    sent = dispatch.send_now(env.ctx.workspace_id, env.journey_id, env.ctx.user, kind, perspective)
    if sent == 0:
        raise NothingToSend()  # everyone away, or nobody in the audience yet
    return env.reply(f"cmd.sent.{kind.value}", count=sent)


def run_digest(env: Env, _: DigestPreview) -> Reply:
    env.need_journey()
    require_role(env.member, DIGEST_READERS, "digest")
    from bot.rendering.markdown import render_summary

    view = env.services.digests.preview(env.ctx.workspace_id, env.journey_id)
    return Reply(text=render_summary(view, env.language), language=env.language)


def run_ecosystem(env: Env, command: Ecosystem) -> Reply:
    env.need_journey()
    touchpoint = env.services.journeys.log_touchpoint(
        env.ctx.workspace_id, env.journey_id, env.ctx.user, command.note
    )
    return env.reply(
        "cmd.ecosystem.logged", note=escape(touchpoint.note), day=touchpoint.happened_on
    )


def _my_journeys(env: Env) -> list[tuple[Journey, Member]]:
    with env.services.uow() as uow:
        found = []
        for journey in uow.journeys.list(env.ctx.workspace_id):
            assert journey.id is not None
            member = uow.members.by_user(env.ctx.workspace_id, journey.id, env.ctx.user)
            if member is not None:
                found.append((journey, member))
    return found


def run_language(env: Env, command: SetLanguage) -> Reply:
    mine = _my_journeys(env)
    if not mine:
        raise errors.NotFound(what=env.ctx.mention(env.ctx.user))
    for journey, _ in mine:
        assert journey.id is not None
        env.services.journeys.set_language(
            env.ctx.workspace_id, journey.id, env.ctx.user, command.language
        )
    env.language = command.language
    return env.reply("cmd.language.set")


def run_forget(env: Env, command: ForgetMe) -> Reply:
    mine = _my_journeys(env)
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


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with these is a formula in spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def run_export(env: Env, _: Export) -> Reply:
    journey = env.journey
    if journey is not None and env.member is not None and env.member.has(Role.FACILITATOR):
        return _export_aggregates(env, journey)
    return _export_mine(env)


def _export_aggregates(env: Env, journey: Journey) -> Reply:
    assert journey.id is not None
    with env.services.uow() as uow:
        answers = uow.answers.for_journey(env.ctx.workspace_id, journey.id)
    groups: dict[tuple[str, str, str, str], list[tuple[int, int]]] = {}
    for a in answers:
        if a.value is not None:
            key = (a.iso_week, a.phase.value, a.perspective.value, a.signal.value)
            groups.setdefault(key, []).append((a.member_id, a.value))
    rule = AnonymityRule(journey.anonymity_threshold)
    header: list[object] = ["week", "phase", "perspective", "signal", "respondents", "mean"]
    rows: list[list[object]] = [header + [f"n{i}" for i in range(SCALE_MIN, SCALE_MAX + 1)]]
    for key in sorted(groups):
        figure = rule.figure(groups[key])
        if isinstance(figure, Shown):  # groups under the threshold are left out entirely
            rows.append([*key, figure.respondents, figure.mean, *figure.distribution])
    return Reply(
        text=env.say("cmd.export.aggregates", groups=len(rows) - 1, k=journey.anonymity_threshold),
        language=env.language,
        file=ReplyFile(
            filename=f"pioneer-{journey.id}-aggregates.csv",
            title=env.say("cmd.export.aggregates_title", name=journey.name),
            content=_csv(rows),
        ),
    )


def _export_mine(env: Env) -> Reply:
    rows: list[list[object]] = [
        ["journey", "answered_at", "week", "prompt", "question", "kind", "value", "text"]
    ]
    catalog = env.services.catalog
    with env.services.uow() as uow:
        for journey, member in _my_journeys_in(uow, env):
            assert member.id is not None
            for a in uow.answers.for_member(env.ctx.workspace_id, member.id):
                prompt = catalog.get(a.prompt_id)
                question = prompt.text.in_(env.language) if prompt else ""
                rows.append(
                    [
                        journey.name,
                        a.answered_at.isoformat(),
                        a.iso_week,
                        a.prompt_id,
                        question,
                        a.kind.value,
                        a.value,
                        a.text,
                    ]
                )
    return Reply(
        text=env.say("cmd.export.mine", count=len(rows) - 1),
        language=env.language,
        file=ReplyFile(
            filename="pioneer-my-answers.csv",
            title=env.say("cmd.export.mine_title"),
            content=_csv(rows),
        ),
    )


def _my_journeys_in(uow: Any, env: Env) -> list[tuple[Journey, Member]]:
    found = []
    for journey in uow.journeys.list(env.ctx.workspace_id):
        member = uow.members.by_user(env.ctx.workspace_id, journey.id, env.ctx.user)
        if member is not None:
            found.append((journey, member))
    return found


def scheduling(name: str) -> Runner:
    """A runner from bot/scheduling/commands.py, imported when first run (it imports us)."""

    def run(env: Env, command: Any) -> Reply:
        from bot.app import schedule_commands

        runner: Runner = getattr(schedule_commands, name)
        return runner(env, command)

    return run


def not_yet(name: str) -> Runner:
    """For subcommands whose service another part of the bot is still building."""

    def run(env: Env, _: Any) -> Reply:
        return env.reply("cmd.not_yet", command=name)

    return run


SUBCOMMANDS: list[Subcommand] = [
    Subcommand("help", _no_args(Help()), run_help, aliases=("hulp", "?")),
    Subcommand("start", _parse_start, run_start),
    Subcommand("status", _no_args(Status()), run_status),
    Subcommand("join", _no_args(Join()), run_join, aliases=("meedoen",)),
    Subcommand("role", _parse_role, run_role, aliases=("rol",)),
    Subcommand("phase", _parse_phase, run_phase, aliases=("fase",)),
    Subcommand("poll", _parse_poll, run_poll, aliases=("peiling",)),
    Subcommand("checkin", _parse_checkin, run_checkin, aliases=("check-in",)),
    Subcommand("digest", _parse_digest, run_digest),
    Subcommand("ecosystem", _parse_ecosystem, run_ecosystem, aliases=("ecosysteem",)),
    Subcommand("language", _parse_language, run_language, aliases=("taal",)),
    Subcommand("forget-me", _parse_forget, run_forget, aliases=("vergeet-mij",)),
    Subcommand("export", _no_args(Export()), run_export, aliases=("exporteer",)),
    Subcommand(
        "schedule",
        lambda rest: Schedule(args=rest),
        scheduling("run_schedule"),
        aliases=("rooster",),
    ),
    Subcommand("pause", _no_args(Pause()), scheduling("run_pause"), aliases=("pauze",)),
    Subcommand("resume", _no_args(Resume()), scheduling("run_resume"), aliases=("hervat",)),
    Subcommand("away", _parse_away, scheduling("run_away"), aliases=("afwezig",)),
]
BY_NAME: dict[str, Subcommand] = {s.name: s for s in SUBCOMMANDS} | {
    alias: s for s in SUBCOMMANDS for alias in s.aliases
}


def parse(text: str) -> tuple[Subcommand | None, Command]:
    """The subcommand row and the typed command for the text after `/pioneer`."""
    text = " ".join(text.split())
    word, _, rest = text.partition(" ")
    if not word:
        return BY_NAME["help"], Help()
    sub = BY_NAME.get(word.lower())
    if sub is None:
        return None, Unknown(text=text)
    try:
        return sub, sub.parse(rest.strip())
    except BadArguments:
        return sub, Usage(name=sub.name)


def resolve_language(member: Member | None, journey: Journey | None, ctx: Context) -> Language:
    """Member setting, else the journey's language, else the person's platform locale."""
    if member is not None and member.language is not None:
        return member.language
    if journey is not None:
        return journey.language
    return ctx.profile().language or Language.EN


def _locate(services: Container, ctx: Context) -> tuple[Journey | None, Member | None]:
    with services.uow() as uow:
        journey = uow.journeys.by_channel(ctx.workspace_id, ctx.channel)
        member = None
        if journey is not None and journey.id is not None:
            member = uow.members.by_user(ctx.workspace_id, journey.id, ctx.user)
    return journey, member


def fans_out(text: str) -> bool:
    """Whether `/pioneer <text>` sends to a whole audience (poll now, checkin now).

    Those take seconds for a big team, longer than a platform waits for its answer, so
    platforms acknowledge first and say the reply when the sending is done.
    """
    return isinstance(parse(text)[1], (PollNow, CheckinNow))


def execute(services: Container, ctx: Context, text: str) -> tuple[str, Reply]:
    """Run `/pioneer <text>` for `ctx`; returns the subcommand name (for metrics) and reply.

    Refusals come back as replies in the member's language, never as exceptions.
    """
    sub, command = parse(text)
    journey, member = _locate(services, ctx)
    env = Env(services, ctx, journey, member, resolve_language(member, journey, ctx))
    name = sub.name if sub is not None else "unknown"
    try:
        if isinstance(command, Unknown):
            return name, run_unknown(env, command)
        if isinstance(command, Usage):
            return name, run_usage(env, command)
        assert sub is not None
        return name, sub.run(env, command)
    except errors.DomainError as error:
        return name, Reply(text=say(error, env.language), language=env.language)


# -- prompts in a DM: view, answer, home -------------------------------------------------------
@dataclass(frozen=True)
class Answered:
    """The outcome of a click or a submitted form: the updated view, or a refusal."""

    view: PromptView | None
    refusal: str | None
    language: Language
    answer: Answer | None = None


def build_view(
    services: Container,
    delivery: Delivery,
    journey: Journey,
    member: Member,
    answer: Answer | None,
    now: datetime,
) -> PromptView:
    """The neutral view of one delivery, as it stands now, in the member's language."""
    prompt = services.catalog.get(delivery.prompt_id)
    return prompt_view(delivery, journey, member, prompt, now, answer=answer)


def view_for(services: Container, workspace_id: int, delivery_id: int) -> PromptView | None:
    """The prompt as it stands now."""
    with services.uow() as uow:
        found = uow.deliveries.with_context(workspace_id, delivery_id)
        if found is None:
            return None
        delivery, journey, member = found
        answer = uow.answers.for_delivery(workspace_id, delivery_id)
    return build_view(services, delivery, journey, member, answer, services.clock.now())


def answer_many(services: Container, requests: Sequence[AnswerRequest]) -> list[Answered]:
    """Record a batch of answers in one transaction; each says how its prompt looks now."""
    answered: list[Answered] = []
    now = services.clock.now()
    for request, outcome in zip(requests, services.answers.record_many(requests), strict=True):
        if isinstance(outcome, errors.DomainError):
            view = view_for(services, request.workspace_id, request.delivery_id)
            language = view.language if view else Language.EN
            answered.append(Answered(view=view, refusal=say(outcome, language), language=language))
            continue
        view = build_view(
            services, outcome.delivery, outcome.journey, outcome.member, outcome.answer, now
        )
        answered.append(
            Answered(view=view, refusal=None, language=view.language, answer=outcome.answer)
        )
    return answered


@dataclass(frozen=True)
class HomeJourney:
    journey_id: int
    name: str
    channel: str
    phase_text: str
    roles_text: str
    weeks_in_phase: int
    facilitator: bool
    open_prompts: tuple[PromptView, ...]


@dataclass(frozen=True)
class Home:
    language: Language
    journeys: tuple[HomeJourney, ...]


def home(services: Container, ctx: Context) -> Home:
    """What a member sees on their home tab: journeys, roles, phase, open prompts."""
    now = services.clock.now()
    items: list[tuple[Journey, Member, list[tuple[Delivery, Answer | None]]]] = []
    with services.uow() as uow:
        for journey in uow.journeys.list(ctx.workspace_id):
            assert journey.id is not None
            member = uow.members.by_user(ctx.workspace_id, journey.id, ctx.user)
            if member is None or member.id is None:
                continue
            open_ = [
                (d, uow.answers.for_delivery(ctx.workspace_id, d.id or 0))
                for d in uow.deliveries.open_for_member(ctx.workspace_id, member.id, now)
            ]
            items.append((journey, member, open_))
    language = (
        resolve_language(items[0][1], items[0][0], ctx)
        if items
        else resolve_language(None, None, ctx)
    )
    journeys = []
    for journey, member, open_ in items:
        assert journey.id is not None
        journeys.append(
            HomeJourney(
                journey_id=journey.id,
                name=journey.name,
                channel=journey.channel,
                phase_text=t("cmd.home.phase", language, phase=journey.phase, stage=journey.stage),
                roles_text=t("cmd.home.roles", language, roles=roles_text(member.roles, language))
                if member.roles
                else t("cmd.home.no_roles", language),
                weeks_in_phase=max(0, (now - journey.phase_since).days // 7),
                facilitator=member.has(Role.FACILITATOR),
                open_prompts=tuple(
                    build_view(services, d, journey, member, a, now) for d, a in open_
                ),
            )
        )
    return Home(language=language, journeys=tuple(journeys))
