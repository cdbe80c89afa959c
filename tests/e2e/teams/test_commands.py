"""`@Pioneer <command>` in a Teams channel or 1:1 chat goes through the shared parser and
executor (bot/commands.py) and comes back as a Teams message, through the real adapter."""

from __future__ import annotations

from bot.app.commands.words import SUBCOMMANDS
from bot.container import Container
from bot.domain.model import Phase, Role
from tests.e2e.teams.conftest import (
    ANNA,
    BART,
    CEES,
    CHANNEL,
    TENANT_A,
    Teams,
    channel_journey,
    joined,
    journey_with,
)
from tests.fakes.bot_connector import FakeConnector


def test_help_lists_every_subcommand_in_the_members_language(teams: Teams) -> None:
    english = teams.say(ANNA, "help")
    assert english.startswith("**Pioneer**")  # Slack's *bold* became Teams' **bold**
    for sub in SUBCOMMANDS:
        assert f"`{sub.name}" in english, sub.name
    dutch = teams.say(ANNA, "help", locale="nl-NL")
    assert "gebruik" in dutch and dutch != english


def test_the_reply_goes_into_the_thread_it_was_asked_in(
    teams: Teams, connector: FakeConnector
) -> None:
    activity = teams.activity(ANNA, text="help")
    assert teams.post(activity).status == 202
    [reply] = connector.messages()
    assert reply.conversation_id == activity["conversation"]["id"]
    assert reply.reply_to_id == activity["id"]


def test_start_status_join_role_and_phase_in_a_channel(teams: Teams, container: Container) -> None:
    journey_with(teams, (BART, Role.FOLLOWER), (CEES, Role.DIRECTOR))
    status = teams.say(BART, "status")
    assert "Plant Eindhoven" in status and "awareness" in status
    assert "**Cees Director**" in status and "**Bart Follower**" in status

    moved = teams.say(ANNA, "phase next we know why")
    assert "from the awareness phase to interest" in moved
    assert container.journeys.get(*channel_journey(container)).phase is Phase.INTEREST


def test_a_facilitator_only_command_is_refused_for_others(
    teams: Teams, container: Container
) -> None:
    journey_with(teams, (BART, Role.FOLLOWER))
    refused = teams.say(BART, "phase next")
    assert refused == "Only a facilitator may do that."
    assert container.journeys.get(*channel_journey(container)).phase is Phase.AWARENESS


def test_role_mentions_resolve_to_the_persons_aad_object_id(
    teams: Teams, container: Container
) -> None:
    _, _, bart = joined(teams, container, BART, Role.FRONTRUNNER)
    assert bart.roles == {Role.FOLLOWER, Role.FRONTRUNNER}


def test_the_remaining_commands(teams: Teams) -> None:
    journey_with(teams, (BART, Role.FOLLOWER))
    assert "Logged for" in teams.say(ANNA, "ecosystem visited the fieldlab <b>")
    assert "&lt;b&gt;" in teams.say(ANNA, "ecosystem <b>x</b>")  # user text stays escaped
    assert "speak English" in teams.say(BART, "language en")
    assert "Nederlands" in teams.say(BART, "taal nl")
    assert "fase awareness" in teams.say(BART, "status")
    assert teams.say(ANNA, "poll now").startswith("Poll sent to")
    assert teams.say(ANNA, "checkin now").startswith("Check-in sent to")
    # Whatever these say as their services grow, they answer, and never with a failure.
    for person, text in [
        (ANNA, "digest preview"),
        (ANNA, "schedule"),
        (ANNA, "pause"),
        (ANNA, "resume"),
        (BART, "away 2026-12-24"),
    ]:
        reply = teams.say(person, text)
        assert reply and "went wrong" not in reply and "ging iets mis" not in reply, text
    assert "Die opdracht ken ik niet" in teams.say(BART, "dance")  # Bart chose Dutch
    assert "This is how to use that command" in teams.say(ANNA, "phase")


def test_export_and_forget_me_with_its_confirmation_button(
    teams: Teams, connector: FakeConnector
) -> None:
    journey_with(teams, (BART, Role.FOLLOWER))
    export = teams.say(BART, "export")
    assert "Your own answers: 0" in export
    card = connector.messages()[-1].card
    assert card is not None and "pioneer-my-answers.csv" in str(card)

    teams.say(BART, "forget-me")
    confirm = connector.messages()[-1].card
    assert confirm is not None
    [button] = confirm["actions"]
    assert button["data"] == {"verb": "pioneer.command", "command": "forget-me yes"}
    # Pressing the button: Teams posts the button's data as the message value, no text.
    before = len(connector.messages())
    press = teams.activity(BART, value=button["data"], channel=CHANNEL)
    assert teams.post(press).status == 202
    assert "your data has been erased" in connector.messages()[before].text
    assert "There is no" not in teams.say(BART, "status")


def test_in_a_personal_chat_without_a_mention(teams: Teams) -> None:
    reply = teams.say(ANNA, "help", channel=None, mention_bot=False)
    assert "`help`" in reply
    # `/pioneer status` typed out of habit works too; no journey lives in a 1:1 chat.
    assert "no pioneering journey here" in teams.say(
        ANNA, "/pioneer status", channel=None, mention_bot=False
    )


def test_a_command_from_outside_any_tenant_is_refused(
    teams: Teams, connector: FakeConnector
) -> None:
    activity = teams.activity(ANNA, text="status", tenant=TENANT_A)
    del activity["conversation"]["tenantId"]
    activity["channelData"] = {}
    assert teams.post(activity).status == 202
    assert "Microsoft 365 organisation" in connector.messages()[-1].text


def test_status_gives_the_facilitator_a_readiness_card_that_moves_only_with_a_reason(
    teams: Teams, connector: FakeConnector, container: Container
) -> None:
    journey_with(teams, (BART, Role.FOLLOWER))
    # A follower's status has no scorecard (it is the digest's, for digest readers).
    assert "Ready to move?" not in teams.say(BART, "status")
    assert connector.messages()[-1].card is None
    status = teams.say(ANNA, "status")
    assert "Ready to move? Plant Eindhoven is in week 1 of the awareness phase." in status
    assert "No digest has scored the exit signals of this phase yet." in status
    card = connector.messages()[-1].card
    assert card is not None
    (field,) = [b for b in card["body"] if b["type"] == "Input.Text"]
    assert field["id"] == "reason" and field["isRequired"] is True
    # Awareness is the first phase: only the way on.
    (button,) = card["actions"]
    assert button["title"] == "Next phase…"
    # Without a reason (an old client ignores isRequired): refused, nothing moves.
    before = len(connector.messages())
    teams.post(teams.activity(ANNA, value={**button["data"], "reason": "  "}, channel=CHANNEL))
    assert "Give a reason" in connector.messages()[before].text
    assert container.journeys.get(*channel_journey(container)).phase is Phase.AWARENESS
    # With one: moved through `phase next`, the reason kept in the history.
    reason = {**button["data"], "reason": "urgency met twice"}
    teams.post(teams.activity(ANNA, value=reason, channel=CHANNEL))
    assert container.journeys.get(*channel_journey(container)).phase is Phase.INTEREST
    (change,) = container.journeys.history(*channel_journey(container))
    assert change.reason == "urgency met twice"
    again = teams.say(ANNA, "status")
    assert "from awareness to interest, because: urgency met twice" in again
    titles = [a["title"] for a in connector.messages()[-1].card["actions"]]
    assert titles == ["Next phase…", "Phase back…"]
