"""Ports: what the domain needs from the outside world, as Protocols.

Storage implements the repositories and the unit of work; the scheduler and tests
provide clocks. Nothing here knows how it is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol

from bot.domain.model import (
    Answer,
    Delivery,
    Journey,
    Member,
    PhaseChange,
    Touchpoint,
    Workspace,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


class WorkspaceRepository(Protocol):
    def get_or_create(self, platform: str, external_id: str, name: str = "") -> Workspace: ...
    def get(self, workspace_id: int) -> Workspace | None: ...


class JourneyRepository(Protocol):
    def add(self, journey: Journey) -> Journey: ...
    def get(self, workspace_id: int, journey_id: int) -> Journey | None: ...
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
    def save(self, member: Member) -> None: ...
    def delete(self, workspace_id: int, member_id: int) -> None: ...


class DeliveryRepository(Protocol):
    def add(self, delivery: Delivery) -> Delivery: ...
    def get(self, workspace_id: int, delivery_id: int) -> Delivery | None: ...
    def save(self, delivery: Delivery) -> None: ...


class AnswerRepository(Protocol):
    def for_delivery(self, workspace_id: int, delivery_id: int) -> Answer | None: ...
    def upsert(self, answer: Answer) -> Answer: ...
    def for_journey(
        self, workspace_id: int, journey_id: int, since: datetime | None = None
    ) -> Sequence[Answer]: ...
    def for_member(self, workspace_id: int, member_id: int) -> Sequence[Answer]: ...


class TouchpointRepository(Protocol):
    def add(self, touchpoint: Touchpoint) -> Touchpoint: ...
    def list(
        self, workspace_id: int, journey_id: int, since: date | None = None
    ) -> Sequence[Touchpoint]: ...


class UnitOfWork(Protocol):
    """One transaction. `with uow:` opens it; leaving without `commit()` rolls back."""

    workspaces: WorkspaceRepository
    journeys: JourneyRepository
    members: MemberRepository
    deliveries: DeliveryRepository
    answers: AnswerRepository
    touchpoints: TouchpointRepository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
