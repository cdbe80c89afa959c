"""The one place that wires settings, storage, the catalog and the domain services."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.app.digests import DigestSender, DigestService
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService
from bot.domain.ports import Clock
from prompts.catalog import Catalog, load_catalog
from storage.db import make_engine, make_session_factory
from storage.repositories import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from bot.app.schedule import ScheduleService
    from bot.domain.model import Workspace
    from bot.domain.rituals import RitualPlan
    from bot.domain.views import ChatPort
    from bot.platforms.console import ConsoleChat
    from bot.platforms.slack.chat import SlackChats
    from bot.platforms.teams.routes import TeamsPlatform
    from bot.scheduling.dispatcher import Dispatcher


class Container:
    def __init__(self, settings: Settings, clock: Clock | None = None, paced: bool = True) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        # The demo runs on simulated time; pacing it in real seconds would only make it slow.
        self.paced = paced

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

    @cached_property
    def digests(self) -> DigestService:
        """Weekly digests, sent through each workspace's own platform."""
        from bot.app.digests import RoutingSender
        from bot.rendering.chart import render_chart
        from prompts.themes import load_themes

        sender = RoutingSender(self.digest_sender_for)
        return DigestService(
            self.uow, self.clock, sender=sender, chart=render_chart, theme_rules=load_themes()
        )

    def digest_sender_for(self, workspace_id: int) -> DigestSender:
        """Each platform's ChatPort also sends digests (console, Slack, Teams alike)."""
        chat = self.chat_for(workspace_id)
        if not isinstance(chat, DigestSender):
            from bot.domain.views import Unreachable

            raise Unreachable(f"workspace {workspace_id}: its platform cannot send digests")
        return chat

    @cached_property
    def slack(self) -> SlackChats | None:
        """Slack ChatPorts per workspace (`.for_workspace(id)`), when Slack is configured."""
        from bot.platforms.slack.app import slack_chats, slack_configured

        return slack_chats(self) if slack_configured(self.settings) else None

    @cached_property
    def teams(self) -> TeamsPlatform | None:
        """Microsoft Teams, when TEAMS_APP_ID, TEAMS_APP_SECRET and TEAMS_TENANT_ID are set."""
        from bot.platforms.teams.routes import TeamsPlatform, teams_configured

        return TeamsPlatform.from_settings(self) if teams_configured(self.settings) else None

    # -- rituals on a schedule (bot/scheduling) ---------------------------------------------
    @cached_property
    def ritual_plan(self) -> RitualPlan:
        from prompts.ritual_plan import load_plan

        return load_plan(self.settings.pioneer_prompts_dir)

    @cached_property
    def console(self) -> ConsoleChat:
        """The console platform's ChatPort: records (and can print) what members receive."""
        from bot.platforms.console import ConsoleChat

        return ConsoleChat()

    def chat_for(self, workspace: Workspace | int) -> ChatPort:
        """The ChatPort for a workspace's platform (console, slack or teams)."""
        from bot.domain.views import Unreachable

        if isinstance(workspace, int):
            with self.uow() as uow:
                found = uow.workspaces.get(workspace)
            if found is None:
                raise Unreachable(f"no workspace {workspace}")
            workspace = found
        assert workspace.id is not None
        if workspace.platform == "console":
            return self.console
        if workspace.platform == "slack" and self.slack is not None:
            return self.slack.for_workspace(workspace.id)
        if workspace.platform == "teams" and self.teams is not None:
            chat: ChatPort = self.teams.chat(workspace.id)
            return chat
        raise Unreachable(f"no chat platform for workspace {workspace.id} ({workspace.platform})")

    @cached_property
    def dispatch(self) -> Dispatcher:
        """Records due rituals and sends them; `send_now` for a facilitator's poll now."""
        from bot.scheduling.dispatcher import Dispatcher
        from bot.scheduling.lock import DispatchLock
        from bot.scheduling.scheduler import wake_all
        from bot.scheduling.sender import Sender
        from bot.scheduling.settings import SendingSettings

        sending = SendingSettings()

        def sender() -> Sender:
            return Sender(
                rate=sending.pioneer_send_rate if self.paced else 0.0,
                max_attempts=sending.pioneer_send_attempts,
                base_backoff=sending.pioneer_send_backoff,
                max_backoff=sending.pioneer_send_max_backoff,
            )

        def digest_hook() -> Callable[[int, int, datetime], object] | None:
            send_weekly = getattr(self.digests, "send_weekly", None)
            return send_weekly if callable(send_weekly) else None

        def digest_resume() -> Callable[[datetime], int] | None:
            if self.digests.sender is None:
                return None
            return self.digests.send_pending

        return Dispatcher(
            self.uow,
            DispatchLock(self.engine, self.settings.database_url),
            self.ritual_plan,
            list(self.catalog),
            self.clock,
            self.chat_for,
            sender,
            digest_hook,
            on_deferred=wake_all,
            digest_resume=digest_resume,
        )

    @cached_property
    def schedule(self) -> ScheduleService:
        """Show and change the cadence, pause and resume, away (the slash commands)."""
        from bot.app.schedule import ScheduleService

        return ScheduleService(self.uow, self.clock, self.ritual_plan)

    def close(self) -> None:
        teams = self.__dict__.get("teams")
        if teams is not None:
            teams.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
