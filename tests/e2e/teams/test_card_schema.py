"""Every Adaptive Card the bot sends Teams is valid Adaptive Card 1.5.

Validated with the published 1.5 JSON Schema (kept in tests/e2e/teams/schema, see its
README: no network at test time) by jsonschema's draft-06 validator. A session through the
real Agents SDK against the fake Bot Connector (commands, poll now and check-in now, a poll
and a check-in answered by card submit with the longest, most markup-laden text, a
digest), then every card in every state rendered directly, worst case.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator

from bot.app.commands import Action, Reply, ReplyFile
from bot.container import Container
from bot.domain.digest.view import NudgeView, QuoteView
from bot.domain.model import Language, Perspective, Phase, Role, Text
from bot.domain.views import PromptView
from bot.platforms.teams.digest_card import digest_card
from bot.platforms.teams.render import prompt_card, reply_activity
from tests.e2e import worst_case
from tests.e2e.teams.conftest import (
    ANNA,
    BART,
    CEES,
    CHANNEL,
    Teams,
    channel_journey,
    joined,
    journey_with,
)
from tests.fakes.bot_connector import FakeConnector

SCHEMA = Path(__file__).parent / "schema" / "adaptive-card-1.5.json"
NASTY = "<b>&<at>Anna</at> &amp; **bold** >"
LONG = (NASTY * 120)[:3000]
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


@cache
def validator() -> Draft6Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def problems(card: dict[str, Any]) -> list[str]:
    found = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(card)
    ]
    if card.get("version") != "1.5":
        found.append(f"version {card.get('version')!r}, not 1.5")
    return found


def cards_received(connector: FakeConnector) -> list[dict[str, Any]]:
    """Every card in every activity the bot sent or updated."""
    found = []
    for call in connector.calls:
        for attachment in (call.body or {}).get("attachments") or []:
            if attachment.get("contentType") == CARD_TYPE:
                found.append(attachment["content"])
    return found


def test_every_card_of_a_session_is_valid_adaptive_card_1_5(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    journey_with(teams, (BART, Role.FOLLOWER), (CEES, Role.DIRECTOR))
    for person in (BART, CEES):  # 1:1 chats, so prompts can reach them
        teams.hello_in_private(person)
    for text in ("help", "status", "schedule", f"ecosystem {NASTY}", "poll now", "checkin now"):
        teams.post(teams.activity(ANNA, text=text))
    for text in ("export", "forget-me", "digest preview"):
        teams.post(teams.activity(CEES, text=text, channel=None, mention_bot=False))
    # Bart answers the poll and the check-in in their cards, with the worst text.
    bart_cards = [c for c in connector.messages() if c.card is not None and c.card.get("actions")]
    for call in bart_cards:
        assert call.card is not None
        for action in call.card["actions"]:
            data = dict(action["data"]) | {"text": LONG}
            if data.get("verb") != "pioneer.answer":
                continue
            press = teams.activity(BART, value=data, channel=None, reply_to_id=call.activity_id)
            teams.post(press)
            break
    workspace_id, journey_id = channel_journey(container)
    monday = container.clock.now().replace(day=7)
    container.digests.send_weekly(workspace_id, journey_id, monday, leadership_channel=CHANNEL)

    cards = cards_received(connector)
    assert len(cards) >= 6 and connector.updates()
    assert [p for card in cards for p in problems(card)] == []


# -- rendered directly, every state ---------------------------------------------------------
def prompt_views() -> list[PromptView]:
    return worst_case.prompt_views(LONG)


def test_prompt_cards_in_every_state_are_valid() -> None:
    assert [p for view in prompt_views() for p in problems(prompt_card(view))] == []


@pytest.mark.parametrize("language", list(Language))
def test_reply_cards_with_buttons_and_a_file_are_valid(language: Language) -> None:
    reply = Reply(
        text="*Sure?* " + LONG,
        language=language,
        file=ReplyFile("answers.csv", "Your <answers>", ("a,b\n" * 50).encode()),
        actions=(Action("Yes, forget me", "forget-me yes", danger=True), Action("No", "help")),
    )
    activity = reply_activity(reply)
    [attachment] = activity.attachments or []
    assert problems(attachment.content) == []


def test_a_digest_card_at_its_worst_with_its_chart_is_valid(
    teams: Teams, container: Container
) -> None:
    workspace_id, journey_id, _ = joined(teams, container, CEES, Role.DIRECTOR)
    view = container.digests.compute(workspace_id, journey_id, "2026-W49")
    nudge = NudgeView("x", "heard", 1, "docs/method.md", text=Text(nl=LONG, en=LONG))
    worst = replace(
        view,
        journey_name=worst_case.NAME * 10,
        nudges=(nudge,) * 3,
        quotes=tuple(QuoteView(Perspective.HUMAN, LONG) for _ in range(10)),
        preview=True,
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 1000
    # A learning professional's: their week first, on the same card.
    for candidate in (view, worst, replace(worst, for_steward=True)):
        for language in Language:
            card = digest_card(replace(candidate, language=language), png)
            assert problems(card) == []


@pytest.mark.parametrize("language", list(Language))
def test_team_update_cards_with_and_without_actions_are_valid(language: Language) -> None:
    from datetime import date

    from bot.domain.team_update import DoneItem, SaidFigure, SaidTheme, TeamUpdateView
    from bot.platforms.teams.digest_card import team_update_activity

    view = TeamUpdateView(
        journey_id=1,
        journey_name=NASTY,
        iso_week="2026-W49",
        weeks=("2026-W48", "2026-W49"),
        language=language,
        phase=Phase.DESIRE,
        k=5,
        perspectives=(SaidFigure("human", 3.4, 12),),
        signals=(SaidFigure("heard", 2.2, 5),),
        themes=(SaidTheme("workload", Text(nl="werkdruk", en="workload"), 6),),
        done=tuple(DoneItem(date(2026, 12, 1), LONG[:300], "heard") for _ in range(8)),
    )
    for candidate in (view, replace(view, done=(), perspectives=(), signals=(), themes=())):
        [attachment] = team_update_activity(candidate).attachments or []
        assert problems(attachment.content) == []


def test_the_schema_catches_an_invalid_card() -> None:
    card = prompt_card(prompt_views()[0])
    broken = json.loads(json.dumps(card))
    broken["body"][0]["type"] = "Textblock"  # a misspelt element
    assert problems(broken)
    wrong = json.loads(json.dumps(card))
    wrong["actions"][0]["style"] = "danger"  # Slack's word, not Adaptive Cards'
    assert problems(wrong)
    assert problems(card | {"version": "1.6"})
