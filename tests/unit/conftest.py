"""Unit tests run on the in-memory unit of work (tests/fakes/memory.py), never a database.

Overriding `uow` here is enough for the root conftest's `journeys`, `answers` and
`workspace_id`: they build on it, so they run on the fake too. `services` is what a
platform hands the use cases (`bot/app`), wired on the fake as the container wires it on
storage. A unit test that asks for a database fails and says where it belongs.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.app.journey_settings import JourneySettings
from bot.app.prompt_views import PromptViews
from bot.app.schedule import ScheduleService
from bot.app.services import Defaults, Services
from bot.clock import FixedClock
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService
from bot.domain.model import DEFAULT_ANONYMITY_THRESHOLD, Language
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
        journey_settings=JourneySettings(uow, clock, plan),
        digests=Elsewhere("digests"),  # type: ignore[arg-type]
        dispatch=Elsewhere("dispatch"),  # type: ignore[arg-type]
        team_updates=Elsewhere("team_updates"),  # type: ignore[arg-type]
    )
