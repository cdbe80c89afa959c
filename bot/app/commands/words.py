"""Parsing `/pioneer <text>`: the typed commands, and the table of first words.

`parse(text)` is the only place that reads what a person typed. Each `Subcommand` row has
its name (which is also its help line's key), its Dutch aliases and the parser for the
words after it; a parser raises `BadArguments` when the words do not fit, and the person
then gets that subcommand's usage line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.app.commands.setting_words import (
    BadArguments,
    Did,
    DigestChannel,
    HolidayChange,
    TimezoneChange,
    Workdays,
    parse_did,
    parse_digest_channel,
    parse_holiday,
    parse_timezone,
    parse_workdays,
)
from bot.domain import errors
from bot.domain.journeys import PhaseTarget
from bot.domain.model import ROLES, Language, Perspective, Role, TouchpointKind

# Slack ids (U123) and Teams AAD object ids (GUIDs, with hyphens; the Teams adapter writes
# its mentions in this form).
MENTION = re.compile(r"<@([A-Z0-9][A-Z0-9-]*)(?:\|[^>]*)?>", re.IGNORECASE)


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
    kind: TouchpointKind = TouchpointKind.OTHER


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
class Web:
    pass


@dataclass(frozen=True)
class Away:
    until: date | None  # None: back again (`away off`)


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
    | Web
    | HolidayChange
    | Workdays
    | TimezoneChange
    | DigestChannel
    | Did
)


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
KIND_WORDS: dict[str, TouchpointKind] = {k.value: k for k in TouchpointKind} | {
    "klant": TouchpointKind.CUSTOMER,
    "leverancier": TouchpointKind.SUPPLIER,
    "universiteit": TouchpointKind.UNIVERSITY,
    "hogeschool": TouchpointKind.UNIVERSITY,
    "school": TouchpointKind.UNIVERSITY,
    "deskundige": TouchpointKind.EXPERT,
    "bedrijf": TouchpointKind.COMPANY,
    "leergemeenschap": TouchpointKind.COMMUNITY,
    "netwerk": TouchpointKind.COMMUNITY,
    "overig": TouchpointKind.OTHER,
    "besluit": TouchpointKind.DECISION,
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
    word, _, after = rest.partition(" ")
    if word.lower() in ("channel", "kanaal"):
        return parse_digest_channel(after.strip())
    if rest.lower() not in ("preview", "voorbeeld", "tussenstand"):
        raise BadArguments
    return DigestPreview()


def _parse_ecosystem(rest: str) -> Command:
    """`ecosystem [kind:] <what happened>`: a first word naming a kind tags the touchpoint
    ("Fieldlab visit" is a fieldlab); followed by a colon it is only the tag ("customer:
    brainstorm about pricing" logs "brainstorm about pricing")."""
    if not rest:
        raise BadArguments
    word, _, after = rest.partition(" ")
    kind = KIND_WORDS.get(word.lower().rstrip(":"))
    if kind is None or not after.strip():
        return Ecosystem(note=rest)
    return Ecosystem(note=after.strip() if word.endswith(":") else rest, kind=kind)


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
    if len(words) == 1 and words[0].lower() in ("off", "uit"):
        return Away(until=None)
    if len(words) == 2 and words[0].lower() in ("until", "tot"):
        words = words[1:]
    if len(words) != 1:
        raise BadArguments
    try:
        return Away(until=date.fromisoformat(words[0]))
    except ValueError:
        raise BadArguments from None


@dataclass(frozen=True)
class Subcommand:
    name: str
    parse: Callable[[str], Command]
    aliases: tuple[str, ...] = field(default=())
    group: str = "everyone"  # whose part of `help` it is: everyone, facilitators, readers

    @property
    def usage_key(self) -> str:
        return f"cmd.usage.{self.name.replace('-', '_')}"

    @property
    def example_key(self) -> str:
        return f"cmd.example.{self.name.replace('-', '_')}"


# The groups of `help`, in its order: what everyone can do, then the roles with more.
HELP_GROUPS = ("everyone", "facilitators", "readers", "leaders")


# In the order `help` lists them.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("help", _no_args(Help()), aliases=("hulp", "?")),
    Subcommand("start", _parse_start, group="facilitators"),
    Subcommand("status", _no_args(Status())),
    Subcommand("join", _no_args(Join()), aliases=("meedoen",)),
    Subcommand("role", _parse_role, aliases=("rol",), group="facilitators"),
    Subcommand("phase", _parse_phase, aliases=("fase",), group="facilitators"),
    Subcommand("poll", _parse_poll, aliases=("peiling",), group="facilitators"),
    Subcommand("checkin", _parse_checkin, aliases=("check-in",), group="facilitators"),
    Subcommand("digest", _parse_digest, aliases=("weekoverzicht",), group="readers"),
    Subcommand("ecosystem", _parse_ecosystem, aliases=("ecosysteem",), group="readers"),
    Subcommand("language", _parse_language, aliases=("taal",)),
    Subcommand("forget-me", _parse_forget, aliases=("vergeet-mij",)),
    Subcommand("export", _no_args(Export()), aliases=("exporteer",)),
    Subcommand(
        "schedule", lambda rest: Schedule(args=rest), aliases=("rooster",), group="facilitators"
    ),
    Subcommand("pause", _no_args(Pause()), aliases=("pauze",), group="facilitators"),
    Subcommand("resume", _no_args(Resume()), aliases=("hervat",), group="facilitators"),
    Subcommand("away", _parse_away, aliases=("afwezig",)),
    Subcommand("web", _no_args(Web()), aliases=("webversie",)),
    Subcommand(
        "holiday",
        parse_holiday,
        aliases=("holidays", "feestdag", "feestdagen"),
        group="facilitators",
    ),
    Subcommand("workdays", parse_workdays, aliases=("werkdagen",), group="facilitators"),
    Subcommand("timezone", parse_timezone, aliases=("tijdzone", "tz"), group="facilitators"),
    Subcommand("did", parse_did, aliases=("gedaan",), group="leaders"),
)
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


def fans_out(text: str) -> bool:
    """Whether `/pioneer <text>` sends to a whole audience (poll now, checkin now).

    Those take seconds for a big team, longer than a platform waits for its answer, so
    platforms acknowledge first and say the reply when the sending is done.
    """
    return isinstance(parse(text)[1], (PollNow, CheckinNow))
