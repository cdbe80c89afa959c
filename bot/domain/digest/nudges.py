"""The nudge rules: when the digest tells a director to act, and why.

Every rule is a check with its facts beside it (`@nudge`): the signal (or measure) it
reads, the phases it applies to, a threshold, a priority, and a message key
`nudge.<check name>[.<variant>]` in `prompts/messages/digest.yaml` (Dutch and English). A
nudge carries that key and the numbers that triggered it as typed arguments; the edge
puts it into words, so the domain holds no text. `@cites` names the section of
`docs/method.md` and the passage in it the advice comes from, so every nudge can be
traced to the method.

A digest shows at most three nudges, highest priority first, and at most one per `group`
(rules in one group give the same advice for different reasons).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.domain.digest.view import DigestView, FigureView, NudgeArg, NudgeView, TrendPoint
from bot.domain.exit_signals import (
    BACK_LEVEL,
    BACK_SIGNALS,
    EXIT_LEVEL,
    EXIT_MIN_WEEKS,
    EXIT_SIGNALS,
)
from bot.domain.model import PERSPECTIVES, PHASES, Perspective, Phase, Role, Signal

MAX_NUDGES = 3
ALL_PHASES = frozenset(PHASES)
WAKING_UP = frozenset({Phase.AWARENESS, Phase.INTEREST})
WARMING_UP = frozenset({Phase.DESIRE, Phase.ACTION})
INTEREST_ONLY = frozenset({Phase.INTEREST})

# A fall this large in a week is a change, not noise.
DROP = 0.5
# Weeks in interest after which an absent picture of the future looks like hobbyism.
HOBBYISM_WEEKS = 6
# Weeks with a visible count needed before a perspective can be said to have gone quiet.
QUIET_BASELINE_WEEKS = 2
# This week and the four before it: how a perspective's answers compare with usual.
QUIET_WINDOW_WEEKS = 5
LOOK_OUTSIDE_WEEKS = 4

CAN_MOVE_ON = frozenset(EXIT_SIGNALS)
CAN_GO_BACK = frozenset(BACK_SIGNALS)


@dataclass(frozen=True)
class NudgeContext:
    """What a rule reads beyond the view (never shown as such, so not in the view)."""

    has_learning_professional: bool
    journey_weeks: int  # ISO weeks since the journey started, this one included
    concerns_now: int  # people who wrote a concern this week
    concerns_before: int  # and the week before


@dataclass(frozen=True)
class Fired:
    variant: str | None
    args: dict[str, NudgeArg]


Check = Callable[["NudgeRule", DigestView, NudgeContext], Fired | None]


@dataclass(frozen=True)
class NudgeRule:
    key: str
    signal: str
    phases: frozenset[Phase]
    threshold: float
    priority: int
    group: str
    method: str  # `docs/method.md, <section heading>: <passage>`
    check: Check


@dataclass(frozen=True)
class _Cited:
    check: Check
    method: str


_RULES: list[NudgeRule] = []


def cites(section: str, passage: str) -> Callable[[Check], _Cited]:
    """The section of docs/method.md (its heading) and the passage the advice comes from."""
    return lambda check: _Cited(check, f"docs/method.md, {section}: {passage}")


def nudge(
    reads: Signal | str, phases: frozenset[Phase], *, threshold: float, priority: int, group: str
) -> Callable[[_Cited], Check]:
    """Make the cited check below a rule, keyed by its name, in the table `RULES`."""

    def add(cited: _Cited) -> Check:
        check, method = cited.check, cited.method
        rule = NudgeRule(
            check.__name__, str(reads), phases, threshold, priority, group, method, check
        )
        _RULES.append(rule)
        return check

    return add


def _view(rule: NudgeRule, fired: Fired) -> NudgeView:
    return NudgeView(
        rule=rule.key,
        signal=rule.signal,
        priority=rule.priority,
        method=rule.method,
        key=f"nudge.{rule.key}" + (f".{fired.variant}" if fired.variant else ""),
        args=fired.args,
    )


def _role_or_all(view: DigestView, signal: Signal, role: Role) -> tuple[FigureView, NudgeArg]:
    """The role's own figure of a signal, or everyone's when the role's is withheld."""
    group = view.signal(signal)
    figure = group.role(role)
    if not figure.shown:
        return group.all, NudgeArg.group(None)
    return figure, NudgeArg.group(role)


def _figure(figure: FigureView) -> dict[str, NudgeArg]:
    """A shown figure as most messages quote it: its mean and how many people it counts."""
    assert figure.mean is not None and figure.respondents is not None
    return {"mean": NudgeArg.number(figure.mean), "people": NudgeArg.count(figure.respondents)}


