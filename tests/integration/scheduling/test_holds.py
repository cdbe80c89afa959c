"""What waits: late prompts and reminders for working hours, everything while paused or away;
and a weekly digest that failed to be prepared, tried again for its own week.

Real passes of the dispatcher on a fixed clock, against the console platform and a real
database. Amsterdam is UTC+1 in December: 09:00 UTC is 10:00 there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, text, update

from bot.domain.model import PromptKind
from bot.domain.rituals import JourneyPaused
from bot.scheduling.dispatcher import Dispatcher, PassReport
from bot.scheduling.sender import Sender
from storage.models import JourneyRow
from tests.conftest import backend
from tests.integration.scheduling.conftest import TUE_10_AMS, World, deliveries
from tests.integration.scheduling.test_dispatcher import Flaky, team

THU_10_AMS = TUE_10_AMS + timedelta(days=2)
FRI_10_AMS = TUE_10_AMS + timedelta(days=3)
SAT_10_AMS = TUE_10_AMS + timedelta(days=4)
SUN_10_AMS = TUE_10_AMS + timedelta(days=5)
MON_8_AMS = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def reminded(world: World) -> list[tuple[str, str]]:
    """(user, question) of every reminder the console delivered, in order."""
    return [(s.to, s.view.question) for s in world.chat.sent if s.view and s.view.reminder]


def statuses(world: World, ritual: str) -> dict[str, str]:
    return {u: status for u, key, _, status, _ in deliveries(world) if key == ritual}


# -- 11. weekends and working hours --------------------------------------------------------------
def test_the_reminder_of_a_friday_poll_waits_for_monday_morning(world: World) -> None:
    team(world)
    world.container.schedule.change(
        world.workspace_id, world.journey_id, "UFAC", "pulse", "fri", "10:00"
    )
    world.tick(FRI_10_AMS)  # open 72 hours: until Monday 10:00; reminder due Sunday 10:00
    assert statuses(world, "pulse") == dict.fromkeys(["UDIR", "UFAC", "UFOL", "URUN"], "sent")
    for at in (SAT_10_AMS, SUN_10_AMS, MON_8_AMS - timedelta(minutes=1)):
        world.tick(at)
    assert reminded(world) == []  # not on Saturday, Sunday, nor before 08:00 on Monday
    world.tick(MON_8_AMS)
    assert sorted(u for u, _ in reminded(world)) == ["UDIR", "UFAC", "UFOL", "URUN"]
    world.tick(MON_8_AMS + timedelta(hours=1))
    assert len(reminded(world)) == 4  # still one each


def test_a_reminder_due_on_saturday_for_a_poll_closing_sunday_is_dropped(world: World) -> None:
    team(world)
    world.tick(THU_10_AMS)  # the "room" pulse of frontrunners and directors: closes Sunday
    assert statuses(world, "room") == {"UDIR": "sent", "URUN": "sent"}
    for at in (SAT_10_AMS, SUN_10_AMS - timedelta(minutes=1), SUN_10_AMS, MON_8_AMS):
        world.tick(at)
    assert [q for _, q in reminded(world)] == []


def checkins_sent(world: World) -> int:
    return sum(1 for s in world.chat.sent if s.view and s.view.kind is PromptKind.CHECKIN)


def test_a_check_in_missed_on_friday_is_not_sent_late_on_saturday(world: World) -> None:
    team(world)
    world.tick(FRI_10_AMS - timedelta(hours=2))  # the last pass before the outage
    # Back on Saturday: Friday's check-in (11:00, open 96 hours) is still open, but late.
    world.tick(SAT_10_AMS)
    assert statuses(world, "checkin") == dict.fromkeys(["UDIR", "UFAC", "UFOL", "URUN"], "pending")
    assert checkins_sent(world) == 0
    world.tick(MON_8_AMS - timedelta(minutes=1))
    assert checkins_sent(world) == 0
    world.tick(MON_8_AMS)  # the first working hour
    assert statuses(world, "checkin") == dict.fromkeys(["UDIR", "UFAC", "UFOL", "URUN"], "sent")
    assert checkins_sent(world) == 4


def test_a_late_poll_that_closes_before_the_next_working_hour_is_never_sent(
    world: World,
) -> None:
    team(world)
    world.tick(THU_10_AMS - timedelta(hours=2))
    # Down until Thursday 19:00: the "room" pulse (open until Sunday 10:00) is late and it
    # is evening; then Friday is a holiday, and the weekend follows.
    with world.container.engine.begin() as conn:
        conn.execute(update(JourneyRow).values(holidays=["2026-12-04"]))
    world.tick(THU_10_AMS + timedelta(hours=9))
    assert statuses(world, "room") == {"UDIR": "pending", "URUN": "pending"}
    for at in (FRI_10_AMS, SAT_10_AMS, SUN_10_AMS, MON_8_AMS):
        world.tick(at)
    assert statuses(world, "room") == {"UDIR": "missed", "URUN": "missed"}
    assert len(world.sent_to("URUN")) == 1  # Tuesday's pulse, sent Thursday morning


def test_a_late_prompt_in_working_hours_goes_at_once(world: World) -> None:
    team(world)
    world.tick(TUE_10_AMS - timedelta(hours=2))
    world.tick(TUE_10_AMS + timedelta(hours=3))  # 13:00 on a Tuesday: late, but in hours
    assert statuses(world, "pulse") == dict.fromkeys(["UDIR", "UFAC", "UFOL", "URUN"], "sent")


# -- 13. pause and away apply to what was recorded already ----------------------------------------
def test_pause_holds_deliveries_left_pending_by_an_outage_and_their_reminders(
    world: World,
) -> None:
    team(world)
    schedule = world.container.schedule
    world.tick(TUE_10_AMS, chat=Flaky(failures=100))  # recorded; the platform is down
    assert statuses(world, "pulse") == dict.fromkeys(["UDIR", "UFAC", "UFOL", "URUN"], "pending")
    schedule.set_paused(world.workspace_id, world.journey_id, "UFAC", True)
    world.tick(TUE_10_AMS + timedelta(minutes=5))  # the platform is back: still nothing
    assert world.chat.sent == []
    world.clock.set(TUE_10_AMS + timedelta(hours=1))
    schedule.set_paused(world.workspace_id, world.journey_id, "UFAC", False)
    world.tick(TUE_10_AMS + timedelta(hours=1, minutes=1))  # resumed: the open poll goes
    assert len(world.chat.sent) == 4
    world.clock.set(TUE_10_AMS + timedelta(days=1))
    schedule.set_paused(world.workspace_id, world.journey_id, "UFAC", True)
    world.tick(THU_10_AMS)  # the reminder's moment, paused
    assert reminded(world) == []
    with pytest.raises(JourneyPaused):
        world.dispatcher().send_now(world.workspace_id, world.journey_id, "UFAC", PromptKind.PULSE)


def test_away_holds_a_pending_delivery_and_a_reminder(world: World) -> None:
    team(world)
    away = world.container.schedule.away
    world.tick(TUE_10_AMS, chat=Flaky(failures=100))  # recorded; the platform is down
    world.clock.set(TUE_10_AMS + timedelta(minutes=2))
    away(world.workspace_id, "UFOL", date(2026, 12, 4))
    world.tick(TUE_10_AMS + timedelta(minutes=5))
    assert statuses(world, "pulse")["UFOL"] == "pending"
    assert sorted(s.to for s in world.chat.sent) == ["UDIR", "UFAC", "URUN"]
    world.clock.set(TUE_10_AMS + timedelta(minutes=10))
    away(world.workspace_id, "URUN", date(2026, 12, 4))  # after the prompt reached them
    world.tick(THU_10_AMS)  # reminders: not to those away until Friday
    assert sorted(u for u, _ in reminded(world)) == ["UDIR", "UFAC"]
    world.tick(FRI_10_AMS)  # back, but the poll closed at 10:00 that day
    assert statuses(world, "pulse")["UFOL"] == "missed"
    assert "UFOL" not in {s.to for s in world.chat.sent}


# -- 13. a digest whose preparation failed is tried again for its week ----------------------------
DIGEST_DUE = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # Monday 08:30 in Amsterdam


@pytest.fixture
def refusing_digest_sends(world: World) -> Iterator[Engine]:
    """Planning a digest's messages fails in the database, until the trigger is dropped."""
    engine = world.container.engine
    with engine.begin() as conn:
        if backend() == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_digest_send() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'database is locked'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_digest_send BEFORE INSERT ON digest_sends "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_digest_send()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_digest_send BEFORE INSERT ON digest_sends "
                    "BEGIN SELECT RAISE(ABORT, 'database is locked'); END"
                )
            )
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS refuse_digest_send" + _on_table()))
        if backend() == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS refuse_digest_send()"))


