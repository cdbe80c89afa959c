"""The weekly digest as an Adaptive Card: aggregates over >= k people only, nudges, the chart,
in the reader's language; sent to a director's 1:1 chat or the leadership channel."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from bot.container import Container
from bot.domain.digest.view import (
    DigestView,
    FigureView,
    GroupView,
    NudgeArg,
    NudgeView,
    ParticipationView,
)
from bot.domain.model import Language, Phase, Role
from bot.platforms.teams.render import MAX_INLINE_CHART
from tests.e2e.teams.conftest import (
    CEES,
    CHANNEL,
    Teams,
    chat,
    joined,
    journey_with,
    workspace_of,
)
from tests.fakes.bot_connector import FakeConnector

CHART = b"\x89PNG\r\n\x1a\n" + b"\0" * 200


def a_digest(language: Language) -> DigestView:
    return DigestView(
        journey_id=1,
        journey_name="Plant <Eindhoven>",
        iso_week="2026-W49",
        language=language,
        phase=Phase.INTEREST,
        weeks_in_phase=3,
        phase_start_week="2026-W46",
        k=5,
        generated_at=datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
        participation=(ParticipationView(role=None, answered=9, asked=12),),
        perspectives=(
            GroupView("technology", FigureView(respondents=8, mean=3.6, vs_last_week=0.4)),
            GroupView("human", FigureView()),  # fewer than k: withheld
            GroupView("business", FigureView(respondents=6, mean=2.1, vs_last_week=-0.5)),
        ),
        signals=(),
        roles=(),
        grid=(),
        trend_weeks=(),
        trend=(),
        touchpoints=1,
        nudges=(
            NudgeView(
                rule="protect_frontrunners",
                signal="room_to_explore",
                priority=1,
                method="waking up",
                key="nudge.protect_frontrunners.low",
                args={
                    "who": NudgeArg.group(Role.FRONTRUNNER),
                    "mean": NudgeArg.number(2.4),
                    "people": NudgeArg.count(7),
                },
            ),
        ),
    )


def test_digest_card_to_a_director_and_to_the_channel(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, _, cees = joined(teams, container, CEES, Role.DIRECTOR)
    port = chat(container, workspace_id)
    connector.clear()

    port.send_digest(cees, a_digest(Language.EN), CHART)
    port.send_digest(CHANNEL, a_digest(Language.NL), CHART)

    [create] = connector.creates()  # Cees never wrote 1:1: the chat was created
    personal, channel = connector.messages()
    assert channel.conversation_id == CHANNEL
    card = personal.card
    assert card is not None
    text = json.dumps(card, ensure_ascii=False)
    assert "Weekly digest Plant &lt;Eindhoven&gt; — 2026-W49" in text
    facts = {f["title"]: f["value"] for f in card["body"][3]["facts"]}
    assert facts == {
        "technology": "3.6 (8 people) ↑",
        "human": "fewer than 5 people — not shown",
        "business": "2.1 (6 people) ↓",
    }
    assert "Room to explore scores 2.4 out of 5 among frontrunners (7 people)" in text
    assert "Response: 9 of 12" in text
    [image] = [item for item in card["body"] if item["type"] == "Image"]
    assert image["url"] == "data:image/png;base64," + base64.b64encode(CHART).decode()
    dutch = json.dumps(channel.card, ensure_ascii=False)
    assert "Weekoverzicht" in dutch
    assert "Ruimte om te verkennen scoort 2,4 uit 5 bij koplopers (7 mensen)" in dutch
    assert "minder dan 5 mensen" in dutch


def test_a_chart_too_large_for_a_teams_message_is_left_out(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    journey_with(teams)
    workspace_id = workspace_of(container)
    big = CHART + b"\0" * MAX_INLINE_CHART
    chat(container, workspace_id).send_digest(CHANNEL, a_digest(Language.EN), big)
    card = connector.messages()[-1].card
    assert card is not None and not [i for i in card["body"] if i["type"] == "Image"]
