"""Parsing the words of a journey's settings (`holiday`, `workdays`, `timezone`, `digest
channel`) and of what leadership `did`. What the words name (a date, days, a zone) is checked
by the use case, so that a wrong one is refused by name (`2027-02-30 is not a date`), not
with a usage line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# A channel as the platform writes a picked one: Slack `<#C0123|leaders>`, a Teams
# channel mention `<#19:...@thread.tacv2>` (the Teams adapter writes it so).
CHANNEL = re.compile(r"<#([^|>\s]+)(?:\|[^>]*)?>")

HOLIDAY_ACTIONS: dict[str, Literal["add", "list", "remove"]] = {
    "add": "add",
    "toevoegen": "add",
    "erbij": "add",
    "list": "list",
    "lijst": "list",
    "remove": "remove",
    "delete": "remove",
    "verwijder": "remove",
    "verwijderen": "remove",
    "weg": "remove",
}
OFF_WORDS = frozenset({"off", "uit", "none", "geen"})


class BadArguments(Exception):
    """The words after a subcommand do not fit it."""


@dataclass(frozen=True)
class HolidayChange:
    action: Literal["add", "list", "remove"]
    days: tuple[str, ...] = ()  # as typed: YYYY-MM-DD, checked by the use case


@dataclass(frozen=True)
class Workdays:
    days: str | None  # None: show them


@dataclass(frozen=True)
class TimezoneChange:
    zone: str | None  # None: show it


@dataclass(frozen=True)
class DigestChannel:
    action: Literal["show", "set", "off"]
    channel: str = ""  # set: the channel id, or what was typed when it is not a link
    linked: bool = True  # False: typed as text (`#leaders`), which names no channel for sure


def parse_holiday(rest: str) -> HolidayChange:
    words = rest.replace(",", " ").split()
    if not words:
        return HolidayChange("list")
    action = HOLIDAY_ACTIONS.get(words[0].lower())
    if action is None:
        raise BadArguments
    days = tuple(words[1:])
    if (action == "list") == bool(days):
        raise BadArguments  # `list` takes no dates, `add` and `remove` at least one
    return HolidayChange(action, days)


def parse_workdays(rest: str) -> Workdays:
    # "mon, tue, thu" and "mon tue thu" mean what "mon,tue,thu" means.
    return Workdays(",".join(rest.replace(",", " ").split()) or None)


def parse_timezone(rest: str) -> TimezoneChange:
    if len(rest.split()) > 2:  # "America/New York" is a zone typed with a space
        raise BadArguments
    return TimezoneChange(rest or None)


def parse_digest_channel(rest: str) -> DigestChannel:
    if not rest:
        return DigestChannel("show")
    if rest.lower() in OFF_WORDS:
        return DigestChannel("off")
    match = CHANNEL.fullmatch(rest)
    if match is None:
        if len(rest.split()) > 1:
            raise BadArguments
        return DigestChannel("set", rest, linked=False)
    return DigestChannel("set", match.group(1))


@dataclass(frozen=True)
class Did:
    """What leadership did; `rule`: the nudge it answers (`rule: text`), else ""."""

    text: str
    rule: str = ""


def parse_did(rest: str) -> Did:
    """`did [rule:] <what was done>`: a first word like `heard_followers:` names the nudge
    rule it answers (the digest's button fills it in); anything else is all text."""
    if not rest:
        raise BadArguments
    word, _, after = rest.partition(" ")
    if word.endswith(":") and len(word) > 1 and re.fullmatch(r"[a-z_]+:", word):
        return Did(text=after.strip(), rule=word[:-1])
    return Did(text=rest)
