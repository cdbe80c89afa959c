"""The one place that wires settings, storage, the catalog, the use cases and the platforms.

Everything below it receives what it needs by parameter; nothing below it imports it.
Parts are built on first use, so a command that needs only the database never loads a chat
platform's SDK or the charting library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import cached_property, partial
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.app.data_api import DataApi
from bot.app.digests import DigestService, RoutingSender
from bot.app.journey_settings import JourneySettings
from bot.app.prompt_views import PromptViews
from bot.app.retention import Retention
from bot.app.schedule import ScheduleService
from bot.app.services import Defaults, Services
from bot.app.team_updates import TeamUpdateService
from bot.app.web_signin import WebSignIn
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.answers import AnswerService
from bot.domain.errors import Unreachable
from bot.domain.journeys import JourneyService
from bot.domain.model import Language, Workspace
from bot.domain.ports import ChatPort, Clock, DigestSender
from bot.domain.rituals import RitualPlan
from prompts.catalog import Catalog, load_catalog
from prompts.ritual_plan import load_plan
from storage.db import make_engine, make_session_factory, ping
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from bot.demo.summary import DemoParts
    from bot.platforms.console import ConsoleChat
    from bot.platforms.slack.chat import SlackChats
    from bot.platforms.teams.routes import TeamsPlatform
    from bot.scheduling.dispatcher import Dispatcher
    from bot.scheduling.scheduler import SchedulerHandle
    from bot.scheduling.sender import Sender, SlidingWindows
    from bot.webhook import WebhookNotifier
    from storage.overview import JourneyLine

# A workspace's platform name -> the ChatPort of one of its workspaces, when that platform is
# configured in this process. A new chat platform adds one row (and its adapter package).
ChatsOf = Callable[["Container"], Callable[[int], ChatPort] | None]


def _console(container: Container) -> Callable[[int], ChatPort]:
    console = container.console
    return lambda _workspace_id: console


def _slack(container: Container) -> Callable[[int], ChatPort] | None:
    slack = container.slack
    return slack.for_workspace if slack is not None else None


def _teams(container: Container) -> Callable[[int], ChatPort] | None:
    teams = container.teams
    return teams.chat if teams is not None else None


PLATFORMS: dict[str, ChatsOf] = {"console": _console, "slack": _slack, "teams": _teams}


class Container:
    def __init__(self, settings: Settings, clock: Clock | None = None, paced: bool = True) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        # The demo runs on simulated time; pacing it in real seconds would only make it slow.
        self.paced = paced

    # -- storage and texts ------------------------------------------------------------------
    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def uow(self) -> SqlUnitOfWorkFactory:
        return SqlUnitOfWorkFactory(make_session_factory(self.engine))

    def database_ok(self) -> bool:
        """The database answers (raises when it does not): the health check's question."""
        return ping(self.engine)

    def health_checks(self) -> dict[str, Callable[[], str]]:
        """What /healthz asks (bot/health.py): can the database take a write now, and do
        the stored tokens open with the current key (multi-workspace Slack only)."""
        from bot.health import CHECK_SECONDS
        from storage.writability import check_writable

        checks: dict[str, Callable[[], str]] = {
            "database": lambda: check_writable(self.engine, CHECK_SECONDS)
        }
        if self.settings.slack_client_id and self.settings.slack_client_secret:
            checks["tokens"] = self._check_tokens
        return checks

    def _check_tokens(self) -> str:
        from bot.crypto import TokenCipher
        from bot.platforms.slack.installations import SqlInstallationStore

        cipher = TokenCipher(self.settings.pioneer_encryption_key)  # raises without a key
        return SqlInstallationStore(self.uow, cipher).check_tokens()

    def schema_is_current(self) -> bool:
        """The database's schema is at the newest migration (else: run `pioneer migrate`)."""
        from storage.revision import current_revision, head_revision

        return current_revision(self.engine) == head_revision()

    def journey_lines(self) -> list[JourneyLine]:
        """Every journey of every workspace, for an operator's list (`pioneer journeys`)."""
        from storage.overview import journey_lines

        return journey_lines(self.engine)

    def migrate(self) -> None:
        """Create or upgrade the schema (safe to run again)."""
        from storage.migrate import upgrade

        upgrade(self.settings.database_url)

    @cached_property
    def catalog(self) -> Catalog:
        extra = [self.settings.pioneer_prompts_dir] if self.settings.pioneer_prompts_dir else []
        return load_catalog(*extra)

    @cached_property
    def ritual_plan(self) -> RitualPlan:
        return load_plan(self.settings.pioneer_prompts_dir)

    # -- use cases ----------------------------------------------------------------------------
    @cached_property
    def journeys(self) -> JourneyService:
        return JourneyService(self.uow, self.clock)

    @cached_property
    def answers(self) -> AnswerService:
        return AnswerService(self.uow, self.clock)

    @cached_property
    def prompt_views(self) -> PromptViews:
        return PromptViews(self.uow, self.catalog, self.clock)

    @cached_property
    def digests(self) -> DigestService:
        """Weekly digests, sent through each workspace's own platform."""
        from bot.rendering.chart import render_chart
        from prompts.themes import load_themes

        sender = RoutingSender(self.digest_sender_for)
        return DigestService(
            self.uow,
            self.clock,
            sender=sender,
            chart=render_chart,
            theme_rules=load_themes(),
            on_published=self.webhook,
        )

    @cached_property
    def retention(self) -> Retention:
        """Erases answers and quotes older than PIONEER_RETENTION_MONTHS (daily, and by CLI)."""
        return Retention(self.uow, self.clock, self.settings.pioneer_retention_months)

    @cached_property
    def data_api(self) -> DataApi:
        """The read-only API's reads (published digests only) and its tokens."""
        return DataApi(self.uow, self.clock)

    @cached_property
    def webhook(self) -> WebhookNotifier | None:
        """Posts each published digest to PIONEER_WEBHOOK_URL, when set."""
        if not self.settings.pioneer_webhook_url:
            return None
        from bot.webhook import notifier_for

        return notifier_for(self.settings, self.uow)

    @cached_property
    def team_updates(self) -> TeamUpdateService:
        """What leadership did, and the fortnight's update to every member ("you said, we did")."""
        return TeamUpdateService(self.uow, self.clock, RoutingSender(self.digest_sender_for))

    @cached_property
    def schedule(self) -> ScheduleService:
        """Show and change the cadence, pause and resume, away (the slash commands)."""
        return ScheduleService(self.uow, self.clock, self.ritual_plan)

    @cached_property
    def journey_settings(self) -> JourneySettings:
        """Holidays, working days, time zone and the digest's channel (the slash commands)."""
        return JourneySettings(self.uow, self.clock, self.ritual_plan)

    @cached_property
    def services(self) -> Services:
        """What the platforms hand to the use cases."""
        settings = self.settings
        return Services(
            uow=self.uow,
            clock=self.clock,
            catalog=self.catalog,
            defaults=Defaults(
                language=Language(settings.pioneer_default_language),
                timezone=settings.pioneer_default_timezone,
                anonymity_threshold=settings.pioneer_anonymity_threshold,
            ),
            journeys=self.journeys,
            answers=self.answers,
            views=self.prompt_views,
            schedule=self.schedule,
            journey_settings=self.journey_settings,
            digests=self.digests,
            dispatch=self.dispatch,
            team_updates=self.team_updates,
            web=WebSignIn(self.uow, self.clock, settings.pioneer_public_url),
        )

    # -- chat platforms -----------------------------------------------------------------------
    @cached_property
    def console(self) -> ConsoleChat:
        """The console platform's ChatPort: records (and can print) what members receive."""
        from bot.platforms.console import ConsoleChat

        return ConsoleChat()

    @cached_property
    def slack(self) -> SlackChats | None:
        """Slack ChatPorts per workspace (`.for_workspace(id)`), when Slack is configured."""
        from bot.platforms.slack.app import slack_chats, slack_configured

        if not slack_configured(self.settings):
            return None
        return slack_chats(self.settings, self.uow)

    @cached_property
    def teams(self) -> TeamsPlatform | None:
        """Microsoft Teams, when TEAMS_APP_ID, TEAMS_APP_SECRET and TEAMS_TENANT_ID are set."""
        from bot.platforms.teams import teams_configured

        if not teams_configured(self.settings):
            return None  # without importing the Agents SDK (about 12 MB)
        from bot.platforms.teams.routes import TeamsPlatform

        return TeamsPlatform.from_settings(self.settings, self.services)

    def chat_for(self, workspace: Workspace | int) -> ChatPort:
        """The ChatPort for a workspace, through its platform's row in PLATFORMS."""
        if isinstance(workspace, int):
            with self.uow() as uow:
                found = uow.workspaces.get(workspace)
            if found is None:
                raise Unreachable(f"no workspace {workspace}")
            workspace = found
        assert workspace.id is not None
        chats_of = PLATFORMS.get(workspace.platform)
        chats = chats_of(self) if chats_of is not None else None
        if chats is None:
            raise Unreachable(
                f"no chat platform for workspace {workspace.id} ({workspace.platform})"
            )
        return chats(workspace.id)

    def digest_sender_for(self, workspace_id: int) -> DigestSender:
        """Each platform's ChatPort also sends digests (console, Slack, Teams alike).

        A platform with limits per conversation (Teams) sends them through the scheduler's
        Sender, paced and retried like its prompts; the others make one attempt per message
        and DigestService tries again on a later pass.
        """
        from bot.scheduling.sender import PacedDigests, PacedPerConversation

        chat = self.chat_for(workspace_id)
        if not isinstance(chat, DigestSender):
            raise Unreachable(f"workspace {workspace_id}: its platform cannot send digests")
        if isinstance(chat, PacedPerConversation):
            return PacedDigests(chat, self.sender())
        return chat

    # -- the scheduler --------------------------------------------------------------------------
    @cached_property
    def conversation_windows(self) -> SlidingWindows:
        """What each conversation has been sent lately, for every Sender of this process."""
        from bot.scheduling.sender import SlidingWindows

        return SlidingWindows()

    def sender(self) -> Sender:
        """The one way to send within a platform's limits (pacing, Retry-After, backoff);
        a new one per pass, so each pass keeps its own pace and counts."""
        from bot.scheduling.sender import Sender

        settings = self.settings
        return Sender(
            rate=settings.pioneer_send_rate if self.paced else 0.0,
            max_attempts=settings.pioneer_send_attempts,
            base_backoff=settings.pioneer_send_backoff,
            max_backoff=settings.pioneer_send_max_backoff,
            windows=self.conversation_windows,
        )

    @cached_property
    def dispatch(self) -> Dispatcher:
        """Records due rituals and sends them; `send_now` for a facilitator's poll now."""
        from bot.scheduling.dispatcher import Dispatcher
        from bot.scheduling.scheduler import wake_all
        from storage.locks import SqlDispatchLock

        return Dispatcher(
            self.uow,
            SqlDispatchLock(
                self.engine, self.settings.database_url, self.settings.pioneer_send_lease
            ),
            self.ritual_plan,
            list(self.catalog),
            self.clock,
            self.chat_for,
            self.sender,
            lambda: self.digests.send_weekly,
            on_deferred=wake_all,
            digest_resume=lambda: self._resume_sends if self.digests.sender is not None else None,
            team_update_hook=lambda: self.team_updates.send_fortnightly,
            concurrency=self.settings.pioneer_send_concurrency,
            # Claims and outcomes are committed per chunk: enough to keep every thread busy.
            chunk=8 * self.settings.pioneer_send_concurrency,
        )

    def _resume_sends(self, now: datetime) -> int:
        """Digest and team update messages a crash or a rate limit left unsent."""
        return self.digests.send_pending(now) + self.team_updates.send_pending(now)

    def close(self) -> None:
        webhook = self.__dict__.get("webhook")
        if webhook is not None:
            webhook.close()  # posts what is queued first (a `pioneer tick` exits next)
        teams = self.__dict__.get("teams")
        if teams is not None:
            teams.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def demo_parts(database_url: str, clock: Clock) -> DemoParts:
    """The offline demo's system: a fresh SQLite database, the console platform, no pacing."""
    from bot.demo.summary import DemoParts

    container = Container(
        # Offline: no webhook, whatever the environment says.
        Settings(database_url=database_url, pioneer_webhook_url=None, _env_file=None),  # type: ignore[call-arg]
        clock=clock,
        paced=False,
    )
    container.migrate()
    return DemoParts(
        services=container.services,
        run_pass=container.dispatch.run_pass,
        console=container.console,
        plan=container.ritual_plan,
        close=container.close,
    )


