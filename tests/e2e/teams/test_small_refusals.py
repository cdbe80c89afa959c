"""A card pressed after forget-me says its prompt is gone, in the person's Teams language."""

from __future__ import annotations

from bot.container import Container
from bot.platforms.teams import render
from tests.e2e.teams.conftest import BART, Teams, deliver, joined
from tests.fakes.bot_connector import FakeConnector


def test_after_forget_me_a_card_says_its_prompt_is_gone_in_the_persons_language(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    _, _, bart = joined(teams, container, BART)
    delivery = deliver(container, bart)
    teams.say(BART, "forget-me yes")
    data = {"verb": render.ANSWER_VERB, "delivery": delivery.id, "value": 4}
    press = teams.activity(BART, value=data, channel=None, locale="nl-NL")
    assert teams.post(press).status == 202
    text = connector.messages()[-1].text
    assert "bestaat niet meer" in text and "delivery" not in text
