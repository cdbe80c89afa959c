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


def _press_phase_next(slack: SlackSender, container: Container, user: str) -> Phase:
    """`user` presses Home's "next phase" for the journey in C1; its phase after that."""
    slack.action("pioneer.home.phase_next", "C1", user=user, container_type="view")
    return container.journeys.journey_for_channel(slack_workspace_id(container), "C1").phase


def test_facilitator_moves_the_phase_from_home(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    assert _press_phase_next(slack, container, "U1") is Phase.INTEREST
    told = fake_slack.calls_to("chat.postMessage")[-1]
    assert told.args["channel"] == "C1" and "interest" in told.args["text"]
    assert "interest" in str(fake_slack.calls_to("views.publish")[-1].args["view"])


def test_home_controls_refuse_a_follower(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    slack.say("join", user="U2")
    assert _press_phase_next(slack, container, "U2") is Phase.AWARENESS
    refusal = fake_slack.calls_to("chat.postMessage")[-1]
    assert refusal.args["channel"] == "DU2" and "Only a facilitator" in refusal.args["text"]


def test_a_phase_move_from_home_reaches_the_facilitator_when_the_channel_is_closed(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord", user="U1")
    fake_slack.script("chat.postMessage", [{"ok": False, "error": "not_in_channel"}])
    slack.action("pioneer.home.phase_next", "C1", user="U1", container_type="view")
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
    told = [
        c for c in fake_slack.calls_to("chat.postMessage") if "Pulse poll sent" in c.args["text"]
    ]
    assert [c.args["channel"] for c in told] == ["DU1"]
