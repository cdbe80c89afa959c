"""The one place that wires settings, storage, the catalog and the domain services."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Engine

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService
from bot.domain.ports import Clock
from prompts import Catalog, load_catalog
from storage.db import make_engine, make_session_factory
from storage.repositories import SqlUnitOfWorkFactory


class Container:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def uow(self) -> SqlUnitOfWorkFactory:
        return SqlUnitOfWorkFactory(make_session_factory(self.engine))

    @cached_property
    def catalog(self) -> Catalog:
        extra = [self.settings.pioneer_prompts_dir] if self.settings.pioneer_prompts_dir else []
        return load_catalog(*extra)

    @cached_property
    def journeys(self) -> JourneyService:
        return JourneyService(self.uow, self.clock)

    @cached_property
    def answers(self) -> AnswerService:
        return AnswerService(self.uow, self.clock)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
