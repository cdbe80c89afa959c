"""A journey on the console platform, a fixed clock and a dispatcher whose sleeps are recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.model import Journey, Language, Member, Role
from bot.domain.ports import ChatPort
from bot.platforms.console import ConsoleChat
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.sender import Sender
from tests import seed
from tests.fakes.sleeps import Sleeps

# The scheduler's own plan (a Tuesday pulse for everyone), independent of the shipped one.
PLAN_DIR = Path(__file__).resolve().parent / "plan"

# Tuesday 1 December 2026, 10:00 in Amsterdam (CET, UTC+1): the default pulse's moment.
TUE_10_AMS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# The journey starts the Monday before.
MON_9_AMS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

ALL_BUT_FACILITATOR = {Role.DIRECTOR, Role.FRONTRUNNER, Role.FOLLOWER, Role.LEARNING}


@dataclass
class World:
    container: Container
    clock: FixedClock
    workspace_id: int
    journey: Journey
    chat: ConsoleChat
    sleeps: Sleeps
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def journey_id(self) -> int:
        assert self.journey.id is not None
        return self.journey.id

    def add_member(
        self,
        user: str,
        roles: set[Role],
        timezone: str | None = None,
        away_until: date | None = None,
    ) -> Member:
        with self.container.uow() as uow:
            member = uow.members.add(
                Member(
                    workspace_id=self.workspace_id,
                    journey_id=self.journey_id,
                    user=user,
                    roles=set(roles),
                    timezone=timezone,
                    away_until=away_until,
                )
            )
            uow.commit()
        self.members[user] = member
        return member

    def dispatcher(
        self, chat: ChatPort | None = None, rate: float = 1000.0, max_attempts: int = 3
    ) -> Dispatcher:
        """The container's dispatcher wired to `chat` (default: the console) and fake sleeps."""
        base = self.container.dispatch
        target = chat or self.chat
        return Dispatcher(
            base.uow,
            base.lock,
            base.plan,
            base.prompts,
            self.clock,
            lambda _workspace_id: target,
            lambda: Sender(
                rate=rate,
                max_attempts=max_attempts,
                sleep=self.sleeps,
                monotonic=self.sleeps.monotonic,
            ),
            # One at a time: simulated sleeps only add up when nothing runs in parallel.
            concurrency=1,
        )

    def tick(self, at: datetime, chat: ChatPort | None = None) -> object:
        self.clock.set(at)
        return self.dispatcher(chat).run_pass()

    def sent_to(self, user: str) -> list[str]:
        """Questions (and reminders) the console delivered to `user`, in order."""
        return [
            ("reminder: " if v.reminder else "") + v.question for v in self.chat.prompts_to(user)
        ]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    clock = FixedClock(MON_9_AMS)
    container = Container(Settings(database_url=database_url, pioneer_prompts_dir=PLAN_DIR), clock)
    workspace_id = seed.workspace_id(container.uow, "console", "T-SCHED", "Scheduling BV")
    journey = container.journeys.start(
        workspace_id, "C-PLANT", "Plant Noord", "UFAC", Language.EN, "Europe/Amsterdam"
    )
    chat = container.console
    world = World(container, clock, workspace_id, journey, chat, Sleeps())
    try:
        yield world
    finally:
        container.close()


def deliveries(world: World) -> Sequence[tuple[str, str, str, str, int]]:
    """(user, ritual_key, occurrence, status, attempts) of every delivery, ordered."""
    from sqlalchemy import select

    from storage.models import DeliveryRow, MemberRow

    with world.container.engine.connect() as conn:
        rows = conn.execute(
            select(
                MemberRow.user,
                DeliveryRow.ritual_key,
                DeliveryRow.occurrence,
                DeliveryRow.status,
                DeliveryRow.attempts,
            )
            .join(MemberRow, MemberRow.id == DeliveryRow.member_id)
            .order_by(DeliveryRow.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


Factory = Callable[..., World]
