"""App Home: journeys, roles, phase and open prompts; controls for facilitators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.container import Container
from bot.domain.model import Phase, PromptKind
from tests.e2e.slack.conftest import SlackSender, deliver, journey_id_of, slack_workspace_id
from tests.fakes.slack_api import FakeSlack


def open_home(slack: SlackSender, fake: FakeSlack, user: str) -> dict[str, Any]:
    slack.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
    call = fake.calls_to("views.publish")[-1]
    assert call.args["user_id"] == user
    view: dict[str, Any] = call.args["view"]
    assert view["type"] == "home"
    return view


def action_ids(view: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_home_for_someone_in_no_journey(slack: SlackSender, fake_slack: FakeSlack) -> None:
    view = open_home(slack, fake_slack, "U7")
    assert "not in a pioneering journey" in str(view["blocks"])


def test_home_shows_journeys_roles_phase_and_open_prompts(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant <b>Noord</b>", user="U1")
    slack.say("join", user="U2")
    journey_id = journey_id_of(container)
    deliver(container, journey_id, "U2", PromptKind.PULSE)
    deliver(container, journey_id, "U2", PromptKind.CHECKIN, closes_in=timedelta(days=1))
    deliver(
        container,
        journey_id,
        "U2",
        PromptKind.PULSE,
        closes_in=-timedelta(hours=1),
        occurrence="old",
    )

    view = open_home(slack, fake_slack, "U2")
    text = str(view["blocks"])
    assert "Plant &lt;b&gt;Noord&lt;/b&gt;" in text and "<b>" not in text
    assert "follower" in text and "awareness" in text and "<#C1>" in text
    assert text.count("• ") == 2  # two open prompts; the closed one is not listed
    assert action_ids(view) == []  # no controls for a follower

    facilitator_view = open_home(slack, fake_slack, "U1")
    assert action_ids(facilitator_view) == [
        "pioneer.home.phase_next",
        "pioneer.home.poll_now",
        "pioneer.home.checkin_now",
    ]


def phase_button(view: dict[str, Any], action_id: str) -> str:
    """The value a phase button of the Home carries to its modal."""
    for block in view["blocks"]:
        for element in block.get("elements", ()) if block["type"] == "actions" else ():
            if element["action_id"] == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} on the Home")


def _move_from_home(
    slack: SlackSender,
    container: Container,
    fake: FakeSlack,
    user: str,
    reason: str = "urgency and curiosity met twice",
    direction: str = "next",
    value: str | None = None,
) -> Phase:
    """`user` presses a phase button of the Home (a facilitator's, unless `value` is
    given), confirms in the modal with `reason`; the journey's phase after that."""
    value = value or phase_button(open_home(slack, fake, user), f"pioneer.home.phase_{direction}")
    opened = len(fake.calls_to("views.open"))
    slack.action(f"pioneer.home.phase_{direction}", value, user=user, container_type="view")
    modal = fake.calls_to("views.open")[opened].args["view"]
    assert modal["type"] == "modal" and modal["callback_id"] == "pioneer.phase_move"
    response = slack.submit(
        "pioneer.phase_move", modal["private_metadata"], reason, user, "reason", "reason"
    )
    assert response.status == 200
    return container.journeys.journey_for_channel(slack_workspace_id(container), "C1").phase


def test_next_phase_asks_for_confirmation_and_a_reason_before_it_moves(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    home = open_home(slack, fake_slack, "U1")
    # Awareness: the facilitator's card, nothing scored yet, no way back from the first phase.
    text = str(home["blocks"])
    assert "Ready to move? Plant Noord is in week 1 of the awareness phase." in text
    assert "No digest has scored the exit signals of this phase yet." in text
    assert "pioneer.home.phase_back" not in text
    value = phase_button(home, "pioneer.home.phase_next")
    slack.action("pioneer.home.phase_next", value, user="U1", container_type="view")
    modal = fake_slack.calls_to("views.open")[-1].args["view"]
    # Only asking: the journey has not moved.
    wid = slack_workspace_id(container)
    assert container.journeys.journey_for_channel(wid, "C1").phase is Phase.AWARENESS
    assert "from the awareness phase to interest" in str(modal["blocks"])
    (field,) = [b for b in modal["blocks"] if b["type"] == "input"]
    assert field["block_id"] == "reason" and not field.get("optional", False)
    # A reason of only white space is refused in the modal, in the person's language.
    refused = slack.submit(
        "pioneer.phase_move", modal["private_metadata"], "   ", "U1", "reason", "reason"
    )
    assert refused.status == 200 and "Give a reason" in refused.body
    assert container.journeys.journey_for_channel(wid, "C1").phase is Phase.AWARENESS
    # Confirmed with a reason: moved through `phase next`, the reason kept and announced.
    assert _move_from_home(slack, container, fake_slack, "U1", value=value) is Phase.INTEREST
    told = fake_slack.calls_to("chat.postMessage")[-1]
    assert told.args["channel"] == "C1" and "interest" in told.args["text"]
    assert "urgency and curiosity met twice" in told.args["text"]
    (change,) = container.journeys.history(wid, journey_id_of(container))
    assert change.reason == "urgency and curiosity met twice"
    home = fake_slack.calls_to("views.publish")[-1].args["view"]
    assert "from awareness to interest, because: urgency and curiosity met twice" in str(home)
    # From interest there is a way back, with its own modal.
    assert (
        _move_from_home(slack, container, fake_slack, "U1", "no picture yet", "back")
        is Phase.AWARENESS
    )


def test_home_controls_refuse_a_follower(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    slack.say("join", user="U2")
    value = phase_button(open_home(slack, fake_slack, "U1"), "pioneer.home.phase_next")
    assert "Ready to move?" not in str(open_home(slack, fake_slack, "U2")["blocks"])
    moved = _move_from_home(slack, container, fake_slack, "U2", value=value)
    assert moved is Phase.AWARENESS
    refusal = fake_slack.calls_to("chat.postMessage")[-1]
    assert refusal.args["channel"] == "DU2" and "Only a facilitator" in refusal.args["text"]


def test_a_phase_move_from_home_reaches_the_facilitator_when_the_channel_is_closed(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    fake_slack.script("chat.postMessage", [{"ok": False, "error": "not_in_channel"}])
    assert _move_from_home(slack, container, fake_slack, "U1") is Phase.INTEREST
    posts = fake_slack.calls_to("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["C1", "DU1"]
    assert "interest" in posts[-1].args["text"]


def test_facilitator_sends_a_poll_from_home(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    slack.say("join", user="U2")
    published = len(fake_slack.calls_to("views.publish"))
    slack.action("pioneer.home.poll_now", "C1", user="U1", container_type="view")
    # Sending to the team happens after the ack; the Home is published again when done.
    fake_slack.wait_for("views.publish", published + 1)
    dms = {c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")}
    assert "DU2" in dms
    told = [c for c in fake_slack.calls_to("chat.postMessage") if "Poll sent" in c.args["text"]]
    assert [c.args["channel"] for c in told] == ["DU1"]


def test_a_stale_or_forged_phase_button_opens_nothing_and_moves_nothing(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    forged = '{"channel": "C1", "direction": "skip", "phase": "awareness", "target": "action"}'
    for value in ("C1", forged, '{"channel": "C1", "direction": "next", "language": "fr"}'):
        response = slack.action("pioneer.home.phase_next", value, user="U1", container_type="view")
        assert response.status == 200
    assert fake_slack.calls_to("views.open") == []
    wid = slack_workspace_id(container)
    assert container.journeys.journey_for_channel(wid, "C1").phase is Phase.AWARENESS
