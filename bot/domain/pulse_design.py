"""The pulse design: who is asked which question on one day's pulses.

A figure a director reads is shown only when at least k people stand behind it, also once
it is set beside every other figure of the week (bot/domain/digest/figures.py). The design
asks so that this holds and the figures tell the truth about the whole phase:

1. Groups around a question. For each question of a pulse ritual (`questions: 2` asks two,
   each its own message), the audience is split into groups of about T = n / g people,
   g = max(1, n // G), G = ceil(k / 0.6): at an answer rate of 60 %, a whole group still
   gives k answers. Each group answers one cell, a (signal, perspective) pair, each member
   with an item of that cell written for their own roles. Groups form around cells:
   the best cell that at least G people can take gets up to T of them (first those who
   would get an item nobody was asked yet), then the next cell, and so on; who is left
   joins a group whose cell they can take, or sits this question out (a question nobody
   else got would make a figure too small to show).
2. One signal per perspective per week. Within a digest week, a person answers each
   perspective about one signal only (they may get the same cell twice). So the people
   behind one signal never overlap those behind another signal of the same perspective,
   and no difference of two figures falls under k.
3. The best cell, independently on signal and perspective: first a signal the phase asks
   every week (WEEKLY_SIGNALS) that nobody got yet in this digest week; then a perspective
   no more than one group's worth of questions ahead of the least-asked one in this phase
   (so each keeps close to a third); then the cell with the most items nobody was asked
   yet; then the least-asked perspective and signal. Within the cell a member gets the
   item asked least so far, so over a phase every item is asked.
4. Counts carry on within the day: the second group sees what the first one got, and so
   do a ritual's second question and the next pulse ritual of that day.

Arithmetic (k = 5, so G = 9):
- 30 people (3 directors, 6 frontrunners, 19 followers, a facilitator, a learning
  professional): each question of the weekly all-hands pulse goes to 3 groups of 10, one
  cell each, a perspective each; about 7 of 10 answer, over k. Two questions a week make
  6 cells; the followers' own pulse (19 people) 2 more, say "heard" and "my role" to
  halves of them, the other way round the next week; the frontrunners' and leads'
  pulse (11) 2 or 3. About 10 cells a week, 2 to 4 items each: a phase of 3 weeks asks
  some 30 cells, enough to ask 90 % of its 20 to 27 pulse items at least once.
- 300 people: 33 groups per question, 11 per perspective; every item of the phase is
  asked in the first week, and each figure rests on 6 or more answers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.exit_signals import EXIT_SIGNALS
from bot.domain.model import PERSPECTIVES, Member, Perspective, Phase, Prompt, Role, Signal
from bot.domain.records import Asked
from bot.domain.rituals import Ritual, candidates

# A group is sized so that, at this share answering, k people still answer.
ANSWER_RATE = 0.6
# An audience smaller than a group answers a cell at least this share of it can take.
SMALL_SHARE = 0.75
# Who sits together when a cell has more takers than a group needs (roles first, then id).
GROUP_ORDER: tuple[Role, ...] = (
    Role.FOLLOWER,
    Role.FRONTRUNNER,
    Role.DIRECTOR,
    Role.LEARNING,
    Role.FACILITATOR,
)
# What the phase's advice is about besides its exit signals: room while waking up,
# learning, experiments and being heard in action.
ADVICE_SIGNALS: Mapping[Phase, tuple[Signal, ...]] = {
    Phase.AWARENESS: (Signal.ROOM_TO_EXPLORE,),
    Phase.INTEREST: (Signal.ROOM_TO_EXPLORE,),
    Phase.ACTION: (Signal.LEARNING, Signal.EXPERIMENTS, Signal.HEARD),
}
# Asked of whole groups every week where a ritual offers them: what must be true to leave
# the phase (bot/domain/exit_signals.py), then what the phase's advice is about.
WEEKLY_SIGNALS: Mapping[Phase, tuple[Signal, ...]] = {
    phase: (*EXIT_SIGNALS.get(phase, ()), *ADVICE_SIGNALS.get(phase, ())) for phase in Phase
}
NOTHING_ASKED = Asked()
# The earliest any place on earth starts a day: 14 hours ahead of UTC.
_EARLIEST_OFFSET = timedelta(hours=14)

Cell = tuple[Signal, Perspective]


def history_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    """(before, week start) of the history a day's pulses are designed with.

    `before` is the first instant of `day` anywhere on earth, so every process planning
    that day, in whichever member's zone it is due, counts the same deliveries. The week is
    the digest's week: from Monday 00:00 in the journey's zone, the week the scorecard
    judges, so each weekly signal is asked in every digest week.
    """
    before = datetime.combine(day, time(0), tzinfo=UTC) - _EARLIEST_OFFSET
    monday = day - timedelta(days=day.weekday())
    week_start = datetime.combine(monday, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    return before, min(week_start, before)


def group_size(k: int) -> int:
    """The smallest group whose figure survives a 60 % answer rate at threshold k."""
    return max(1, math.ceil(k / ANSWER_RATE))


def _order(member: Member) -> tuple[int, int]:
    first = next((i for i, r in enumerate(GROUP_ORDER) if r in member.roles), len(GROUP_ORDER))
    return first, member.id or 0


@dataclass
class _Tally:
    """Counts as they stand while one day is being designed (history + this design)."""

    items: Counter[str] = field(default_factory=Counter)
    perspectives: Counter[Perspective] = field(default_factory=Counter)
    signals: Counter[Signal] = field(default_factory=Counter)
    week: dict[int, dict[Perspective, Signal]] = field(default_factory=dict)
    this_week: set[Signal] = field(default_factory=set)

    @classmethod
    def of(cls, asked: Asked) -> _Tally:
        week: dict[int, dict[Perspective, Signal]] = {}
        for member_id, cells in asked.week_cells.items():
            for signal, perspective in sorted(cells):
                week.setdefault(member_id, {}).setdefault(perspective, signal)
        return cls(
            Counter(asked.items),
            Counter(asked.perspectives),
            Counter(asked.signals),
            week,
            {signal for cells in asked.week_cells.values() for signal, _ in cells},
        )

    def may_take(self, member_id: int, cell: Cell) -> bool:
        """One signal per perspective per week: the same cell again is fine."""
        signal, perspective = cell
        return self.week.get(member_id, {}).get(perspective, signal) is signal

    def count(self, member_id: int, prompt: Prompt) -> None:
        self.items[prompt.id] += 1
        self.perspectives[prompt.perspective] += 1
        self.signals[prompt.signal] += 1
        self.week.setdefault(member_id, {}).setdefault(prompt.perspective, prompt.signal)
        self.this_week.add(prompt.signal)


def _rank(
    cell: Cell,
    takers: Mapping[int, Sequence[Prompt]],
    tally: _Tally,
    weekly: Sequence[Signal],
    slack: int,
) -> tuple[int, int, int, int, int, int, int]:
    """Smaller is better: a weekly signal not asked yet this week; a perspective not more
    than `slack` questions ahead of the least-asked one; the most items nobody was asked
    yet; the least-asked perspective; the least-asked signal; then a fixed order."""
    signal, perspective = cell
    fresh = signal in weekly and signal not in tally.this_week
    ahead = tally.perspectives[perspective] - min(tally.perspectives[p] for p in PERSPECTIVES)
    unasked = {p.id for items in takers.values() for p in items if not tally.items[p.id]}
    return (
        0 if fresh else 1,
        0 if ahead <= slack else 1,
        -len(unasked),
        tally.perspectives[perspective],
        tally.signals[signal],
        PERSPECTIVES.index(perspective),
        list(Signal).index(signal),
    )


def design_question(
    audience: Sequence[Member],
    pools: Mapping[int, Sequence[Prompt]],
    phase: Phase,
    k: int,
    tally: _Tally,
) -> dict[int, Prompt]:
    """One question for `audience`: groups formed around cells (see the module docstring)."""
    weekly = WEEKLY_SIGNALS.get(phase, ())
    least = group_size(k)
    people = sorted((m for m in audience if pools.get(m.id or 0)), key=_order)
    target = math.ceil(len(people) / max(1, len(people) // least)) if people else 0
    chosen: dict[int, Prompt] = {}
    cells_taken: list[Cell] = []
    position = {m.id or 0: i for i, m in enumerate(people)}
    # Who may take which cell does not change while they wait: only taking one changes it.
    takers: dict[Cell, dict[int, list[Prompt]]] = {}
    for member in people:
        assert member.id is not None
        for prompt in pools[member.id]:
            cell = (prompt.signal, prompt.perspective)
            if tally.may_take(member.id, cell):
                takers.setdefault(cell, {}).setdefault(member.id, []).append(prompt)
    left = {m.id or 0 for m in people}
    while left:
        big = {c: t for c, t in takers.items() if len(t) >= least}
        if not big:
            if cells_taken or not any(takers.values()):
                break
            # Fewer people than a group: they still answer, on a cell most of them can take.
            best = max(len(t) for t in takers.values())
            big = {c: t for c, t in takers.items() if len(t) >= SMALL_SHARE * best}
        cell = min(big, key=lambda c: _rank(c, big[c], tally, weekly, target))
        # Who would get an item nobody was asked yet goes first, then by role (see above).
        ranked = sorted(
            big[cell].items(),
            key=lambda kv: (min(tally.items[p.id] for p in kv[1]) > 0, position[kv[0]]),
        )
        group = ranked if len(ranked) - target < least else ranked[:target]
        for member_id, items in group:
            _give(chosen, tally, member_id, items)
        cells_taken.append(cell)
        taken = {member_id for member_id, _ in group}
        left -= taken
        for by_member in takers.values():
            for member_id in taken & by_member.keys():
                del by_member[member_id]
    # Who is left joins a group whose cell they can take, else sits this question out.
    for member_id in sorted(left, key=position.__getitem__):
        for cell in cells_taken:
            items = [p for p in pools[member_id] if (p.signal, p.perspective) == cell]
            if items and tally.may_take(member_id, cell):
                _give(chosen, tally, member_id, items)
                break
    return chosen


def _give(
    chosen: dict[int, Prompt], tally: _Tally, member_id: int, items: Sequence[Prompt]
) -> None:
    prompt = min(items, key=lambda p: (tally.items[p.id], p.id))
    chosen[member_id] = prompt
    tally.count(member_id, prompt)


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
    cache: dict[tuple[str, frozenset[Role]], list[Prompt]] = {}

    def pool_of(ritual: Ritual, member: Member) -> list[Prompt]:
        key = (ritual.key, frozenset(member.roles))
        if key not in cache:
            pool = candidates(prompts, ritual, phase, member.roles)
            if perspective is not None:
                pool = [p for p in pool if p.perspective is perspective]
            cache[key] = pool
        return cache[key]

    tally = _Tally.of(asked)
    out: dict[tuple[str, int], list[Prompt]] = {}
    for ritual in rituals:
        audience = [m for m in members if m.roles & ritual.audience and m.id is not None]
        pools = {m.id: list(pool_of(ritual, m)) for m in audience if m.id is not None}
        for _ in range(ritual.questions):
            for member_id, prompt in design_question(audience, pools, phase, k, tally).items():
                out.setdefault((ritual.key, member_id), []).append(prompt)
                # Nobody gets the same question twice in one day.
                pools[member_id] = [p for p in pools[member_id] if p.id != prompt.id]
    return out
