"""Vocabulary of the method (phases, stages, perspectives, roles, signals) and the entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Stage(StrEnum):
    WAKING_UP = "waking_up"
    WARMING_UP = "warming_up"


class Phase(StrEnum):
    AWARENESS = "awareness"
    INTEREST = "interest"
    DESIRE = "desire"
    ACTION = "action"

    @property
    def order(self) -> int:
        return PHASES.index(self)

    @property
    def stage(self) -> Stage:
        return Stage.WAKING_UP if self.order < 2 else Stage.WARMING_UP

    def next(self) -> Phase | None:
        return PHASES[self.order + 1] if self.order + 1 < len(PHASES) else None

    def previous(self) -> Phase | None:
        return PHASES[self.order - 1] if self.order > 0 else None


PHASES: tuple[Phase, ...] = tuple(Phase)


class Perspective(StrEnum):
    TECHNOLOGY = "technology"
    HUMAN = "human"
    BUSINESS = "business"


PERSPECTIVES: tuple[Perspective, ...] = tuple(Perspective)


class Role(StrEnum):
    DIRECTOR = "director"
    FRONTRUNNER = "frontrunner"
    FOLLOWER = "follower"
    FACILITATOR = "facilitator"
    LEARNING = "learning"  # the learning (HRD) professional


ROLES: tuple[Role, ...] = tuple(Role)


class Signal(StrEnum):
    """What a prompt feeds and a nudge reads (docs/method.md, Signals). Ids in data files."""

    URGENCY = "urgency"
    SPARK = "spark"
    CURIOSITY = "curiosity"
    ROOM_TO_EXPLORE = "room_to_explore"
    FUTURE_PICTURE = "future_picture"
    WHY_UNAVOIDABLE = "why_unavoidable"
    HEARD = "heard"
    MY_ROLE = "my_role"
    LEARNING = "learning"
    EXPERIMENTS = "experiments"
    BALANCE = "balance"
    ECOSYSTEM = "ecosystem"
    CONCERNS = "concerns"
    IDEAS = "ideas"


class PromptKind(StrEnum):
    PULSE = "pulse"
    CHECKIN = "checkin"


class Language(StrEnum):
    NL = "nl"
    EN = "en"


SCALE_MIN = 1
SCALE_MAX = 5
MAX_TEXT_LENGTH = 3000
MIN_ANONYMITY_THRESHOLD = 3
DEFAULT_ANONYMITY_THRESHOLD = 5
# Answers and check-in texts are kept this many months (PIONEER_RETENTION_MONTHS); never
# fewer than a quarter, so no open question and no digest's trend weeks are cut short.
DEFAULT_RETENTION_MONTHS = 24
MIN_RETENTION_MONTHS = 3
MAX_RETENTION_MONTHS = 1200


@dataclass(frozen=True)
class Text:
    """One user-facing text in both languages."""

    nl: str
    en: str

    def in_(self, language: Language | str) -> str:
        return self.nl if Language(language) is Language.NL else self.en


@dataclass(frozen=True)
class Prompt:
    """A question from the catalog. `low`/`high` label the ends of a pulse scale."""

    id: str
    kind: PromptKind
    phases: frozenset[Phase]
    perspective: Perspective
    audience: frozenset[Role]
    signal: Signal
    text: Text
    low: Text | None = None
    high: Text | None = None


@dataclass
class Workspace:
    """A tenant: a Slack team, a Teams tenant, or the console."""

    platform: str
    external_id: str
    name: str = ""
    id: int | None = None


@dataclass
class Journey:
    workspace_id: int
    name: str
    channel: str
    language: Language
    timezone: str
    phase: Phase
    phase_since: datetime
    started_at: datetime
    anonymity_threshold: int = DEFAULT_ANONYMITY_THRESHOLD
    # Where the weekly digest is also posted (a leaders' channel); None: only by DM.
    leadership_channel: str | None = None
    id: int | None = None

    @property
    def stage(self) -> Stage:
        return self.phase.stage


@dataclass(frozen=True)
class PhaseChange:
    journey_id: int
    actor_member_id: int
    at: datetime
    from_phase: Phase
    to_phase: Phase
    reason: str
    id: int | None = None


@dataclass
class Member:
    workspace_id: int
    journey_id: int
    user: str  # the platform's user id (Slack U123, Teams AAD object id)
    roles: set[Role] = field(default_factory=set)
    display_name: str = ""
    language: Language | None = None
    timezone: str | None = None
    away_until: date | None = None
    id: int | None = None
    dm_channel: str | None = None  # the platform's direct-message channel, once known

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass
class Delivery:
    """One prompt sent to one member for one occurrence of a ritual."""

    workspace_id: int
    journey_id: int
    member_id: int
    prompt_id: str
    kind: PromptKind
    phase: Phase
    perspective: Perspective
    signal: Signal
    occurrence: str
    created_at: datetime
    closes_at: datetime
    ritual_key: str = "adhoc"
    due_at: datetime | None = None
    ritual_id: int | None = None
    status: str = "pending"
    attempts: int = 0
    sent_at: datetime | None = None
    message_ref: str | None = None
    id: int | None = None

    def is_open(self, now: datetime) -> bool:
        return now < self.closes_at


@dataclass
class Answer:
    """A delivery's value or text, stamped with what was true when it was given."""

    workspace_id: int
    journey_id: int
    delivery_id: int
    member_id: int
    prompt_id: str
    kind: PromptKind
    phase: Phase
    perspective: Perspective
    signal: Signal
    roles: frozenset[Role]
    answered_at: datetime
    iso_week: str
    value: int | None = None
    text: str | None = None
    id: int | None = None


class TouchpointKind(StrEnum):
    """What a logged touchpoint was: a contact outside the walls, or a step inside them."""

    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    FIELDLAB = "fieldlab"
    UNIVERSITY = "university"
    EXPERT = "expert"
    COMPANY = "company"  # another company: a visit, a peer
    COMMUNITY = "community"  # a learning community, a regional network
    OTHER = "other"  # outside, not said what (what `/pioneer ecosystem` logged before kinds)
    DECISION = "decision"  # inside: a decision taken
    TEAM = "team"  # inside: a team formed

    @property
    def outside(self) -> bool:
        """Only contacts outside the organisation count as looking outside."""
        return self not in (TouchpointKind.DECISION, TouchpointKind.TEAM)


@dataclass
class Touchpoint:
    """A logged touchpoint: a contact with the world outside, or a step taken inside."""

    workspace_id: int
    journey_id: int
    happened_on: date
    note: str
    logged_by_member_id: int | None
    logged_at: datetime
    kind: TouchpointKind = TouchpointKind.OTHER
    id: int | None = None

    @property
    def outside(self) -> bool:
        return self.kind.outside


def iso_week(moment: datetime | date) -> str:
    """`2026-W49`: the ISO week a moment falls in (callers pass journey-local time)."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"
