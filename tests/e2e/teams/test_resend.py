"""Teams: what was sent can be found again, and a second copy can be told apart.

The Bot Connector cannot be asked what a conversation holds, so TeamsChat keeps a mark of
each send in its copy of the person's conversation (`FindsSent`, as Slack finds its
messages by metadata): a send confirmed before a crash is found and not repeated; a send
whose answer never came (accepted, then the connection lost) is repeated only with a note
on the card that it is sent again. Against the fake Bot Connector, through the real SDK.
"""

from __future__ import annotations

from bot.container import Container
from bot.domain.model import Member
from bot.domain.ports import FindsSent
from bot.domain.views import PromptView, parse_ref
from tests.e2e.teams.conftest import (
    BART,
    RecordingSleep,
    Teams,
    chat,
    deliver,
    joined,
    member_of,
    recorded_sender,
)
from tests.fakes.bot_connector import ACCEPT_THEN_DROP, FakeConnector

SENT_AGAIN = "Sent again: Teams did not confirm the first one"


def _bart(teams: Teams, container: Container) -> tuple[int, Member, str, PromptView, str]:
    """Bart, who wrote to the bot 1:1, and a poll for him: (workspace, Bart, chat, view, key)."""
    workspace_id, journey_id, _ = joined(teams, container, BART)
    personal = teams.hello_in_private(BART)
    bart = member_of(container, workspace_id, journey_id, BART)
    delivery = deliver(container, bart)
    assert delivery.id is not None
    view = container.prompt_views.view_for(workspace_id, delivery.id)
    assert view is not None
    return workspace_id, bart, personal, view, f"d.{delivery.id}"


def _texts(call: object) -> str:
    card = getattr(call, "card", None) or {}
    return " ".join(str(item.get("text", "")) for item in card.get("body", []))


def test_a_send_confirmed_before_a_crash_is_found_and_not_repeated(
    teams: Teams, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    workspace_id, bart, personal, view, key = _bart(teams, container)
    port = chat(container, workspace_id)
    assert isinstance(port, FindsSent)
    connector.clear()
    ref = port.send_prompt(bart, view, key)  # then the process died before marking it sent

    # The next pass knows an attempt was made, and asks before sending again.
    outcome = recorded_sender(container, sleep).send(port, bart, view, key, maybe_sent=True)

    assert outcome.status == "sent" and outcome.recovered and outcome.ref == ref
    assert len(connector.messages(personal)) == 1
    assert port.find_sent(bart, "d.other") is None
    assert port.send_prompt(bart, view, key) == ref  # the same key never posts twice
    assert len(connector.messages(personal)) == 1


def test_a_send_accepted_then_cut_off_is_repeated_as_a_recognisable_second_copy(
    teams: Teams, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    workspace_id, bart, personal, view, key = _bart(teams, container)
    port = chat(container, workspace_id)
    connector.clear()
    connector.script(personal, [ACCEPT_THEN_DROP])

    outcome = recorded_sender(container, sleep).send(port, bart, view, key)

    assert outcome.status == "sent"
    first, second = connector.messages(personal)
    assert SENT_AGAIN not in _texts(first)
    assert SENT_AGAIN in _texts(second)  # the person can tell the copies apart
    assert outcome.ref is not None and parse_ref(outcome.ref) == (personal, second.activity_id)
    assert port.find_sent(bart, key) == outcome.ref


def test_a_send_refused_for_sure_leaves_no_mark_and_is_not_called_a_second_copy(
    teams: Teams, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    workspace_id, bart, personal, view, key = _bart(teams, container)
    port = chat(container, workspace_id)
    connector.clear()
    connector.script(personal, [429, 400])

    outcome = recorded_sender(container, sleep).send(port, bart, view, key)
    assert outcome.status == "failed"  # 429 waited out, then 400: not sent
    assert port.find_sent(bart, key) is None

    outcome = recorded_sender(container, sleep).send(port, bart, view, key, maybe_sent=True)
    assert outcome.status == "sent" and not outcome.recovered
    [card] = connector.messages(personal)
    assert SENT_AGAIN not in _texts(card)
