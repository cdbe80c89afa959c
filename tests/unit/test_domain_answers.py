"""Answer recording: stamped, replaced not duplicated, refused when it should be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.app.services import Services
from bot.clock import FixedClock
from bot.domain import errors
from bot.domain.journeys import JourneyService, PhaseTarget
from bot.domain.model import Answer, Perspective, Phase, PromptKind, Role, Signal
from bot.domain.ports import UnitOfWorkFactory
from tests.seed import deliver


@pytest.fixture
def journey_id(journeys: JourneyService, workspace_id: int) -> int:
    journey = journeys.start(workspace_id, "C1", "Plant", starter="UFAC")
    assert journey.id is not None
    journeys.change_roles(workspace_id, journey.id, "UFAC", ["U1"], add=[Role.FRONTRUNNER])
    return journey.id


@dataclass
class U1:
    """U1, a frontrunner of the journey: asked prompts, and answering them."""

    services: Services
    workspace_id: int
    journey_id: int

    def ask(self, kind: PromptKind = PromptKind.PULSE) -> int:
        """Deliver a prompt of `kind` to U1, open for three days; the delivery's id."""
        delivery = deliver(
            self.services, self.workspace_id, self.journey_id, "U1", kind, timedelta(days=3)
        )
        assert delivery.id is not None
        return delivery.id

    def answer(self, delivery_id: int, user: str = "U1", **given: Any) -> Answer:
        """`user` (U1 unless said) answers the delivery with `given` (value, text)."""
        return self.services.answers.record(self.workspace_id, delivery_id, user, **given)


@pytest.fixture
def u1(services: Services, workspace_id: int, journey_id: int) -> U1:
    return U1(services, workspace_id, journey_id)


def test_an_answer_is_stamped_with_phase_perspective_roles_and_week(u1: U1) -> None:
    did = u1.ask()  # all.biz.balance.1, the catalog's first awareness pulse
    answer = u1.answer(did, value=4)
    assert (answer.value, answer.phase, answer.perspective, answer.signal) == (
        4,
        Phase.AWARENESS,
        Perspective.BUSINESS,
        Signal.BALANCE,
    )
    assert answer.roles == frozenset({Role.FRONTRUNNER})
    assert answer.iso_week == "2026-W49"


def test_answering_again_replaces_and_never_adds(
    u1: U1,
    journeys: JourneyService,
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    workspace_id: int,
    journey_id: int,
) -> None:
    did = u1.ask()
    first = u1.answer(did, value=2)
    # The journey moves on and the member's roles change before they change their answer:
    # the answer keeps what was true when the question was asked and first answered.
    journeys.move_phase(workspace_id, journey_id, "UFAC", PhaseTarget(direction="next"))
    journeys.change_roles(workspace_id, journey_id, "UFAC", ["U1"], add=[Role.DIRECTOR])
    clock.advance(timedelta(hours=1))
    second = u1.answer(did, value=5)
    third = u1.answer(did, value=5)  # a double click
    with uow() as tx:
        stored = tx.answers.for_journey(workspace_id, journey_id)
    assert len(stored) == 1
    assert first.id == second.id == third.id == stored[0].id
    assert stored[0].value == 5
    assert stored[0].phase is Phase.AWARENESS
    assert stored[0].roles == frozenset({Role.FRONTRUNNER})


def test_a_comment_keeps_the_value_and_a_click_keeps_the_comment(u1: U1) -> None:
    did = u1.ask()
    u1.answer(did, value=3)
    with_comment = u1.answer(did, text="Too busy with the line")
    assert (with_comment.value, with_comment.text) == (3, "Too busy with the line")
    changed = u1.answer(did, value=2)
    assert (changed.value, changed.text) == (2, "Too busy with the line")


@pytest.mark.parametrize("value", [0, 6, -1, None])
def test_values_outside_the_scale_are_refused(u1: U1, value: int | None) -> None:
    did = u1.ask()
    with pytest.raises(errors.InvalidValue):
        u1.answer(did, value=value)


def test_checkins_take_text_only(u1: U1) -> None:
    did = u1.ask(PromptKind.CHECKIN)
    with pytest.raises(errors.WrongAnswerKind):
        u1.answer(did, value=3)
    with pytest.raises(errors.EmptyText):
        u1.answer(did, text="   ")
    with pytest.raises(errors.InvalidText):
        u1.answer(did, text="x" * 3001)
    answer = u1.answer(did, text=" Start with one robot cell ")
    assert answer.text == "Start with one robot cell" and answer.value is None


def test_closed_deliveries_refuse_answers(u1: U1, clock: FixedClock) -> None:
    did = u1.ask()
    clock.advance(timedelta(days=3))
    with pytest.raises(errors.DeliveryClosed):
        u1.answer(did, value=4)


def test_only_the_addressee_answers(u1: U1) -> None:
    did = u1.ask()
    with pytest.raises(errors.NotYourDelivery):
        u1.answer(did, "UFAC", value=4)
    with pytest.raises(errors.PromptGone):
        u1.answer(did + 1000, value=4)


def test_forget_me_erases_answers(
    u1: U1,
    journeys: JourneyService,
    uow: UnitOfWorkFactory,
    workspace_id: int,
    journey_id: int,
) -> None:
    did = u1.ask()
    u1.answer(did, value=4)
    assert journeys.forget(workspace_id, journey_id, "U1") is True
    with uow() as tx:
        assert tx.answers.for_journey(workspace_id, journey_id) == []
        assert tx.deliveries.get(workspace_id, did) is None
    assert journeys.member(workspace_id, journey_id, "U1") is None
    assert journeys.forget(workspace_id, journey_id, "U1") is False
