"""The plain records the ports carry: light, immutable rows of what storage reads.

Repositories (bot/domain/ports.py) return these instead of whole domain objects where the
caller reads many at once: the digest reads answer points by the hundred thousand, the
scheduler reads every journey's cursor every minute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from bot.domain.model import (
    Answer,
    Delivery,
    Journey,
    Member,
    Perspective,
    Phase,
    PromptKind,
    Role,
    Signal,
)


class AnswerPoint(NamedTuple):
    """One pulse value, light enough for the digest to read by the hundred thousand."""

    member_id: int
    iso_week: str
    phase: Phase
    perspective: Perspective
    signal: Signal
    roles: frozenset[Role]
    value: int
    # The item answered: two weeks' figures are compared only over the same items.
    prompt_id: str = ""


class TextPoint(NamedTuple):
    """One check-in text or pulse comment, for themes and quotes."""

    member_id: int
    iso_week: str
    perspective: Perspective
    signal: Signal
    kind: PromptKind
    text: str
    answer_id: int | None = None  # where a quote came from, so erasure can find it


class WeekCell(NamedTuple):
    """Mean of per-person means of one ISO week x perspective."""

    iso_week: str
    perspective: Perspective
    respondents: int
    mean: float


class AnswerContext(NamedTuple):
    """What recording an answer checks: the delivery, its journey and member, any answer."""

    delivery: Delivery
    journey: Journey
    member: Member
    answer: Answer | None


class StoredDigest(NamedTuple):
    iso_week: str
    created_at: datetime
    sent_at: datetime | None
    payload: dict[str, Any]
    # The answers the payload's quotes came from, in their order; None: not known (a
    # digest stored before they were kept), so erasure matches the quoted text instead.
    quote_sources: tuple[int, ...] | None = None


class JourneyDigest(NamedTuple):
    """A stored digest with the journey it belongs to (retention reads every workspace's)."""

    workspace_id: int
    journey_id: int
    digest: StoredDigest


class Expiring(NamedTuple):
    """What the retention period has run out for, of one kind: how many, since when."""

    kind: str
    number: int
    oldest: datetime | None


class DigestSend(NamedTuple):
    """One planned message of a week's digest: to a member's DM or to a channel."""

    id: int
    workspace_id: int
    journey_id: int
    iso_week: str
    recipient: str  # "member:<id>" or "channel:<id>"
    member_id: int | None
    attempts: int
    claimed_at: datetime | None = None  # the last attempt (or the current one)


class JourneySchedule(NamedTuple):
    """A journey's calendar as the scheduler reads it (see bot/domain/rituals.py)."""

    paused: bool
    working_days: str
    holidays: list[str]
    dispatched_through: datetime | None


class JourneyCursor(NamedTuple):
    """A journey's scheduling state, read for every journey at every pass (no entities)."""

    id: int
    workspace_id: int
    phase: Phase
    timezone: str
    started_at: datetime
    paused: bool
    working_days: str
    holidays: tuple[str, ...]
    dispatched_through: datetime | None

    @property
    def schedule(self) -> JourneySchedule:
        return JourneySchedule(
            self.paused, self.working_days, list(self.holidays), self.dispatched_through
        )


class DeliveryCounts(NamedTuple):
    by_status: Mapping[str, int]
    retrying: int  # pending, with a failed attempt behind them


class PlatformInstallation(NamedTuple):
    """A workspace's bot credentials as its platform handed them over at install time.

    `sealed`: the secrets, encrypted by the platform; storage keeps it and `data` as is.
    """

    key: str
    workspace_id: int
    data: dict[str, Any]
    sealed: str
    installed_at: datetime


class Person(NamedTuple):
    """Someone the bot has seen on a platform, and how to reach them one to one."""

    workspace_id: int
    external_id: str  # the platform's stable id of the person
    platform_id: str | None  # the id the platform's bot channel knows them by
    name: str
    personal_conversation_id: str | None
    unreachable_since: datetime | None


@dataclass(frozen=True)
class Asked:
    """What a journey's pulses asked before an occurrence: the history the sampler balances.

    Counted over the journey's current phase (every stint in it), up to the day of the
    occurrence being planned, so every process that plans that occurrence sees the same.
    """

    items: Mapping[str, int] = field(default_factory=dict)  # prompt id -> times asked
    perspectives: Mapping[Perspective, int] = field(default_factory=dict)
    signals: Mapping[Signal, int] = field(default_factory=dict)
    # The digest's week so far: member id -> the (signal, perspective) cells they got.
    week_cells: Mapping[int, frozenset[tuple[Signal, Perspective]]] = field(default_factory=dict)
