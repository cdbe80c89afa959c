"""A perspective goes quiet only when the people asked about it stop answering."""

from __future__ import annotations

from bot.domain.digest.nudges import fire
from bot.domain.model import PERSPECTIVES, Language, Perspective, Phase, Signal
from bot.rendering.markdown import nudge_text, render_markdown
from tests.unit.digest.builders import CALM, answers, digest, rules_of, view

TECH = Perspective.TECHNOLOGY
Counts = dict[Perspective, list[int | None]]


def steady(n: int | None = 10) -> Counts:
    return {p: [n] * 8 for p in PERSPECTIVES}


def test_a_perspective_nobody_was_asked_about_is_never_quiet() -> None:
    """Issue 12: six of eight "going quiet" nudges came in weeks nobody was asked."""
    answered, asked = steady(), steady(12)
    answered[TECH][-1], asked[TECH][-1] = None, 0  # not asked this week
    assert "rebalance_quiet" not in rules_of(view(Phase.DESIRE, trend=answered, asked=asked))
    # ... nor when this week's asked count is unknown (a digest cannot tell, so it is silent).
    asked[TECH][-1] = None
    assert "rebalance_quiet" not in rules_of(view(Phase.DESIRE, trend=answered, asked=asked))


def test_asked_of_fewer_than_k_is_the_plans_doing() -> None:
    answered, asked = steady(), steady(12)
    answered[TECH][-1], asked[TECH][-1] = None, 4
    assert "rebalance_quiet" not in rules_of(view(Phase.DESIRE, trend=answered, asked=asked))
    # A withheld count from 9 asked may still be 4 of 9: no alarm below 2k asked.
    asked[TECH][-1] = 9
    assert "rebalance_quiet" not in rules_of(view(Phase.DESIRE, trend=answered, asked=asked))


def test_fewer_asked_but_the_same_share_answering_is_not_quiet() -> None:
    answered, asked = steady(), steady(12)
    answered[TECH][-1], asked[TECH][-1] = 5, 6  # fewer answers, but 5 of the 6 asked
    assert "rebalance_quiet" not in rules_of(view(Phase.DESIRE, trend=answered, asked=asked))


def test_most_of_those_asked_stay_silent_is_quiet_and_says_what_it_compares() -> None:
    answered, asked = steady(), steady(12)
    answered[TECH][-1], asked[TECH][-1] = None, 16
    (quiet,) = [n for n in fire(view(Phase.DESIRE, trend=answered, asked=asked), CALM)]
    assert quiet.rule == "rebalance_quiet" and quiet.key == "nudge.rebalance_quiet.few"
    english = nudge_text(quiet, Language.EN)
    assert english.startswith(
        "The technology side is going quiet: fewer than 5 of the 16 people asked about "
        "it answered this week, against 83% of those asked on average in 4 earlier weeks "
        "(2026-W45 to 2026-W48)."
    )
    assert "about 20 a week before" not in english
    dutch = nudge_text(quiet, Language.NL)
    assert dutch.startswith(
        "Over de technologische kant wordt het stil: deze week antwoordden minder dan 5 van de "
        "16 mensen die erover gevraagd zijn, tegen gemiddeld 83% in 4 eerdere weken "
        "(2026-W45 t/m 2026-W48)."
    )


def test_the_digest_carries_who_was_asked_per_perspective_this_week() -> None:
    values = answers(range(1, 11), 4, "heard.1", Signal.HEARD, Perspective.HUMAN)
    asked = {("2026-W49", p): n for p, n in zip(PERSPECTIVES, (0, 12, 0), strict=True)}
    shown = digest(values, asked_by_perspective=asked)
    assert [shown.asked(p) for p in PERSPECTIVES] == [0, 12, 0]
    english = render_markdown(shown, Language.EN)
    assert "- **technology**: not asked this week" in english
    assert "- **human**: 4.0 out of 5 (10 people)" in english
    assert "- **technologie**: deze week niet gevraagd" in render_markdown(shown, Language.NL)
    # Unknown (no deliveries counted) is not "not asked": it says nothing it cannot know.
    assert "not asked this week" not in render_markdown(digest(values), Language.EN)
