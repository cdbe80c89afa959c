"""What a Teams bearer token must be before, and besides, the Agents SDK's own check.

The SDK (1.9.0) verifies the signature, the audience and, if present, the expiry. It does
not check the issuer unless asked, takes a token with no `exp` as valid forever, and a
token without a key id fails inside it with a KeyError: HTTP 500. So each token is first
read unverified and refused unless it names an issuer we trust, our app as its audience,
an expiry and an RS256 key; only then does the SDK fetch the key and verify. No key is
fetched for a token that could never pass. Every refusal is 401 and one log line, which
never contains the token.

After the SDK: a token that names a tenant (`tid`) is good for that tenant only, so the
activity it carries must be in the same tenant (`tenant_mismatch`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from aiohttp import web
from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization._entra_issuers import (
    well_known_first_party_issuers,
)

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Set on a request once the SDK has let it through, to tell its failures from ours.
_VERIFIED: web.RequestKey[bool] = web.RequestKey("pioneer_token_verified", bool)


def trusted_issuers(auth: AgentAuthConfiguration) -> frozenset[str]:
    """Bot Framework, our own tenant's Entra issuers, and Microsoft's first-party tenants
    (the same list the SDK checks when its VALIDATE_ISSUER is on)."""
    issuers = list(auth.ISSUERS) + well_known_first_party_issuers(auth.AUTHORITY)
    return frozenset(issuer.lower() for issuer in issuers)


def token_problem(header: str, auth: AgentAuthConfiguration) -> str | None:
    """Why the bearer token in `header` can never be accepted, or None to let the SDK
    verify it."""
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return "not a bearer token"
    try:
        head = jwt.get_unverified_header(token)
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return "not a JSON Web Token"
    if head.get("alg") != "RS256" or not isinstance(head.get("kid"), str) or not head["kid"]:
        return "no RS256 key id"
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or issuer.lower() not in trusted_issuers(auth):
        return "untrusted issuer"
    if not auth.CLIENT_ID or claims.get("aud") != auth.CLIENT_ID:
        return "for another audience"
    if not _number(claims.get("exp")) or not _number(claims.get("nbf", 0)):
        return "no expiry"
    if "tid" in claims and not isinstance(claims["tid"], str):
        return "malformed tenant"
    return None


def tenant_mismatch(claims: dict[str, Any], tenant: str | None) -> bool:
    """Whether a token issued for one tenant carries another tenant's activity."""
    tid = claims.get("tid")
    return isinstance(tid, str) and (tenant is None or tid.lower() != tenant.lower())


def unauthorized(reason: str) -> web.Response:
    logger.warning("Refused a Teams request: %s", reason)
    return web.json_response({"error": "Invalid token or authentication failed."}, status=401)


def verified(handler: Handler, auth: AgentAuthConfiguration) -> Handler:
    """`handler` behind our token checks and the SDK's (`jwt_authorization_decorator`)."""

    async def passed(request: web.Request) -> web.StreamResponse:
        request[_VERIFIED] = True
        return await handler(request)

    checked = jwt_authorization_decorator(passed)

    async def guard(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization")
        if header is not None:
            problem = token_problem(header, auth)
            if problem is not None:
                return unauthorized(problem)
        try:
            response: web.StreamResponse = await checked(request)
        except Exception as error:
            if request.get(_VERIFIED):
                raise  # the handler's own failure, not the token's
            return unauthorized(f"the token could not be checked ({type(error).__name__})")
        return response

    return guard


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
