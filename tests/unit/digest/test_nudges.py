"""The nudge table: complete, traceable to docs/method.md, and each rule's threshold holds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain.digest.nudges import MAX_NUDGES, RULES, NudgeContext, NudgeRule, fire, select
from bot.domain.digest.view import ParticipationView, ScoreStatus
from bot.domain.model import PERSPECTIVES, Language, Perspective, Phase, Role, Signal
from bot.rendering.markdown import nudge_text
from prompts.messages import catalog
from tests.unit.digest.builders import CALM, fig, rules_of, view

METHOD = Path(__file__).resolve().parents[3] / "docs" / "method.md"
CITES = "docs/method.md, "


def sections(page: str) -> dict[str, str]:
    """Each heading of a Markdown page with the text under it, white space folded."""
    found: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in page.splitlines():
        heading = re.match(r"#{1,6} (.+)$", line)
        if heading:
            assert heading.group(1) not in found, heading.group(1)
            lines = found[heading.group(1)] = []
        else:
            lines.append(line)
    return {heading: " ".join(" ".join(body).split()) for heading, body in found.items()}


def untraced(rules: Sequence[NudgeRule], page: str) -> list[str]:
    """Rules whose `docs/method.md, <section heading>: <passage>` is not on the page."""
    text = sections(page)
    missing = []
    for rule in rules:
        heading, _, passage = rule.method.removeprefix(CITES).partition(": ")
        if not rule.method.startswith(CITES) or not passage or passage not in text.get(heading, ""):
            missing.append(rule.key)
    return missing


def test_every_rule_has_texts_in_both_languages_and_traces_to_the_method() -> None:
    messages = catalog()
    # The method is part of the repository: a missing page or passage fails, never skips.
    assert untraced(RULES, METHOD.read_text(encoding="utf-8")) == []
    for rule in RULES:
        keys = [
            k for k in messages if k == f"nudge.{rule.key}" or k.startswith(f"nudge.{rule.key}.")
        ]
        assert keys, rule.key
        assert rule.phases and rule.priority > 0
    assert len({r.key for r in RULES}) == len(RULES)
    # Placeholders name only what the rule fills in.
    for key, entry in messages.items():
        if key.startswith("nudge."):
            assert set(re.findall(r"{(\w+)}", entry["nl"])) == set(
                re.findall(r"{(\w+)}", entry["en"])
            ), key


def test_a_citation_that_is_not_on_the_page_is_caught() -> None:
    page = "# Method\n## Two stages\nWe keep the daily rush\naway from them.\n## Next\nMore."
    cited = replace(RULES[0], method=CITES + "Two stages: keep the daily rush away from them")
    assert untraced([cited], page) == []
    for method in (
        CITES + "Two stages: room to explore",  # a passage the section does not hold
        CITES + "Two stages: More.",  # a passage of another section
        CITES + "Three stages: keep the daily rush away from them",  # no such heading
        "notes.md, Two stages: keep the daily rush away from them",  # not the method page
    ):
        assert untraced([replace(cited, method=method)], page) == [cited.key], method


def test_the_issue_rules_are_all_there() -> None:
    keys = {r.key for r in RULES}
    assert {
        "protect_frontrunners",
        "focus_future_picture",
        "involve_followers_participation",
        "involve_followers_heard",
        "involve_followers_concerns",
        "steward_missing",
        "steward_human_lags",
        "rebalance_quiet",
        "rebalance_lags",
        "look_outside",
        "phase_next",
        "phase_back",
        "room_gap",
        "explain_why",
        "clarify_my_role",
        "support_learning",
        "start_experiments",
    } <= keys


def test_room_to_explore_low_or_dropping_only_while_waking_up() -> None:
    low = {Signal.ROOM_TO_EXPLORE: fig(2.9)}
    assert "protect_frontrunners" in rules_of(view(Phase.AWARENESS, low))
    assert "protect_frontrunners" not in rules_of(view(Phase.DESIRE, low))
    assert "protect_frontrunners" not in rules_of(
        view(Phase.INTEREST, {Signal.ROOM_TO_EXPLORE: fig(3.0)})
    )
    dropped = fire(view(Phase.INTEREST, {Signal.ROOM_TO_EXPLORE: fig(3.4, last=4.0)}), CALM)
    assert dropped[0].rule == "protect_frontrunners"
    assert dropped[0].params["drop"] == 0.6
    assert "fell 0.6 points" in nudge_text(dropped[0], Language.EN)
    steady = {Signal.ROOM_TO_EXPLORE: fig(3.6, last=4.0)}
    assert "protect_frontrunners" not in rules_of(view(Phase.INTEREST, steady))


def test_hobbyism_after_six_weeks_in_interest() -> None:
    weak = {Signal.FUTURE_PICTURE: fig(2.8)}
    assert "focus_future_picture" not in rules_of(view(Phase.INTEREST, weak, weeks_in_phase=5))
    fired = fire(view(Phase.INTEREST, weak, weeks_in_phase=6), CALM)
    assert [n.rule for n in fired] == ["focus_future_picture"]
    unmeasured = fire(view(Phase.INTEREST, {}, weeks_in_phase=9), CALM)
    assert unmeasured[0].params == {"weeks": 9}
    strong = {Signal.FUTURE_PICTURE: fig(3.2)}
    assert "focus_future_picture" not in rules_of(view(Phase.INTEREST, strong, weeks_in_phase=9))


def test_followers_participation_and_concerns() -> None:
    half = (ParticipationView(Role.FOLLOWER, 5, 11),)
    fired = fire(view(Phase.ACTION, participation=half), CALM)
    assert fired[0].rule == "involve_followers_participation"
    assert fired[0].params == {"percent": 45, "answered": 5, "asked": 11}
    enough = (ParticipationView(Role.FOLLOWER, 6, 11),)
    assert "involve_followers_participation" not in rules_of(
        view(Phase.ACTION, participation=enough)
    )
    rising = NudgeContext(True, 10, concerns_now=9, concerns_before=6)
    assert fire(view(Phase.DESIRE), rising)[0].params == {"now": 9, "before": 6}
    flat = NudgeContext(True, 10, concerns_now=8, concerns_before=6)
    assert "involve_followers_concerns" not in rules_of(view(Phase.DESIRE), flat)
    few = NudgeContext(True, 10, concerns_now=4, concerns_before=0)
    assert "involve_followers_concerns" not in rules_of(view(Phase.DESIRE), few)


def test_human_lag_asks_for_a_steward_while_warming_up_and_rebalancing_otherwise() -> None:
    lagging = {Perspective.TECHNOLOGY: 3.8, Perspective.HUMAN: 2.9, Perspective.BUSINESS: 3.6}
    warming = fire(view(Phase.DESIRE, perspectives=lagging), CALM)
    assert [n.rule for n in warming] == ["steward_human_lags"]
    assert warming[0].params == {"mean": 2.9, "others": 3.7}
    waking = fire(view(Phase.INTEREST, perspectives=lagging), CALM)
    assert [n.rule for n in waking] == ["rebalance_lags"]
    assert waking[0].params == {"perspective": "human", "mean": 2.9, "others": 3.7}
    close = {Perspective.TECHNOLOGY: 3.6, Perspective.HUMAN: 3.2, Perspective.BUSINESS: 3.5}
    assert rules_of(view(Phase.INTEREST, perspectives=close)) == []


def test_the_steward_nudge_fires_on_partial_data_while_warming_up() -> None:
    # Warming up asks mostly about people: technology is often not shown at all.
    partial = {Perspective.HUMAN: 2.9, Perspective.BUSINESS: 3.6}
    fired = fire(view(Phase.DESIRE, perspectives=partial), CALM)
    assert [n.rule for n in fired] == ["steward_human_lags"]
    assert fired[0].params == {"mean": 2.9, "others": 3.6}
    assert fired[0].key == "nudge.steward_human_lags"
    only_human = fire(view(Phase.ACTION, perspectives={Perspective.HUMAN: 2.6}), CALM)
    assert [(n.rule, n.key) for n in only_human] == [
        ("steward_human_lags", "nudge.steward_human_lags.low")
    ]
    assert "2.6" in nudge_text(only_human[0], Language.EN)
    assert "2,6" in nudge_text(only_human[0], Language.NL)
    # Human alone and fine, or close to the one other shown: nothing.
    assert rules_of(view(Phase.ACTION, perspectives={Perspective.HUMAN: 3.4})) == []
    close = {Perspective.HUMAN: 3.3, Perspective.TECHNOLOGY: 3.6}
    assert rules_of(view(Phase.DESIRE, perspectives=close)) == []
    # Waking up the all-three rule stands: one perspective against one other is no lag.
    assert rules_of(view(Phase.INTEREST, perspectives=partial)) == []


def test_a_quiet_perspective_and_no_ecosystem_contact() -> None:
    quiet = {p: [10] * 8 for p in PERSPECTIVES}
    quiet[Perspective.BUSINESS] = [10, 10, 10, 10, 12, 12, 10, 5]
    asked: dict[Perspective, list[int | None]] = {p: [12] * 8 for p in PERSPECTIVES}
    fired = fire(view(Phase.ACTION, trend=quiet, asked=asked), CALM)
    assert fired[0].rule == "rebalance_quiet"
    # 5 of 12 answered (42%), against 10, 12, 12 and 10 of 12 in the four weeks before.
    assert fired[0].params == {
        "perspective": "business",
        "asked": 12,
        "now": 5,
        "percent": 42,
        "usual": 92,
        "weeks": 4,
        "first": "2026-W45",
        "last": "2026-W48",
    }
    quiet[Perspective.BUSINESS][-1] = 6
    assert "rebalance_quiet" not in rules_of(view(Phase.ACTION, trend=quiet, asked=asked))
    alone = fire(view(Phase.AWARENESS, touchpoints=0), CALM)
    assert [n.rule for n in alone] == ["look_outside"]
    young = NudgeContext(True, journey_weeks=3, concerns_now=0, concerns_before=0)
    assert rules_of(view(Phase.AWARENESS, touchpoints=0), young) == []


def test_exit_signals_suggest_the_next_phase_and_collapse_suggests_going_back() -> None:
    ready = {Signal.URGENCY: fig(3.6), Signal.CURIOSITY: fig(3.9)}
    fired = fire(view(Phase.AWARENESS, ready), CALM)
    assert [n.rule for n in fired] == ["phase_next"]
    assert fired[0].params["signals"] == "urgency=3.6, curiosity=3.9"
    assert fired[0].params["weeks"] == 3
    assert "urgentie 3,6 en nieuwsgierigheid 3,9" in nudge_text(fired[0], Language.NL)
    assert "3 times in a row" in nudge_text(fired[0], Language.EN)
    assert rules_of(view(Phase.AWARENESS, ready, weeks_in_phase=1)) == []
    assert rules_of(view(Phase.AWARENESS, {Signal.URGENCY: fig(3.6)})) == []
    # Met this week, but last week curiosity was not: one week in a row is not enough.
    once = [{Signal.URGENCY: ScoreStatus.MET, Signal.CURIOSITY: ScoreStatus.NOT_MET}]
    assert rules_of(view(Phase.AWARENESS, ready, earlier=once)) == []
    back = fire(view(Phase.DESIRE, {Signal.FUTURE_PICTURE: fig(2.2)}), CALM)
    assert [n.rule for n in back] == ["phase_back"]
    assert back[0].params == {"signal": "future_picture", "mean": 2.2, "previous": "interest"}
    assert "interest phase" in nudge_text(back[0], Language.EN)


def test_at_most_three_one_per_group_highest_priority_first() -> None:
    busy = view(
        Phase.DESIRE,
        {Signal.HEARD: fig(2.0), Signal.FUTURE_PICTURE: fig(2.0)},
        perspectives={
            Perspective.TECHNOLOGY: 3.9,
            Perspective.HUMAN: 2.5,
            Perspective.BUSINESS: 3.9,
        },
        touchpoints=0,
        participation=(ParticipationView(Role.FOLLOWER, 5, 20),),
    )
    ctx = NudgeContext(False, 20, concerns_now=10, concerns_before=0)
    fired = fire(busy, ctx)
    assert len(fired) >= 6
    assert [n.priority for n in fired] == sorted((n.priority for n in fired), reverse=True)
    chosen = select(fired)
    assert len(chosen) == MAX_NUDGES
    assert [n.rule for n in chosen] == [
        "involve_followers_participation",
        "steward_missing",
        "phase_back",
    ]


@pytest.mark.parametrize("phase", list(Phase))
def test_no_rule_fires_on_a_calm_week(phase: Phase) -> None:
    calm = view(phase, {s: fig(3.4) for s in (Signal.HEARD, Signal.FUTURE_PICTURE)})
    assert rules_of(calm) == []
