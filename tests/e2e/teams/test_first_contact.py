"""First contact on Teams, through the Bot Connector: the welcome when Pioneer is added
(conversationUpdate), help that says `@Pioneer`, and a digest card's field for what
leadership did about a nudge."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.container import Container
from bot.domain.model import Language, Role
from bot.platforms.teams.digest_card import DID_INPUT, DID_VERB
from tests.e2e.teams.conftest import (
    ANNA,
    APP_ID,
    BART,
    CEES,
    CHANNEL,
    Teams,
    chat,
    joined,
    journey_with,
    workspace_of,
)
from tests.e2e.teams.test_digest import a_digest
from tests.fakes.bot_connector import FakeConnector


def members_added(teams: Teams, *ids: str, locale: str = "en-US") -> dict[str, Any]:
    """What Teams posts when an app is installed in a team (the bot among those added)."""
    activity = teams.activity(ANNA, locale=locale)
    activity.update(
        type="conversationUpdate",
        membersAdded=[{"id": member} for member in ids],
        conversation={
            "id": CHANNEL,
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": activity["conversation"]["tenantId"],
        },
    )
    activity["channelData"]["eventType"] = "teamMemberAdded"
    return activity


def test_installing_pioneer_welcomes_the_team_in_its_language(
    teams: Teams, connector: FakeConnector
) -> None:
    assert teams.post(members_added(teams, f"28:{APP_ID}", locale="nl-NL")).status in (200, 202)
    (welcome,) = connector.messages()
    text = welcome.text
    assert text.startswith("Hallo, ik ben Pioneer.")
    # What it asks, how often (from the shipped plan's awareness phase), what stays anonymous.
    assert "korte vragen" in text and "per week" in text
    assert "minstens 5 mensen" in text
    assert "`@Pioneer start ‹naam›`" in text and "/pioneer" not in text
    # A person added to the team is not a member of any journey yet: nothing is said.
    connector.clear()
    assert teams.post(members_added(teams, BART.teams_id)).status in (200, 202)
    assert connector.messages() == []


def test_a_channel_with_a_journey_is_welcomed_to_it(teams: Teams, connector: FakeConnector) -> None:
    journey_with(teams)
    connector.clear()
    teams.post(members_added(teams, f"28:{APP_ID}"))
    (welcome,) = connector.messages()
    assert welcome.text.startswith("Hello, I am Pioneer, here for the pioneering journey")
    assert "Plant Eindhoven" in welcome.text and "`@Pioneer join`" in welcome.text


def test_help_and_joining_on_teams_speak_of_at_pioneer(teams: Teams) -> None:
    journey_with(teams)
    help_text = teams.say(BART, "help")
    assert "@Pioneer" in help_text and "/pioneer" not in help_text
    joined_text = teams.say(BART, "join")
    assert "You are in **Plant Eindhoven** as follower." in joined_text
    assert "What stays anonymous" in joined_text and "at least 5 people" in joined_text


def test_the_digest_cards_field_records_what_was_done(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, journey_id, cees = joined(teams, container, CEES, Role.DIRECTOR)
    teams.say(BART, "join")
    digest = a_digest(Language.EN)
    chat(container, workspace_id).send_digest(cees, replace_journey(digest, journey_id), b"")
    card = connector.messages()[-1].card
    assert card is not None
    (action_set,) = [item for item in card["body"] if item["type"] == "ActionSet"]
    (show,) = action_set["actions"]
    assert show["type"] == "Action.ShowCard" and show["title"] == "Done: record it"
    (submit,) = show["card"]["actions"]
    data = dict(submit["data"], **{DID_INPUT: "Gave the frontrunners Friday afternoons"})
    assert data["verb"] == DID_VERB and data["rule"] == "protect_frontrunners"

    refused = teams.activity(BART, value=data, channel=None)
    teams.post(refused)
    assert "Only a director or facilitator" in connector.messages()[-1].text
    teams.post(teams.activity(CEES, value=data, channel=None))
    done = connector.messages()[-1].text
    assert done.startswith("Recorded, with the nudge about room to explore")
    with container.uow() as uow:
        actions = uow.team_updates.actions(
            workspace_id,
            journey_id,
            datetime(2000, 1, 1, tzinfo=UTC),
            datetime(2100, 1, 1, tzinfo=UTC),
        )
    assert [(a.text, a.rule, a.signal) for a in actions] == [
        ("Gave the frontrunners Friday afternoons", "protect_frontrunners", "room_to_explore")
    ]
    assert workspace_of(container) == workspace_id
    assert json.dumps(card).count(DID_VERB) == 1


def replace_journey(digest: Any, journey_id: int) -> Any:
    from dataclasses import replace

    return replace(digest, journey_id=journey_id)
