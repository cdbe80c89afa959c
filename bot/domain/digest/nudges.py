"""The nudge rules: when the digest tells a director to act, and why.

Every rule is a check with its facts beside it (`@nudge`, see `rulebook.py`): the signal
(or measure) it reads, the phases it applies to, a threshold, a priority, and a message
key `nudge.<check name>[.<variant>]` in `prompts/messages/digest.yaml` (Dutch and
English). A nudge carries that key and the numbers that triggered it as typed arguments;
the edge puts it into words, so the domain holds no text. `@cites` names the section of
`docs/method.md` and the passage in it the advice comes from, so every nudge can be
traced to the method. The rules of waking up and of every phase are here, those of
warming up in `warming_up.py`; `RULES` is the one table of them all.

A digest shows at most three nudges, highest priority first, and at most one per `group`
(rules in one group give the same advice for different reasons). Advice that was shown
the two weeks before is not repeated word for word: it folds into one line "still open
since <week>" with the rule's next step (`nudge.<rule>.next`), a different action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.domain.digest import warming_up  # noqa: F401  (registers the warming-up rules)
from bot.domain.digest.rulebook import (
    ALL_PHASES,
    INTEREST_ONLY,
    LOW,
    WAKING_UP,
    WARMING_UP,
    Fired,
    NudgeContext,
    NudgeRule,
    cites,
    figure_args,
    lag,
    lag_args,
    nudge,
    registered,
    role_or_all,
    shown_as,
)
from bot.domain.digest.view import DigestView, NudgeArg, NudgeView, TrendPoint
from bot.domain.exit_signals import BACK_LEVEL, BACK_SIGNALS, EXIT_LEVEL, EXIT_SIGNALS
from bot.domain.model import PERSPECTIVES, Perspective, Role, Signal

MAX_NUDGES = 3
# A fall this large in a week is a change, not noise.
DROP = 0.5
# Directors' "I gave room" this far above the frontrunners' "I got room" is a gap to talk about.
ROOM_GAP = 1.0
# Weeks in interest after which an absent picture of the future looks like hobbyism.
HOBBYISM_WEEKS = 6
# Earlier weeks with a known answer rate needed before a perspective can be called quiet.
QUIET_BASELINE_WEEKS = 2
# This week and the four before it: how a perspective's answer rate compares with usual.
QUIET_WINDOW_WEEKS = 5
LOOK_OUTSIDE_WEEKS = 4
# Advice shown this many weeks running folds into "still open since" and its next step.
FOLD_AFTER = 2

CAN_MOVE_ON = frozenset(EXIT_SIGNALS)
CAN_GO_BACK = frozenset(BACK_SIGNALS)


# -- waking up: facilitate the frontrunners ----------------------------------------------
@nudge(Signal.ROOM_TO_EXPLORE, WAKING_UP, threshold=ROOM_GAP, priority=92, group="frontrunners")
@cites("Waking up", "Making it is the board's job")
def room_gap(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """Directors say they gave room, frontrunners say they got little. Only when both
    groups' own figures may be shown: a board smaller than k never is, so never compared."""
    room = view.signal(Signal.ROOM_TO_EXPLORE)
    given, got = room.role(Role.DIRECTOR), room.role(Role.FRONTRUNNER)
    if given.mean is None or got.mean is None or given.respondents is None:
        return None
    if got.mean >= LOW or given.mean - got.mean < rule.threshold:
        return None
    assert got.respondents is not None
    return Fired(
        None,
        {
            "given": NudgeArg.number(given.mean),
            "directors": NudgeArg.count(given.respondents),
            "got": NudgeArg.number(got.mean),
            "frontrunners": NudgeArg.count(got.respondents),
        },
    )


