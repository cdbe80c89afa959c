"""Answer recording: stamped, replaced not duplicated, refused when it should be."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.app.services import Services
from bot.clock import FixedClock
from bot.domain import errors
from bot.domain.answers import AnswerService
from bot.domain.journeys import JourneyService, PhaseTarget
from bot.domain.model import Perspective, Phase, PromptKind, Role, Signal
from bot.domain.ports import UnitOfWorkFactory
from tests.seed import deliver


@pytest.fixture
def journey_id(journeys: JourneyService, workspace_id: int) -> int:
    journey = journeys.start(workspace_id, "C1", "Plant", starter="UFAC")
    assert journey.id is not None
    journeys.change_roles(workspace_id, journey.id, "UFAC", ["U1"], add=[Role.FRONTRUNNER])
    return journey.id


@pytest.fixture
def ask_u1(services: Services, workspace_id: int, journey_id: int) -> Callable[..., int]:
    """Deliver a prompt of a kind to U1, open for three days; the delivery's id."""

    def ask(kind: PromptKind = PromptKind.PULSE) -> int:
        delivery = deliver(services, workspace_id, journey_id, "U1", kind, timedelta(days=3))
        assert delivery.id is not None
        return delivery.id

    return ask


def test_an_answer_is_stamped_with_phase_perspective_roles_and_week(
    answers: AnswerService,
    ask_u1: Callable[..., int],
    workspace_id: int,
) -> None:
    did = ask_u1()  # all.biz.balance.1, the catalog's first awareness pulse
    answer = answers.record(workspace_id, did, "U1", value=4)
    assert (answer.value, answer.phase, answer.perspective, answer.signal) == (
        4,
        Phase.AWARENESS,
        Perspective.BUSINESS,
        Signal.BALANCE,
    )
    assert answer.roles == frozenset({Role.FRONTRUNNER})
    assert answer.iso_week == "2026-W49"


def test_answering_again_replaces_and_never_adds(
    answers: AnswerService,
    journeys: JourneyService,
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    ask_u1: Callable[..., int],
    workspace_id: int,
    journey_id: int,
) -> None:
    did = ask_u1()
    first = answers.record(workspace_id, did, "U1", value=2)
    # The journey moves on and the member's roles change before they change their answer:
    # the answer keeps what was true when the question was asked and first answered.
    journeys.move_phase(workspace_id, journey_id, "UFAC", PhaseTarget(direction="next"))
    journeys.change_roles(workspace_id, journey_id, "UFAC", ["U1"], add=[Role.DIRECTOR])
    clock.advance(timedelta(hours=1))
    second = answers.record(workspace_id, did, "U1", value=5)
    third = answers.record(workspace_id, did, "U1", value=5)  # a double click
    with uow() as tx:
        stored = tx.answers.for_journey(workspace_id, journey_id)
    assert len(stored) == 1
    assert first.id == second.id == third.id == stored[0].id
    assert stored[0].value == 5
    assert stored[0].phase is Phase.AWARENESS
    assert stored[0].roles == frozenset({Role.FRONTRUNNER})


def test_a_comment_keeps_the_value_and_a_click_keeps_the_comment(
    answers: AnswerService,
    ask_u1: Callable[..., int],
    workspace_id: int,
) -> None:
    did = ask_u1()
    answers.record(workspace_id, did, "U1", value=3)
    with_comment = answers.record(workspace_id, did, "U1", text="Too busy with the line")
    assert (with_comment.value, with_comment.text) == (3, "Too busy with the line")
    changed = answers.record(workspace_id, did, "U1", value=2)
    assert (changed.value, changed.text) == (2, "Too busy with the line")


@pytest.mark.parametrize("value", [0, 6, -1, None])
def test_values_outside_the_scale_are_refused(
    answers: AnswerService,
    ask_u1: Callable[..., int],
    workspace_id: int,
    value: int | None,
) -> None:
    did = ask_u1()
    with pytest.raises(errors.InvalidValue):
        answers.record(workspace_id, did, "U1", value=value)


def test_checkins_take_text_only(
    answers: AnswerService,
    ask_u1: Callable[..., int],
    workspace_id: int,
) -> None:
    did = ask_u1(PromptKind.CHECKIN)
    with pytest.raises(errors.WrongAnswerKind):
        answers.record(workspace_id, did, "U1", value=3)
    with pytest.raises(errors.EmptyText):
        answers.record(workspace_id, did, "U1", text="   ")
    with pytest.raises(errors.InvalidText):
        answers.record(workspace_id, did, "U1", text="x" * 3001)
    answer = answers.record(workspace_id, did, "U1", text=" Start with one robot cell ")
    assert answer.text == "Start with one robot cell" and answer.value is None


def test_closed_deliveries_refuse_answers(
    answers: AnswerService,
    clock: FixedClock,
    ask_u1: Callable[..., int],
    workspace_id: int,
) -> None:
    did = ask_u1()
    clock.advance(timedelta(days=3))
    with pytest.raises(errors.DeliveryClosed):
        answers.record(workspace_id, did, "U1", value=4)


def test_only_the_addressee_answers(
    answers: AnswerService,
    ask_u1: Callable[..., int],
    workspace_id: int,
) -> None:
    did = ask_u1()
    with pytest.raises(errors.NotYourDelivery):
        answers.record(workspace_id, did, "UFAC", value=4)
    with pytest.raises(errors.PromptGone):
        answers.record(workspace_id, did + 1000, "U1", value=4)


def test_forget_me_erases_answers(
    answers: AnswerService,
    journeys: JourneyService,
    uow: UnitOfWorkFactory,
    ask_u1: Callable[..., int],
    workspace_id: int,
    journey_id: int,
) -> None:
    did = ask_u1()
    answers.record(workspace_id, did, "U1", value=4)
    assert journeys.forget(workspace_id, journey_id, "U1") is True
    with uow() as tx:
        assert tx.answers.for_journey(workspace_id, journey_id) == []
        assert tx.deliveries.get(workspace_id, did) is None
    assert journeys.member(workspace_id, journey_id, "U1") is None
    assert journeys.forget(workspace_id, journey_id, "U1") is False
