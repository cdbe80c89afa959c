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
    Scorecard,
    ScoreRow,
    ScoreStatus,
)
from bot.domain.model import Language, Phase, Role, Signal
from bot.platforms.teams.digest_card import MAX_INLINE_CHART
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
        scorecard=Scorecard(
            Phase.INTEREST,
            (
                ScoreRow(
                    Signal.FUTURE_PICTURE,
                    FigureView(respondents=9, mean=3.8),
                    ScoreStatus.MET.value,
                    2,
                ),
            ),
            ready=True,
            left_out=(Role.DIRECTOR,),
        ),
        left_out=(Role.DIRECTOR,),
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
    scorecard, perspectives = [
        {f["title"]: f["value"] for f in item["facts"]}
        for item in card["body"]
        if item["type"] == "FactSet"
    ]
    # The scorecard first: the exit signal, its figure and for how long; then the verdict.
    assert scorecard == {
        "shared picture of the future": "3.8 out of 5 (9 people) — met 2 times in a row"
    }
    # Teams people type a command as a mention.
    assert "Ready to move on? Yes" in text and "`@Pioneer phase next`" in text
    assert "/pioneer" not in text
    assert "Directors are fewer than 5 people, so they never get figures of their own" in text
    assert perspectives == {
        "technology": "3.6 (8 people) ↑",
        "human": "fewer than 5 people — not shown",
        "business": "2.1 (6 people) ↓",
    }
    assert "Room to explore scores 2.4 out of 5 among frontrunners (7 people)" in text
    assert "Participation: 9 of the 12 people asked gave an answer" in text
    [image] = [item for item in card["body"] if item["type"] == "Image"]
    assert image["url"] == "data:image/png;base64," + base64.b64encode(CHART).decode()
    dutch = json.dumps(channel.card, ensure_ascii=False)
    assert "Weekoverzicht" in dutch
    assert "Ruimte om te verkennen scoort 2,4 uit 5 bij koplopers (7 mensen)" in dutch
    assert "minder dan 5 mensen" in dutch
    assert "Scorekaart: interest" in dutch
    assert "3,8 uit 5 (9 mensen) — 2 keer op rij gehaald" in dutch
    assert "Klaar voor de volgende fase? Ja" in dutch
    assert "Deelname: 9 van de 12 gevraagde mensen gaven antwoord" in dutch


def test_a_real_chart_too_large_for_a_teams_message_is_sent_smaller(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    from bot.rendering.chart import render_chart

    journey_with(teams)
    workspace_id = workspace_of(container)
    digest = a_digest(Language.EN)
    full = render_chart(digest)
    assert len(full) > MAX_INLINE_CHART  # a real chart is several times the inline limit
    chat(container, workspace_id).send_digest(CHANNEL, digest, full)
    card = connector.messages()[-1].card
    assert card is not None
    [image] = [item for item in card["body"] if item["type"] == "Image"]
    shown = base64.b64decode(image["url"].removeprefix("data:image/png;base64,"))
    assert shown[:8] == b"\x89PNG\r\n\x1a\n" and len(shown) <= MAX_INLINE_CHART


def test_a_chart_that_cannot_be_made_small_enough_is_left_out(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    journey_with(teams)
    workspace_id = workspace_of(container)
    big = CHART + b"\0" * MAX_INLINE_CHART
    chat(container, workspace_id).send_digest(CHANNEL, a_digest(Language.EN), big)
    card = connector.messages()[-1].card
    assert card is not None and not [i for i in card["body"] if i["type"] == "Image"]
