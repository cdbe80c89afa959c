"""What the use cases work with: the domain's ports and services, handed in by the container.

A platform adapter holds one `Services` and passes it to the use cases it calls; nothing in
`bot/app` (or below it) knows how these were built, which database is behind the unit of
work, or which chat platform a workspace uses. `bot/container.py` builds it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.app.prompt_views import PromptViews
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService
from bot.domain.model import Language
from bot.domain.ports import Clock, Dispatch, PromptCatalog, UnitOfWorkFactory

if TYPE_CHECKING:
    from bot.app.digests import DigestService
    from bot.app.journey_settings import JourneySettings
    from bot.app.schedule import ScheduleService
    from bot.app.team_updates import TeamUpdateService
    from bot.app.web_signin import WebSignIn


@dataclass(frozen=True)
class Defaults:
    """What a new journey gets when the person starting it has no preference of their own."""

    language: Language
    timezone: str
    anonymity_threshold: int


@dataclass(frozen=True)
class Services:
    uow: UnitOfWorkFactory
    clock: Clock
    catalog: PromptCatalog
    defaults: Defaults
    journeys: JourneyService
    answers: AnswerService
    views: PromptViews
    schedule: ScheduleService
    journey_settings: JourneySettings
    digests: DigestService
    dispatch: Dispatch
    team_updates: TeamUpdateService
    # The web view's sign-in links (`/pioneer web`); None where it is not wired.
    web: WebSignIn | None = None
