"""Occurrences in member-local time, asked at fixed instants (never by waiting)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.domain.calendar import (
    WEEKDAYS,
    Cadence,
    Calendar,
    InvalidDays,
    InvalidTime,
    format_days,
    parse_days,
    parse_time,
)
from bot.domain.model import Member, Perspective, Phase, PromptKind, Role, Signal
from bot.domain.rituals import Fate, Ritual, RitualKind, next_occurrence, occurrences
from bot.domain.sampling import candidates, choose_prompt
from prompts.catalog import load_catalog
from prompts.ritual_plan import PlanError, load_plan

AMS = "Europe/Amsterdam"
NYC = "America/New_York"
WORKDAYS = Calendar.of("mon-fri")


def ritual(days: str = "mon-fri", at: str = "10:00", **kw: object) -> Ritual:
    return Ritual(key="pulse", kind=RitualKind.PULSE, cadence=Cadence.parse(days, at), **kw)  # type: ignore[arg-type]


def cron_trigger(r: Ritual, timezone: str) -> CronTrigger:
    """APScheduler's own trigger for the same cadence, weekdays by name (APScheduler 3 numbers
    Monday 0 and cron 1; a name cannot be misread)."""
    return CronTrigger(
        day_of_week=",".join(WEEKDAYS[d] for d in r.cadence.days),
        hour=r.cadence.at.hour,
        minute=r.cadence.at.minute,
        timezone=ZoneInfo(timezone),
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("friday_due", "monday_due"),
    [
        # 25 October 2026: summer time ends; 10:00 is 08:00 UTC before and 09:00 UTC after.
        (utc(2026, 10, 23, 8, 0), utc(2026, 10, 26, 9, 0)),
        # 28 March 2027: summer time starts; 10:00 is 09:00 UTC before and 08:00 UTC after.
        (utc(2027, 3, 26, 9, 0), utc(2027, 3, 29, 8, 0)),
    ],
)
def test_next_occurrence_across_the_dst_weekend_in_amsterdam(
    friday_due: datetime, monday_due: datetime
) -> None:
    r = ritual()
    friday = next_occurrence(r, AMS, WORKDAYS, friday_due - timedelta(hours=1))
    assert friday is not None and friday.due_at == friday_due
    monday = next_occurrence(r, AMS, WORKDAYS, friday_due)
    assert monday is not None
    assert monday.due_at == monday_due
    assert monday.due_at.astimezone(ZoneInfo(AMS)).time() == time(10, 0)
    # APScheduler's own trigger (weekdays by name) agrees with the dispatcher's arithmetic.
    trigger = cron_trigger(r, AMS)
    fire = trigger.get_next_fire_time(None, friday_due + timedelta(seconds=1))
    assert fire is not None and fire.astimezone(UTC) == monday_due


def test_a_time_skipped_by_the_spring_jump_moves_forward() -> None:
    r = ritual(days="sun", at="02:30")
    occ = next_occurrence(r, AMS, Calendar.of("mon-sun"), utc(2027, 3, 27, 12, 0))
    assert occ is not None and occ.key == "2027-03-28"
    assert occ.due_at == utc(2027, 3, 28, 1, 30)  # 03:30 summer time: after the gap


def test_a_member_in_new_york_gets_it_at_ten_in_new_york() -> None:
    r = ritual(days="tue")
    ams = next_occurrence(r, AMS, WORKDAYS, utc(2026, 12, 1, 0, 0))
    nyc = next_occurrence(r, NYC, WORKDAYS, utc(2026, 12, 1, 0, 0))
    assert ams is not None and nyc is not None
    assert ams.due_at == utc(2026, 12, 1, 9, 0)
    assert nyc.due_at == utc(2026, 12, 1, 15, 0)
    assert ams.key == nyc.key == "2026-12-01"
    # The US moves its clocks two weeks before Europe: 16 March 2027 they are 5 hours apart.
    nyc_march = next_occurrence(r, NYC, WORKDAYS, utc(2027, 3, 16, 0, 0))
    ams_march = next_occurrence(r, AMS, WORKDAYS, utc(2027, 3, 16, 0, 0))
    assert nyc_march is not None and ams_march is not None
    assert nyc_march.due_at - ams_march.due_at == timedelta(hours=5)


def test_weekends_and_holidays_are_skipped() -> None:
    calendar = Calendar.of("mon-fri", ["2026-12-25", "2026-12-28", "not a date"])
    found = occurrences(
        ritual(days="mon-sun"), AMS, calendar, utc(2026, 12, 21, 0, 0), utc(2026, 12, 30, 0, 0)
    )
    assert [o.key for o in found] == [
        "2026-12-21",
        "2026-12-22",
        "2026-12-23",
        "2026-12-24",
        "2026-12-29",
    ]
    # Working days are per journey: a plant that works Saturdays gets Saturday rituals.
    six_days = Calendar.of("mon-sat")
    saturday = occurrences(
        ritual(days="sat"), AMS, six_days, utc(2026, 12, 5, 0, 0), utc(2026, 12, 6, 0, 0)
    )
    assert [o.key for o in saturday] == ["2026-12-05"]


def test_occurrence_window_is_half_open() -> None:
    due = utc(2026, 12, 1, 9, 0)
    r = ritual(days="tue")
    assert [o.due_at for o in occurrences(r, AMS, WORKDAYS, due - timedelta(minutes=1), due)] == [
        due
    ]
    assert occurrences(r, AMS, WORKDAYS, due, due + timedelta(minutes=1)) == []


def test_days_and_times_by_name() -> None:
    assert parse_days("mon-fri") == (0, 1, 2, 3, 4)
    assert parse_days("tue,thu") == (1, 3)
    assert parse_days("di") == (1,)
    assert format_days(parse_days("mon-fri")) == "mon-fri"
    assert format_days((1, 3)) == "tue,thu"
    assert parse_time("9:05") == time(9, 5)
    for bad in ("", "funday", "fri-mon", "mon-"):
        with pytest.raises(InvalidDays):
            parse_days(bad)
    for bad in ("25:00", "10", "10:60", "ten"):
        with pytest.raises(InvalidTime):
            parse_time(bad)


def test_grace_window_and_reminder_policy() -> None:
    due = utc(2026, 12, 1, 9, 0)
    r = ritual(open_hours=72)
    assert r.closes_at(due) == due + timedelta(hours=72)
    assert r.fate(due, due + timedelta(hours=71)) is Fate.PENDING
    assert r.fate(due, due + timedelta(hours=72, seconds=1)) is Fate.MISSED
    short_grace = ritual(open_hours=72, grace_hours=4)
    assert short_grace.fate(due, due + timedelta(hours=5)) is Fate.MISSED
    assert r.remind_at(due) == due + timedelta(hours=48)
    # A window shorter than the reminder lead: remind half-way.
    assert ritual(open_hours=8).remind_at(due) == due + timedelta(hours=4)
    assert ritual(remind_before_hours=None).remind_at(due) is None


def test_check_ins_rotate_per_person() -> None:
    """Check-ins are open questions to each person: the next item of their own rotation."""
    catalog = list(load_catalog())
    r = Ritual(key="checkin", kind=RitualKind.CHECKIN, cadence=Cadence.parse("fri", "11:00"))
    pool = candidates(catalog, r, Phase.AWARENESS, {Role.FOLLOWER})
    assert len(pool) >= 3
    start = date(2026, 12, 4)
    asked = [choose_prompt(pool, 7, r.occurrence_seq(start + timedelta(weeks=w))) for w in range(6)]
    ids = [p.id for p in asked if p]
    assert all(a != b for a, b in zip(ids, ids[1:], strict=False))
    assert len({p.perspective for p in asked if p}) >= 2
    # One week, a team of three: each gets a different item.
    week = r.occurrence_seq(start)
    assert len({choose_prompt(pool, m, week) for m in (1, 2, 3)}) == 3


def test_the_shipped_plan_follows_the_method() -> None:
    plan = load_plan()
    catalog = list(load_catalog())
    waking = {r.key: r for r in plan.for_phase(Phase.INTEREST)}
    assert {Role.FRONTRUNNER, Role.DIRECTOR} <= waking["explorers"].audience
    assert {Signal.ROOM_TO_EXPLORE, Signal.FUTURE_PICTURE} <= waking["explorers"].signals
    warming = {r.key: r for r in plan.for_phase(Phase.DESIRE)}
    assert warming["followers"].audience == {Role.FOLLOWER}
    for phase in Phase:
        rituals = plan.for_phase(phase)
        assert any(r.kind is RitualKind.DIGEST for r in rituals)
        # "You said, we did": every fortnight, to every role.
        (update,) = [r for r in rituals if r.kind is RitualKind.TEAM_UPDATE]
        assert update.every_weeks == 2 and update.audience == set(Role)
        for r in rituals:
            if r.for_journey:
                continue
            for role in r.audience:
                assert candidates(catalog, r, phase, {role}), (phase, r.key, role)
        pulse = next(r for r in rituals if r.key == "pulse")
        kinds = {p.perspective for p in candidates(catalog, pulse, phase, set(Role))}
        assert kinds == set(Perspective)
        assert pulse.kind.prompt_kind is PromptKind.PULSE


def test_an_organisation_overrides_a_phase(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "rituals").mkdir()
    (folder / "rituals" / "rituals.yaml").write_text(
        "phases:\n  awareness:\n    - {key: pulse, kind: pulse, days: wed, time: '09:30'}\n",
        encoding="utf-8",
    )
    plan = load_plan(folder)
    (only,) = plan.for_phase(Phase.AWARENESS)
    assert (only.cadence.days_text, only.cadence.time_text) == ("wed", "09:30")
    assert len(plan.for_phase(Phase.DESIRE)) == 5  # untouched phases keep the defaults
    # The same folder still works as the organisation's prompt catalog override.
    assert len(load_catalog(folder)) == len(load_catalog())
    (folder / "rituals" / "rituals.yaml").write_text(
        "phases:\n  awareness:\n    - {key: pulse, kind: pulse, days: someday, time: '9'}\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanError, match="awareness: pulse"):
        load_plan(folder)


def test_the_followers_pulse_asks_heard_and_my_role_of_disjoint_groups_every_week() -> None:
    from bot.domain.pulse_design import day_design, group_size
    from bot.domain.records import Asked

    plan = load_plan()
    catalog = list(load_catalog())
    followers = next(r for r in plan.for_phase(Phase.DESIRE) if r.key == "followers")
    members = [Member(1, 1, f"U{i}", {Role.FOLLOWER}, id=i) for i in range(1, 20)]
    design = day_design([followers], Phase.DESIRE, members, catalog, 5, Asked())
    groups: dict[Signal, set[int]] = {}
    for (_, member_id), (prompt,) in design.items():
        groups.setdefault(prompt.signal, set()).add(member_id)
    assert set(groups) == {Signal.HEARD, Signal.MY_ROLE}
    assert all(len(g) >= group_size(5) for g in groups.values())
    assert not groups[Signal.HEARD] & groups[Signal.MY_ROLE]
