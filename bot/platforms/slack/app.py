"""The Bolt AsyncApp: one app for HTTP and Socket Mode, single-workspace or OAuth.

`process_before_response=True`: a listener acks, does its (short) work and only then is
the HTTP response sent. That keeps the whole request in one coroutine, free of the
default path's wait for `ack()`, which checks every 10 ms and so adds about 10 ms to each
request. What Slack must not wait for — updating the message a click
came from — is handed to `SlackDeps.after_ack` and runs once the response is out; what
must be safe before Slack hears "ok" — the answer itself — is committed first. Database
work runs in a worker thread (`SlackDeps.run`), so the event loop keeps serving while
SQL waits, and answers arriving together share one transaction (`bot/answering.py`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.answering import AnswerBatcher
from bot.app.commands import Profile, Reply
from bot.config import Settings
from bot.crypto import TokenCipher
from bot.domain.model import Language
from bot.platforms.slack import render
from bot.platforms.slack.chat import SlackChats
from bot.platforms.slack.installations import (
    AsyncSqlInstallationStore,
    SignedStateStore,
    SqlInstallationStore,
)
from bot.platforms.slack.updates import MessageUpdates
from bot.telemetry import Metrics
from prompts.messages import t
from storage.db import make_session_factory

if TYPE_CHECKING:
    from aiohttp import ClientSession

    from bot.container import Container

logger = logging.getLogger(__name__)

# Least privilege: what the listeners and the notifier call, nothing more (see manifest.yml).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "files:write",
)
SEEN_EVENTS = 10_000
DB_THREADS = 8

P = ParamSpec("P")
T = TypeVar("T")


class ConfigurationError(RuntimeError):
    """Settings that cannot work; the message tells the operator what to set."""


# slack_sdk decides whether to build its debug lines from `logger.level <= DEBUG`, the
# logger's own level, which is 0 (NOTSET) unless set. Unset, every Web API call formats its
# whole request (blocks and all) into a string nobody logs: a third of a poll click's CPU.
_SDK_LOGGERS = (
    "slack_sdk.web.async_internal_utils",
    "slack_sdk.web.internal_utils",
    "slack_sdk.web.async_base_client",
    "slack_sdk.web.base_client",
    "slack_sdk.web.legacy_base_client",
    "slack_sdk.web.legacy_slack_response",
    "slack_sdk.web.async_slack_response",
    "slack_sdk.web.slack_response",
)


def set_sdk_log_levels() -> None:
    """Give slack_sdk's loggers the level the root logger has, so debug text is only built
    when it would be logged."""
    level = logging.getLogger().getEffectiveLevel()
    for name in _SDK_LOGGERS:
        logging.getLogger(name).setLevel(level)


def oauth_mode(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


def check_settings(settings: Settings) -> None:
    """Refuse to start with settings that cannot work, before anything listens."""
    if not settings.slack_signing_secret and not settings.slack_app_token:
        raise ConfigurationError(
            "SLACK_SIGNING_SECRET is not set: Slack requests cannot be verified. "
            "Set it (Basic Information → Signing Secret), or SLACK_APP_TOKEN for Socket Mode."
        )
    if oauth_mode(settings):
        TokenCipher(settings.pioneer_encryption_key)  # raises EncryptionKeyMissing
    elif not settings.slack_bot_token:
        raise ConfigurationError(
            "Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(several workspaces, with PIONEER_ENCRYPTION_KEY)."
        )


def unescape(text: str) -> str:
    """Slack sends typed text with &, < and > escaped; take it as typed (we escape on output)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def both_languages(key: str) -> str:
    """For the rare message said before we know whom we speak to."""
    return " / ".join(t(key, language) for language in Language)


def locale_language(locale: str | None) -> Language | None:
    if not locale:
        return None
    return Language.NL if locale.lower().startswith("nl") else Language.EN


