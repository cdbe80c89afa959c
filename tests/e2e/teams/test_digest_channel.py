"""`@Pioneer digest channel @Leaders` in Teams: a channel mention names the leaders'
channel, and the weekly digest is then posted there as a card, through the real adapter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.container import Container
from bot.domain.model import Role
from tests.e2e.teams.conftest import ANNA, BART, CEES, Person, Teams, channel_journey, journey_with
from tests.fakes.bot_connector import FakeConnector


@dataclass
class Channel(Person):
    """A channel as Teams mentions one: its conversation id (19:…), no AAD object id."""

    @property
    def teams_id(self) -> str:
        return self.aad


LEADERS = Channel("19:leaders@thread.tacv2", "Leaders")


def test_a_mentioned_channel_gets_the_weekly_digest(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    journey_with(teams, (BART, Role.FOLLOWER), (CEES, Role.DIRECTOR))
    # Pioneer posts only where it has heard from: someone wrote to it in that channel once.
    assert "Pioneer" in teams.say(CEES, "help", channel=LEADERS.aad)
    refused = teams.say(BART, "digest channel @Leaders", mentions=[LEADERS])
    assert refused == "Only a facilitator may do that."
    said = teams.say(ANNA, "digest channel @Leaders", mentions=[LEADERS])
    assert "posted in **Leaders** too" in said
    workspace_id, journey_id = channel_journey(container)
    journey = container.journeys.get(workspace_id, journey_id)
    assert journey.leadership_channel == LEADERS.aad
    assert "and in" in teams.say(CEES, "status")

    connector.clear()
    monday = container.clock.now() + timedelta(days=7)
    assert container.digests.send_weekly(workspace_id, journey_id, monday)
    [card] = connector.messages(LEADERS.aad)
    assert card.card is not None and "Plant Eindhoven" in str(card.card)