@nudge(Signal.ROOM_TO_EXPLORE, WAKING_UP, threshold=LOW, priority=90, group="frontrunners")
@cites("Waking up", "keeping the daily rush away from them")
def protect_frontrunners(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    figure, who = role_or_all(view, Signal.ROOM_TO_EXPLORE, Role.FRONTRUNNER)
    if figure.mean is None:
        return None
    args = {"who": who, **figure_args(figure)}
    if figure.mean < rule.threshold:
        return Fired("low", args)
    if figure.vs_last_week is not None and figure.vs_last_week <= -DROP:
        return Fired("dropped", {**args, "drop": NudgeArg.number(-figure.vs_last_week)})
    return None


@nudge(Signal.FUTURE_PICTURE, INTEREST_ONLY, threshold=LOW, priority=70, group="future_picture")
@cites("Waking up", "not an invitation to open-ended hobby projects")
def focus_future_picture(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """Hobbyism: long in interest (HOBBYISM_WEEKS or more) without a picture of the future."""
    if view.weeks_in_phase < HOBBYISM_WEEKS:
        return None
    figure = view.signal(Signal.FUTURE_PICTURE).all
    weeks = {"weeks": NudgeArg.count(view.weeks_in_phase)}
    if figure.mean is None:
        return Fired("unmeasured", weeks)
    if figure.mean < rule.threshold:
        return Fired("low", {**weeks, **figure_args(figure)})
    return None


# -- every phase -------------------------------------------------------------------------
def _answer_rate(point: TrendPoint) -> float | None:
    """Share of those asked about the perspective who answered; None when not known."""
    if point.respondents is None or not point.asked:
        return None
    return point.respondents / point.asked


@nudge("respondents.perspective", ALL_PHASES, threshold=0.5, priority=80, group="rebalance")
@cites("Three perspectives", "A perspective that falls silent is a warning sign")
def rebalance_quiet(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """A perspective goes quiet when the people asked about it stop answering.

    Judged against who was asked: this week's share of them who answered, against the
    average share in the weeks before (QUIET_WINDOW_WEEKS). A perspective nobody was asked
    about this week is not asked, never quiet; one asked of fewer than k is the plan's
    doing, and a withheld count says little unless at least 2k were asked.
    """
    quietest: tuple[float, Perspective, TrendPoint, list[TrendPoint]] | None = None
    for perspective in PERSPECTIVES:
        series = view.series(perspective)
        if not series or series[-1].iso_week != view.iso_week:
            continue
        now = series[-1]
        if now.asked is None or now.asked < view.k:
            continue
        if now.respondents is None and now.asked < 2 * view.k:
            continue
        before = [p for p in series[-QUIET_WINDOW_WEEKS:-1] if _answer_rate(p) is not None]
        if len(before) < QUIET_BASELINE_WEEKS:
            continue
        usual = sum(_answer_rate(p) or 0.0 for p in before) / len(before)
        ratio = ((now.respondents or 0) / now.asked) / usual
        if ratio < rule.threshold and (quietest is None or ratio < quietest[0]):
            quietest = (ratio, perspective, now, before)
    if quietest is None:
        return None
    _, perspective, now, before = quietest
    assert now.asked is not None
    usual = sum(_answer_rate(p) or 0.0 for p in before) / len(before)
    args = {
        "perspective": NudgeArg.word(perspective),
        "asked": NudgeArg.count(now.asked),
        "usual": NudgeArg.count(round(usual * 100)),
        "weeks": NudgeArg.count(len(before)),
        "first": NudgeArg.week(before[0].iso_week),
        "last": NudgeArg.week(before[-1].iso_week),
    }
    if now.respondents is None:
        return Fired("few", {**args, "k": NudgeArg.count(view.k)})
    percent = round(now.respondents / now.asked * 100)
    return Fired(
        None, {**args, "now": NudgeArg.count(now.respondents), "percent": NudgeArg.count(percent)}
    )


@nudge("perspective means", ALL_PHASES, threshold=0.75, priority=60, group="rebalance")
@cites("Three perspectives", "calibrate the ambition on all three at once")
def rebalance_lags(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    worst: tuple[float, Perspective, float, float] | None = None
    for perspective in PERSPECTIVES:
        # While warming up a lagging human perspective asks for a steward (warming_up.py).
        if perspective is Perspective.HUMAN and view.phase in WARMING_UP:
            continue
        found = lag(view, perspective)
        if found is None:
            continue
        gap = found[1] - found[0]
        if gap >= rule.threshold and (worst is None or gap > worst[0]):
            worst = (gap, perspective, found[0], found[1])
    if worst is None:
        return None
    return Fired(None, {"perspective": NudgeArg.word(worst[1]), **lag_args(worst[2], worst[3])})


@nudge("touchpoints.outside", ALL_PHASES, threshold=0, priority=50, group="ecosystem")
@cites("Engaging the ecosystem", "look for help beyond your own walls, in every phase")
def look_outside(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """No contact outside the walls logged lately (a decision or a team formed inside the
    organisation is no contact with the ecosystem, so it does not count)."""
    if ctx.journey_weeks < LOOK_OUTSIDE_WEEKS or view.touchpoints > rule.threshold:
        return None
    return Fired(None, {"weeks": NudgeArg.count(LOOK_OUTSIDE_WEEKS)})


@nudge("scorecard", CAN_MOVE_ON, threshold=EXIT_LEVEL, priority=40, group="phase")
@cites("Waking up", "a picture of the future that starts to take shape is the cue to move on")
def phase_next(rule: NudgeRule, view: DigestView, ctx: NudgeContext) -> Fired | None:
    """The scorecard says ready: every exit signal met EXIT_MIN_WEEKS times in a row."""
    card = view.scorecard
    if card is None or not card.ready:
        return None
    met = [(row.signal, row.figure.mean) for row in card.rows if row.figure.mean is not None]
    return Fired(
        None,
        {
            "phase": NudgeArg.word(view.phase),
            "signals": NudgeArg.means(met),
            "weeks": NudgeArg.count(
                min(row.weeks if row.status == "met" else row.before for row in card.rows)
            ),
        },
    )


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
RULES: tuple[NudgeRule, ...] = tuple(sorted(registered(), key=lambda rule: -rule.priority))


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
    return [shown_as(rule, result) for rule, result in fired]


def select(
    fired: Sequence[NudgeView], rules: Sequence[NudgeRule] = RULES, limit: int = MAX_NUDGES
) -> tuple[NudgeView, ...]:
    """At most `limit`, one per group, in the order given (highest priority first)."""
    groups = {rule.key: rule.group for rule in rules}
    seen: set[str] = set()
    chosen: list[NudgeView] = []
    for item in fired:
        group = groups.get(item.rule, item.rule)
        if group in seen:
            continue
        seen.add(group)
        chosen.append(item)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def fold(
    chosen: Sequence[NudgeView], earlier: Sequence[tuple[str, Sequence[NudgeView]]]
) -> tuple[NudgeView, ...]:
    """Advice shown in each of the FOLD_AFTER weeks before folds: "still open since" the
    week it first came, with the rule's next step instead of the same words again.

    `earlier` holds the weeks just before this one, last week first: (ISO week, the
    nudges its digest showed). A week whose digest is missing breaks the run.
    """
    recent = list(earlier[:FOLD_AFTER])
    out = []
    for item in chosen:
        before = [next((n for n in shown if n.rule == item.rule), None) for _, shown in recent]
        last = before[0] if before else None
        if len(before) < FOLD_AFTER or last is None or any(n is None for n in before):
            out.append(item)
            continue
        since = last.open_since or recent[-1][0]
        out.append(replace(item, key=f"nudge.{item.rule}.next", open_since=since))
    return tuple(out)
