"""Pulse polls and check-ins as Adaptive Cards in 1:1 chats: sent proactively (with a stored
conversation reference, or by creating the chat), answered and changed by card submit.
Pacing, retries and 403 are in test_sending.py."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.container import Container
from bot.domain.model import PromptKind, Role
from bot.domain.views import PromptView, parse_ref
from tests.e2e.teams.conftest import (
    ANNA,
    APP_ID,
    BART,
    CEES,
    CHANNEL,
    TENANT_A,
    Teams,
    channel_journey,
    chat,
    deliver,
    joined,
    journey_with,
    member_of,
)
from tests.fakes.bot_connector import FakeConnector


def _view(container: Container, workspace_id: int, delivery_id: int) -> PromptView:
    with container.uow() as uow:
        delivery = uow.deliveries.get(workspace_id, delivery_id)
        assert delivery is not None
        journey = uow.journeys.get(workspace_id, delivery.journey_id)
        member = uow.members.get(workspace_id, delivery.member_id)
    assert journey is not None and member is not None
    return container.prompt_views.build(delivery, journey, member, None, container.clock.now())


def test_poll_sent_through_a_stored_reference_answered_and_changed_by_card_submit(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, journey_id, bart = joined(teams, container, BART)
    personal = teams.hello_in_private(BART)
    delivery = deliver(container, bart)
    assert delivery.id is not None
    connector.clear()

    ref = chat(container, workspace_id).send_prompt(
        bart, _view(container, workspace_id, delivery.id), f"delivery:{delivery.id}"
    )

    assert connector.creates() == []  # the stored reference was enough
    [sent] = connector.messages(personal)
    conversation_id, activity_id = parse_ref(ref)
    assert (conversation_id, activity_id) == (personal, sent.activity_id)
    card = sent.card
    assert card is not None and card["type"] == "AdaptiveCard"
    buttons = card["actions"]
    assert [b["data"]["value"] for b in buttons] == [1, 2, 3, 4, 5]

    # Bart presses 4: Teams posts the button's data as a message with no text.
    press = teams.activity(BART, value=buttons[3]["data"], channel=None, reply_to_id=activity_id)
    assert teams.post(press).status == 202
    with container.uow() as uow:
        answer = uow.answers.for_delivery(workspace_id, delivery.id)
    assert answer is not None and answer.value == 4
    [update] = connector.updates()
    assert update.path.endswith(f"/activities/{activity_id}")
    assert "**4**" in update.card_text()

    # And changes his mind before the poll closes: still one answer, now 2.
    press = teams.activity(BART, value=buttons[1]["data"], channel=None, reply_to_id=activity_id)
    assert teams.post(press).status == 202
    with container.uow() as uow:
        answers = uow.answers.for_journey(workspace_id, journey_id)
    assert [a.value for a in answers] == [2]
    assert "**2**" in connector.updates()[-1].card_text()


def test_someone_else_cannot_answer_a_card_meant_for_bart(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, _, bart = joined(teams, container, BART)
    delivery = deliver(container, bart)
    press = teams.activity(
        ANNA, value={"verb": "pioneer.answer", "delivery": delivery.id, "value": 5}, channel=None
    )
    assert teams.post(press).status == 202
    assert "meant for someone else" in connector.messages()[-1].text
    with container.uow() as uow:
        assert uow.answers.for_delivery(workspace_id, delivery.id or 0) is None


def test_checkin_answered_in_the_card(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, _, bart = joined(teams, container, BART)
    teams.hello_in_private(BART)
    delivery = deliver(container, bart, kind=PromptKind.CHECKIN)
    assert delivery.id is not None
    ref = chat(container, workspace_id).send_prompt(
        bart, _view(container, workspace_id, delivery.id), "k"
    )
    _, activity_id = parse_ref(ref)
    card = connector.messages()[-1].card
    assert card is not None
    assert any(item.get("type") == "Input.Text" for item in card["body"])
    [submit] = card["actions"]
    data = submit["data"] | {"text": "More time <script> to try the robot"}
    press = teams.activity(BART, value=data, channel=None, reply_to_id=activity_id)
    assert teams.post(press).status == 202
    with container.uow() as uow:
        answer = uow.answers.for_delivery(workspace_id, delivery.id)
    assert answer is not None and answer.text == "More time <script> to try the robot"
    card = connector.updates()[-1].card
    assert card is not None
    shown = " ".join(item["text"] for item in card["body"] if item["type"] == "TextBlock")
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    # The text field holds the answer as typed (inputs show no markup), ready to change.
    [field] = [item for item in card["body"] if item["type"] == "Input.Text"]
    assert field["value"] == "More time <script> to try the robot"


def test_proactive_poll_without_a_stored_reference_creates_the_1to1_chat(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, _, bart = joined(teams, container, BART)  # only channel messages
    delivery = deliver(container, bart)
    assert delivery.id is not None
    connector.clear()
    port = chat(container, workspace_id)

    ref = port.send_prompt(bart, _view(container, workspace_id, delivery.id), "k")

    [create] = connector.creates()
    assert create.body["members"] == [{"id": BART.teams_id}]
    assert create.body["bot"] == {"id": f"28:{APP_ID}"}
    assert create.body["tenantId"] == TENANT_A
    assert create.authorization == "Bearer test-outbound-token"
    conversation_id, _ = parse_ref(ref)
    assert connector.messages(conversation_id)[0].card is not None

    # The new chat is stored: the next poll goes straight there.
    second = deliver(container, bart, occurrence="2026-W50")
    port.send_prompt(bart, _view(container, workspace_id, second.id or 0), "k2")
    assert len(connector.creates()) == 1
    assert len(connector.messages(conversation_id)) == 2


def test_post_notice_goes_to_the_journey_channel_as_a_new_thread(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    from bot.domain.model import Language
    from bot.domain.views import Notice

    workspace_id, _, _ = joined(teams, container, BART)
    connector.clear()
    ref = chat(container, workspace_id).post_notice(
        CHANNEL, Notice(language=Language.EN, text="The digest is *ready*")
    )
    [sent] = connector.messages(CHANNEL)
    assert sent.reply_to_id is not None and parse_ref(ref)[0] == CHANNEL
    assert sent.text.startswith("The digest is **ready**")


def test_a_submit_after_the_poll_closed_is_refused_and_the_card_shows_it_closed(
    teams: Teams, container: Container, connector: FakeConnector, clock: FixedClock
) -> None:
    workspace_id, _, bart = joined(teams, container, BART)
    teams.hello_in_private(BART)
    delivery = deliver(container, bart)
    ref = chat(container, workspace_id).send_prompt(
        bart, _view(container, workspace_id, delivery.id or 0), "k"
    )
    _, activity_id = parse_ref(ref)
    card = connector.messages()[-1].card
    assert card is not None
    clock.advance(timedelta(days=3))

    press = teams.activity(
        BART, value=card["actions"][0]["data"], channel=None, reply_to_id=activity_id
    )
    assert teams.post(press).status == 202
    assert "has closed" in connector.messages()[-1].text
    closed = connector.updates()[-1].card
    assert closed is not None and "actions" not in closed
    assert "This question has closed." in connector.updates()[-1].card_text()
    with container.uow() as uow:
        assert uow.answers.for_delivery(workspace_id, delivery.id or 0) is None


def test_poll_now_in_a_channel_reaches_members_through_the_dispatcher(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    """`@Pioneer poll now` → the scheduler's dispatcher → container.chat_for → TeamsChat."""
    journey_with(teams, (BART, Role.FOLLOWER), (CEES, Role.DIRECTOR))
    personal = teams.hello_in_private(BART)  # Bart has a 1:1 chat; Cees has none yet
    connector.clear()

    asked = teams.activity(ANNA, text="poll now")
    assert teams.post(asked).status == 202

    [reply] = [m for m in connector.messages() if m.reply_to_id == asked["id"]]
    assert reply.text.startswith("Poll sent to")
    cards = [m for m in connector.messages() if m.card is not None]
    # Bart through his stored 1:1 chat; Cees through a 1:1 chat created for him.
    assert personal in {c.conversation_id for c in cards}
    assert all({"id": BART.teams_id} not in c.body["members"] for c in connector.creates())
    assert {"id": CEES.teams_id} in [m for c in connector.creates() for m in c.body["members"]]
    workspace_id, journey_id = channel_journey(container)
    bart = member_of(container, workspace_id, journey_id, BART)
    assert bart.id is not None
    with container.uow() as uow:
        [delivery] = uow.deliveries.open_for_member(workspace_id, bart.id, container.clock.now())
    assert delivery.message_ref is not None and delivery.message_ref.startswith(personal)
