"""A NUL in a check-in typed in a card, or in a command: refused with a clear message in
the journey's language, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from bot.container import Container
from bot.domain.model import PromptKind, Role
from bot.platforms.teams import render
from tests.e2e.teams.conftest import (
    ANNA,
    BART,
    CHANNEL,
    Teams,
    deliver,
    journey_with,
    member_of,
    workspace_of,
)
from tests.fakes.bot_connector import FakeConnector


def test_a_checkin_with_a_nul_is_refused_and_nothing_is_stored(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    journey_with(teams, (BART, Role.FOLLOWER))
    workspace_id = workspace_of(container)
    with container.uow() as uow:
        journey = uow.journeys.by_channel(workspace_id, CHANNEL)
    assert journey is not None and journey.id is not None
    bart = member_of(container, workspace_id, journey.id, BART)
    delivery = deliver(container, bart, kind=PromptKind.CHECKIN)
    data = {"verb": render.ANSWER_VERB, "delivery": delivery.id, "text": "de robot\x00 is eng"}
    press = teams.activity(BART, value=data, channel=None)
    assert teams.post(press).status == 202
    assert "control character" in connector.messages()[-1].text
    with container.uow() as uow:
        assert uow.answers.for_delivery(workspace_id, delivery.id or 0) is None


def test_a_command_with_a_nul_is_refused(teams: Teams, container: Container) -> None:
    journey_with(teams)
    assert "control character" in teams.say(ANNA, "ecosystem met\x00HR")
    with container.uow() as uow:
        journey = uow.journeys.by_channel(workspace_of(container), CHANNEL)
        assert journey is not None and journey.id is not None
        assert list(uow.touchpoints.list(workspace_of(container), journey.id)) == []
