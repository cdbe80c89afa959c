"""`/pioneer schedule | pause | resume | away` and joining, through the shared command runner.

What the commands answer and store, on the in-memory unit of work; that the dispatcher
then follows what they stored is tests/integration/scheduling/test_commands.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app.commands import Context, Profile, execute
from bot.app.services import Services
from bot.clock import FixedClock
from bot.domain.model import Language, Member, Role
from bot.domain.rituals import CadenceOverride

# Monday 30 November 2026, 9:00 in Amsterdam (CET, UTC+1): the journey starts.
MON_9_AMS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
# The Tuesday after, 10:00 in Amsterdam: the default pulse's moment.
TUE_10_AMS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def journey_id(services: Services, clock: FixedClock, workspace_id: int) -> int:
    """A journey started by UFAC, with UFOL as a follower."""
    clock.set(MON_9_AMS)
    journey = services.journeys.start(
        workspace_id, "C-PLANT", "Plant Noord", "UFAC", Language.EN, "Europe/Amsterdam"
    )
    assert journey.id is not None
    with services.uow() as uow:
        uow.members.add(Member(workspace_id, journey.id, "UFOL", roles={Role.FOLLOWER}))
        uow.commit()
    return journey.id


def say(services: Services, workspace_id: int, text: str, user: str = "UFAC") -> str:
    ctx = Context(platform="console", workspace_id=workspace_id, channel="C-PLANT", user=user)
    _, reply = execute(services, ctx, text)
    return reply.text


def test_schedule_shows_and_changes_the_cadence(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    shown = say(services, workspace_id, "schedule")
    assert "`pulse`: pulse poll on tue at 10:00, open 72 hours" in shown
    assert "next: 2026-12-01 10:00" in shown
    assert "facilitator" in say(services, workspace_id, "schedule pulse wed 09:30", user="UFOL")
    assert "`pulse` now runs on wed at 09:30" in say(
        services, workspace_id, "schedule pulse wed 9:30"
    )
    assert "(changed for this journey)" in say(services, workspace_id, "schedule")
    assert "`funday`" in say(services, workspace_id, "schedule pulse funday 10:00")
    assert "`25:00` is not a time" in say(services, workspace_id, "schedule pulse tue 25:00")
    assert "Known rituals: pulse" in say(services, workspace_id, "schedule lunch tue 10:00")
    assert say(services, workspace_id, "rooster").startswith("Schedule of")
    with services.uow() as uow:
        assert uow.rituals.overrides(workspace_id, journey_id) == [
            CadenceOverride("pulse", "wed", "09:30")
        ]


def test_pause_resume_and_away(
    services: Services, clock: FixedClock, workspace_id: int, journey_id: int
) -> None:
    clock.set(TUE_10_AMS - timedelta(hours=1))
    assert "is paused" in say(services, workspace_id, "pause")
    assert "Paused: nothing goes out" in say(services, workspace_id, "schedule")
    assert "facilitator" in say(services, workspace_id, "resume", user="UFOL")
    with services.uow() as uow:
        schedule = uow.rituals.schedule(workspace_id, journey_id)
        assert schedule is not None and schedule.paused
    assert "running again" in say(services, workspace_id, "resume")
    with services.uow() as uow:
        schedule = uow.rituals.schedule(workspace_id, journey_id)
    # Resuming starts from now: what fell due while paused is skipped, not "missed".
    assert schedule is not None and not schedule.paused
    assert schedule.dispatched_through == clock.now()
    away = say(services, workspace_id, "away until 2026-12-09", user="UFOL")
    assert "away until 2026-12-09" in away
    past = say(services, workspace_id, "away until 2026-01-01", user="UFOL")
    assert "already in the past" in past
    member = services.journeys.member(workspace_id, journey_id, "UFOL")
    assert member is not None and member.away_until == date(2026, 12, 9)


def test_joining_takes_the_members_own_time_zone_from_their_profile(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    def ctx(user: str, tz: str | None) -> Context:
        return Context(
            platform="console",
            workspace_id=workspace_id,
            channel="C-PLANT",
            user=user,
            profile=lambda: Profile(timezone=tz),
        )

    execute(services, ctx("UNYC", "America/New_York"), "join")
    execute(services, ctx("UAMS", "Europe/Amsterdam"), "join")
    execute(services, ctx("UODD", "Mars/Olympus_Mons"), "join")
    members = {m.user: m.timezone for m in services.journeys.members(workspace_id, journey_id)}
    assert members["UNYC"] == "America/New_York"
    assert members["UAMS"] is None  # the journey's own zone: follow the journey
    assert members["UODD"] is None


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("schedule pulse sun 10:00", "en", "Nothing is ever sent on `sun`"),
        ("schedule pulse fri-sun 10:00", "en", "Nothing is ever sent on `sat,sun`"),
        ("schedule checkin za 11:00", "nl", "Op `sat` gaat er nooit iets uit"),
    ],
)
def test_a_cadence_on_days_off_is_refused_and_nothing_changes(
    services: Services,
    workspace_id: int,
    journey_id: int,
    text: str,
    language: str,
    expected: str,
) -> None:
    """Rituals fall due on working days only: "now runs on sun" would never send a thing."""
    if language == "nl":
        say(services, workspace_id, "language nl")
    answer = say(services, workspace_id, text)
    assert expected in answer
    assert "`mon-fri`" in answer
    with services.uow() as uow:
        assert uow.rituals.overrides(workspace_id, journey_id) == []
