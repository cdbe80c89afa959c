"""`/api/messages` on the `pioneer serve` aiohttp application, and the Teams platform object.

Every request passes the token checks first (`tokens.verified`: ours, then the SDK's
`jwt_authorization_decorator`, applied to this route only so that Slack's routes on the
same application keep their own signature check). Only tests configure anonymous access.
A body that is not an activity gets 400 here; the SDK would answer 500.
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import TYPE_CHECKING, Any

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import start_agent_process
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, Connections
from pydantic import ValidationError

from bot.config import Settings
from bot.platforms.teams import teams_configured
from bot.platforms.teams.app import TeamsBot
from bot.platforms.teams.chat import TeamsChat, TeamsSender
from bot.platforms.teams.tokens import tenant_mismatch, unauthorized, verified
from bot.telemetry import quiet_payload_loggers

if TYPE_CHECKING:
    from bot.app.services import Services

logger = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
MAX_BODY = 256 * 1024
# The key the SDK's JWT check reads its configuration from (request.app[...]).
AGENT_CONFIGURATION = "agent_configuration"
# Where the SDK's JWT check leaves the verified claims (request[...]).
CLAIMS_IDENTITY = "claims_identity"


class TeamsNotConfigured(RuntimeError):
    pass


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    if not teams_configured(settings):
        raise TeamsNotConfigured("Set TEAMS_APP_ID, TEAMS_APP_SECRET and TEAMS_TENANT_ID.")
    return AgentAuthConfiguration(
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=settings.teams_app_secret,
        anonymous_allowed=False,
        validate_issuer=True,
    )


def msal_connections(config: AgentAuthConfiguration) -> Connections:
    from microsoft_agents.authentication.msal import MsalConnectionManager

    return MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": config})


class TeamsPlatform:
    """The Teams bot (incoming) and its sender (outgoing) for one process."""

    def __init__(
        self,
        services: Services,
        auth: AgentAuthConfiguration,
        connections: Connections,
        *,
        default_service_url: str | None = None,
    ) -> None:
        # The Agents SDK logs connector calls and token requests below INFO.
        quiet_payload_loggers("microsoft_agents", "msal")
        self.auth = auth
        self.bot = TeamsBot(services, connections, auth.CLIENT_ID or "")
        extra = {"default_service_url": default_service_url} if default_service_url else {}
        self.sender = TeamsSender(self.bot, **extra)

    @classmethod
    def from_settings(cls, settings: Settings, services: Services) -> TeamsPlatform:
        auth = auth_configuration(settings)
        return cls(services, auth, msal_connections(auth))

    def chat(self, workspace_id: int) -> TeamsChat:
        return TeamsChat(self.sender, workspace_id)

    def close(self) -> None:
        self.sender.close()


def _invalid(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


def validate_activity(body: Any) -> str | None:
    """Why `body` is not an activity Pioneer can take, or None."""
    if not isinstance(body, dict):
        return "an activity must be a JSON object"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "activity.type is required"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not conversation.get("id"):
        return "activity.conversation.id is required"
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"]:
        return "activity.serviceUrl is required"
    try:
        Activity.model_validate(body)
    except ValidationError as error:
        return f"not a valid activity ({error.error_count()} problem(s))"
    return None


def _claims(request: web.Request) -> dict[str, Any]:
    identity = request.get(CLAIMS_IDENTITY)
    claims = getattr(identity, "claims", None)
    return claims if isinstance(claims, dict) else {}


def _tenant(body: dict[str, Any]) -> str | None:
    tenant = body["conversation"].get("tenantId")
    data = body.get("channelData")
    if not tenant and isinstance(data, dict) and isinstance(data.get("tenant"), dict):
        tenant = data["tenant"].get("id")
    return str(tenant) if tenant else None


def _same_service_url(request: web.Request, service_url: str) -> bool:
    """Bot Framework tokens name the service they came from; it must be the activity's."""
    claims = _claims(request)
    claimed = claims.get("serviceurl") or claims.get("serviceUrl")
    if not claimed:
        return True
    return bool(str(claimed).rstrip("/").lower() == service_url.rstrip("/").lower())


def add_teams_routes(web_app: web.Application, platform: TeamsPlatform) -> TeamsPlatform:
    """Serve Teams at /api/messages on `web_app`."""
    bot = platform.bot
    with warnings.catch_warnings():
        # The SDK reads its configuration under this plain string key; aiohttp would rather
        # see an AppKey, which the SDK cannot know about.
        warnings.filterwarnings("ignore", message=".*AppKey.*")
        web_app[AGENT_CONFIGURATION] = platform.auth

    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _invalid("body too large")
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return _invalid("body is not JSON")
        reason = validate_activity(body)
        if reason is not None:
            logger.info("Refused a Teams request: %s", reason)
            return _invalid(reason)
        if not _same_service_url(request, str(body["serviceUrl"])):
            logger.warning("Refused a Teams request whose token is for another serviceUrl")
            return web.json_response({"error": "serviceUrl does not match the token"}, status=403)
        if tenant_mismatch(_claims(request), _tenant(body)):
            return unauthorized("the token is for another tenant than the activity")
        response = await start_agent_process(request, bot.app, bot.adapter)
        return response if response is not None else web.Response(status=202)

    web_app.router.add_post(MESSAGES_PATH, verified(messages, platform.auth))
    return platform
