"""Ports: what the domain needs from the outside world, as Protocols. Storage implements the
repositories and the unit of work, the platforms the chat ports; nothing here knows how."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.domain.data_export import ApiToken
from bot.domain.model import (
    Answer,
    Delivery,
    Journey,
    Member,
    Perspective,
    Phase,
    PhaseChange,
    Prompt,
    PromptKind,
    Role,
    Touchpoint,
    Workspace,
)
from bot.domain.records import (
    AnswerContext,
    AnswerPoint,
    Asked,
    DeliveryCounts,
    DigestSend,
    Expiring,
    JourneyCursor,
    JourneyDigest,
    JourneySchedule,
    Person,
    PlatformInstallation,
    StoredDigest,
    TextPoint,
    WeekCell,
)
from bot.domain.rituals import CadenceOverride
from bot.domain.views import Notice, PromptView
from bot.domain.web_links import WebLink, WebSession

if TYPE_CHECKING:
    from bot.domain.digest.view import DigestView


class Clock(Protocol):
    def now(self) -> datetime: ...  # an aware datetime


class WorkspaceRepository(Protocol):
    def get_or_create(self, platform: str, external_id: str, name: str = "") -> Workspace: ...
    def get(self, workspace_id: int) -> Workspace | None: ...
    # An operator's lookup by a platform's id (team, tenant) or by name, in any workspace.
    def find(self, ref: str) -> Sequence[Workspace]: ...


class JourneyRepository(Protocol):
    def add(self, journey: Journey) -> Journey: ...
    def get(self, workspace_id: int, journey_id: int) -> Journey | None: ...
    # An operator's cross-workspace lookup: the workspace a journey id belongs to.
    def workspace_of(self, journey_id: int) -> int | None: ...
    def by_channel(self, workspace_id: int, channel: str) -> Journey | None: ...
    def list(self, workspace_id: int) -> Sequence[Journey]: ...
    def save(self, journey: Journey) -> None: ...
    def add_phase_change(self, change: PhaseChange) -> PhaseChange: ...
    def phase_history(self, workspace_id: int, journey_id: int) -> Sequence[PhaseChange]: ...


class MemberRepository(Protocol):
    def add(self, member: Member) -> Member: ...
    def get(self, workspace_id: int, member_id: int) -> Member | None: ...
    def by_user(self, workspace_id: int, journey_id: int, user: str) -> Member | None: ...
    def list(self, workspace_id: int, journey_id: int) -> Sequence[Member]: ...
    # Every member's current roles, without loading whole members.
    def roles_by_id(self, workspace_id: int, journey_id: int) -> dict[int, frozenset[Role]]: ...
    def save(self, member: Member) -> None: ...
    # Erasure: answers and deliveries go, touchpoints and phase moves lose their words.
    def delete(self, workspace_id: int, member_id: int) -> None: ...


class DeliveryRepository(Protocol):
    def add(self, delivery: Delivery) -> Delivery: ...
    def get(self, workspace_id: int, delivery_id: int) -> Delivery | None: ...
    def save(self, delivery: Delivery) -> None: ...
    # Members who were sent a prompt due in [start, end).
    def asked_members(
        self, workspace_id: int, journey_id: int, start: datetime, end: datetime
    ) -> set[int]: ...
    # People sent a pulse of each perspective, due in [start, end).
    def asked_by_perspective(
        self, workspace_id: int, journey_id: int, start: datetime, end: datetime
    ) -> dict[Perspective, int]: ...
    # What the pulse design balances: the phase's pulses due before `before` (see Asked).
    def pulse_history(
        self,
        workspace_id: int,
        journey_id: int,
        phase: Phase,
        before: datetime,
        week_start: datetime,
    ) -> Asked: ...
    def open_for_member(
        self, workspace_id: int, member_id: int, now: datetime
    ) -> Sequence[Delivery]: ...
    def with_context(
        self, workspace_id: int, delivery_id: int
    ) -> tuple[Delivery, Journey, Member] | None: ...


class AnswerRepository(Protocol):
    def for_delivery(self, workspace_id: int, delivery_id: int) -> Answer | None: ...
    def contexts(
        self, keys: Sequence[tuple[int, int]]
    ) -> Mapping[tuple[int, int], AnswerContext]: ...
    def values_for_weeks(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[AnswerPoint]: ...
    def texts_for_weeks(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[TextPoint]: ...
    def week_perspective_means(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[WeekCell]: ...
    # Insert or replace answers, one per delivery; returns delivery id -> answer id.
    def upsert_many(self, answers: Sequence[Answer]) -> Mapping[int, int]: ...
    def for_journey(
        self, workspace_id: int, journey_id: int, since: datetime | None = None
    ) -> Sequence[Answer]: ...
    def for_member(self, workspace_id: int, member_id: int) -> Sequence[Answer]: ...
    # Retention, in every workspace: answers given before `before` by kind; `purge`: erased.
    def older_than(self, before: datetime, purge: bool = False) -> Sequence[Expiring]: ...


class DigestRepository(Protocol):
    def get(self, workspace_id: int, journey_id: int, iso_week: str) -> StoredDigest | None: ...
    # Digests claimed for sending (published), by week: what may leave through the API.
    def published(self, workspace_id: int, journey_id: int) -> Sequence[StoredDigest]: ...
    # Store or replace a digest; one that was sent already is a record and stays.
    def save(
        self,
        workspace_id: int,
        journey_id: int,
        iso_week: str,
        payload: dict[str, Any],
        created_at: datetime,
        quote_sources: Sequence[int | None] = (),  # the answers its quotes came from
    ) -> None: ...
    def for_journey(self, workspace_id: int, journey_id: int) -> Sequence[StoredDigest]: ...
    # Retention, in every workspace: digests of weeks up to `iso_week` that may hold quotes.
    def quoted_through(self, iso_week: str) -> Sequence[JourneyDigest]: ...
    # Erasure: new payload and quote sources even of a sent one; no copy left in the files.
    def redact(self, workspace_id: int, journey_id: int, digest: StoredDigest) -> None: ...
    # Mark the digest sent; True for exactly one caller however often it is asked.
    def claim_send(
        self, workspace_id: int, journey_id: int, iso_week: str, at: datetime
    ) -> bool: ...
    # Plan one message per (recipient, member id); planning twice changes nothing.
    def plan_sends(
        self,
        workspace_id: int,
        journey_id: int,
        iso_week: str,
        recipients: Sequence[tuple[str, int | None]],
    ) -> None: ...
    # Planned messages not sent yet: pending, or claimed before `stale_before`.
    def due_sends(
        self, stale_before: datetime, journey_id: int | None = None
    ) -> Sequence[DigestSend]: ...
    # Take one planned message to send; True for one caller (until its claim is stale).
    def claim_recipient(self, send_id: int, at: datetime, stale_before: datetime) -> bool: ...
    # Record how sending went: sent, failed, or pending again (one more attempt).
    def finish_send(
        self, send_id: int, status: str, at: datetime, error: str | None = None
    ) -> None: ...


class WeekFigureRepository(Protocol):
    # Closed weeks' figures as first published, by week; `add` keeps any already there.
    def up_to(self, workspace_id: int, journey_id: int, iso_week: str) -> Mapping[str, Any]: ...
    def add(
        self, workspace_id: int, journey_id: int, weeks: Mapping[str, Any], at: datetime
    ) -> None: ...


class ApiTokenRepository(Protocol):
    def add(self, token: ApiToken) -> ApiToken: ...
    def by_hash(self, token_hash: str) -> ApiToken | None: ...  # an active token only
    def list(self, workspace_id: int | None = None) -> Sequence[ApiToken]: ...
    def revoke(self, token_id: int, at: datetime) -> ApiToken | None: ...
    def used(self, token_id: int, at: datetime) -> None: ...


class WebSessionRepository(Protocol):
    def add(self, item: WebLink | WebSession) -> None: ...
    def use_link(self, token_hash: str, at: datetime) -> WebLink | None: ...  # once, unexpired
    def find_session(self, token_hash: str, at: datetime) -> WebSession | None: ...  # unexpired
    def end_session(self, token_hash: str) -> None: ...


class TouchpointRepository(Protocol):
    def add(self, touchpoint: Touchpoint) -> Touchpoint: ...
    def list(
        self, workspace_id: int, journey_id: int, since: date | None = None
    ) -> Sequence[Touchpoint]: ...


class RitualRepository(Protocol):
    def overrides(self, workspace_id: int, journey_id: int) -> Sequence[CadenceOverride]: ...
    def set_override(self, workspace_id: int, journey_id: int, change: CadenceOverride) -> None: ...
    def schedule(self, workspace_id: int, journey_id: int) -> JourneySchedule | None: ...
    def set_paused(self, workspace_id: int, journey_id: int, paused: bool) -> None: ...
    def set_working_days(self, workspace_id: int, journey_id: int, days: str) -> None: ...
    def set_holidays(self, workspace_id: int, journey_id: int, days: Sequence[str]) -> None: ...


class DispatchRepository(Protocol):
    """What the scheduler needs, in few light queries. The scans read every workspace on
    purpose (the dispatcher serves all tenants); what it writes is addressed by workspace and
    row id. `record` inserts only new deliveries; `claim` counts an attempt before a send."""

    def cursors(self) -> Sequence[JourneyCursor]: ...
    # Each journey's distinct member time zones (None: the journey's own).
    def zones(self) -> Mapping[int, set[str | None]]: ...
    def all_overrides(self) -> Mapping[int, Sequence[CadenceOverride]]: ...
    def record(self, deliveries: Sequence[tuple[Delivery, datetime | None]]) -> int: ...
    def keys_of(
        self, workspace_id: int, journey_id: int, ritual_key: str, occurrence: str
    ) -> Sequence[int]: ...
    def set_watermark(self, workspace_id: int, journey_id: int, at: datetime) -> None: ...
    def expire(self, now: datetime) -> int: ...
    def pending(
        self, now: datetime, limit: int, after_id: int = 0, ids: Sequence[int] | None = None
    ) -> Sequence[tuple[Delivery, Member, Journey]]: ...
    def claim(self, delivery_ids: Sequence[int]) -> int: ...
    def mark(
        self,
        delivery_id: int,
        status: str,
        at: datetime | None = None,
        ref: str | None = None,
        error: str | None = None,
    ) -> None: ...
    def due_reminders(
        self, now: datetime, limit: int, after_id: int = 0
    ) -> Sequence[tuple[Delivery, Member, Journey]]: ...
    def claim_reminder(self, delivery_id: int, at: datetime) -> bool: ...
    def release_reminder(self, delivery_id: int, at: datetime) -> None: ...
    def status_counts(self) -> DeliveryCounts: ...


class InstallationRepository(Protocol):
    def save(self, installation: PlatformInstallation) -> None: ...  # replaces one by its key
    def find(self, key: str) -> PlatformInstallation | None: ...
    def delete(self, keys: Sequence[str]) -> None: ...
    # The latest installed, for a health check that their secrets still open.
    def newest(self, limit: int) -> Sequence[PlatformInstallation]: ...


class ConversationRepository(Protocol):
    """Conversation references kept to write first (proactive sends), by key. `save` stores
    nothing and says False for another workspace's key: no workspace may take over another's
    (conversation ids are global)."""

    def read(self, keys: Sequence[str]) -> Mapping[str, dict[str, Any]]: ...
    def save(
        self, key: str, workspace_id: int, service_url: str, data: dict[str, Any], at: datetime
    ) -> bool: ...
    def delete(self, keys: Sequence[str]) -> None: ...
    def workspace_of(self, key: str) -> int | None: ...
    def latest_service_url(self, workspace_id: int) -> str | None: ...


class PeopleRepository(Protocol):
    """`seen`: they wrote to the bot, so they are reachable, and this is how."""

    def get(self, workspace_id: int, external_id: str) -> Person | None: ...
    def by_platform_id(self, workspace_id: int, platform_id: str) -> Person | None: ...
    def seen(
        self,
        workspace_id: int,
        external_id: str,
        platform_id: str | None,
        name: str,
        personal_conversation_id: str | None,
        at: datetime,
    ) -> None: ...
    def set_personal_conversation(
        self, workspace_id: int, external_id: str, conversation_id: str, at: datetime
    ) -> None: ...
    def mark_unreachable(self, workspace_id: int, external_id: str, at: datetime) -> None: ...
    def names(self, workspace_id: int) -> dict[str, str]: ...  # names by external id


class UnitOfWork(Protocol):
    """One transaction. `with uow:` opens it; leaving without `commit()` rolls back.
    Repositories are read-only properties, so implementations may return richer types."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...
    @property
    def journeys(self) -> JourneyRepository: ...
    @property
    def members(self) -> MemberRepository: ...
    @property
    def deliveries(self) -> DeliveryRepository: ...
    @property
    def answers(self) -> AnswerRepository: ...
    @property
    def touchpoints(self) -> TouchpointRepository: ...
    @property
    def digests(self) -> DigestRepository: ...
    @property
    def week_figures(self) -> WeekFigureRepository: ...
    @property
    def rituals(self) -> RitualRepository: ...
    @property
    def dispatch(self) -> DispatchRepository: ...
    @property
    def installations(self) -> InstallationRepository: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def people(self) -> PeopleRepository: ...
    @property
    def api_tokens(self) -> ApiTokenRepository: ...
    @property
    def web_sessions(self) -> WebSessionRepository: ...
    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class DispatchLock(Protocol):
    """Who may send: `with lock.pass_() as got:` runs one dispatcher pass if `got`. Where the
    database cannot share (SQLite), `hold_process_lock` makes this process its one scheduler."""

    def pass_(self, wait: bool = True) -> AbstractContextManager[bool]: ...
    def hold_process_lock(self) -> None: ...
    def release_process_lock(self) -> None: ...


