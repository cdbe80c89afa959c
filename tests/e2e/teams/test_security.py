"""Every request to /api/messages passes our token checks and the Agents SDK's: issuer,
audience, expiry, key id and tenant, each forged variant answered 401, never 500. A body
that is not an activity is refused with 400 before the SDK sees it. Tokens are signed with
local RSA keys and every key lookup reads a local JSON Web Key Set on the fake connector
(no network)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, _entra_issuers
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

from bot.container import Container
from tests.e2e.teams.conftest import (
    ANNA,
    APP_ID,
    TENANT_A,
    TENANT_B,
    RecordingSleep,
    Teams,
    make_platform,
    teams_server,
)
from tests.fakes.bot_connector import FakeConnector

BOT_FRAMEWORK = "https://api.botframework.com"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


TRUSTED = _key()
FORGER = _key()


def _token(
    key: rsa.RSAPrivateKey | str | None,
    service_url: str,
    drop: tuple[str, ...] = (),
    headers: dict[str, Any] | None = None,
    algorithm: str = "RS256",
    **overrides: Any,
) -> str:
    now = int(time.time())
    claims = {
        "iss": BOT_FRAMEWORK,
        "aud": APP_ID,
        "nbf": now - 10,
        "exp": now + 300,
        "serviceurl": service_url,
    } | overrides
    claims = {name: value for name, value in claims.items() if name not in drop}
    head = {"kid": "pioneer-test-key"} if headers is None else headers
    return jwt.encode(claims, key, algorithm=algorithm, headers=head)  # type: ignore[arg-type]


@pytest.fixture
def secured(
    container: Container,
    connector: FakeConnector,
    sleep: RecordingSleep,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Teams]:
    jwk = json.loads(RSAAlgorithm.to_jwk(TRUSTED.public_key()))
    connector.jwks = {"keys": [jwk | {"kid": "pioneer-test-key", "use": "sig", "alg": "RS256"}]}
    # Where the SDK fetches Bot Framework signing keys: here, the local key set.
    monkeypatch.setitem(
        _entra_issuers.BOTFRAMEWORK_JWKS_URIS, BOT_FRAMEWORK, connector.url + "jwks"
    )
    # And for every other issuer: a forged issuer must be refused for what it says, not
    # because its keys cannot be fetched offline.
    monkeypatch.setattr(jwt_token_validator, "_build_jwks_uri", lambda *_: connector.url + "jwks")
    auth = AgentAuthConfiguration(client_id=APP_ID, tenant_id=TENANT_A, anonymous_allowed=False)
    container.teams = make_platform(container, sleep, auth=auth)
    server = teams_server(container.teams)
    yield Teams(server.url, connector)
    server.stop()


def _post(teams: Teams, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return teams.post(teams.activity(ANNA, text="help"), headers=headers).status


def test_a_token_signed_with_a_trusted_key_is_let_in(
    secured: Teams, connector: FakeConnector
) -> None:
    assert _post(secured, _token(TRUSTED, connector.url)) == 202
    assert "`help`" in connector.messages()[-1].text


def test_a_forged_token_is_refused(secured: Teams, connector: FakeConnector) -> None:
    assert _post(secured, _token(FORGER, connector.url)) == 401
    assert connector.messages() == []


def test_no_token_is_refused_when_auth_is_configured(
    secured: Teams, connector: FakeConnector
) -> None:
    assert _post(secured, None) == 401
    assert connector.messages() == []


def test_a_token_for_another_bot_or_expired_is_refused(
    secured: Teams, connector: FakeConnector
) -> None:
    assert _post(secured, _token(TRUSTED, connector.url, aud="someone-else")) == 401
    old = int(time.time()) - 3600
    assert _post(secured, _token(TRUSTED, connector.url, nbf=old - 60, exp=old)) == 401
    assert connector.messages() == []


OTHER_TENANT = "cccccccc-0000-4000-8000-000000000003"
FORGERIES: dict[str, dict[str, Any]] = {
    "an untrusted issuer": {"iss": "https://evil.example.com"},
    "another tenant's v1 issuer": {"iss": f"https://sts.windows.net/{OTHER_TENANT}/"},
    "another tenant's v2 issuer": {
        "iss": f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0",
        "tid": OTHER_TENANT,
    },
    "no issuer": {"drop": ("iss",)},
    "no expiry": {"drop": ("exp",)},
    "an expiry that is not a time": {"exp": "never"},
    "no audience": {"drop": ("aud",)},
    "an audience list": {"aud": [APP_ID]},
    "no key id": {"headers": {}},
    "an unknown key id": {"headers": {"kid": "someone-elses-key"}},
    "another tenant than the activity's": {"tid": TENANT_B},
}


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_every_forged_token_signed_with_a_trusted_key_gets_401(
    secured: Teams, connector: FakeConnector, forgery: dict[str, Any]
) -> None:
    assert _post(secured, _token(TRUSTED, connector.url, **forgery)) == 401
    assert connector.messages() == []


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "abc.def.ghi",
        _token("a shared secret of at least thirty-two bytes", "https://x", algorithm="HS256"),
        _token(None, "https://x", algorithm="none"),
    ],
)
def test_a_token_that_is_no_rs256_jwt_gets_401(
    secured: Teams, connector: FakeConnector, token: str
) -> None:
    assert _post(secured, token) == 401
    headers = {"Authorization": f"Basic {token}"}
    assert secured.post(secured.activity(ANNA, text="help"), headers=headers).status == 401
    assert connector.messages() == []


def test_a_token_for_this_tenant_is_let_in(secured: Teams, connector: FakeConnector) -> None:
    assert _post(secured, _token(TRUSTED, connector.url, tid=TENANT_A)) == 202


def test_a_token_for_another_service_url_is_refused(
    secured: Teams, connector: FakeConnector
) -> None:
    assert _post(secured, _token(TRUSTED, "https://smba.example.net/evil/")) == 403
    assert connector.messages() == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"type": "message"}).encode(),
        json.dumps({"type": "message", "conversation": {"id": "x"}}).encode(),
        json.dumps(
            {"type": "message", "conversation": {"id": "x"}, "serviceUrl": "u", "from": "nobody"}
        ).encode(),
    ],
)
def test_a_body_that_is_not_an_activity_gets_400(
    teams: Teams, connector: FakeConnector, body: bytes
) -> None:
    assert teams.post(body).status == 400
    assert connector.calls == []
