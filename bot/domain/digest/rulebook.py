"""How a nudge rule is written down: a check with its facts beside it, in one table.

A check is a function decorated with `@nudge` (the signal or measure it reads, the phases
it applies to, its threshold, priority and advice group) and `@cites` (the section of
docs/method.md and the passage in it the advice follows). Decorating registers the rule;
`bot/domain/digest/nudges.py` gathers every registered rule into the table `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.digest.view import DigestView, FigureView, NudgeArg, NudgeView
from bot.domain.model import PERSPECTIVES, PHASES, Perspective, Phase, Role, Signal

ALL_PHASES = frozenset(PHASES)
WAKING_UP = frozenset({Phase.AWARENESS, Phase.INTEREST})
WARMING_UP = frozenset({Phase.DESIRE, Phase.ACTION})
INTEREST_ONLY = frozenset({Phase.INTEREST})
ACTION_ONLY = frozenset({Phase.ACTION})
# Below this mean (on the 1-5 scale) a signal the method wants high is low.
LOW = 3.0


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


_REGISTERED: list[NudgeRule] = []


def registered() -> tuple[NudgeRule, ...]:
    """Every rule decorated so far, in the order the modules defined them."""
    return tuple(_REGISTERED)


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
        _REGISTERED.append(rule)
        return check

    return add


def shown_as(rule: NudgeRule, fired: Fired) -> NudgeView:
    """A fired rule as the digest carries it: its message key and arguments."""
    return NudgeView(
        rule=rule.key,
        signal=rule.signal,
        priority=rule.priority,
        method=rule.method,
        key=f"nudge.{rule.key}" + (f".{fired.variant}" if fired.variant else ""),
        args=fired.args,
    )


# -- what several checks read ------------------------------------------------------------
def role_or_all(view: DigestView, signal: Signal, role: Role) -> tuple[FigureView, NudgeArg]:
    """The role's own figure of a signal, or everyone's when the role's is withheld."""
    group = view.signal(signal)
    figure = group.role(role)
    if not figure.shown:
        return group.all, NudgeArg.group(None)
    return figure, NudgeArg.group(role)


def figure_args(figure: FigureView) -> dict[str, NudgeArg]:
    """A shown figure as most messages quote it: its mean and how many people it counts."""
    assert figure.mean is not None and figure.respondents is not None
    return {"mean": NudgeArg.number(figure.mean), "people": NudgeArg.count(figure.respondents)}


def low_for(
    rule: NudgeRule, view: DigestView, signal: Signal, role: Role | None = None
) -> Fired | None:
    """Fires when a signal (the role's own figure when shown, else everyone's) is shown
    and below the rule's threshold; quotes who, the mean and how many people."""
    if role is None:
        figure, who = view.signal(signal).all, NudgeArg.group(None)
    else:
        figure, who = role_or_all(view, signal, role)
    if figure.mean is None or figure.mean >= rule.threshold:
        return None
    return Fired(None, {"who": who, **figure_args(figure)})


def lag(
    view: DigestView, perspective: Perspective, partial: bool = False
) -> tuple[float, float] | None:
    """A perspective's mean and the mean of the others shown; None unless all three are
    shown, or with `partial` unless it and at least one other are."""
    means = {p: view.perspective(p).all.mean for p in PERSPECTIVES}
    mean = means[perspective]
    others = [m for p, m in means.items() if p is not perspective and m is not None]
    if mean is None or not others or (not partial and len(others) < len(PERSPECTIVES) - 1):
        return None
    return mean, round(sum(others) / len(others), 2)


def lag_args(mean: float, others: float) -> dict[str, NudgeArg]:
    return {"mean": NudgeArg.number(mean), "others": NudgeArg.number(others)}
