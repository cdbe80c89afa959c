"""Advice open for weeks folds into "still open since" and escalates to a next step."""

from __future__ import annotations

import re

from bot.domain.digest.nudges import FOLD_AFTER, RULES, fire, fold, select
from bot.domain.digest.view import NudgeView
from bot.domain.model import Language, Phase
from bot.rendering.markdown import nudge_text
from prompts.messages import catalog
from tests.unit.digest.builders import CALM, view

LAST, BEFORE, EARLIER = "2026-W48", "2026-W47", "2026-W46"


def alone() -> tuple[NudgeView, ...]:
    """No contact outside the company: the nudge issue 12 saw eight weeks running."""
    return select(fire(view(Phase.AWARENESS, touchpoints=0), CALM))


def test_two_identical_weeks_before_fold_this_one_into_a_next_step() -> None:
    (now,) = alone()
    assert FOLD_AFTER == 2
    (folded,) = fold((now,), [(LAST, (now,)), (BEFORE, (now,))])
    assert folded.rule == "look_outside" and folded.open_since == BEFORE
    assert folded.key == "nudge.look_outside.next" and folded.args == now.args
    english = nudge_text(folded, Language.EN)
    assert english.startswith("Open since 2026-W47. Still no contact outside the company")
    step = "Next step: the facilitator books one visit outside the company within two weeks"
    assert step in english
    assert english != nudge_text(now, Language.EN)
    dutch = nudge_text(folded, Language.NL)
    assert dutch.startswith("Staat open sinds 2026-W47. Nog steeds geen contact")
    assert "Volgende stap: de facilitator plant binnen twee weken" in dutch


def test_once_before_is_not_yet_a_repeat() -> None:
    (now,) = alone()
    assert fold((now,), [(LAST, (now,)), (BEFORE, ())]) == (now,)
    assert fold((now,), [(LAST, (now,))]) == (now,)  # the week before has no digest
    assert fold((now,), [(LAST, ()), (BEFORE, (now,))]) == (now,)  # a week without it
    assert fold((now,), []) == (now,)


def test_open_since_keeps_the_week_it_first_came() -> None:
    (now,) = alone()
    (third,) = fold((now,), [(LAST, (now,)), (BEFORE, (now,))])
    assert third.open_since == BEFORE
    # A week later, last week's folded nudge carries its start along.
    (fourth,) = fold((now,), [("2026-W49", (third,)), (LAST, (now,))])
    assert fourth.open_since == BEFORE
    # Other advice shown alongside does not fold with it.
    other = NudgeView("steward_missing", "members.learning", 76, "m", "nudge.steward_missing")
    assert fold((other,), [(LAST, (now,)), (BEFORE, (now,))]) == (other,)


def test_advice_stored_by_an_older_version_counts_as_shown() -> None:
    (now,) = alone()
    legacy = NudgeView("look_outside", "touchpoints", 50, "m")  # no key: words were stored
    (folded,) = fold((now,), [(LAST, (legacy,)), (BEFORE, (legacy,))])
    assert folded.open_since == BEFORE and folded.key == "nudge.look_outside.next"


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_rule_has_a_next_step_it_can_always_fill_in() -> None:
    messages = catalog()
    for rule in RULES:
        key = f"nudge.{rule.key}"
        variants = [k for k in messages if k == key or k.startswith(f"{key}.")]
        variants.remove(f"{key}.next")
        assert variants, rule.key
        for language in ("nl", "en"):
            step = messages[f"{key}.next"][language]
            assert "Next step" in step or "Volgende stap" in step, (rule.key, language)
            for variant in variants:
                # Whichever variant fired, the next step is filled in from its arguments.
                assert _placeholders(step) <= _placeholders(messages[variant][language])
                assert step != messages[variant][language]
