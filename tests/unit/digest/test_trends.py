"""Trends compare like with like: the same signal on the same items, or no arrow at all."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.model import Language, Perspective, Role, Signal
from bot.rendering.markdown import figure_line, render_markdown, signal_name
from tests.unit.digest.builders import answers, digest

HUMAN, TECH, BIZ = Perspective.HUMAN, Perspective.TECHNOLOGY, Perspective.BUSINESS
FOLLOWERS = range(1, 11)


def test_the_same_item_both_weeks_gets_an_arrow() -> None:
    values = [
        *answers(FOLLOWERS, 2, "heard.1", Signal.HEARD, HUMAN, week="2026-W48"),
        *answers(FOLLOWERS, 4, "heard.1", Signal.HEARD, HUMAN),
    ]
    heard = digest(values).signal(Signal.HEARD)
    assert heard.all.vs_last_week == 2.0 and heard.all.trend == "up"
    assert heard.role(Role.FOLLOWER).vs_last_week == 2.0
    # The perspective asked the same single item too: like with like.
    assert digest(values).perspective(HUMAN).all.vs_last_week == 2.0
    assert "↑ +2.0 vs last week" in figure_line(heard.all, Language.EN)


def test_the_same_signal_on_another_item_gets_no_arrow() -> None:
    values = [
        *answers(FOLLOWERS, 2, "heard.1", Signal.HEARD, HUMAN, week="2026-W48"),
        *answers(FOLLOWERS, 4, "heard.2", Signal.HEARD, HUMAN),
    ]
    view = digest(values)
    heard = view.signal(Signal.HEARD)
    assert heard.all.mean == 4.0 and heard.all.vs_last_week is None and heard.all.trend == ""
    assert heard.role(Role.FOLLOWER).vs_last_week is None
    line = figure_line(heard.all, Language.EN)
    assert "↑" not in line and "vs last week" not in line


def test_a_perspective_over_other_signals_gets_no_arrow() -> None:
    """The complaint of issue 12: last week's urgency item against this week's balance."""
    values = [
        *answers(FOLLOWERS, 4, "urgency.1", Signal.URGENCY, TECH, week="2026-W48"),
        *answers(FOLLOWERS, 3, "balance.1", Signal.BALANCE, TECH),
    ]
    technology = digest(values).perspective(TECH)
    assert technology.all.mean == 3.0 and technology.all.vs_last_week is None


def test_since_the_phase_began_compares_the_same_items_too() -> None:
    values = [
        *answers(FOLLOWERS, 2, "heard.1", Signal.HEARD, HUMAN, week="2026-W46"),
        *answers(FOLLOWERS, 3, "heard.2", Signal.HEARD, HUMAN, week="2026-W48"),
        *answers(FOLLOWERS, 4, "heard.1", Signal.HEARD, HUMAN),
    ]
    heard = digest(values, phase_start_week="2026-W46").signal(Signal.HEARD)
    assert heard.all.vs_last_week is None  # last week: another item
    assert heard.all.vs_phase_start == 2.0  # the phase's first week: the same item


def test_balance_is_shown_per_perspective_and_says_which() -> None:
    values = [
        *answers(FOLLOWERS, 3, "tech.balance", Signal.BALANCE, TECH),
        *answers(range(11, 21), 5, "biz.balance", Signal.BALANCE, BIZ),
    ]
    view = digest(values)
    keys = [g.key for g in view.signals]
    assert keys == ["balance.technology", "balance.business"]
    assert [g.all.mean for g in view.signals] == [3.0, 5.0]
    assert signal_name("balance.technology", Language.EN) == "attention for the technology side"
    assert signal_name("balance.business", Language.NL) == "aandacht voor de zakelijke kant"
    english = render_markdown(view, Language.EN)
    assert "**attention for the technology side**: 3.0 out of 5 (10 people)" in english
    assert "attention for this perspective" not in english


def test_the_trend_starts_in_the_journeys_first_week() -> None:
    # Started on Wednesday of 2026-W48: the digest of W49 has two trend weeks, not eight.
    started = datetime(2026, 11, 25, 9, tzinfo=UTC)
    values = answers(FOLLOWERS, 4, "heard.1", Signal.HEARD, HUMAN)
    view = digest(values, started_at=started, phase_start_week="2026-W48")
    assert view.trend_weeks == ("2026-W48", "2026-W49")
    assert {p.iso_week for p in view.trend} == {"2026-W48", "2026-W49"}
    english = render_markdown(view, Language.EN)
    assert "2026-W47" not in english and "| 2026-W48 |" in english
    # A journey older than the trend shows its last eight weeks.
    assert len(digest(values).trend_weeks) == 8
