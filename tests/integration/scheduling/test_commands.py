"""`/pioneer schedule | pause | resume | away` through the shared command runner."""

from __future__ import annotations

from datetime import timedelta

from bot.app.commands import Context, execute
from bot.domain.model import Role
from tests.integration.scheduling.conftest import TUE_10_AMS, World, deliveries


def say(world: World, text: str, user: str = "UFAC") -> str:
    ctx = Context(platform="console", workspace_id=world.workspace_id, channel="C-PLANT", user=user)
    _, reply = execute(world.container, ctx, text)
    return reply.text


def test_schedule_shows_and_changes_the_cadence(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    shown = say(world, "schedule")
    assert "`pulse`: pulse poll on tue at 10:00, open 72 hours" in shown
    assert "next: 2026-12-01 10:00" in shown
    assert "facilitator" in say(world, "schedule pulse wed 09:30", user="UFOL")
    assert "`pulse` now runs on wed at 09:30" in say(world, "schedule pulse wed 9:30")
    assert "(changed for this journey)" in say(world, "schedule")
    assert "`funday`" in say(world, "schedule pulse funday 10:00")
    assert "`25:00` is not a time" in say(world, "schedule pulse tue 25:00")
    assert "Known rituals: pulse" in say(world, "schedule lunch tue 10:00")
    # The new cadence is what the dispatcher follows: nothing on Tuesday, on Wednesday 9:30.
    world.tick(TUE_10_AMS)
    assert world.sent_to("UFOL") == []
    world.tick(TUE_10_AMS + timedelta(days=1, hours=-0.5))
    assert [r[2] for r in deliveries(world) if r[0] == "UFOL"] == ["2026-12-02"]
    assert say(world, "rooster").startswith("Schedule of")


def test_pause_resume_and_away(world: World) -> None:
    world.add_member("UFOL", {Role.FOLLOWER})
    world.clock.set(TUE_10_AMS - timedelta(hours=1))
    assert "is paused" in say(world, "pause")
    assert "Paused: nothing goes out" in say(world, "schedule")
    assert "facilitator" in say(world, "resume", user="UFOL")
    world.tick(TUE_10_AMS)
    assert world.chat.sent == []
    assert "running again" in say(world, "resume")
    assert "away until 2026-12-09" in say(world, "away until 2026-12-09", user="UFOL")
    assert "already in the past" in say(world, "away until 2026-01-01", user="UFOL")
    world.tick(TUE_10_AMS + timedelta(days=7))
    users = {u for u, *_ in deliveries(world)}
    assert users == {"UFAC"}  # UFOL is away until Wednesday 9 December


def test_joining_takes_the_members_own_time_zone_from_their_profile(world: World) -> None:
    from bot.app.commands import Profile

    def ctx(user: str, tz: str | None) -> Context:
        return Context(
            platform="console",
            workspace_id=world.workspace_id,
            channel="C-PLANT",
            user=user,
            profile=lambda: Profile(timezone=tz),
        )

    execute(world.container, ctx("UNYC", "America/New_York"), "join")
    execute(world.container, ctx("UAMS", "Europe/Amsterdam"), "join")
    execute(world.container, ctx("UODD", "Mars/Olympus_Mons"), "join")
    members = {
        m.user: m.timezone
        for m in world.container.journeys.members(world.workspace_id, world.journey_id)
    }
    assert members["UNYC"] == "America/New_York"
    assert members["UAMS"] is None  # the journey's own zone: follow the journey
    assert members["UODD"] is None
    world.tick(TUE_10_AMS)
    assert sorted(u for u, *_ in deliveries(world)) == ["UAMS", "UFAC", "UODD"]
