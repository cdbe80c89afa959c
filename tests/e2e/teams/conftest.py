"""The Teams test rig: the real aiohttp server with the real Agents SDK adapter on a free
port, activities posted as Teams posts them, and a fake Bot Connector (the activities'
`serviceUrl`) recording what the bot sent back."""

from __future__ import annotations

import itertools
import json
import random
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from microsoft_agents.hosting.core import ConnectionManager
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    AnonymousTokenProvider,
)

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.model import Delivery, Member, PromptKind, Role
from bot.platforms.teams.chat import TeamsChat
from bot.platforms.teams.routes import TeamsPlatform, add_teams_routes
from bot.scheduling.sender import Sender
from tests import seed
from tests.e2e.server import ServerThread
from tests.fakes.bot_connector import FakeConnector

APP_ID = "00000000-0000-4000-8000-0000000000ab"
TENANT_A = "aaaaaaaa-0000-4000-8000-000000000001"
TENANT_B = "bbbbbbbb-0000-4000-8000-000000000002"
CHANNEL = "19:pioneers@thread.tacv2"
ACTIVITY_IDS = itertools.count(1)


class StaticTokenProvider(AnonymousTokenProvider):
    """What MSAL would hand out, without asking Entra ID: a fixed bearer token."""

    def __init__(self, config: AgentAuthConfiguration) -> None:
        self._config = config

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._config

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        return "test-outbound-token"


@dataclass
class Person:
    aad: str
    name: str

    @property
    def teams_id(self) -> str:
        return f"29:{self.aad}"


ANNA = Person("a0000000-0000-4000-8000-00000000a001", "Anna Facilitator")
BART = Person("b0000000-0000-4000-8000-00000000b002", "Bart Follower")
CEES = Person("c0000000-0000-4000-8000-00000000c003", "Cees Director")


@dataclass
class Response:
    status: int
    body: str


class RecordingSleep:
    """Sleeps no time at all and remembers what it was asked; advances a fake monotonic."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.delays.append(seconds)
            self.now += seconds

    def monotonic(self) -> float:
        return self.now


def recorded_sender(
    container: Container, sleep: RecordingSleep, rate: float = 0.0, **options: Any
) -> Sender:
    """The scheduler's Sender with the container's windows, sleeping on `sleep`'s fake time
    (unpaced by default, so only retries and Teams' windows wait)."""
    return Sender(
        rate=rate,
        sleep=sleep,
        monotonic=sleep.monotonic,
        rng=random.Random(7),
        windows=container.conversation_windows,
        **options,
    )


class Teams:
    """Posts what Teams would post to /api/messages, over real HTTP."""

    def __init__(self, base_url: str, connector: FakeConnector) -> None:
        self.base_url = base_url
        self.connector = connector

    def post(self, body: Any, headers: dict[str, str] | None = None) -> Response:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + "/api/messages",
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as resp:
                return Response(resp.status, resp.read().decode())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read().decode())

    def activity(
        self,
        person: Person,
        *,
        text: str | None = None,
        value: Any = None,
        tenant: str = TENANT_A,
        channel: str | None = CHANNEL,
        reply_to_id: str | None = None,
        mentions: list[Person] = (),  # type: ignore[assignment]
        locale: str = "en-US",
        mention_bot: bool = True,
    ) -> dict[str, Any]:
        n = next(ACTIVITY_IDS)
        entities: list[dict[str, Any]] = []
        body_text = text
        if text is not None and mention_bot:
            body_text = f"<at>Pioneer</at> {text}"
            entities.append(
                {
                    "type": "mention",
                    "text": "<at>Pioneer</at>",
                    "mentioned": {"id": f"28:{APP_ID}", "name": "Pioneer"},
                }
            )
        for other in mentions:
            # Teams puts the person's display name in the text and their 29: id in the entity.
            body_text = (body_text or "").replace(f"@{other.name}", f"<at>{other.name}</at>")
            entities.append(
                {
                    "type": "mention",
                    "text": f"<at>{other.name}</at>",
                    "mentioned": {"id": other.teams_id, "name": other.name},
                }
            )
        if channel is not None:
            conversation: dict[str, Any] = {
                "id": f"{channel};messageid={1700000000000 + n}",
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": tenant,
            }
            channel_data: dict[str, Any] = {
                "tenant": {"id": tenant},
                "channel": {"id": channel},
                "team": {"id": "19:team@thread.tacv2"},
            }
        else:
            conversation = {
                "id": f"a:1{person.aad}-{tenant[:8]}",
                "conversationType": "personal",
                "tenantId": tenant,
            }
            channel_data = {"tenant": {"id": tenant}}
        activity: dict[str, Any] = {
            "type": "message",
            "id": f"{1700000000000 + n}",
            "timestamp": "2026-11-30T09:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad},
            "conversation": conversation,
            "recipient": {"id": f"28:{APP_ID}", "name": "Pioneer"},
            "entities": entities,
            "channelData": channel_data,
            "locale": locale,
            "localTimezone": "Europe/Amsterdam",
        }
        if body_text is not None:
            activity["text"] = body_text
            activity["textFormat"] = "plain"
        if value is not None:
            activity["value"] = value
        if reply_to_id is not None:
            activity["replyToId"] = reply_to_id
        return activity

    def say(self, person: Person, text: str, **kw: Any) -> str:
        """Send `@Pioneer <text>`; the text of the one reply the bot sent to it."""
        activity = self.activity(person, text=text, **kw)
        response = self.post(activity)
        assert response.status in (200, 202), response
        replies = [m for m in self.connector.messages() if m.reply_to_id == activity["id"]]
        assert len(replies) == 1, [m.body for m in replies]
        return replies[0].text

    def hello_in_private(self, person: Person) -> str:
        """`person` writes to the bot 1:1 (that stores the conversation reference, so prompts
        can reach them there); the id of that 1:1 chat."""
        activity = self.activity(person, text="help", channel=None, mention_bot=False)
        assert self.post(activity).status == 202
        return str(activity["conversation"]["id"])