# -- what the use cases call beyond storage ----------------------------------------------------
class PromptCatalog(Protocol):
    def get(self, prompt_id: str) -> Prompt | None: ...
    def __iter__(self) -> Iterator[Prompt]: ...


class Dispatch(Protocol):
    """Sending a prompt to a journey's audience now (a facilitator's "poll now")."""

    # Record and send one prompt to the current phase's audience; how many were asked.
    def send_now(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        kind: PromptKind,
        perspective: Perspective | None = None,
        admin: bool = False,  # the actor is a workspace admin, who may act as facilitator
    ) -> int: ...


# -- reaching people: each chat platform implements these at the edge ------------------------
class ChatPort(Protocol):
    """How the scheduler and services reach people; each platform implements it at the edge."""

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        """Deliver `view` to `member` by direct message; return a reference to the message.
        `idempotency_key` is stable, so a retry finds the message sent instead of a second."""
        ...

    def post_notice(self, channel: str, notice: Notice) -> str: ...


class DigestPublished(Protocol):
    def __call__(self, workspace_id: int, view: DigestView) -> None: ...


@runtime_checkable
class FindsSent(Protocol):
    def find_sent(self, member: Member, idempotency_key: str) -> str | None:
        """A message with this key that already went out (its reference), if any."""


@runtime_checkable
class DigestSender(Protocol):
    """The part of a chat platform that delivers a digest (Block Kit + chart on Slack)."""

    # Post `view` (in `view.language`) with the chart to a member's DM or a channel.
    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str: ...