def _lag_args(mean: float, others: float) -> dict[str, NudgeArg]:
    return {"mean": NudgeArg.number(mean), "others": NudgeArg.number(others)}


# -- the checks --------------------------------------------------------------------------
@nudge(Signal.ROOM_TO_EXPLORE, WAKING_UP, threshold=3.0, priority=90, group="frontrunners")
@cites("Waking up", "keeping the daily rush away from them")
def protect_frontrunners(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    figure, who = _role_or_all(view, Signal.ROOM_TO_EXPLORE, Role.FRONTRUNNER)
    if figure.mean is None:
        return None
    args = {"who": who, **_figure(figure)}
    if figure.mean < rule.threshold:
        return Fired("low", args)
    if figure.vs_last_week is not None and figure.vs_last_week <= -DROP:
        return Fired("dropped", {**args, "drop": NudgeArg.number(-figure.vs_last_week)})
    return None


@nudge(Signal.FUTURE_PICTURE, INTEREST_ONLY, threshold=3.0, priority=70, group="future_picture")
@cites("Waking up", "not an invitation to open-ended hobby projects")
def focus_future_picture(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    if view.weeks_in_phase < HOBBYISM_WEEKS:
        return None
    figure = view.signal(Signal.FUTURE_PICTURE).all
    weeks = {"weeks": NudgeArg.count(view.weeks_in_phase)}
    if figure.mean is None:
        return Fired("unmeasured", weeks)
    if figure.mean < rule.threshold:
        return Fired("low", {**weeks, **_figure(figure)})
    return None


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


@nudge(Signal.HEARD, WARMING_UP, threshold=3.0, priority=86, group="followers")
@cites("Warming up", "listening to their ideas, their worries and what they wish for")
def involve_followers_heard(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    figure, who = _role_or_all(view, Signal.HEARD, Role.FOLLOWER)
    if figure.mean is None or figure.mean >= rule.threshold:
        return None
    return Fired(None, {"who": who, **_figure(figure)})


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


@nudge("members.learning", WARMING_UP, threshold=0, priority=76, group="steward")
@cites("The learning professional", "a steward of the human perspective whom everyone recognises")
def steward_missing(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    return None if ctx.has_learning_professional else Fired(None, {})


def _lag(view: DigestView, perspective: Perspective) -> tuple[float, float] | None:
    means = {p: view.perspective(p).all.mean for p in PERSPECTIVES}
    if any(m is None for m in means.values()):
        return None
    others = [m for p, m in means.items() if p is not perspective and m is not None]
    mean = means[perspective]
    assert mean is not None
    return mean, round(sum(others) / len(others), 2)


@nudge("perspective.human", WARMING_UP, threshold=0.5, priority=74, group="steward")
@cites("The learning professional", "above all while the organisation warms up")
def steward_human_lags(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    lag = _lag(view, Perspective.HUMAN)
    if lag is None or lag[1] - lag[0] < rule.threshold:
        return None
    return Fired(None, _lag_args(*lag))


def _answer_rate(point: TrendPoint) -> float | None:
    """Share of those asked about the perspective who answered; None when not known."""
    if point.respondents is None or not point.asked:
        return None
    return point.respondents / point.asked


@nudge("respondents.perspective", ALL_PHASES, threshold=0.5, priority=80, group="rebalance")
@cites("Three perspectives", "A perspective that falls silent is a warning sign")
def rebalance_quiet(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """A perspective goes quiet when the people asked about it stop answering.

    When the digest knows who was asked, answers are compared as a share of them, so a
    week in which the rotation simply asked few people about a perspective is no alarm.
    """
    quietest: tuple[float, Perspective, int | None, int] | None = None
    for perspective in PERSPECTIVES:
        series = view.series(perspective)
        if not series:
            continue
        now = series[-1].respondents
        window = series[-QUIET_WINDOW_WEEKS:-1]
        earlier = [p.respondents for p in window if p.respondents is not None]
        if len(earlier) < QUIET_BASELINE_WEEKS:
            continue
        usual = round(sum(earlier) / len(earlier))
        ratio = (now or 0) / usual
        if series[-1].asked is not None:
            if series[-1].asked < view.k or (now is None and series[-1].asked < 2 * view.k):
                # Few were asked (the plan's doing, not the people's), or too few for a
                # withheld count to mean that most of them stayed silent.
                continue
            rates = [r for r in map(_answer_rate, window) if r is not None]
            if len(rates) >= QUIET_BASELINE_WEEKS:
                ratio = ((now or 0) / series[-1].asked) / (sum(rates) / len(rates))
        if ratio < rule.threshold and (quietest is None or ratio < quietest[0]):
            quietest = (ratio, perspective, now, usual)
    if quietest is None:
        return None
    _, perspective, now, usual = quietest
    args = {"perspective": NudgeArg.word(perspective), "usual": NudgeArg.count(usual)}
    if now is None:
        return Fired("few", {**args, "k": NudgeArg.count(view.k)})
    return Fired(None, {**args, "now": NudgeArg.count(now)})


@nudge("perspective means", ALL_PHASES, threshold=0.75, priority=60, group="rebalance")
@cites("Three perspectives", "calibrate the ambition on all three at once")
def rebalance_lags(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    worst: tuple[float, Perspective, float, float] | None = None
    for perspective in PERSPECTIVES:
        # While warming up a lagging human perspective asks for a steward (rule above).
        if perspective is Perspective.HUMAN and view.phase in WARMING_UP:
            continue
        lag = _lag(view, perspective)
        if lag is None:
            continue
        gap = lag[1] - lag[0]
        if gap >= rule.threshold and (worst is None or gap > worst[0]):
            worst = (gap, perspective, lag[0], lag[1])
    if worst is None:
        return None
    return Fired(None, {"perspective": NudgeArg.word(worst[1]), **_lag_args(worst[2], worst[3])})


@nudge("touchpoints", ALL_PHASES, threshold=0, priority=50, group="ecosystem")
@cites("Engaging the ecosystem", "look for help beyond your own walls, in every phase")
def look_outside(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    if ctx.journey_weeks < LOOK_OUTSIDE_WEEKS or view.touchpoints > rule.threshold:
        return None
    return Fired(None, {"weeks": NudgeArg.count(LOOK_OUTSIDE_WEEKS)})


@nudge("exit signals", CAN_MOVE_ON, threshold=EXIT_LEVEL, priority=40, group="phase")
@cites("Waking up", "a picture of the future that starts to take shape is the cue to move on")
def phase_next(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    wanted = EXIT_SIGNALS.get(view.phase, ())
    if not wanted or view.weeks_in_phase < EXIT_MIN_WEEKS:
        return None
    met = []
    for signal in wanted:
        mean = view.signal(signal).all.mean
        if mean is None or mean < rule.threshold:
            return None
        met.append((signal, mean))
    return Fired(None, {"phase": NudgeArg.word(view.phase), "signals": NudgeArg.means(met)})


@nudge(
    "exit signals of the previous phase",
    CAN_GO_BACK,
    threshold=BACK_LEVEL,
    priority=65,
    group="phase",
)
@cites("Four phases", "going back a phase is part of the process, not a failure")
def phase_back(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    previous = view.phase.previous()
    if previous is None:
        return None
    for signal in BACK_SIGNALS.get(view.phase, ()):
        mean = view.signal(signal).all.mean
        if mean is not None and mean < rule.threshold:
            args = {"signal": NudgeArg.word(signal), "previous": NudgeArg.word(previous)}
            return Fired(None, {**args, "mean": NudgeArg.number(mean)})
    return None


# The table, highest priority first: `fire` keeps this order among equal priorities.
RULES: tuple[NudgeRule, ...] = tuple(sorted(_RULES, key=lambda rule: -rule.priority))


def fire(
    view: DigestView, ctx: NudgeContext, rules: Sequence[NudgeRule] = RULES
) -> list[NudgeView]:
    """Every rule that fires, highest priority first (table order breaks ties)."""
    fired = []
    for rule in rules:
        if view.phase not in rule.phases:
            continue
        result = rule.check(rule, view, ctx)
        if result is not None:
            fired.append((rule, result))
    fired.sort(key=lambda item: -item[0].priority)
    return [_view(rule, result) for rule, result in fired]


def select(
    fired: Sequence[NudgeView], rules: Sequence[NudgeRule] = RULES, limit: int = MAX_NUDGES
) -> tuple[NudgeView, ...]:
    """At most `limit`, one per group, in the order given (highest priority first)."""
    groups = {rule.key: rule.group for rule in rules}
    seen: set[str] = set()
    chosen: list[NudgeView] = []
    for nudge in fired:
        group = groups.get(nudge.rule, nudge.rule)
        if group in seen:
            continue
        seen.add(group)
        chosen.append(nudge)
        if len(chosen) == limit:
            break
    return tuple(chosen)
