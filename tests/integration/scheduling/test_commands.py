"""What `/pioneer schedule | pause | resume | away | join` store is what the dispatcher follows.

The commands' answers, and what they store, are tests/unit/test_schedule_commands.py; here
they run through the container on a real database, and the dispatcher's passes show it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.app.commands import Context, Profile, execute
from bot.domain.model import Role
from tests.integration.scheduling.conftest import TUE_10_AMS, World, deliveries


def say(world: World, text: str, user: str = "UFAC") -> str:
    ctx = Context(platform="console", workspace_id=world.workspace_id, channel="C-PLANT", user=user)
    _, reply = execute(world.container, ctx, text)
    return reply.text


def test_the_dispatcher_follows_a_cadence_changed_by_command(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    assert "`pulse` now runs on wed at 09:30" in say(world, "schedule pulse wed 9:30")
    # Nothing on Tuesday, on Wednesday 9:30.
    world.tick(TUE_10_AMS)
    assert world.sent_to("UFOL") == []
    world.tick(TUE_10_AMS + timedelta(days=1, hours=-0.5))
    assert [r[2] for r in deliveries(world) if r[0] == "UFOL"] == ["2026-12-02"]


def test_nothing_goes_out_while_paused_nor_to_someone_away(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    world.clock.set(TUE_10_AMS - timedelta(hours=1))
    assert "is paused" in say(world, "pause")
    world.tick(TUE_10_AMS)
    assert world.chat.sent == []
    assert "running again" in say(world, "resume")
    assert "away until 2026-12-09" in say(world, "away until 2026-12-09", user="UFOL")
    world.tick(TUE_10_AMS + timedelta(days=7))
    users = {u for u, *_ in deliveries(world)}
    assert users == {"UFAC"}  # UFOL is away until Wednesday 9 December


def test_members_who_joined_are_asked_at_the_time_in_their_own_zone(world: World) -> None:
    def ctx(user: str, tz: str | None) -> Context:
        return Context(
            platform="console",
            workspace_id=world.workspace_id,
            channel="C-PLANT",
            user=user,
            profile=lambda: Profile(timezone=tz),
        )

    joining = {"UNYC": "America/New_York", "UAMS": "Europe/Amsterdam", "UODD": "Mars/Olympus_Mons"}
    for user, tz in joining.items():
        execute(world.container, ctx(user, tz), "join")
    world.tick(TUE_10_AMS)
    # 10:00 in Amsterdam is 4:00 in New York: UNYC's poll is not due yet.
    assert sorted(u for u, *_ in deliveries(world)) == ["UAMS", "UFAC", "UODD"]


def test_a_holiday_set_by_command_stops_that_days_pulse(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    assert "Holiday added: 2026-12-01." in say(world, "holiday add 2026-12-01")
    world.tick(TUE_10_AMS)
    world.tick(TUE_10_AMS + timedelta(hours=8))
    assert world.chat.sent == []  # Tuesday 1 December is a holiday: no pulse, not late either
    assert deliveries(world) == []
    assert "Holiday removed" in say(world, "holiday remove 2026-12-01")
    world.tick(TUE_10_AMS + timedelta(days=7))
    pulses = {(u, o) for u, key, o, *_ in deliveries(world) if key == "pulse"}
    assert pulses == {("UFAC", "2026-12-08"), ("UFOL", "2026-12-08")}


def test_working_days_set_by_command_are_followed(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    say(world, "workdays mon,wed-fri")
    world.tick(TUE_10_AMS)
    assert world.chat.sent == []  # Tuesday is no working day any more
    assert "now runs on wed" in say(world, "schedule pulse wed 10:00")
    world.tick(TUE_10_AMS + timedelta(days=1))
    assert sorted(u for u, *_ in deliveries(world)) == ["UFAC", "UFOL"]


def test_the_next_pulse_follows_a_time_zone_changed_by_command(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    world.add_member("UTOKYO", {Role.FOLLOWER}, timezone="Asia/Tokyo")
    world.tick(TUE_10_AMS - timedelta(hours=2))  # the scheduler knows the journey's plan
    assert "now runs in the time zone America/New_York" in say(world, "timezone America/New_York")
    # 10:00 in Amsterdam is no longer the moment: 10:00 in New York is (15:00 UTC).
    world.tick(TUE_10_AMS)
    assert {u for u, *_ in deliveries(world)} == {"UTOKYO"}  # their own zone, as before
    world.tick(TUE_10_AMS + timedelta(hours=5, minutes=59) - timedelta(minutes=1))
    assert {u for u, *_ in deliveries(world)} == {"UTOKYO"}
    world.tick(TUE_10_AMS + timedelta(hours=6))
    assert sorted(u for u, _, o, *_ in deliveries(world) if o == "2026-12-01") == [
        "UFAC",
        "UFOL",
        "UTOKYO",
    ]
    assert len(world.sent_to("UFOL")) == 1


def test_a_days_pulse_is_not_sent_twice_when_the_zone_moves_it_later(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    world.clock.set(TUE_10_AMS - timedelta(hours=12))
    say(world, "timezone Asia/Tokyo")
    world.tick(TUE_10_AMS - timedelta(hours=8))  # 10:00 on Tuesday in Tokyo
    assert len(world.sent_to("UFOL")) == 1
    say(world, "timezone Europe/Amsterdam")
    world.tick(TUE_10_AMS)  # Tuesday's pulse again, now at 10:00 in Amsterdam
    assert len(world.sent_to("UFOL")) == 1
    world.tick(TUE_10_AMS + timedelta(days=7))
    pulses = [o for u, key, o, status, _ in deliveries(world) if (u, key) == ("UFOL", "pulse")]
    assert pulses == ["2026-12-01", "2026-12-08"]
