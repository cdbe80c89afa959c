"""One deployment serves a Slack workspace and Teams tenants at once: the same web
application, database and container, and no data crossing from one tenant to another."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.container import Container
from bot.domain.errors import Unreachable
from bot.domain.model import Language, Role
from bot.domain.views import Notice, PromptView
from tests.e2e.server import serve
from tests.e2e.teams.conftest import (
    ANNA,
    BART,
    CHANNEL,
    TENANT_A,
    TENANT_B,
    Person,
    RecordingSleep,
    Teams,
    chat,
    deliver,
    journey_with,
    make_platform,
    member_of,
    teams_settings,
    workspace_of,
)
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack_api import FakeSlack

SLACK_SECRET = "3a8f8b1c9d0e4f5a6b7c8d9e0f1a2b3c"
SLACK_TEAM = "T0001"
ZOE = Person("d0000000-0000-4000-8000-00000000d004", "Zoë Other Tenant")
CHANNEL_B = "19:tenant-b@thread.tacv2"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(team_id=SLACK_TEAM) as fake:
        yield fake


@pytest.fixture
def both(
    database_url: str,
    clock: FixedClock,
    sleep: RecordingSleep,
    fake_slack: FakeSlack,
    connector: FakeConnector,
) -> Iterator[tuple[Container, str]]:
    settings = teams_settings(
        database_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SLACK_SECRET,
        slack_api_url=fake_slack.api_url,
    )
    container = Container(settings, clock=clock)
    container.teams = make_platform(container, sleep)
    server = serve(container)  # Slack's routes and, from container.teams, /api/messages
    yield container, server.url
    server.stop()
    container.close()


def slack_command(base_url: str, fake: FakeSlack, text: str, channel: str = "C1") -> str:
    before = len(fake.calls_to("response_url"))
    body = urllib.parse.urlencode(
        {
            "team_id": SLACK_TEAM,
            "channel_id": channel,
            "user_id": "U1",
            "user_name": "u1",
            "command": "/pioneer",
            "text": text,
            "response_url": f"{fake.url}/response/{before + 1}",
            "trigger_id": "t",
        }
    )
    ts = str(int(time.time()))
    signature = (
        "v0="
        + hmac.new(SLACK_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    )
    request = urllib.request.Request(
        base_url + "/slack/events",
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200
    replies = fake.calls_to("response_url")
    assert len(replies) == before + 1
    return str(replies[-1].args["text"])


def test_slack_and_two_teams_tenants_share_nothing(
    both: tuple[Container, str], fake_slack: FakeSlack, connector: FakeConnector
) -> None:
    container, url = both
    teams = Teams(url, connector)

    assert "Slack Plant" in slack_command(url, fake_slack, "start Slack Plant")
    journey_with(teams, (BART, Role.FOLLOWER))  # tenant A: "Plant Eindhoven" in CHANNEL

    # Tenant B asks in the very channel id tenant A uses, and in its own channel.
    nothing = teams.say(ZOE, "status", tenant=TENANT_B)
    assert "no pioneering journey here" in nothing
    assert "Plant Eindhoven" not in teams.say(ZOE, "status", tenant=TENANT_B, channel=CHANNEL_B)
    assert "started" in teams.say(ZOE, "start Plant B", tenant=TENANT_B, channel=CHANNEL_B)

    a_status = teams.say(ANNA, "status")
    assert "Plant Eindhoven" in a_status and "Zoë" not in a_status and "Plant B" not in a_status
    b_status = teams.say(ZOE, "status", tenant=TENANT_B, channel=CHANNEL_B)
    assert "Plant B" in b_status and "Bart" not in b_status and "Anna" not in b_status
    slack_status = slack_command(url, fake_slack, "status")
    assert "Slack Plant" in slack_status and "Plant Eindhoven" not in slack_status

    # Three workspaces, each with exactly its own journey.
    with container.uow() as uow:
        slack_ws = uow.workspaces.get_or_create("slack", SLACK_TEAM)
        ws_a = uow.workspaces.get_or_create("teams", TENANT_A)
        ws_b = uow.workspaces.get_or_create("teams", TENANT_B)
        names = {
            ws.platform + ws.external_id: [j.name for j in uow.journeys.list(ws.id or 0)]
            for ws in (slack_ws, ws_a, ws_b)
        }
    assert names == {
        "slack" + SLACK_TEAM: ["Slack Plant"],
        "teams" + TENANT_A: ["Plant Eindhoven"],
        "teams" + TENANT_B: ["Plant B"],
    }

    # Tenant B cannot answer tenant A's poll, even knowing its delivery id ...
    assert ws_a.id is not None and ws_b.id is not None
    with container.uow() as uow:
        journey_a = uow.journeys.by_channel(ws_a.id, CHANNEL)
    assert journey_a is not None and journey_a.id is not None
    bart = member_of(container, ws_a.id, journey_a.id, BART)
    delivery = deliver(container, bart)
    press = teams.activity(
        ZOE,
        value={"verb": "pioneer.answer", "delivery": delivery.id, "value": 1},
        tenant=TENANT_B,
        channel=None,
    )
    assert teams.post(press).status == 202
    with container.uow() as uow:
        assert uow.answers.for_delivery(ws_a.id, delivery.id or 0) is None

    # ... nor post into tenant A's channel, nor reach tenant A's people.
    connector.clear()
    with pytest.raises(Unreachable):
        chat(container, ws_b.id).post_notice(CHANNEL, Notice(Language.EN, "hello A"))
    with pytest.raises(ValueError, match="another workspace"):
        chat(container, ws_b.id).send_prompt(bart, _any_view(container, ws_a.id, delivery.id), "k")
    assert connector.messages() == []
    # Tenant A's own chat reaches its own channel.
    chat(container, ws_a.id).post_notice(CHANNEL, Notice(Language.EN, "hello A"))
    assert [c.conversation_id for c in connector.messages()] == [CHANNEL]
    assert workspace_of(container, TENANT_A) == ws_a.id


def _any_view(container: Container, workspace_id: int, delivery_id: int | None) -> PromptView:
    view = container.prompt_views.view_for(workspace_id, delivery_id or 0)
    assert view is not None
    return view
