"""Teams: what was sent can be found again, and a second copy can be told apart.

The Bot Connector cannot be asked what a conversation holds, so TeamsChat keeps a mark of
each send in its copy of the person's conversation (`FindsSent`, as Slack finds its
messages by metadata): a send confirmed before a crash is found and not repeated; a send
whose answer never came (accepted, then the connection lost) is repeated only with a note
on the card that it is sent again. Against the fake Bot Connector, through the real SDK.
"""

from __future__ import annotations

import pytest

from bot.container import Container
from bot.domain.ports import FindsSent
from bot.domain.views import parse_ref
from tests.e2e.teams.asked import Asked, ask_bart
from tests.e2e.teams.conftest import RecordingSleep, Teams, recorded_sender
from tests.fakes.bot_connector import ACCEPT_THEN_DROP, FakeConnector

SENT_AGAIN = "Sent again: Teams did not confirm the first one"


@pytest.fixture
def asked(teams: Teams, container: Container, connector: FakeConnector) -> Asked:
    return ask_bart(teams, container, connector)


def _texts(call: object) -> str:
    card = getattr(call, "card", None) or {}
    return " ".join(str(item.get("text", "")) for item in card.get("body", []))


def test_a_send_confirmed_before_a_crash_is_found_and_not_repeated(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    port, bart, personal = asked.port, asked.bart, asked.personal
    assert isinstance(port, FindsSent)
    ref = asked.send_prompt()  # then the process died before marking it sent

    # The next pass knows an attempt was made, and asks before sending again.
    outcome = asked.send(recorded_sender(container, sleep), maybe_sent=True)

    assert outcome.status == "sent" and outcome.recovered and outcome.ref == ref
    assert len(connector.messages(personal)) == 1
    assert port.find_sent(bart, "d.other") is None
    assert asked.send_prompt() == ref  # the same key never posts twice
    assert len(connector.messages(personal)) == 1


def test_a_send_accepted_then_cut_off_is_repeated_as_a_recognisable_second_copy(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    personal = asked.personal
    connector.script(personal, [ACCEPT_THEN_DROP])

    outcome = asked.send(recorded_sender(container, sleep))

    assert outcome.status == "sent"
    first, second = connector.messages(personal)
    assert SENT_AGAIN not in _texts(first)
    assert SENT_AGAIN in _texts(second)  # the person can tell the copies apart
    assert outcome.ref is not None and parse_ref(outcome.ref) == (personal, second.activity_id)
    assert asked.port.find_sent(asked.bart, asked.key) == outcome.ref


def test_a_send_refused_for_sure_leaves_no_mark_and_is_not_called_a_second_copy(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    connector.script(asked.personal, [429, 400])

    outcome = asked.send(recorded_sender(container, sleep))
    assert outcome.status == "failed"  # 429 waited out, then 400: not sent
    assert asked.port.find_sent(asked.bart, asked.key) is None

    outcome = asked.send(recorded_sender(container, sleep), maybe_sent=True)
    assert outcome.status == "sent" and not outcome.recovered
    [card] = connector.messages(asked.personal)
    assert SENT_AGAIN not in _texts(card)
