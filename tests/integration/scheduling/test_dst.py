"""A schedule that reaches the hours daylight saving time skips or repeats.

Sunday is a working day of this journey (a plant that runs seven days), so `schedule
pulse sun 02:30` is accepted; in Amsterdam 02:30 does not exist on the last Sunday of
March and happens twice on the last Sunday of October. Real dispatcher passes, real
database, a fixed clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from storage.models import DeliveryRow, JourneyRow
from tests.integration.scheduling.conftest import World


@pytest.fixture
def sunday_pulse(world: World) -> World:
    with world.container.engine.begin() as conn:
        conn.execute(update(JourneyRow).values(working_days="mon-sun"))
    world.container.schedule.change(
        world.workspace_id, world.journey_id, "UFAC", "pulse", "sun", "02:30"
    )
    return world


def pulses_on(world: World, day: str) -> list[datetime]:
    """When each pulse of that local day fell due (UTC), and only those sent."""
    with world.container.engine.connect() as conn:
        rows = conn.execute(
            select(DeliveryRow.due_at, DeliveryRow.status).where(
                DeliveryRow.ritual_key == "pulse", DeliveryRow.occurrence == day
            )
        ).all()
    return [due.replace(tzinfo=UTC) if due.tzinfo is None else due for due, _ in rows]


def test_a_time_skipped_in_march_goes_out_once_at_the_same_moment_an_hour_later(
    sunday_pulse: World,
) -> None:
    world = sunday_pulse
    world.tick(datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    world.tick(datetime(2027, 3, 28, 1, 29, tzinfo=UTC))  # 02:29 CET: still winter time
    assert pulses_on(world, "2027-03-28") == []
    # At 02:00 CET the clocks jump to 03:00 CEST; 02:30 is read as 03:30 CEST, 01:30 UTC.
    world.tick(datetime(2027, 3, 28, 1, 30, tzinfo=UTC))
    assert pulses_on(world, "2027-03-28") == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]
    world.tick(datetime(2027, 3, 28, 2, 30, tzinfo=UTC))
    assert len(pulses_on(world, "2027-03-28")) == 1
    assert sent_for(world, "2027-03-28") == 1


def test_a_time_repeated_in_october_goes_out_once_the_first_time(sunday_pulse: World) -> None:
    world = sunday_pulse
    world.tick(datetime(2027, 10, 30, 12, 0, tzinfo=UTC))
    world.tick(datetime(2027, 10, 31, 0, 29, tzinfo=UTC))
    assert pulses_on(world, "2027-10-31") == []
    world.tick(datetime(2027, 10, 31, 0, 30, tzinfo=UTC))  # 02:30 CEST, the first time
    assert pulses_on(world, "2027-10-31") == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]
    world.tick(datetime(2027, 10, 31, 1, 30, tzinfo=UTC))  # 02:30 CET, the second time
    world.tick(datetime(2027, 10, 31, 3, 0, tzinfo=UTC))
    assert len(pulses_on(world, "2027-10-31")) == 1
    assert sent_for(world, "2027-10-31") == 1


def sent_for(world: World, day: str) -> int:
    """Messages (not reminders) the console delivered for that day's pulse."""
    with world.container.engine.connect() as conn:
        ids = set(
            conn.scalars(
                select(DeliveryRow.id).where(
                    DeliveryRow.ritual_key == "pulse", DeliveryRow.occurrence == day
                )
            )
        )
    return sum(1 for v in world.chat.prompts_to("UFAC") if v.delivery_id in ids and not v.reminder)


def test_the_schedule_shows_the_next_pulse_at_its_local_time(sunday_pulse: World) -> None:
    world = sunday_pulse
    world.clock.set(datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    view = world.container.schedule.show(world.workspace_id, world.journey_id)
    [pulse] = [line for line in view.rituals if line.key == "pulse"]
    assert pulse.next_due is not None
    assert pulse.next_due.strftime("%Y-%m-%d %H:%M %Z") == "2027-03-28 03:30 CEST"
    assert pulse.next_due == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