def start_scheduler_with_container(settings: Settings) -> SchedulerHandle:
    """The scheduler of `pioneer serve`, with a container of its own (closed when it stops)
    and its counters on /metrics. Raises SchedulerLocked when another process is already
    the scheduler of this SQLite database."""
    from bot.scheduling.collector import DispatchCollector, SchedulerMetrics
    from bot.scheduling.scheduler import JOB_ID, start_scheduler
    from bot.telemetry import PROCESS_REGISTRY, shared_dir

    container = Container(settings)
    # With --workers N this process serves no /metrics: the counts go to the shared folder,
    # and each worker reads the database's figures itself.
    shared = shared_dir() is not None
    passes = SchedulerMetrics(container.dispatch, shared=shared)
    try:
        handle = start_scheduler(
            container.dispatch, on_pass=[passes.passed], purge=container.retention.purge
        )
    except BaseException:
        container.close()
        raise
    handle.on_stop.append(container.close)
    if not shared:
        for collector in (DispatchCollector(container.dispatch), passes):
            PROCESS_REGISTRY.register(collector)
            handle.on_stop.append(partial(PROCESS_REGISTRY.unregister, collector))
    logging.getLogger("pioneer.scheduling").info("scheduler running (job %r every minute)", JOB_ID)
    return handle
