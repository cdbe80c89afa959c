"""First contact on Slack, through signed events and commands: a hello when Pioneer is added
to a channel, and a welcome for whoever joins a journey or is added to it."""

from __future__ import annotations

from bot.container import Container
from tests.e2e.slack.conftest import SlackSender
from tests.fakes.slack_api import FakeSlack


def welcomes(fake: FakeSlack, channel: str) -> list[str]:
    return [m.text for m in fake.messages(channel) if "Pioneer" in m.text]


def test_pioneer_added_to_a_channel_says_what_it_asks_and_what_stays_anonymous(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    event = {"type": "member_joined_channel", "user": "UBOT", "channel": "C9", "team": "T1"}
    assert slack.event(event).status == 200
    fake_slack.wait_for("chat.postMessage", 1)
    (hello,) = welcomes(fake_slack, "C9")
    assert hello.startswith("Hello, I am Pioneer.")
    # How often comes from the shipped plan's first phase: three short questions and one
    # check-in a week for a team member.
    assert "What I ask: 3 short questions" in hello and "one check-in" in hello
    assert "at least 5 people" in hello and "`/pioneer start ‹name›`" in hello
    # A person joining the channel has not joined a journey: nothing is said.
    assert slack.event(dict(event, user="U7")).status == 200
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_journeys_channel_is_welcomed_in_its_language(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.set_user("U1", locale="nl-NL")  # the journey takes its starter's language
    slack.say("start Plant Noord", channel="C2")
    slack.event({"type": "member_joined_channel", "user": "UBOT", "channel": "C2"})
    fake_slack.wait_for("chat.postMessage", 1)
    (hello,) = [m for m in welcomes(fake_slack, "C2") if m.startswith("Hallo")]
    assert hello.startswith("Hallo, ik ben Pioneer, hier voor de pioniersreis *Plant Noord*.")
    assert "Doe mee met `/pioneer join`" in hello


def test_joining_and_being_added_say_what_pioneer_asks(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    slack.say("start Plant Noord")
    joined = slack.say("join", user="U2")
    assert joined.startswith("You are in *Plant Noord* as follower.")
    assert "What stays anonymous" in joined and "at least 5 people" in joined
    # People a facilitator adds are welcomed in the channel, each role with its own rhythm.
    before = len(slack.replies())
    slack.command("role <@U3> <@U4> director", user="U1")
    fake_slack.wait_for("response_url", before + 1)
    reply = slack.last_reply().args
    assert reply["response_type"] == "in_channel"
    assert "<@U3>, <@U4>: Welcome to *Plant Noord*, as director." in reply["text"]
    # A role change for someone already in the journey stays between facilitator and bot.
    before = len(slack.replies())
    slack.command("role <@U2> frontrunner", user="U1")
    fake_slack.wait_for("response_url", before + 1)
    assert slack.last_reply().args["response_type"] == "ephemeral"
