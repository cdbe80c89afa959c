"""The digest's figures: aggregates that pass the anonymity rule and resist differencing.

Every figure passes the anonymity rule (`bot/domain/anonymity.py`) and a disclosure check
against differencing: when several overlapping groups are shown side by side (everyone,
and each role), every cell of the partition they induce must hold at least k people or be
empty. Otherwise one figure minus another would describe fewer than k people, so the
smaller group is withheld (merged into the broader one).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.anonymity import AnonymityRule, Shown
from bot.domain.digest.view import (
    WITHHELD_FIGURE,
    FigureView,
    GroupView,
    ParticipationView,
    RoleFigure,
    signal_key,
)
from bot.domain.model import SCALE_MAX, SCALE_MIN, Perspective, Role, Signal
from bot.domain.ports import AnswerPoint

# The order in which roles are tried for display: the method's two stages are about
# frontrunners and followers, so those get the first chance to be shown on their own.
ROLE_ORDER: tuple[Role, ...] = (
    Role.FRONTRUNNER,
    Role.FOLLOWER,
    Role.DIRECTOR,
    Role.LEARNING,
    Role.FACILITATOR,
)


# -- disclosure control --------------------------------------------------------------------
def disclosable(
    universe: set[int], candidates: Sequence[tuple[Any, Sequence[set[int]]]], k: int
) -> list[Any]:
    """Which candidate groups may be shown next to the universe's own figure.

    Each candidate is a key with one or more sets that are shown together. Tried in order;
    one is kept when every cell of the partition of `universe` by all kept sets still has
    at least k people, so no difference of shown figures describes fewer than k.
    """
    if len(universe) < k:
        return []
    signature: dict[int, int] = dict.fromkeys(universe, 0)
    bits = 0
    kept: list[Any] = []
    for key, sets in candidates:
        trial = dict(signature)
        for members in sets:
            bit = 1 << bits
            bits += 1
            for member in members:
                if member in trial:
                    trial[member] |= bit
        if all(n >= k for n in Counter(trial.values()).values()):
            signature = trial
            kept.append(key)
    return kept


# -- figures ------------------------------------------------------------------------------
def person_figure(rule: AnonymityRule, points: Iterable[AnswerPoint]) -> Shown | None:
    """`rule.figure` over answer points, in one pass (the digest makes a hundred of these).

    Same result as `AnonymityRule.figure` (a test holds them equal): each person counts
    once, with the mean of their answers; fewer than k people and nothing is shown.
    """
    sums: dict[int, list[int]] = {}
    counts = [0] * (SCALE_MAX - SCALE_MIN + 1)
    for p in points:
        acc = sums.get(p.member_id)
        if acc is None:
            sums[p.member_id] = [p.value, 1]
        else:
            acc[0] += p.value
            acc[1] += 1
        counts[p.value - SCALE_MIN] += 1
    if rule.count(sums) is None:
        return None
    means = [total / n for total, n in sums.values()]
    return Shown(
        respondents=len(sums),
        mean=round(math.fsum(means) / len(means), 2),
        distribution=tuple(counts),
    )


@dataclass
class Family:
    """One perspective or signal in one week: its figure for everyone and for each role.

    `items` are the pulse items (prompt ids) behind each figure: two weeks are compared
    only where they asked the same items, since the same signal on another item's scale
    (or a perspective over other signals) is another measurement.
    """

    all: Shown | None
    roles: dict[Role, Shown | None] = field(default_factory=dict)
    items: frozenset[str] = frozenset()
    role_items: dict[Role, frozenset[str]] = field(default_factory=dict)


def _items(points: Iterable[AnswerPoint]) -> frozenset[str]:
    return frozenset(p.prompt_id for p in points)


def _role_items(points: Sequence[AnswerPoint], roles: Iterable[Role]) -> dict[Role, frozenset[str]]:
    return {r: _items(p for p in points if r in p.roles) for r in roles}


def _family(rule: AnonymityRule, points: Sequence[AnswerPoint]) -> Family:
    universe = {p.member_id for p in points}
    role_members: dict[Role, set[int]] = defaultdict(set)
    for p in points:
        for role in p.roles:
            role_members[role].add(p.member_id)
    present = [r for r in ROLE_ORDER if role_members.get(r)]
    allowed = set(disclosable(universe, [(r, [role_members[r]]) for r in present], rule.k))
    roles: dict[Role, Shown | None] = {}
    for role in present:
        roles[role] = (
            person_figure(rule, (p for p in points if role in p.roles)) if role in allowed else None
        )
    return Family(
        all=person_figure(rule, points) if len(universe) >= rule.k else None,
        roles=roles,
        items=_items(points),
        role_items=_role_items(points, present),
    )


def week_figures(
    rule: AnonymityRule, points: Sequence[AnswerPoint], first: Sequence[Signal] = ()
) -> tuple[dict[str, Family], dict[str, Family]]:
    """One week's figures per perspective and per signal, each for everyone and per role.

    A signal's answers are part of its perspective's answers, so within each perspective
    the groups of the perspective's roles, of its signals and of its signals' roles are
    checked together: a signal (or signal x role) is shown only when, in every
    perspective it was asked in, no cell of that partition is smaller than k. Where two
    signals cannot both be shown, the one earlier in `first` wins. Signals are keyed by
    `signal_key`: balance once per perspective, every other signal across perspectives.
    """
    by_perspective: dict[Perspective, list[AnswerPoint]] = defaultdict(list)
    by_signal: dict[str, list[AnswerPoint]] = defaultdict(list)
    for p in points:
        by_perspective[p.perspective].append(p)
        by_signal[signal_key(p.signal, p.perspective)].append(p)
    perspectives: dict[str, Family] = {}
    # (signal key, role or None) -> the perspectives in which that figure may not be shown.
    blocked: dict[tuple[str, Role | None], set[Perspective]] = defaultdict(set)
    for perspective, items in by_perspective.items():
        universe = {p.member_id for p in items}
        role_sets: dict[Role, set[int]] = defaultdict(set)
        signal_sets: dict[Signal, set[int]] = defaultdict(set)
        signal_role_sets: dict[tuple[Signal, Role], set[int]] = defaultdict(set)
        for p in items:
            signal_sets[p.signal].add(p.member_id)
            for role in p.roles:
                role_sets[role].add(p.member_id)
                signal_role_sets[(p.signal, role)].add(p.member_id)
        # Signals first: they are what the nudges read, so they get the first chance; the
        # phase's own signals (`first`) before the others.
        order = [*first, *(s for s in Signal if s not in first)]
        candidates: list[tuple[Any, Sequence[set[int]]]] = [
            ((s, None), [signal_sets[s]]) for s in order if s in signal_sets
        ]
        candidates += [(r, [role_sets[r]]) for r in ROLE_ORDER if r in role_sets]
        candidates += [
            ((s, r), [members])
            for (s, r), members in sorted(
                signal_role_sets.items(), key=lambda item: ROLE_ORDER.index(item[0][1])
            )
        ]
        allowed = set(disclosable(universe, candidates, rule.k))
        roles = {
            r: person_figure(rule, (p for p in items if r in p.roles)) if r in allowed else None
            for r in ROLE_ORDER
            if r in role_sets
        }
        perspectives[perspective.value] = Family(
            all=person_figure(rule, items) if len(universe) >= rule.k else None,
            roles=roles,
            items=_items(items),
            role_items=_role_items(items, roles),
        )
        for key, _ in candidates:
            if isinstance(key, tuple) and key not in allowed:
                blocked[(signal_key(key[0], perspective), key[1])].add(perspective)
    signals: dict[str, Family] = {}
    for key, items in by_signal.items():
        # A signal asked in several perspectives is shown over those where it passed: a
        # group too small in one perspective is left out of the signal's figure (it still
        # counts in its perspective's), rather than hiding the signal everywhere.
        shown = [p for p in items if p.perspective not in blocked.get((key, None), ())]
        family = _family(rule, shown)
        family.roles = {
            r: (None if blocked.get((key, r), set()) & _perspectives(shown) else fig)
            for r, fig in family.roles.items()
        }
        signals[key] = family
    return perspectives, signals


def _perspectives(points: Iterable[AnswerPoint]) -> set[Perspective]:
    return {p.perspective for p in points}


# A figure and the items behind it: what a change between two weeks is computed from.
Measured = tuple[Shown | None, frozenset[str]]


def _change(now: Measured, before: Measured | None) -> float | None:
    """The change since `before`, only when both weeks asked the very same items."""
    if now[0] is None or before is None or before[0] is None or now[1] != before[1]:
        return None
    return round(now[0].mean - before[0].mean, 2)


def _view(now: Measured, last: Measured | None, start: Measured | None) -> FigureView:
    shown = now[0]
    if shown is None:
        return WITHHELD_FIGURE
    return FigureView(
        respondents=shown.respondents,
        mean=shown.mean,
        distribution=shown.distribution,
        vs_last_week=_change(now, last),
        vs_phase_start=_change(now, start),
    )


def _of_role(family: Family | None, role: Role) -> Measured | None:
    if family is None:
        return None
    return family.roles.get(role), family.role_items.get(role, frozenset())


def _of_all(family: Family | None) -> Measured | None:
    return None if family is None else (family.all, family.items)


def group_view(key: str, now: Family, last: Family | None, start: Family | None) -> GroupView:
    """A perspective's or signal's figures with their changes, like with like only."""
    roles = tuple(
        RoleFigure(
            role,
            _view(
                (fig, now.role_items.get(role, frozenset())),
                _of_role(last, role),
                _of_role(start, role),
            ),
        )
        for role, fig in now.roles.items()
    )
    return GroupView(key, _view((now.all, now.items), _of_all(last), _of_all(start)), roles)


def participation(
    rule: AnonymityRule,
    asked: set[int],
    answered: set[int],
    roles_of: Mapping[int, frozenset[Role] | set[Role]],
) -> tuple[ParticipationView, ...]:
    """Answered of asked, for everyone and per role; counts obey the anonymity rule."""
    universe = {m for m in asked | answered if m in roles_of}
    answered = answered & universe
    asked = asked & universe
    if not asked:
        asked = set(universe)  # nothing recorded as sent: count who answered as asked
    by_role_asked: dict[Role, set[int]] = {
        r: {m for m in universe if r in roles_of[m]} for r in ROLE_ORDER
    }
    candidates: list[tuple[Any, Sequence[set[int]]]] = [("answered", [answered])]
    candidates += [
        (r, [by_role_asked[r], by_role_asked[r] & answered]) for r in ROLE_ORDER if by_role_asked[r]
    ]
    allowed = set(disclosable(universe, candidates, rule.k))
    everyone = ParticipationView(
        role=None,
        answered=len(answered) if "answered" in allowed else None,
        asked=len(universe) if len(universe) >= rule.k else None,
    )
    views = [everyone]
    for role in ROLE_ORDER:
        members = by_role_asked[role]
        if not members:
            continue
        if role in allowed:
            views.append(ParticipationView(role, len(members & answered), len(members)))
        else:
            views.append(ParticipationView(role, None, None))
    return tuple(views)
