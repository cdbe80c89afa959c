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

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.services import Services
from bot.config import Settings
from bot.crypto import TokenCipher
from bot.domain.ports import UnitOfWorkFactory
from bot.platforms.slack.chat import SlackChats
from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.installations import (
    AsyncSqlInstallationStore,
    SignedStateStore,
    SqlInstallationStore,
)
from bot.platforms.slack.poll_clicks import PollClicks
from bot.platforms.slack.replies import both_languages
from bot.telemetry import Metrics, quiet_payload_loggers

if TYPE_CHECKING:
    from aiohttp import ClientSession

logger = logging.getLogger(__name__)

# Least privilege: what the listeners and the notifier call, nothing more (see manifest.yml).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "files:write",
    # The member_joined_channel event, for the welcome when Pioneer is added to a channel.
    "channels:read",
    "groups:read",
)


class ConfigurationError(RuntimeError):
    """Settings that cannot work; the message tells the operator what to set."""


# slack_sdk decides whether to build its debug lines from `logger.level <= DEBUG`, the
# logger's own level, which is 0 (NOTSET) unless set. Unset, every Web API call formats its
# whole request (blocks and all) into a string nobody logs: a third of a poll click's CPU.
_SDK_LOGGERS = (
    "slack_bolt",
    "slack_sdk",
    "slack_sdk.web.async_internal_utils",
    "slack_sdk.web.internal_utils",
    "slack_sdk.web.async_base_client",
    "slack_sdk.web.base_client",
    "slack_sdk.web.legacy_base_client",
    "slack_sdk.web.legacy_slack_response",
    "slack_sdk.web.async_slack_response",
    "slack_sdk.web.slack_response",
    "slack_sdk.webhook.async_client",
    "slack_sdk.webhook.client",
)


class _OwnClientNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and, since we hand it our
    own client (one shared session, a retry handler) holding that token, warns at every start
    that the token "will be unused". Nothing is wrong; the warning only worries operators."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


# Bolt warns through the logger it is given ("slack_bolt"), or its own when given none.
for _name in ("slack_bolt", "slack_bolt.AsyncApp"):
    logging.getLogger(_name).addFilter(_OwnClientNotice())


def set_sdk_log_levels() -> None:
    """Slack's libraries log at INFO and above only: below that they log payloads, and
    slack_sdk then stops building debug text nobody may read."""
    quiet_payload_loggers(*_SDK_LOGGERS)


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


def slack_configured(settings: Settings) -> bool:
    return bool(settings.slack_bot_token or settings.slack_app_token or oauth_mode(settings))


def slack_chats(settings: Settings, uow: UnitOfWorkFactory) -> SlackChats:
    """The scheduler's way to Slack: a ChatPort per workspace, with that workspace's token."""
    set_sdk_log_levels()
    token_for: Callable[[str], str | None]
    if oauth_mode(settings):
        store = SqlInstallationStore(uow, TokenCipher(settings.pioneer_encryption_key))

        def token_for(team_id: str) -> str | None:
            bot = store.find_bot(enterprise_id=None, team_id=team_id)
            return bot.bot_token if bot else None

    else:

        def token_for(team_id: str) -> str | None:
            return settings.slack_bot_token

    def team_for(workspace_id: int) -> str | None:
        with uow() as tx:
            workspace = tx.workspaces.get(workspace_id)
        return workspace.external_id if workspace and workspace.platform == "slack" else None

    return SlackChats(token_for, settings.slack_api_url, team_for)


async def installed_team_only(
    req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse | None:
    """One token, one workspace: refuse a request signed for any other team.

    Bolt learns the installed team with auth.test, once, and keeps it as the authorize
    result; the request's own team id is only what its body says. Without this, another
    workspace with the same app (and so the same signing secret) got a workspace and
    journeys of its own here, spoken to with this workspace's token.
    """
    installed, context = req.context.authorize_result, req.context
    if installed is None or context.team_id == installed.team_id:
        return await next()
    if context.team_id is None and context.enterprise_id in (None, installed.enterprise_id):
        return await next()  # an enterprise-level request of the installed organisation
    logger.warning("refused a Slack request for a workspace this Pioneer is not installed in")
    if isinstance(req.body, dict) and req.body.get("command"):
        return BoltResponse(status=200, body=both_languages("slack.other_workspace"))
    return BoltResponse(status=200, body="")


Middleware = Callable[
    [AsyncBoltRequest, BoltResponse, Callable[[], Awaitable[BoltResponse]]],
    Awaitable[BoltResponse | None],
]


class _Direct(AsyncMiddleware):
    """A middleware function Bolt calls as it is. Given a bare function, Bolt builds every
    argument a listener could ask for (say, respond, the payload's parts, ...) before each
    call, whatever the function takes: per click, that was a tenth of Bolt's time."""

    def __init__(self, fn: Middleware) -> None:
        self._fn = fn

    @property
    def name(self) -> str:
        return self._fn.__name__

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # noqa: A002 (Bolt's name)
    ) -> BoltResponse | None:
        return await self._fn(req, resp, next)


def build_app(
    settings: Settings,
    services: Services,
    metrics: Metrics,
    session: ClientSession | None = None,
) -> tuple[AsyncApp, SlackDeps, PollClicks | None]:
    """The Bolt app with every listener registered, and the way around Bolt for poll
    clicks (with one token only: `PollClicks`). Call inside the running event loop."""
    from bot.platforms.slack.listeners import register_all

    check_settings(settings)
    set_sdk_log_levels()
    # Bolt gives every logger it makes this one's level (see set_sdk_log_levels).
    bolt_logger = logging.getLogger("slack_bolt")
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
        installations = AsyncSqlInstallationStore(SqlInstallationStore(services.uow, cipher))
        app = AsyncApp(
            signing_secret=settings.slack_signing_secret or "",
            client=client,
            logger=bolt_logger,
            process_before_response=True,
            # /slack/events verifies before Bolt parses (bot/platforms/slack/edge.py);
            # Socket Mode needs no signature.
            request_verification_enabled=False,
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
            logger=bolt_logger,
            process_before_response=True,
            request_verification_enabled=False,
        )
    deps = SlackDeps(
        services, metrics, installations, single_writer=settings.database_url.startswith("sqlite")
    )

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

    app.middleware(_Direct(dedupe_events))
    clicks: PollClicks | None = None
    if not oauth_mode(settings):
        clicks = PollClicks(deps, client)
        learnt = clicks

        async def one_team_only(
            req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
        ) -> BoltResponse | None:
            installed = req.context.authorize_result
            if installed is not None and installed.team_id and not installed.enterprise_id:
                learnt.installed_team = installed.team_id  # poll clicks may skip Bolt now
            return await installed_team_only(req, resp, next)

        one_team_only.__name__ = installed_team_only.__name__
        app.middleware(_Direct(one_team_only))
    register_all(app, deps)
    return app, deps, clicks
