"""The facilitator's readiness card: the stored scorecard of its own phase, hobbyism, the
last moves with their reasons, and the way on or back — in both languages on every face."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.app.commands import Reply
from bot.app.home import Home, HomeJourney
from bot.domain.digest.nudges import HOBBYISM_WEEKS
from bot.domain.digest.phase_readiness import Hobbyism, ReadinessCard, readiness_card
from bot.domain.digest.view import DigestView
from bot.domain.model import Language, Phase, PhaseChange, Signal
from bot.platforms.slack.render.app_home import home_view
from bot.platforms.teams.render import reply_activity
from bot.rendering.readiness_text import readiness_text, render_readiness_markdown
from tests.unit.digest.builders import fig, view


def move(day: int, before: Phase, after: Phase, reason: str) -> PhaseChange:
    return PhaseChange(7, 1, datetime(2027, 1, day, 9, tzinfo=UTC), before, after, reason)


HISTORY = [
    move(4, Phase.AWARENESS, Phase.INTEREST, "urgency <met> & curiosity"),
    move(25, Phase.INTEREST, Phase.AWARENESS, "no picture yet"),
    move(28, Phase.AWARENESS, Phase.INTEREST, ""),
]


def interest(picture: float, weeks: int = 3) -> DigestView:
    return view(Phase.INTEREST, {Signal.FUTURE_PICTURE: fig(picture)}, weeks_in_phase=weeks)


def card_of(latest: DigestView | None, weeks: int, phase: Phase = Phase.INTEREST) -> ReadinessCard:
    return readiness_card(7, "Plant <Noord>", "C1", phase, weeks, latest, HISTORY)


def test_hobbyism_is_watched_then_named_unless_a_picture_of_the_future_is_there() -> None:
    assert card_of(interest(2.5), HOBBYISM_WEEKS - 3).hobbyism is Hobbyism.NONE
    assert card_of(interest(2.5), HOBBYISM_WEEKS - 2).hobbyism is Hobbyism.WATCH
    assert card_of(interest(2.5), HOBBYISM_WEEKS).hobbyism is Hobbyism.RISK
    assert card_of(None, HOBBYISM_WEEKS).hobbyism is Hobbyism.RISK
    assert card_of(interest(4.0), HOBBYISM_WEEKS).hobbyism is Hobbyism.NONE
    assert card_of(interest(2.5), 9, Phase.DESIRE).hobbyism is Hobbyism.NONE


def test_the_scorecard_is_the_stored_digests_and_only_of_the_phase_it_scored() -> None:
    card = card_of(interest(4.0), 2)
    assert card.scorecard is not None and card.digest_week == "2026-W49"
    # A digest from before the last move scored another phase: not this one's readiness.
    assert card_of(interest(4.0), 2, Phase.DESIRE).scorecard is None
    # The last moves, newest first, their reasons escaped.
    assert [m.day.day for m in card.moves] == [28, 25, 4]
    assert card.moves[2].reason == "urgency &lt;met&gt; &amp; curiosity"
    assert card.journey_name == "Plant &lt;Noord&gt;"
    assert card.can_go_next and card.can_go_back
    action = card_of(None, 1, Phase.ACTION)
    assert not action.can_go_next and action.can_go_back


WORDS = {
    Language.EN: (
        "Ready to move? Plant &lt;Noord&gt; is in week 7 of the interest phase.",
        "How the digest of 2026-W49 scored the exit signals:",
        "Risk of hobbyism: 6 weeks in interest",
        "from interest to awareness, because: no picture yet",
        "from awareness to interest (no reason given)",
        "`/pioneer phase back ‹reason›`",
    ),
    Language.NL: (
        "Klaar voor de volgende stap? Plant &lt;Noord&gt; zit in week 7 van de fase interest.",
        "Zo scoorde het weekoverzicht van 2026-W49 de uitgangssignalen:",
        "Risico op hobbyisme: 6 weken in interest",
        "van interest naar awareness, omdat: no picture yet",
        "van awareness naar interest (geen reden gegeven)",
        "`/pioneer phase back ‹reden›`",
    ),
}


@pytest.mark.parametrize("lang", list(Language))
def test_the_card_in_both_languages_on_every_face(lang: Language) -> None:
    card = card_of(interest(2.5), HOBBYISM_WEEKS)
    journey = HomeJourney(7, "Plant <Noord>", "C1", "", "", HOBBYISM_WEEKS, True, (), card)
    slack = json.dumps(home_view(Home(lang, (journey,))), ensure_ascii=False)
    activity = reply_activity(Reply(readiness_text(card, lang), lang, readiness=card))
    (attachment,) = activity.attachments or []
    faces = {
        "slack": slack,
        "teams": json.dumps(attachment.content, ensure_ascii=False),
        "markdown": render_readiness_markdown(card, lang),
        "console": readiness_text(card, lang),
    }
    for face, text in faces.items():
        for words in WORDS[lang][:5]:
            assert words in text, (face, words)
    # The commands are written out where there is no button to press.
    assert WORDS[lang][5] in faces["markdown"] and WORDS[lang][5] in faces["console"]
    assert "pioneer.home.phase_next" in slack and "pioneer.home.phase_back" in slack
    assert '"Input.Text"' in faces["teams"]