def teams_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "slack_bot_token": None,
        "slack_signing_secret": None,
        "slack_app_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "teams_app_id": APP_ID,
        "teams_app_secret": "not-used-offline",
        "teams_tenant_id": TENANT_A,
        "pioneer_prompts_dir": None,
        "pioneer_default_language": "en",
    } | overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_platform(
    container: Container,
    sleep: RecordingSleep,
    auth: AgentAuthConfiguration | None = None,
    default_service_url: str | None = None,
) -> TeamsPlatform:
    """Teams on `container`, whose Sender (pacing and retries) sleeps on `sleep`'s fake time."""
    auth = auth or AgentAuthConfiguration(client_id=APP_ID, anonymous_allowed=True)
    connections = ConnectionManager(
        provider_factory=StaticTokenProvider,
        connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration(client_id=APP_ID)},
    )
    container.sender = lambda: recorded_sender(  # type: ignore[method-assign]
        container, sleep, rate=container.settings.pioneer_send_rate
    )
    return TeamsPlatform(
        container.services, auth, connections, default_service_url=default_service_url
    )


def teams_server(platform: TeamsPlatform) -> ServerThread:
    """/api/messages alone, on `platform`."""

    async def build() -> web.Application:
        app = web.Application()
        add_teams_routes(app, platform)
        return app

    return ServerThread(build)


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector()
    yield fake
    fake.stop()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def container(database_url: str, clock: FixedClock, sleep: RecordingSleep) -> Iterator[Container]:
    container = Container(teams_settings(database_url), clock=clock)
    container.teams = make_platform(container, sleep)
    yield container
    container.close()


@pytest.fixture
def platform(container: Container) -> TeamsPlatform:
    assert container.teams is not None
    return container.teams


@pytest.fixture
def server(container: Container, platform: TeamsPlatform) -> Iterator[ServerThread]:
    thread = teams_server(platform)
    yield thread
    thread.stop()


@pytest.fixture
def teams(server: ServerThread, connector: FakeConnector) -> Teams:
    return Teams(server.url, connector)


# -- data a test needs that other parts of the bot would normally create -----------------------
def workspace_of(container: Container, tenant: str = TENANT_A) -> int:
    return seed.workspace_id(container.uow, "teams", tenant)


def channel_journey(container: Container) -> tuple[int, int]:
    """(workspace, journey) of the journey `journey_with` started in CHANNEL."""
    workspace_id = workspace_of(container)
    journey = container.journeys.journey_for_channel(workspace_id, CHANNEL)
    assert journey.id is not None
    return workspace_id, journey.id


def member_of(container: Container, workspace_id: int, journey_id: int, person: Person) -> Member:
    with container.uow() as uow:
        member = uow.members.by_user(workspace_id, journey_id, person.aad)
    assert member is not None
    return member


def deliver(
    container: Container,
    member: Member,
    kind: PromptKind = PromptKind.PULSE,
    occurrence: str = "2026-W49",
) -> Delivery:
    """An ad-hoc delivery to `member` in their journey, recorded and not sent yet."""
    return seed.record(
        container.uow,
        seed.first_prompt(container.catalog, kind),
        container.clock.now(),
        member.workspace_id,
        member.journey_id,
        member.user,
        occurrence=occurrence,
    )


def chat(container: Container, workspace_id: int) -> TeamsChat:
    assert container.teams is not None
    return container.teams.chat(workspace_id)


def journey_with(teams: Teams, *people: tuple[Person, Role]) -> None:
    """Anna starts a journey in CHANNEL; the others join and get their roles."""
    assert "started" in teams.say(ANNA, "start Plant Eindhoven").lower()
    for person, role in people:
        teams.say(person, "join")
        if role is not Role.FOLLOWER:
            teams.say(ANNA, f"role @{person.name} {role.value}", mentions=[person])


def joined(
    teams: Teams, container: Container, person: Person, role: Role = Role.FOLLOWER
) -> tuple[int, int, Member]:
    """A journey in CHANNEL that `person` joined as `role`: (workspace, journey, member)."""
    journey_with(teams, (person, role))
    workspace_id, journey_id = channel_journey(container)
    return workspace_id, journey_id, member_of(container, workspace_id, journey_id, person)
