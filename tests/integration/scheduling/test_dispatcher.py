"""Dispatcher passes against the console platform and a real database, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.domain import errors
from bot.domain.errors import TemporaryFailure, Unreachable
from bot.domain.journeys import PhaseTarget
from bot.domain.model import Member, Phase, PromptKind, Role
from bot.domain.views import Notice, PromptView
from bot.scheduling.dispatcher import PassReport
from storage.models import DeliveryRow, JourneyRow
from tests.integration.scheduling.conftest import TUE_10_AMS, World, deliveries

WED_10_AMS = TUE_10_AMS + timedelta(days=1)
THU_10_AMS = TUE_10_AMS + timedelta(days=2)


def team(world: World) -> None:
    world.add_member("UDIR", {Role.DIRECTOR})
    world.add_member("URUN", {Role.FRONTRUNNER})
    world.add_member("UFOL", {Role.FOLLOWER})


def pulse_users(world: World, occurrence: str = "2026-12-01") -> list[str]:
    return sorted(
        u for u, key, occ, _, _ in deliveries(world) if key == "pulse" and occ == occurrence
    )


def test_a_pass_records_before_sending_and_a_second_pass_sends_nothing(world: World) -> None:
    team(world)
    report = world.tick(TUE_10_AMS)
    assert isinstance(report, PassReport)
    # The default pulse goes to everyone in the audience (the facilitator too), once.
    assert pulse_users(world) == ["UDIR", "UFAC", "UFOL", "URUN"]
    assert all(status == "sent" for _, _, _, status, _ in deliveries(world))
    assert len(world.chat.sent) == 4
    again = world.tick(TUE_10_AMS)
    assert isinstance(again, PassReport) and again.lines == [] and again.recorded == 0
    later = world.tick(TUE_10_AMS + timedelta(minutes=5))
    assert isinstance(later, PassReport) and later.lines == []
    assert len(world.chat.sent) == 4
    # Each message carries the delivery's stable key and its own delivery id.
    keys = [s.idempotency_key for s in world.chat.sent]
    assert len(set(keys)) == 4 and all(k and ".pulse.2026-12-01." in k for k in keys)


def test_nothing_before_the_local_time(world: World) -> None:
    team(world)
    world.tick(TUE_10_AMS - timedelta(minutes=1))
    assert world.chat.sent == []


def test_a_member_in_another_zone_gets_it_at_their_own_ten(world: World) -> None:
    team(world)
    world.add_member("UNYC", {Role.FOLLOWER}, timezone="America/New_York")
    world.tick(TUE_10_AMS)
    assert "UNYC" not in pulse_users(world)
    world.tick(datetime(2026, 12, 1, 14, 59, tzinfo=UTC))
    assert "UNYC" not in pulse_users(world)
    world.tick(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # 10:00 in New York
    assert "UNYC" in pulse_users(world)
    assert len(world.sent_to("UNYC")) == 1


def test_holidays_skip_and_paused_journeys_and_away_members_get_nothing(world: World) -> None:
    team(world)
    world.add_member("UAWAY", {Role.FOLLOWER}, away_until=date(2026, 12, 8))
    with world.container.engine.begin() as conn:
        conn.execute(update(JourneyRow).values(holidays=["2026-12-01"]))
    world.tick(TUE_10_AMS)
    assert world.chat.sent == []  # a holiday
    with world.container.engine.begin() as conn:
        conn.execute(update(JourneyRow).values(holidays=[]))
    schedule = world.container.schedule
    with pytest.raises(errors.NotAllowed):
        schedule.set_paused(world.workspace_id, world.journey_id, "UFOL", True)
    schedule.set_paused(world.workspace_id, world.journey_id, "UFAC", True)
    world.tick(TUE_10_AMS + timedelta(days=7))
    assert world.chat.sent == []
    world.clock.set(TUE_10_AMS + timedelta(days=7, hours=1))
    schedule.set_paused(world.workspace_id, world.journey_id, "UFAC", False)
    world.tick(TUE_10_AMS + timedelta(days=7, hours=2))
    assert world.chat.sent == []  # what fell due while paused is skipped, not sent late
    world.tick(TUE_10_AMS + timedelta(days=14))
    assert "UAWAY" in pulse_users(world, "2026-12-15")
    assert min(o for u, _, o, *_ in deliveries(world) if u == "UAWAY") >= "2026-12-08"
    assert not [r for r in deliveries(world) if r[2] == "2026-12-08"]  # paused that day


def test_away_until_is_a_members_own_choice(world: World) -> None:
    team(world)
    world.clock.set(TUE_10_AMS - timedelta(days=1))
    schedule = world.container.schedule
    assert schedule.away(world.workspace_id, "UFOL", date(2026, 12, 2)) == 1
    with pytest.raises(errors.DomainError) as refused:
        schedule.away(world.workspace_id, "UFOL", date(2026, 11, 1))
    assert refused.value.key == "error.schedule.away_past"
    world.tick(TUE_10_AMS)
    assert "UFOL" not in pulse_users(world)
    assert "UDIR" in pulse_users(world)


def test_one_reminder_only_to_those_who_have_not_answered(world: World) -> None:
    team(world)
    world.tick(TUE_10_AMS)
    dir_delivery = next(v for v in world.chat.prompts_to("UDIR")).delivery_id
    world.clock.set(TUE_10_AMS + timedelta(hours=1))
    world.container.answers.record(world.workspace_id, dir_delivery, "UDIR", value=4)
    # 72 hours open, reminder 24 hours before closing: Thursday 10:00.
    world.tick(TUE_10_AMS + timedelta(hours=47))
    assert not any(v.reminder for s in world.chat.sent if (v := s.view))
    world.tick(TUE_10_AMS + timedelta(hours=48))
    reminded = sorted(s.to for s in world.chat.sent if s.view and s.view.reminder)
    assert reminded == ["UFAC", "UFOL", "URUN"]
    reminder = next(s.view for s in world.chat.sent if s.view and s.view.reminder)
    assert reminder is not None and not reminder.closed and reminder.delivery_id > 0
    world.tick(TUE_10_AMS + timedelta(hours=60))
    assert sum(1 for s in world.chat.sent if s.view and s.view.reminder) == 3


def test_a_closed_poll_refuses_answers(world: World) -> None:
    team(world)
    world.tick(TUE_10_AMS)
    view = world.chat.prompts_to("UFOL")[0]
    world.clock.set(view.closes_at + timedelta(seconds=1))
    with pytest.raises(errors.DeliveryClosed):
        world.container.answers.record(world.workspace_id, view.delivery_id, "UFOL", value=3)
    # After closing, the prompt is shown closed (the button says so).
    from bot.domain.deliveries import prompt_view

    with world.container.uow() as uow:
        delivery = uow.deliveries.get(world.workspace_id, view.delivery_id)
        member = uow.members.get(world.workspace_id, delivery.member_id)  # type: ignore[union-attr]
    assert delivery is not None and member is not None
    shown = prompt_view(delivery, world.journey, member, None, world.clock.now())
    assert shown.closed


def test_a_phase_change_switches_the_plan_at_once(world: World) -> None:
    team(world)
    world.tick(TUE_10_AMS)
    old = world.chat.prompts_to("UFOL")[0]
    assert old.phase is Phase.AWARENESS
    world.clock.set(TUE_10_AMS + timedelta(hours=2))
    world.container.journeys.move_phase(
        world.workspace_id, world.journey_id, "UFAC", PhaseTarget(phase=Phase.DESIRE), "ready"
    )
    world.tick(THU_10_AMS)
    # Thursday in desire: the followers' ritual (heard, my role, why unavoidable).
    rows = [r for r in deliveries(world) if r[2] == "2026-12-03"]
    assert {(u, k) for u, k, *_ in rows} == {("UFOL", "followers")}
    new = [v for v in world.chat.prompts_to("UFOL") if not v.reminder][-1]
    assert new.phase is Phase.DESIRE and new.delivery_id != old.delivery_id
    # Awareness' Thursday "room" ritual for frontrunners and directors is gone with the
    # phase; desire's Wednesday pulse came instead, then the reminder of Tuesday's pulse.
    sent = world.chat.prompts_to("URUN")
    assert [(v.phase, v.reminder) for v in sent] == [
        (Phase.AWARENESS, False),
        (Phase.DESIRE, False),
        (Phase.AWARENESS, True),
    ]
    # The awareness prompt stays answerable until it closes.
    world.container.answers.record(world.workspace_id, old.delivery_id, "UFOL", value=2)


def test_downtime_inside_the_grace_window_sends_late_past_it_records_missed(
    world: World,
) -> None:
    team(world)
    world.tick(TUE_10_AMS - timedelta(hours=2))  # the last pass before the outage
    # Back on Friday 11:30: Tuesday's pulse (open 72 h) closed at 10:00; Thursday's
    # "room" pulse is still open; Friday's check-in came due at 11:00.
    back = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    report = world.tick(back)
    assert isinstance(report, PassReport)
    rows = {(u, k, o): s for u, k, o, s, _ in deliveries(world)}
    assert {rows[(u, "pulse", "2026-12-01")] for u in ("UDIR", "UFAC", "UFOL", "URUN")} == {
        "missed"
    }
    assert rows[("URUN", "room", "2026-12-03")] == "sent"
    assert rows[("UDIR", "room", "2026-12-03")] == "sent"
    assert rows[("UFOL", "checkin", "2026-12-04")] == "sent"
    assert report.missed == 4
    # Everyone got one message per ritual still open, nothing for the missed one.
    assert len(world.sent_to("URUN")) == 2
    assert len(world.sent_to("UFOL")) == 1
    # A second pass after the restart sends nothing more.
    world.tick(back + timedelta(minutes=1))
    assert len(world.chat.sent) == sum(1 for s in rows.values() if s == "sent")


def test_a_prompt_sent_late_gets_no_reminder_on_its_heels(world: World) -> None:
    team(world)
    world.tick(TUE_10_AMS - timedelta(hours=2))
    # Down from Tuesday 08:00 to Thursday 11:00: the pulse (open until Friday 10:00, its
    # reminder due Thursday 10:00) goes out late, without a reminder right behind it.
    world.tick(THU_10_AMS + timedelta(hours=1))
    sent = [s.view for s in world.chat.sent if s.view and s.view.question]
    assert sent and not any(v.reminder for v in sent)


def test_send_now_is_for_facilitators_and_a_double_click_asks_once(world: World) -> None:
    team(world)
    world.clock.set(TUE_10_AMS - timedelta(hours=3))
    dispatch = world.dispatcher()
    with pytest.raises(errors.NotAllowed) as refused:
        dispatch.send_now(world.workspace_id, world.journey_id, "UFOL", PromptKind.PULSE)
    assert refused.value.params["allowed"] == [Role.FACILITATOR]
    count = dispatch.send_now(world.workspace_id, world.journey_id, "UFAC", PromptKind.PULSE)
    assert count == 4
    assert dispatch.send_now(world.workspace_id, world.journey_id, "UFAC", PromptKind.PULSE) == 4
    assert len(world.chat.sent) == 4
    from bot.domain.model import Perspective

    world.clock.set(TUE_10_AMS - timedelta(hours=2))
    n = dispatch.send_now(
        world.workspace_id,
        world.journey_id,
        "UFAC",
        PromptKind.CHECKIN,
        Perspective.HUMAN,
    )
    assert n >= 1
    checkins = [s.view for s in world.chat.sent[4:] if s.view]
    assert checkins and all(
        v.kind is PromptKind.CHECKIN and v.perspective is Perspective.HUMAN for v in checkins
    )


class Flaky:
    """A chat that fails `failures` times per person before it works, or never reaches some."""

    def __init__(self, failures: int, unreachable: set[str] | None = None) -> None:
        self.failures = failures
        self.unreachable = unreachable or set()
        self.tries: dict[str, int] = {}
        self.sent: list[str] = []

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        if member.user in self.unreachable:
            raise Unreachable("cannot_dm_bot")
        self.tries[member.user] = self.tries.get(member.user, 0) + 1
        if self.tries[member.user] <= self.failures:
            raise TemporaryFailure("HTTP 500")
        self.sent.append(member.user)
        return f"ref-{member.user}"

    def post_notice(self, channel: str, notice: Notice) -> str:
        return "n"


def test_a_delivery_that_keeps_failing_stays_pending_then_goes_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    team(world)
    flaky = Flaky(failures=5, unreachable={"UDIR"})
    world.clock.set(TUE_10_AMS)
    report = world.dispatcher(flaky, max_attempts=3).run_pass()
    statuses = {u: (s, a) for u, k, o, s, a in deliveries(world)}
    assert statuses["UDIR"] == ("unreachable", 1)
    assert statuses["UFOL"] == ("pending", 1)
    assert report.count("failed") == 3
    assert "still pending" in caplog.text
    # Backoff grew between attempts (jittered, exponential), without real sleeping.
    assert world.sleeps.slept and max(world.sleeps.slept) > min(world.sleeps.slept)
    world.clock.set(TUE_10_AMS + timedelta(minutes=1))
    world.dispatcher(flaky, max_attempts=3).run_pass()
    statuses = {u: (s, a) for u, k, o, s, a in deliveries(world)}
    assert statuses["UFOL"] == ("sent", 2)
    assert sorted(flaky.sent) == ["UFAC", "UFOL", "URUN"]
    with world.container.engine.connect() as conn:
        errors_left = conn.scalars(select(DeliveryRow.last_error)).all()
    assert "cannot_dm_bot" in errors_left


def test_pacing_honours_the_rate_and_retry_after(world: World) -> None:
    for n in range(30):
        world.add_member(f"U{n:03}", {Role.FOLLOWER})
    from bot.platforms.console import ConsoleChat

    limited = ConsoleChat(limit_per_second=10, monotonic=world.sleeps.monotonic)
    world.clock.set(TUE_10_AMS)
    report = world.dispatcher(limited, rate=20).run_pass()
    assert report.count("sent") == 31
    assert len({s.to for s in limited.sent}) == 31 == len(limited.sent)
    # 31 messages at an allowed 10/s need about three seconds of (simulated) waiting, plus
    # a little after each 429, which restarts the pace without catching up.
    assert 2.0 <= sum(world.sleeps.slept) <= 5.0
    assert any(s >= 0.5 for s in world.sleeps.slept)  # a Retry-After was waited out


def test_deliveries_that_keep_failing_show_in_the_metrics(world: World) -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from bot.scheduling.collector import DispatchCollector

    team(world)
    world.clock.set(TUE_10_AMS)
    dispatcher = world.dispatcher(Flaky(failures=99), max_attempts=2)
    dispatcher.run_pass()
    registry = CollectorRegistry()
    registry.register(DispatchCollector(dispatcher))
    text = generate_latest(registry).decode()
    assert "pioneer_deliveries_retrying 4.0" in text
    assert 'pioneer_deliveries{status="pending"} 4.0' in text
    assert 'pioneer_dispatch_messages_total{outcome="failed_attempt"} 4.0' in text


def test_a_reminder_that_failed_is_sent_on_a_later_pass(world: World) -> None:
    """The platform is down at reminder time: the reminder is not lost, it follows."""
    team(world)
    world.tick(TUE_10_AMS)
    thursday = TUE_10_AMS + timedelta(hours=48)
    down = Flaky(failures=100)
    world.tick(thursday, chat=down)
    assert not any(s.view and s.view.reminder for s in world.chat.sent)
    world.tick(thursday + timedelta(minutes=1))
    reminded = sorted(s.to for s in world.chat.sent if s.view and s.view.reminder)
    assert reminded == ["UDIR", "UFAC", "UFOL", "URUN"]
    world.tick(thursday + timedelta(hours=2))
    assert sum(1 for s in world.chat.sent if s.view and s.view.reminder) == 4
