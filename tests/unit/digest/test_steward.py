"""The learning professional's week: the human side of the digest, on every platform, with
the digest's own anonymity (a role group at k-1 never shows, one at k does)."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest

from bot.domain.anonymity import AnonymityRule
from bot.domain.digest.published import WeekFigures, detailed_week, without_next_step
from bot.domain.digest.steward import Timing, steward_view
from bot.domain.digest.view import DigestView, Headcount, HumanSide, ThemeView
from bot.domain.model import Language, Member, Perspective, Phase, Role, Signal, Text
from bot.platforms.console.chat import ConsoleChat
from bot.platforms.slack.render.digest import digest_blocks
from bot.platforms.teams.digest_card import digest_card
from bot.rendering.markdown import render_markdown
from bot.rendering.steward_text import render_steward_markdown, sections
from tests.unit.digest.builders import WEEK, answers, digest

K = 5


def heard(followers: int, frontrunners: int, phase: Phase = Phase.DESIRE) -> DigestView:
    """Followers and frontrunners answering `heard` (3 and 4) and `my_role` (2 and 4)."""
    f, r = range(1, followers + 1), range(100, 100 + frontrunners)
    values = [
        *answers(f, 3, "de.human.heard.1", Signal.HEARD, Perspective.HUMAN),
        *answers(
            r, 4, "de.human.heard.1", Signal.HEARD, Perspective.HUMAN, roles=(Role.FRONTRUNNER,)
        ),
        *answers(f, 2, "de.human.my_role.1", Signal.MY_ROLE, Perspective.HUMAN),
        *answers(
            r, 4, "de.human.my_role.1", Signal.MY_ROLE, Perspective.HUMAN, roles=(Role.FRONTRUNNER,)
        ),
    ]
    return digest(values, phase=phase, k=K)


def rendered(view: DigestView, lang: Language) -> dict[str, str]:
    """The view for a learning professional on every platform, as text."""
    mine = replace(view, for_steward=True, language=lang)
    console = io.StringIO()
    ConsoleChat(out=console).send_digest(Member(1, 1, "U1"), mine, b"")
    return {
        "markdown": render_markdown(mine, lang),
        "slack": json.dumps(digest_blocks(mine, lang), ensure_ascii=False),
        "teams": json.dumps(digest_card(mine), ensure_ascii=False),
        "console": console.getvalue(),
    }


GROUP = {
    Language.EN: "followers 3.0 out of 5 (5 people)",
    Language.NL: "volgers 3,0 uit 5 (5 mensen)",
}
TITLE = {Language.EN: "For the learning professional", Language.NL: "Voor de leerprofessional"}


@pytest.mark.parametrize("lang", list(Language))
def test_a_group_at_k_is_shown_on_every_platform(lang: Language) -> None:
    for platform, text in rendered(heard(K, K), lang).items():
        assert TITLE[lang] in text, platform
        assert GROUP[lang] in text, platform


@pytest.mark.parametrize("lang", list(Language))
def test_a_group_at_k_minus_one_is_never_shown(lang: Language) -> None:
    view = heard(K - 1, K)
    signals = sections(view, lang)[0].lines
    # Followers at k-1: they, and frontrunners next to them, would give the four away.
    assert not any(r.figure.shown for r in view.signal(Signal.HEARD).roles)
    assert "(9 " in signals[0] and "(4 " not in signals[0]
    for platform, text in rendered(view, lang).items():
        assert TITLE[lang] in text, platform
        assert "(4 " not in text and GROUP[lang] not in text, platform


def test_counts_below_k_are_said_as_fewer_than_k_and_themes_need_k_writers() -> None:
    label = Text(nl="baanzekerheid", en="job security")
    view = replace(
        heard(K, K),
        human=HumanSide(Headcount.of(K - 1, K), Headcount.of(K, K)),
        themes=(
            ThemeView(Perspective.HUMAN, "job_security", label, K),
            ThemeView(Perspective.HUMAN, "manual_work", Text(nl="vakmanschap", en="craft"), None),
            ThemeView(Perspective.BUSINESS, "money", Text(nl="geld", en="money"), 7),
        ),
    )
    text = render_steward_markdown(view, Language.EN)
    assert "Fewer than 5 people wrote down a concern this week." in text
    assert "5 people do not yet know what the change means for their own job" in text
    assert "Recurring themes: job security (5 people)." in text
    assert "craft" not in text and "money" not in text
    nl = render_steward_markdown(view, Language.NL)
    assert "Minder dan 5 mensen schreven deze week een zorg op." in nl
    assert "baanzekerheid (5 mensen)" in nl
    unknown = render_steward_markdown(replace(view, human=None), Language.EN)
    assert "is not known for this week" in unknown
    # The checklist of the method, in both languages.
    assert "person to go to about learning" in text and "Standing still" in text
    assert "andere regels dan het gewone werk" in nl


def test_training_timing_follows_the_phase() -> None:
    assert steward_view(heard(K, K, Phase.INTEREST)).timing is Timing.EARLY
    assert steward_view(heard(K, K, Phase.DESIRE)).timing is Timing.PREPARE
    assert steward_view(heard(K, K, Phase.ACTION)).timing is Timing.UNMEASURED
    low = answers(range(1, 6), 2, "ac.human.learning.1", Signal.LEARNING, Perspective.HUMAN)
    assert steward_view(digest(low, phase=Phase.ACTION, k=K)).timing is Timing.BEHIND
    text = render_steward_markdown(digest(low, phase=Phase.ACTION, k=K), Language.NL)
    assert "De opleiding loopt achter op de fase" in text and "2,0 uit 5" in text


def test_who_has_no_next_step_is_a_count_of_at_least_k_fixed_with_the_week() -> None:
    rule = AnonymityRule(K)
    unclear = answers(range(1, 6), 2, "de.human.my_role.1", Signal.MY_ROLE, Perspective.HUMAN)
    clear = answers(range(6, 9), 4, "de.human.my_role.1", Signal.MY_ROLE, Perspective.HUMAN)
    assert without_next_step(rule, unclear + clear) == 5
    assert without_next_step(rule, unclear[:4]) is None  # fewer than k answered
    week = detailed_week(rule, WEEK, unclear + clear)
    stored = WeekFigures.from_dict(WEEK, json.loads(json.dumps(week.to_dict())))
    assert stored.no_next_step == 5
    assert Headcount.of(4, K) == Headcount(None, K) and Headcount.of(None, K) == Headcount()
