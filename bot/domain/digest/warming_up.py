"""The nudge rules of warming up (desire and action): involve the followers.

docs/method.md, "Warming up": the board says plainly why the change cannot be avoided,
paints the picture of the future together with the staff and listens to them; while the
organisation warms up, the human perspective needs a steward of its own, and in action the
first real experiments start and people learn to work in the new way. The table of all
rules is `RULES` in `bot/domain/digest/nudges.py`.
"""

from __future__ import annotations

from bot.domain.digest.rulebook import (
    ACTION_ONLY,
    LOW,
    WARMING_UP,
    Fired,
    NudgeContext,
    NudgeRule,
    cites,
    lag,
    lag_args,
    low_for,
    nudge,
)
from bot.domain.digest.view import DigestView, NudgeArg
from bot.domain.model import Perspective, Role, Signal


@nudge("participation.follower", WARMING_UP, threshold=0.5, priority=88, group="followers")
@cites("Warming up", "paint the picture of the future together")
def involve_followers_participation(
    rule: NudgeRule, view: DigestView, ctx: NudgeContext
) -> Fired | None:
    item = view.participation_of(Role.FOLLOWER)
    if item is None or item.rate is None or item.rate >= rule.threshold:
        return None
    assert item.answered is not None and item.asked is not None  # a rate needs both
    return Fired(
        None,
        {
            "percent": NudgeArg.count(round(item.rate * 100)),
            "answered": NudgeArg.count(item.answered),
            "asked": NudgeArg.count(item.asked),
        },
    )


@nudge(Signal.WHY_UNAVOIDABLE, WARMING_UP, threshold=LOW, priority=87, group="why")
@cites("Warming up", "The board says plainly that the change cannot be avoided")
def explain_why(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """Followers do not see why the change is unavoidable (their own figure when shown:
    everyone's mixes in the directors' "did I explain it")."""
    return low_for(rule, view, Signal.WHY_UNAVOIDABLE, Role.FOLLOWER)


@nudge(Signal.HEARD, WARMING_UP, threshold=LOW, priority=86, group="followers")
@cites("Warming up", "listening to their ideas, their worries and what they wish for")
def involve_followers_heard(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    return low_for(rule, view, Signal.HEARD, Role.FOLLOWER)


@nudge(Signal.MY_ROLE, WARMING_UP, threshold=LOW, priority=85, group="my_role")
@cites("What it means for the bot", "who know what the change means for their own work")
def clarify_my_role(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """Followers do not know what the change means for their own job (company B's manual
    workers, until a place was made for them in a repair team)."""
    return low_for(rule, view, Signal.MY_ROLE, Role.FOLLOWER)


@nudge(Signal.CONCERNS, WARMING_UP, threshold=1.5, priority=84, group="followers")
@cites("Warming up", "not everyone experiences change as a chance to learn")
def involve_followers_concerns(
    rule: NudgeRule, view: DigestView, ctx: NudgeContext
) -> Fired | None:
    now, before = ctx.concerns_now, ctx.concerns_before
    if now < view.k or now <= before or now < before * rule.threshold:
        return None
    if before >= view.k:
        return Fired("more", {"now": NudgeArg.count(now), "before": NudgeArg.count(before)})
    return Fired("new", {"now": NudgeArg.count(now), "k": NudgeArg.count(view.k)})


@nudge(Signal.LEARNING, ACTION_ONLY, threshold=LOW, priority=83, group="learning")
@cites(
    "The learning professional",
    "keeps watch over how staff learn to work with the new technology",
)
def support_learning(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    return low_for(rule, view, Signal.LEARNING, Role.FOLLOWER)


@nudge(Signal.EXPERIMENTS, ACTION_ONLY, threshold=LOW, priority=82, group="experiments")
@cites("Four phases", "the first serious technical experiments took place in action")
def start_experiments(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """Everyone's view: experiments are the whole organisation's business."""
    return low_for(rule, view, Signal.EXPERIMENTS)


@nudge("members.learning", WARMING_UP, threshold=0, priority=76, group="steward")
@cites("The learning professional", "a steward of the human perspective whom everyone recognises")
def steward_missing(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    return None if ctx.has_learning_professional else Fired(None, {})


@nudge("perspective.human", WARMING_UP, threshold=0.5, priority=74, group="steward")
@cites("The learning professional", "above all while the organisation warms up")
def steward_human_lags(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """While warming up the pulses ask mostly about people, so the other two perspectives
    are often not shown: compare with whichever is, and with none, the human side's own
    level (low) is the sign."""
    found = lag(view, Perspective.HUMAN, partial=True)
    if found is not None:
        if found[1] - found[0] < rule.threshold:
            return None
        return Fired(None, lag_args(*found))
    human = view.perspective(Perspective.HUMAN).all
    if human.mean is None or human.mean >= LOW:
        return None
    return Fired("low", {"mean": NudgeArg.number(human.mean)})