def _on_table() -> str:
    return " ON digest_sends" if backend() == "postgresql" else ""


def digest_dispatcher(world: World) -> Dispatcher:
    base = world.container.dispatch
    return Dispatcher(
        base.uow,
        base.lock,
        base.plan,
        base.prompts,
        world.clock,
        lambda _workspace_id: world.chat,
        lambda: Sender(rate=1000.0, sleep=world.sleeps, monotonic=world.sleeps.monotonic),
        digest_hook=lambda: world.container.digests.send_weekly,
        digest_resume=lambda: world.container.digests.send_pending,
        concurrency=1,
    )


def test_a_digest_that_failed_to_be_prepared_is_sent_on_the_next_pass(
    world: World, refusing_digest_sends: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    team(world)
    world.tick(DIGEST_DUE - timedelta(hours=1))
    world.clock.set(DIGEST_DUE)
    first = digest_dispatcher(world).run_pass()
    assert isinstance(first, PassReport) and first.digests == 0
    assert world.chat.digests_to("UDIR") == []
    assert "weekly digest failed" in caplog.text
    with refusing_digest_sends.begin() as conn:  # the database is writable again
        conn.execute(text("DROP TRIGGER refuse_digest_send" + _on_table()))
    world.clock.set(DIGEST_DUE + timedelta(minutes=1))
    second = digest_dispatcher(world).run_pass()
    assert isinstance(second, PassReport) and second.digests == 1
    [digest] = world.chat.digests_to("UDIR")
    assert digest.iso_week == "2026-W49"  # the week it was due for, not a later one
    world.clock.set(DIGEST_DUE + timedelta(minutes=2))
    third = digest_dispatcher(world).run_pass()
    assert isinstance(third, PassReport) and third.digests == 0
    assert len(world.chat.digests_to("UDIR")) == 1
