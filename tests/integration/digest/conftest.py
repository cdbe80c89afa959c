"""A small builder that replays a journey through the real services and repositories."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app.digests import DigestService
from bot.clock import FixedClock
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService, PhaseTarget
from bot.domain.model import Delivery, Phase, PromptKind, Role
from prompts.catalog import Catalog, load_catalog
from prompts.themes import load_themes
from storage.uow import SqlUnitOfWorkFactory

# The shipped themes, as the container hands them to the digest service.
THEMES = load_themes()


def tuesday(iso_week: str, hour: int = 10) -> datetime:
    """A moment inside the given ISO week (Tuesday 10:00 UTC, 11:00 in Amsterdam)."""
    year, week = iso_week.split("-W")
    day = date.fromisocalendar(int(year), int(week), 2)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Scenario:
    """A journey with people, answered through AnswerService as the chat platform would."""

    def __init__(
        self,
        uow: SqlUnitOfWorkFactory,
        clock: FixedClock,
        workspace_id: int,
        name: str,
        start_week: str,
        k: int = 5,
        catalog: Catalog | None = None,
    ) -> None:
        self.uow, self.clock, self.workspace_id = uow, clock, workspace_id
        self.journeys = JourneyService(uow, clock)
        self.answers = AnswerService(uow, clock)
        self.catalog = catalog or load_catalog()
        clock.set(tuesday(start_week, 8))
        journey = self.journeys.start(
            workspace_id, f"C-{name}", name, starter="UFAC", anonymity_threshold=k
        )
        assert journey.id is not None
        self.journey_id = journey.id
        self._n = 0

    def people(self, prefix: str, n: int, *roles: Role) -> list[str]:
        users = [f"{prefix}{i:02d}" for i in range(1, n + 1)]
        self.journeys.change_roles(self.workspace_id, self.journey_id, "UFAC", users, add=roles)
        if Role.FOLLOWER not in roles:
            self.journeys.change_roles(
                self.workspace_id, self.journey_id, "UFAC", users, remove=[Role.FOLLOWER]
            )
        return users

    def move(self, week: str, to: Phase) -> None:
        self.clock.set(tuesday(week, 7))
        self.journeys.move_phase(
            self.workspace_id, self.journey_id, "UFAC", PhaseTarget(phase=to), "scenario"
        )

    def touch(self, week: str, note: str) -> None:
        self.clock.set(tuesday(week, 12))
        self.journeys.log_touchpoint(self.workspace_id, self.journey_id, "UFAC", note)

    def _deliver(self, user: str, prompt_id: str) -> int:
        prompt = self.catalog.get(prompt_id)
        now = self.clock.now()
        self._n += 1
        with self.uow() as tx:
            member = tx.members.by_user(self.workspace_id, self.journey_id, user)
            journey = tx.journeys.get(self.workspace_id, self.journey_id)
            assert member is not None and member.id is not None and journey is not None
            delivery = tx.deliveries.add(
                Delivery(
                    workspace_id=self.workspace_id,
                    journey_id=self.journey_id,
                    member_id=member.id,
                    prompt_id=prompt.id,
                    kind=prompt.kind,
                    phase=journey.phase,
                    perspective=prompt.perspective,
                    signal=prompt.signal,
                    occurrence=f"o{self._n}",
                    created_at=now,
                    due_at=now,
                    closes_at=now + timedelta(days=3),
                    status="sent",
                    sent_at=now,
                )
            )
            tx.commit()
        assert delivery.id is not None
        return delivery.id

    def ask(
        self,
        week: str,
        prompt_id: str,
        users: Sequence[str],
        answers: Sequence[int | str | None],
    ) -> None:
        """Send `prompt_id` to `users` in `week`; user i answers answers[i % len] (None: not)."""
        self.clock.set(tuesday(week))
        kind = self.catalog.get(prompt_id).kind
        for i, user in enumerate(users):
            answer = answers[i % len(answers)]
            delivery_id = self._deliver(user, prompt_id)
            if answer is None:
                continue
            if kind is PromptKind.PULSE:
                assert isinstance(answer, int)
                self.answers.record(self.workspace_id, delivery_id, user, value=answer)
            else:
                self.answers.record(self.workspace_id, delivery_id, user, text=str(answer))

    def comment(self, week: str, prompt_id: str, user: str, value: int, text: str) -> None:
        self.clock.set(tuesday(week))
        delivery_id = self._deliver(user, prompt_id)
        self.answers.record(self.workspace_id, delivery_id, user, value=value, text=text)


@pytest.fixture
def scenario_factory(
    uow: SqlUnitOfWorkFactory, clock: FixedClock, workspace_id: int
) -> Callable[..., Scenario]:
    catalog = load_catalog()

    def make(name: str, start_week: str, k: int = 5) -> Scenario:
        return Scenario(uow, clock, workspace_id, name, start_week, k=k, catalog=catalog)

    return make


@pytest.fixture
def digests(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> DigestService:
    return DigestService(uow, clock, theme_rules=THEMES)