class SlackDeps:
    """What every listener needs: the services, metrics and a few small caches."""

    def __init__(
        self,
        container: Container,
        metrics: Metrics,
        installations: AsyncSqlInstallationStore | None,
    ) -> None:
        self.container = container
        self.metrics = metrics
        self.installations = installations
        self._workspaces: dict[str, int] = {}
        self._profiles: dict[tuple[str, str], Profile] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        # SQLite takes one writer at a time; more threads only queue on its lock and sleep in
        # its busy handler, which in a load test pushed the slowest answers towards a second.
        # A server database gets a small pool.
        sqlite = container.settings.database_url.startswith("sqlite")
        self._executor = ThreadPoolExecutor(
            max_workers=1 if sqlite else DB_THREADS, thread_name_prefix="pioneer-db"
        )
        self.answers = AnswerBatcher(container, self.run)
        self.updates = MessageUpdates()
        metrics.registry.register(_RedrawCollector(self.updates))
        self._after: set[asyncio.Task[Any]] = set()

    def after_ack(self, work: Awaitable[Any], what: str) -> None:
        """Run `work` once the listener has returned and Slack has its acknowledgement.

        For what the person may wait a moment to see (a message updated to show their
        answer), never for what must be safe before the ack (the answer itself).
        """
        task = asyncio.ensure_future(work)
        self._after.add(task)

        def done(task: asyncio.Task[Any]) -> None:
            self._after.discard(task)
            if not task.cancelled() and task.exception() is not None:
                logger.warning("%s failed after the ack", what, exc_info=task.exception())

        task.add_done_callback(done)

    async def now_or_after_ack(
        self, slow: bool, work: Callable[[], Awaitable[Any]], what: str
    ) -> None:
        """Run `work` before the ack, or after it when it is `slow` (longer than the 3 s
        Slack waits for its answer, such as sending to a whole team)."""
        if slow:
            self.after_ack(work(), what)
        else:
            await work()

    async def finish(self, timeout: float = 10) -> None:
        """Let work started after acks end (on shutdown), for at most `timeout` seconds."""
        await self.updates.finish(timeout)
        if self._after:
            await asyncio.wait(set(self._after), timeout=timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking service code off the event loop, on the database's worker threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def workspace_id(self, team_id: str | None, enterprise_id: str | None = None) -> int:
        """Our Workspace row for a Slack team; it never changes, so it is cached."""
        external = team_id or enterprise_id or ""
        cached = self._workspaces.get(external)
        if cached is not None:
            return cached

        def lookup() -> int:
            with self.container.uow() as uow:
                workspace = uow.workspaces.get_or_create("slack", external)
                uow.commit()
            assert workspace.id is not None
            return workspace.id

        workspace_id = await self.run(lookup)
        self._workspaces[external] = workspace_id
        return workspace_id

    def profile_getter(
        self, client: AsyncWebClient, team_id: str, user: str
    ) -> Callable[[], Profile]:
        """A lazy, cached `users.info` for code that runs in a worker thread."""
        loop = asyncio.get_running_loop()
        key = (team_id, user)

        def get() -> Profile:
            cached = self._profiles.get(key)
            if cached is not None:
                return cached
            future = asyncio.run_coroutine_threadsafe(
                client.users_info(user=user, include_locale=True), loop
            )
            try:
                info = future.result(timeout=5)["user"]
            except Exception:  # a missing profile only costs the default language
                logger.warning("users.info failed for a user; using defaults", exc_info=True)
                return Profile()
            profile = Profile(language=locale_language(info.get("locale")), timezone=info.get("tz"))
            self._profiles[key] = profile
            return profile

        return get

    def first_time(self, event_id: str) -> bool:
        """False for an event id already handled (Slack retries with X-Slack-Retry-Num)."""
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > SEEN_EVENTS:
            self._seen.popitem(last=False)
        return True

    def forget_event(self, event_id: str) -> None:
        self._seen.pop(event_id, None)


class _RedrawCollector(Collector):
    """Polls redrawn after their answers, on /metrics: sent, failed, and still waiting."""

    def __init__(self, updates: MessageUpdates) -> None:
        self._updates = updates

    def collect(self) -> Iterator[Metric]:
        done = CounterMetricFamily(
            "pioneer_slack_redraws",
            "Messages redrawn to show an answer, by outcome.",
            labels=["outcome"],
        )
        done.add_metric(["sent"], self._updates.sent)
        done.add_metric(["failed"], self._updates.failed)
        yield done
        yield GaugeMetricFamily(
            "pioneer_slack_redraws_pending",
            "Messages waiting to be redrawn (one per message).",
            value=self._updates.pending,
        )


def slack_configured(settings: Settings) -> bool:
    return bool(settings.slack_bot_token or settings.slack_app_token or oauth_mode(settings))


def slack_chats(container: Container) -> SlackChats:
    """The scheduler's way to Slack: a ChatPort per workspace, with that workspace's token."""
    settings = container.settings
    set_sdk_log_levels()
    token_for: Callable[[str], str | None]
    if oauth_mode(settings):
        store = SqlInstallationStore(
            make_session_factory(container.engine), TokenCipher(settings.pioneer_encryption_key)
        )

        def token_for(team_id: str) -> str | None:
            bot = store.find_bot(enterprise_id=None, team_id=team_id)
            return bot.bot_token if bot else None

    else:

        def token_for(team_id: str) -> str | None:
            return settings.slack_bot_token

    def team_for(workspace_id: int) -> str | None:
        with container.uow() as uow:
            workspace = uow.workspaces.get(workspace_id)
        return workspace.external_id if workspace and workspace.platform == "slack" else None

    return SlackChats(token_for, settings.slack_api_url, team_for)


async def send_reply(
    reply: Reply,
    client: AsyncWebClient,
    user: str,
    channel: str,
    respond: Callable[..., Awaitable[Any]] | None = None,
) -> None:
    """Say a command's reply where it belongs; a CSV goes to the person's DM as a file."""
    message = render.reply_message(reply)
    if respond is not None:
        await respond(
            **message,
            response_type="in_channel" if reply.public else "ephemeral",
            replace_original=False,
        )
    else:
        posted = False
        if reply.public:
            try:
                await client.chat_postMessage(channel=channel, unfurl_links=False, **message)
                posted = True
            except SlackApiError as exc:
                # Not invited to the channel: the person who acted still hears what happened.
                logger.info("could not post to the journey channel: %s", exc.response.get("error"))
        if not posted:
            dm = await client.conversations_open(users=user)
            await client.chat_postMessage(
                channel=dm["channel"]["id"], unfurl_links=False, **message
            )
    if reply.file is not None:
        dm = await client.conversations_open(users=user)
        await client.files_upload_v2(
            channel=dm["channel"]["id"],
            content=reply.file.content,
            filename=reply.file.filename,
            title=reply.file.title,
        )


def build_app(
    container: Container,
    metrics: Metrics,
    session: ClientSession | None = None,
) -> tuple[AsyncApp, SlackDeps]:
    """The Bolt app with every listener registered. Call inside the running event loop."""
    from bot.platforms.slack.listeners import register_all

    settings = container.settings
    check_settings(settings)
    set_sdk_log_levels()
    client = AsyncWebClient(
        token=None if oauth_mode(settings) else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        session=session,
        timeout=10,
        # Waits out Retry-After on HTTP 429 (chat.update is Tier 3), then tries again.
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    installations: AsyncSqlInstallationStore | None = None
    if oauth_mode(settings):
        assert settings.slack_client_id and settings.slack_client_secret
        cipher = TokenCipher(settings.pioneer_encryption_key)
        installations = AsyncSqlInstallationStore(
            SqlInstallationStore(make_session_factory(container.engine), cipher)
        )
        app = AsyncApp(
            signing_secret=settings.slack_signing_secret or "",
            client=client,
            process_before_response=True,
            installation_store=installations,
            # Bolt says this itself when a team has no installation; say it in both languages.
            user_facing_authorize_error_message=both_languages("slack.not_installed"),
            oauth_settings=AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=list(BOT_SCOPES),
                installation_store=installations,
                installation_store_bot_only=True,
                state_store=SignedStateStore(settings.slack_client_secret),
                install_path="/slack/install",
                redirect_uri_path="/slack/oauth_redirect",
            ),
        )
    else:
        app = AsyncApp(
            signing_secret=settings.slack_signing_secret or "",
            client=client,
            process_before_response=True,
        )
    deps = SlackDeps(container, metrics, installations)

    async def dedupe_events(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if not event_id:
            return await next()
        if not deps.first_time(str(event_id)):
            logger.info(
                "ignoring a repeated event (retry %s)", req.headers.get("x-slack-retry-num")
            )
            return BoltResponse(status=200, body="")
        try:
            return await next()
        except Exception:
            deps.forget_event(str(event_id))
            raise

    app.middleware(dedupe_events)
    register_all(app, deps)
    return app, deps
