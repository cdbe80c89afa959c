"""The rules issue 12 added: each fires on its own signal, in its own phases, and not otherwise."""

from __future__ import annotations

import pytest

from bot.domain.digest.nudges import fire, select
from bot.domain.digest.view import WITHHELD_FIGURE, DigestView, FigureView, NudgeView
from bot.domain.model import Language, Phase, Role, Signal
from bot.rendering.markdown import nudge_text
from tests.unit.digest.builders import CALM, fig, rules_of, view

ROOM = Signal.ROOM_TO_EXPLORE
WARMING = (Phase.DESIRE, Phase.ACTION)


def assert_reads(nudge: NudgeView, english: str, dutch: str) -> None:
    """The nudge's text begins with `english` in English and with `dutch` in Dutch."""
    for language, start in ((Language.EN, english), (Language.NL, dutch)):
        text = nudge_text(nudge, language)
        assert text.startswith(start), text


def room(
    directors: FigureView, frontrunners: FigureView, phase: Phase = Phase.INTEREST
) -> DigestView:
    roles = {ROOM: {Role.DIRECTOR: directors, Role.FRONTRUNNER: frontrunners}}
    return view(phase, {ROOM: fig(3.1, 12)}, roles=roles)


def test_directors_gave_room_frontrunners_got_little() -> None:
    gap = fire(room(fig(4.2, 5), fig(2.4, 7)), CALM)
    assert [n.rule for n in gap][:2] == ["room_gap", "protect_frontrunners"]
    assert gap[0].params == {"given": 4.2, "directors": 5, "got": 2.4, "frontrunners": 7}
    # One piece of advice about the frontrunners: the gap, the more telling one.
    assert [n.rule for n in select(gap)] == ["room_gap"]
    assert_reads(
        gap[0],
        "Directors say they give room to explore (4.2 out of 5, 5 people), but frontrunners "
        "notice little of it (2.4 out of 5, 7 people).",
        "De directeuren zeggen ruimte om te verkennen te geven (4,2 uit 5, 5 mensen), maar de "
        "koplopers merken er weinig van (2,4 uit 5, 7 mensen).",
    )


def test_no_gap_nudge_unless_both_figures_may_be_shown() -> None:
    # A board of three is never shown on its own: nothing to compare, nothing said.
    assert "room_gap" not in rules_of(room(WITHHELD_FIGURE, fig(2.4, 7)))
    assert "room_gap" not in rules_of(room(fig(4.2, 5), WITHHELD_FIGURE))
    assert "room_gap" not in rules_of(room(fig(3.3, 5), fig(2.4, 7)))  # less than a point apart
    assert "room_gap" not in rules_of(room(fig(4.5, 5), fig(3.2, 7)))  # frontrunners got room
    assert "room_gap" not in rules_of(room(fig(4.2, 5), fig(2.4, 7), Phase.DESIRE))


@pytest.mark.parametrize(
    ("rule", "signal", "phases", "english", "dutch"),
    [
        (
            "explain_why",
            Signal.WHY_UNAVOIDABLE,
            WARMING,
            "Among followers it is not clear yet why the change is unavoidable: 2.4 out of 5",
            "Bij volgers is nog niet duidelijk waarom de verandering onvermijdelijk is: 2,4 uit 5",
        ),
        (
            "clarify_my_role",
            Signal.MY_ROLE,
            WARMING,
            "Among followers it is not clear yet what the change means for their own job",
            "Bij volgers is nog niet helder wat de verandering voor hun eigen werk betekent",
        ),
        (
            "support_learning",
            Signal.LEARNING,
            (Phase.ACTION,),
            "Learning and support for the new work scores 2.4 out of 5 among followers",
            "Leren en ondersteuning voor het nieuwe werk scoort 2,4 uit 5 bij volgers",
        ),
    ],
)
def test_a_low_follower_signal_fires_in_its_phases_only(
    rule: str, signal: Signal, phases: tuple[Phase, ...], english: str, dutch: str
) -> None:
    followers = {signal: {Role.FOLLOWER: fig(2.4, 12)}}
    for phase in Phase:
        fired = fire(view(phase, {signal: fig(2.9, 20)}, roles=followers), CALM)
        mine = [n for n in fired if n.rule == rule]
        assert bool(mine) is (phase in phases), phase
    (nudge,) = [n for n in fire(view(phases[0], {signal: fig(2.9, 20)}, roles=followers), CALM)]
    # The followers' own figure when it may be shown ...
    assert nudge.params == {"who": "follower", "mean": 2.4, "people": 12}
    assert_reads(nudge, english, dutch)
    # ... else everyone's; and nothing at or above the threshold.
    (everyone,) = fire(view(phases[0], {signal: fig(2.9, 20)}), CALM)
    assert everyone.params == {"who": "everyone", "mean": 2.9, "people": 20}
    enough = {signal: {Role.FOLLOWER: fig(3.0, 12)}}
    assert rule not in rules_of(view(phases[0], {signal: fig(2.5, 20)}, roles=enough))
    assert rule not in rules_of(view(phases[0], {signal: fig(3.0, 20)}))


def test_a_company_b_follower_group_with_a_low_my_role() -> None:
    """Manual workers who cannot see their place: everyone's figure hides them, theirs shows."""
    low = {Signal.MY_ROLE: {Role.FOLLOWER: fig(2.3, 10)}}
    fired = fire(view(Phase.DESIRE, {Signal.MY_ROLE: fig(3.3, 16)}, roles=low), CALM)
    assert [n.rule for n in fired] == ["clarify_my_role"]
    assert "repair team" in nudge_text(fired[0], Language.EN)
    assert "reparatieteam" in nudge_text(fired[0], Language.NL)


def test_no_experiments_in_action() -> None:
    stuck = fire(view(Phase.ACTION, {Signal.EXPERIMENTS: fig(2.2, 25)}), CALM)
    assert [n.rule for n in stuck] == ["start_experiments"]
    assert stuck[0].params == {"who": "everyone", "mean": 2.2, "people": 25}
    assert_reads(
        stuck[0],
        "First experiments score 2.2 out of 5 (25 people): trials with the new way of working "
        "have hardly started.",
        "Eerste experimenten scoren 2,2 uit 5 (25 mensen): proeven met de nieuwe manier van "
        "werken komen nauwelijks op gang.",
    )
    assert rules_of(view(Phase.ACTION, {Signal.EXPERIMENTS: fig(3.4, 25)})) == []
    assert rules_of(view(Phase.DESIRE, {Signal.EXPERIMENTS: fig(2.2, 25)})) == []


def test_hobbyism_long_in_interest_without_a_picture() -> None:
    for weeks, fires in ((5, False), (6, True), (11, True)):
        unmeasured = view(Phase.INTEREST, {}, weeks_in_phase=weeks)
        assert ("focus_future_picture" in rules_of(unmeasured)) is fires, weeks
    (hobby,) = fire(view(Phase.INTEREST, {Signal.FUTURE_PICTURE: fig(2.6)}, weeks_in_phase=7), CALM)
    assert "in the interest phase for 7 weeks" in nudge_text(hobby, Language.EN)
    assert "al 7 weken in de fase interest" in nudge_text(hobby, Language.NL)
    assert rules_of(view(Phase.DESIRE, {}, weeks_in_phase=9)) == []
