"""Unit tests run on the in-memory unit of work (tests/fakes/memory.py), never a database.

Overriding `uow` here is enough for the root conftest's `journeys`, `answers` and
`workspace_id`: they build on it, so they run on the fake too. `services` is what a
platform hands the use cases (`bot/app`), wired on the fake as the container wires it on
storage. A unit test that asks for a database fails and says where it belongs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.app.prompt_views import PromptViews
from bot.app.schedule import ScheduleService
from bot.app.services import Defaults, Services
from bot.clock import FixedClock
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService
from bot.domain.model import DEFAULT_ANONYMITY_THRESHOLD, Delivery, Language, Phase, PromptKind
from bot.domain.rituals import RitualPlan
from prompts.catalog import Catalog, load_catalog
from prompts.ritual_plan import load_plan
from tests.fakes.memory import MemoryUnitOfWorkFactory


@pytest.fixture
def uow() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def database_url() -> str:
    pytest.fail("unit tests use no database: a test that needs one goes in tests/integration")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def plan() -> RitualPlan:
    return load_plan()


class Elsewhere:
    """A service whose use cases are tested elsewhere (digests, the dispatcher's sends)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        raise NotImplementedError(f"{self._name}.{attr} is not wired in unit tests")


@pytest.fixture
def services(
    uow: MemoryUnitOfWorkFactory, clock: FixedClock, catalog: Catalog, plan: RitualPlan
) -> Services:
    """The use cases' services on the fake, with the settings' defaults for new journeys."""
    return Services(
        uow=uow,
        clock=clock,
        catalog=catalog,
        defaults=Defaults(Language.EN, "Europe/Amsterdam", DEFAULT_ANONYMITY_THRESHOLD),
        journeys=JourneyService(uow, clock),
        answers=AnswerService(uow, clock),
        views=PromptViews(uow, catalog, clock),
        schedule=ScheduleService(uow, clock, plan),
        digests=Elsewhere("digests"),  # type: ignore[arg-type]
        dispatch=Elsewhere("dispatch"),  # type: ignore[arg-type]
    )


def deliver(
    services: Services,
    workspace_id: int,
    journey_id: int,
    user: str,
    kind: PromptKind = PromptKind.PULSE,
    closes_in: timedelta = timedelta(days=2),
    occurrence: str = "2026-W49",
    status: str = "sent",
) -> Delivery:
    """A delivery as the scheduler would have made and sent it (or not yet: `status`)."""
    prompt = min(
        (p for p in services.catalog if p.kind is kind and Phase.AWARENESS in p.phases),
        key=lambda p: p.id,
    )
    now = services.clock.now()
    with services.uow() as uow:
        member = uow.members.by_user(workspace_id, journey_id, user)
        assert member is not None and member.id is not None
        delivery = uow.deliveries.add(
            Delivery(
                workspace_id=workspace_id,
                journey_id=journey_id,
                member_id=member.id,
                prompt_id=prompt.id,
                kind=prompt.kind,
                phase=Phase.AWARENESS,
                perspective=prompt.perspective,
                signal=prompt.signal,
                occurrence=occurrence,
                ritual_key=f"test-{kind.value}",
                created_at=now,
                due_at=now,
                closes_at=now + closes_in,
                status=status,
                sent_at=now if status == "sent" else None,
            )
        )
        uow.commit()
    return delivery
