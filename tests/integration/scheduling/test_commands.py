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
