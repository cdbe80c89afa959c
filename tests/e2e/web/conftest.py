"""The web view's rig: Company A's journey (tests/integration/digest) in the Slack test
team, two weekly digests published by the real digest service, the real server with the
real Bolt app, and a small cookie-keeping HTTP client. Sign-in links come from a signed
`/pioneer web` through Bolt, as a person gets them in Slack."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.model import Language, Role
from tests import seed
from tests.e2e.server import ServerThread, serve
from tests.e2e.slack.conftest import TEAM, SlackSender, slack_settings
from tests.fakes.slack_api import FakeSlack
from tests.integration.digest.conftest import Scenario
from tests.integration.digest.test_scenarios import company_a

PUBLIC = "http://pioneer.test"
MONDAY_W47 = datetime(2026, 11, 16, 7, 30, tzinfo=UTC)
MONDAY_W48 = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
THURSDAY_W48 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
WEDNESDAY_W47 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
# What the director records in week 47 (markup and a channel ping, for the escaping).
ACTION = "Sales coaching booked <b>for all</b> & <!channel>"
# Company A's people, one of each role (the facilitator started the journey).
FACILITATOR, DIRECTOR, FRONTRUNNER, FOLLOWER = "UFAC", "UD01", "UF01", "US01"
LEARNING = "UL01"
PEOPLE = {
    Role.FACILITATOR: FACILITATOR,
    Role.DIRECTOR: DIRECTOR,
    Role.FRONTRUNNER: FRONTRUNNER,
    Role.FOLLOWER: FOLLOWER,
    Role.LEARNING: LEARNING,
}
LINK = re.compile(re.escape(PUBLIC) + r"(/web/signin/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class Page:
    status: int
    body: str
    headers: Any

    def csrf(self) -> str:
        found = CSRF.search(self.body)
        assert found, "no CSRF token on the page"
        return found.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Browser:
    """A browser as far as the server can tell: keeps its session cookie, follows nothing."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def _send(self, request: urllib.request.Request) -> Page:
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(_NoRedirect())
        try:
            with opener.open(request, timeout=10) as response:
                page = Page(response.status, response.read().decode(), response.headers)
        except urllib.error.HTTPError as exc:
            page = Page(exc.code, exc.read().decode(), exc.headers)
        for header in page.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";")[0].strip('"')
            if value and "Max-Age=0" not in header and "expires=Thu, 01 Jan 1970" not in header:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return page

    def get(self, path: str) -> Page:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> Page:
        body = urllib.parse.urlencode(data).encode()
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST"))


@dataclass
class Rig:
    container: Container
    clock: FixedClock
    server: ServerThread
    slack: SlackSender
    a: Scenario

    @property
    def url(self) -> str:
        return self.server.url

    def link(self, user: str) -> str:
        """The path of the one-time link a signed `/pioneer web` gets `user`."""
        reply = self.slack.say("web", user=user, channel="C-Company A")
        assert self.slack.last_reply().args["response_type"] == "ephemeral"
        found = LINK.search(reply)
        assert found, reply
        return found.group(1)

    def browser(self, user: str | None = None) -> Browser:
        """A browser, signed in as `user` through their link (or not signed in)."""
        browser = Browser(self.url)
        if user is not None:
            secret = self.link(user).rsplit("/", 1)[1]
            assert browser.post("/web/signin", {"secret": secret}).status == 303
        return browser

    def send_team_update(self) -> None:
        """The director records ACTION in week 47; the update of weeks 46-47 goes out, as
        the fortnight's ritual sends it, to every member through the fake Slack."""
        a, updates = self.a, self.container.team_updates
        self.clock.set(WEDNESDAY_W47)
        updates.record(a.workspace_id, a.journey_id, DIRECTOR, ACTION)
        self.clock.set(THURSDAY_W48)
        assert updates.send_fortnightly(a.workspace_id, a.journey_id, THURSDAY_W48, MONDAY_W48)

    def set_language(self, user: str, language: Language) -> None:
        self.container.journeys.set_language(self.a.workspace_id, self.a.journey_id, user, language)


def web_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    return slack_settings(database_url, fake, pioneer_public_url=PUBLIC, **overrides)


@pytest.fixture
def rig(database_url: str, clock: FixedClock) -> Iterator[Rig]:
    with FakeSlack(team_id=TEAM) as fake:
        container = Container(web_settings(database_url, fake), clock=clock, paced=False)
        workspace_id = seed.workspace_id(container.uow, "slack", TEAM)

        def make(journey: str, start_week: str, k: int = 5) -> Scenario:
            return Scenario(container.uow, clock, workspace_id, journey, start_week, k=k)

        a = company_a(make)
        a.people("UL", 1, Role.LEARNING)
        for monday in (MONDAY_W47, MONDAY_W48):
            clock.set(monday)
            assert container.digests.send_weekly(workspace_id, a.journey_id, monday)
        clock.set(THURSDAY_W48)
        container.digests.build(workspace_id, a.journey_id, "2026-W48")  # never published
        server = serve(container)
        try:
            yield Rig(container, clock, server, SlackSender(server.url, fake), a)
        finally:
            server.stop()
            container.close()
