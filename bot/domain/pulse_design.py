"""The pulse design: who is asked which question on one occurrence of a pulse ritual.

The pulse design (one occurrence of a pulse ritual):
1. Groups. The ritual's audience (minus who is away) is split into g groups of at least
   G = ceil(k / 0.6) people, g = max(1, n // G): at an answer rate of 60 %, a whole group
   still gives k answers, so its figure can be shown. People are ordered by role first
   (followers, frontrunners, directors, learning professionals, facilitators), so a group
   shares roles as far as the numbers allow, and the roles' own items fit everyone in it.
2. One question per group. Each group gets one cell, a (signal, perspective) pair, and
   every member of it an item of that cell fitting their roles. The cell is chosen
   independently on signal and perspective: first a cell that fits the most of the group
   (who has no item in it is left out of this occurrence rather than asked something no
   one else was, which would make a group too small to show); then an exit signal of the
   phase that nobody was asked this week; then the perspective asked least in this phase
   so far; then the one the fewest of the group were asked this week; then the signal
   asked least so far. Within the cell a member gets the item asked least so far, so over
   the phase every item is asked.
3. Counts carry on within the day: the second group sees what the first one got, and so
   do a ritual's second question (`questions: 2`) and the next pulse ritual of that day.

Arithmetic (k = 5, so G = 9):
- 30 people (3 directors, 6 frontrunners, 19 followers, a facilitator, a learning
  professional): the weekly all-hands pulse makes 3 groups of 10, so each week each
  perspective is asked of about 10 people (a third each); about 7 answer, over k. The
  frontrunners-and-directors ritual (9 people) is one group; the followers' ritual (19)
  two groups of 10 and 9, which take two different exit signals (say "heard" and "my
  role"), the other way round the next week. A phase of 3 weeks asks 3 x 3 + 3 + 6 = 18
  group questions, with 2 to 6 items per cell, enough to ask about 90 % of a phase's 20 to
  25 pulse items once.
- 300 people: 33 groups of 9 or 10 in the all-hands pulse, 11 per perspective each week;
  every item of the phase is asked in the first week, every cell is seen by several
  groups, and each figure rests on 6 or more answers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.model import PERSPECTIVES, Member, Perspective, Phase, Prompt, Role, Signal
from bot.domain.records import Asked
from bot.domain.rituals import Ritual, candidates

# A group is sized so that, at this share answering, k people still answer.
ANSWER_RATE = 0.6
# A question fits a group when this share of it has an item of it; the rest sit it out.
FIT_SHARE = 0.8
# Who sits together when an audience is split into groups (roles first, then id).
GROUP_ORDER: tuple[Role, ...] = (
    Role.FOLLOWER,
    Role.FRONTRUNNER,
    Role.DIRECTOR,
    Role.LEARNING,
    Role.FACILITATOR,
)
# What must be true to leave a phase: asked of whole groups every week where possible.
EXIT_SIGNALS: Mapping[Phase, tuple[Signal, ...]] = {
    Phase.AWARENESS: (Signal.URGENCY, Signal.CURIOSITY),
    Phase.INTEREST: (Signal.FUTURE_PICTURE,),
    Phase.DESIRE: (Signal.WHY_UNAVOIDABLE, Signal.HEARD, Signal.MY_ROLE),
}
NOTHING_ASKED = Asked()
# The earliest any place on earth starts a day: 14 hours ahead of UTC.
_EARLIEST_OFFSET = timedelta(hours=14)
WEEK = timedelta(days=7)


def history_window(day: date) -> tuple[datetime, datetime]:
    """(before, week start) of the history an occurrence on `day` is designed with.

    `before` is the first instant of `day` anywhere on earth, so every process planning that
    day's occurrence, in whichever member's zone it is due, counts the same deliveries; "this
    week" is the seven days before it, so a signal asked last Wednesday counts as asked for
    this Tuesday.
    """
    before = datetime.combine(day, time(0), tzinfo=UTC) - _EARLIEST_OFFSET
    return before, before - WEEK


def group_size(k: int) -> int:
    """The smallest group whose figure survives a 60 % answer rate at threshold k."""
    return max(1, math.ceil(k / ANSWER_RATE))


def form_groups(members: Sequence[Member], k: int) -> list[list[Member]]:
    """The audience in g groups of at least `group_size(k)`, roles together (see above)."""
    if not members:
        return []

    def order(member: Member) -> tuple[int, int]:
        first = next((i for i, r in enumerate(GROUP_ORDER) if r in member.roles), len(GROUP_ORDER))
        return first, member.id or 0

    ordered = sorted(members, key=order)
    g = max(1, len(ordered) // group_size(k))
    size, extra = divmod(len(ordered), g)
    out, start = [], 0
    for j in range(g):
        end = start + size + (1 if j < extra else 0)
        out.append(ordered[start:end])
        start = end
    return out


@dataclass
class _Tally:
    """Counts as they stand while one occurrence is being planned (history + this plan)."""

    items: Counter[str] = field(default_factory=Counter)
    perspectives: Counter[Perspective] = field(default_factory=Counter)
    signals: Counter[Signal] = field(default_factory=Counter)
    week_perspectives: dict[int, set[Perspective]] = field(default_factory=dict)
    week_signals: set[Signal] = field(default_factory=set)

    @classmethod
    def of(cls, asked: Asked) -> _Tally:
        return cls(
            Counter(asked.items),
            Counter(asked.perspectives),
            Counter(asked.signals),
            {m: set(ps) for m, ps in asked.week_perspectives.items()},
            set(asked.week_signals),
        )

    def count(self, member_id: int, prompt: Prompt) -> None:
        self.items[prompt.id] += 1
        self.perspectives[prompt.perspective] += 1
        self.signals[prompt.signal] += 1
        self.week_perspectives.setdefault(member_id, set()).add(prompt.perspective)
        self.week_signals.add(prompt.signal)


Cell = tuple[Signal, Perspective]


def assign_round(
    groups: Sequence[Sequence[Member]],
    pools: Mapping[int, Sequence[Prompt]],
    phase: Phase,
    tally: _Tally,
) -> dict[int, Prompt]:
    """One cell per group and an item of it per member (the design in the module docstring)."""
    exits = EXIT_SIGNALS.get(phase, ())
    chosen: dict[int, Prompt] = {}
    for group in groups:
        cells: dict[Cell, dict[int, list[Prompt]]] = {}
        for member in group:
            assert member.id is not None
            for prompt in pools.get(member.id, ()):
                by_member = cells.setdefault((prompt.signal, prompt.perspective), {})
                by_member.setdefault(member.id, []).append(prompt)
        if not cells:
            continue
        cell = min(cells, key=lambda c: _rank(c, cells[c], len(group), tally, exits))
        for member_id, items in sorted(cells[cell].items()):
            prompt = min(items, key=lambda p: (tally.items[p.id], p.id))
            chosen[member_id] = prompt
            tally.count(member_id, prompt)
    return chosen


def _rank(
    cell: Cell,
    fits: Mapping[int, Sequence[Prompt]],
    group: int,
    tally: _Tally,
    exits: Sequence[Signal],
) -> tuple[int, int, int, int, int, int, int, int]:
    """Smaller is better: fits (nearly) the whole group, a fresh exit signal, the
    least-asked perspective, the most items nobody was asked yet, the fewest asked this
    perspective this week, the least-asked signal; then a fixed order."""
    signal, perspective = cell
    overlap = sum(1 for m in fits if perspective in tally.week_perspectives.get(m, ()))
    fresh_exit = signal in exits and signal not in tally.week_signals
    unasked = {p.id for items in fits.values() for p in items if not tally.items[p.id]}
    return (
        0 if len(fits) >= FIT_SHARE * group else 1,
        0 if fresh_exit else 1,
        tally.perspectives[perspective],
        -len(unasked),
        overlap,
        tally.signals[signal],
        PERSPECTIVES.index(perspective),
        list(Signal).index(signal),
    )


def day_design(
    rituals: Sequence[Ritual],
    phase: Phase,
    members: Sequence[Member],
    prompts: Sequence[Prompt],
    k: int,
    asked: Asked,
    perspective: Perspective | None = None,
) -> dict[tuple[str, int], list[Prompt]]:
    """(ritual key, member id) -> the pulse items of one day, one per question of the ritual.

    Every pulse ritual of the day is designed together, in the plan's order, so a later
    ritual (or a ritual's second question) sees what the earlier ones asked that day.
    """
    tally = _Tally.of(asked)
    out: dict[tuple[str, int], list[Prompt]] = {}
    for ritual in rituals:
        audience = [m for m in members if m.roles & ritual.audience]
        pools: dict[int, list[Prompt]] = {}
        by_roles: dict[frozenset[Role], list[Prompt]] = {}
        for member in audience:
            assert member.id is not None
            roles = frozenset(member.roles)
            if roles not in by_roles:
                pool = candidates(prompts, ritual, phase, roles)
                if perspective is not None:
                    pool = [p for p in pool if p.perspective is perspective]
                by_roles[roles] = pool
            pools[member.id] = list(by_roles[roles])
        groups = form_groups(audience, k)
        for _ in range(ritual.questions):
            for member_id, prompt in assign_round(groups, pools, phase, tally).items():
                out.setdefault((ritual.key, member_id), []).append(prompt)
                # Nobody gets the same question twice in one day.
                pools[member_id] = [p for p in pools[member_id] if p.id != prompt.id]
    return out
