"""Differencing: no figure a director can see at two moments reveals one person.

Each test performs the attack a director could: read, wait for one more answer (or a
changed answer, or someone erased), read again, and subtract. `visible` collects every
figure a digest shows, keyed by what it is about; `attack` subtracts two readings and
says what one person would have to have answered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.app.digests import DigestService
from bot.clock import FixedClock
from bot.domain.digest.view import DigestView
from bot.domain.model import Phase, Role
from tests.integration.digest.conftest import Scenario, tuesday

TECH = "all.tech.balance.1"
Key = tuple[str, ...]


def monday_after(week: str) -> datetime:
    """08:30 in Amsterdam on the Monday after `week`, when its digest goes out."""
    return tuesday(week, 7) + timedelta(days=6, minutes=30)


def visible(view: DigestView) -> dict[Key, tuple[int, float]]:
    """Every figure the digest shows: (people, mean), by week and what it is about."""
    shown: dict[Key, tuple[int, float]] = {}

    def put(key: Key, respondents: int | None, mean: float | None) -> None:
        if respondents is not None and mean is not None:
            shown[key] = (respondents, mean)

    for group in (*view.perspectives, *view.signals):
        put((view.iso_week, group.key), group.all.respondents, group.all.mean)
        for item in group.roles:
            put((view.iso_week, group.key, item.role.value), *_pair(item.figure))
    for point in view.trend:
        put((point.iso_week, point.perspective.value), point.respondents, point.mean)
    for cell in view.grid:
        put(("grid", cell.phase.value, cell.perspective.value), cell.respondents, cell.mean)
    return shown


def _pair(figure: object) -> tuple[int | None, float | None]:
    return getattr(figure, "respondents", None), getattr(figure, "mean", None)


def attack(before: DigestView, after: DigestView, k: int) -> dict[Key, float]:
    """Figures shown at both moments that differ by fewer than k people: what the people
    in between must have answered (n2 x m2 - n1 x m1), by figure."""
    first, second = visible(before), visible(after)
    found: dict[Key, float] = {}
    for key in first.keys() & second.keys():
        (n1, m1), (n2, m2) = first[key], second[key]
        if (n1, m1) != (n2, m2) and abs(n2 - n1) < k:
            found[key] = round(n2 * m2 - n1 * m1, 2)
    return found


def technology_team(make: Callable[..., Scenario]) -> tuple[Scenario, list[str]]:
    """A journey in awareness since week 44, a director who reads, and ten people."""
    s = make("Differencing", "2026-W44")
    s.people("UD", 1, Role.DIRECTOR)
    return s, s.people("UP", 10, Role.FOLLOWER)


def test_previewing_before_and_after_one_more_answer_reveals_nothing(
    scenario_factory: Callable[..., Scenario], digests: DigestService, clock: FixedClock
) -> None:
    """The issue's attack: technology 3.4 from 5 people, one more answers, 3.0 from 6:
    6 x 3.0 - 5 x 3.4 = 1.0, exactly that person's answer."""
    s, people = technology_team(scenario_factory)
    ws, jid = s.workspace_id, s.journey_id
    s.ask("2026-W46", TECH, people[:5], [4])
    s.ask("2026-W47", TECH, people[1:5], [3, 4, 4, 3])
    late = on_friday(s, "2026-W47", people[0], 3)  # 3.4 from five
    clock.set(tuesday("2026-W47") + timedelta(days=3, hours=1))  # Friday
    first = digests.preview(ws, jid, actor="UD01")
    s.ask("2026-W47", TECH, people[5:6], [1])  # the sixth answers 1
    clock.set(tuesday("2026-W47") + timedelta(days=3, hours=2))
    second = digests.preview(ws, jid, actor="UD01")
    assert attack(first, second, k=5) == {}
    assert first == second  # the week in progress is shown to nobody
    assert first.iso_week == "2026-W46"

    # Once week 47 is over its preview shows it, and goes on showing it the same way,
    # also when an answer still open changes: the digest sent later is that same one.
    clock.set(monday_after("2026-W47") - timedelta(hours=1))
    before = digests.preview(ws, jid, actor="UD01")
    assert visible(before)[("2026-W47", "technology")] == (6, 3.0)
    s.answers.record(ws, late, people[0], value=1)
    clock.set(monday_after("2026-W47"))
    sent = digests.build(ws, jid, "2026-W47")
    assert attack(before, sent, k=5) == {} and visible(before) == visible(sent)


def test_a_changed_answer_or_an_erasure_does_not_show_between_weekly_digests(
    scenario_factory: Callable[..., Scenario], digests: DigestService, clock: FixedClock
) -> None:
    s, people = technology_team(scenario_factory)
    ws, jid = s.workspace_id, s.journey_id
    s.ask("2026-W46", TECH, people[1:6], [3, 4, 4, 3, 1])
    late = on_friday(s, "2026-W46", people[0], 3)
    clock.set(monday_after("2026-W46"))
    week46 = digests.build(ws, jid, "2026-W46")
    assert visible(week46)[("2026-W46", "technology")] == (6, 3.0)
    # Monday morning, the poll still open: one changes their answer, one is erased.
    s.answers.record(ws, late, people[0], value=5)
    assert s.journeys.forget(ws, jid, people[5])
    s.ask("2026-W47", TECH, people[:5], [2])
    clock.set(monday_after("2026-W47"))
    week47 = digests.build(ws, jid, "2026-W47")
    assert attack(week46, week47, k=5) == {}
    assert visible(week47)[("2026-W46", "technology")] == (6, 3.0)


def test_the_grid_adds_nothing_to_the_trend_and_nothing_between_weeks(
    scenario_factory: Callable[..., Scenario], digests: DigestService, clock: FixedClock
) -> None:
    """Phase x perspective is cumulative: minus the weekly figures shown next to it (or
    minus last week's grid) it would isolate a week's lone answer, withheld in the trend."""
    s, people = technology_team(scenario_factory)
    ws, jid = s.workspace_id, s.journey_id
    s.move("2026-W45", Phase.INTEREST)
    s.ask("2026-W45", TECH, people[:6], [3, 4])
    s.ask("2026-W46", TECH, people[6:7], [1])  # one person: the trend withholds it
    clock.set(monday_after("2026-W45"))
    week45 = digests.build(ws, jid, "2026-W45")
    clock.set(monday_after("2026-W46"))
    week46 = digests.build(ws, jid, "2026-W46")
    assert ("2026-W46", "technology") not in visible(week46)
    assert attack(week45, week46, k=5) == {}
    shown = visible(week46)
    cell = shown[("grid", "interest", "technology")]
    weekly = [
        shown[(w, "technology")] for w in ("2026-W45", "2026-W46") if (w, "technology") in shown
    ]
    people_left = cell[0] - sum(n for n, _ in weekly)
    value_left = cell[0] * cell[1] - sum(n * m for n, m in weekly)
    assert people_left == 0 or people_left >= 5, (people_left, value_left)


def on_friday(s: Scenario, week: str, user: str, value: int) -> int:
    """`user` answers a poll sent on the week's Friday, open until Monday noon."""
    s.clock.set(tuesday(week) + timedelta(days=3))
    delivery_id = s._deliver(user, TECH)
    s.answers.record(s.workspace_id, delivery_id, user, value=value)
    return delivery_id
