"""A NUL in a check-in typed in a card, or in a command: refused with a clear message in
the journey's language, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from bot.container import Container
from bot.domain.model import PromptKind
from bot.platforms.teams import render
from tests.e2e.teams.conftest import (
    ANNA,
    BART,
    Teams,
    channel_journey,
    deliver,
    joined,
    journey_with,
)
from tests.fakes.bot_connector import FakeConnector


def test_a_checkin_with_a_nul_is_refused_and_nothing_is_stored(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, _, bart = joined(teams, container, BART)
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
    workspace_id, journey_id = channel_journey(container)
    with container.uow() as uow:
        assert list(uow.touchpoints.list(workspace_id, journey_id)) == []
