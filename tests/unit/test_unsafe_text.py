"""Text someone typed with NUL or other control characters is refused, in their language, by
the shared command runner and answer recorder (every platform passes through them), before
anything reaches storage. Over HTTP, on both databases: tests/e2e/*/test_free_text.py."""

from __future__ import annotations

import asyncio

import pytest

from bot.app.answering import AnswerBatcher
from bot.app.commands import Context, execute
from bot.app.free_text import has_unsafe_characters
from bot.app.services import Services
from bot.domain.model import Language, PromptKind
from tests.seed import deliver

UNSAFE = ["a\x00b", "\x00", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85", "lone \ud800"]
NL_REFUSAL = "stuurteken"
EN_REFUSAL = "control character"


@pytest.mark.parametrize("text", UNSAFE)
def test_control_characters_and_lone_surrogates_are_unsafe(text: str) -> None:
    assert has_unsafe_characters(text)


@pytest.mark.parametrize("text", ["tab\tand\nlines\r\n", "émoji 🚀 & <tags>", "", None])
def test_tabs_line_breaks_and_any_printable_text_are_fine(text: str | None) -> None:
    assert not has_unsafe_characters(text)


def say(services: Services, workspace_id: int, text: str, user: str = "UFAC") -> str:
    ctx = Context(platform="console", workspace_id=workspace_id, channel="C1", user=user)
    return execute(services, ctx, text)[1].text


@pytest.mark.parametrize(
    "command",
    ["start Plant\x00Noord", "ecosystem met\x00HR", "phase back we\x00missed it", "join\x00"],
)
def test_a_command_with_a_nul_is_refused_in_the_journeys_language(
    services: Services, workspace_id: int, command: str
) -> None:
    journey = services.journeys.start(workspace_id, "C1", "Plant", "UFAC", Language.NL)
    assert journey.id is not None
    assert NL_REFUSAL in say(services, workspace_id, command)
    assert services.journeys.journey_for_channel(workspace_id, "C1").name == "Plant"
    with services.uow() as uow:
        assert list(uow.touchpoints.list(workspace_id, journey.id)) == []
        assert len(uow.members.list(workspace_id, journey.id)) == 1


def test_a_journey_name_with_a_nul_is_refused_and_none_is_started(
    services: Services, workspace_id: int
) -> None:
    assert EN_REFUSAL in say(services, workspace_id, "start Plant\x00Noord")
    with services.uow() as uow:
        assert list(uow.journeys.list(workspace_id)) == []


@pytest.mark.parametrize("kind", [PromptKind.CHECKIN, PromptKind.PULSE])
def test_an_answer_with_a_nul_is_refused_and_nothing_is_stored(
    services: Services, workspace_id: int, kind: PromptKind
) -> None:
    journey = services.journeys.start(workspace_id, "C1", "Plant", "UFAC", Language.NL)
    assert journey.id is not None
    delivery = deliver(services, workspace_id, journey.id, "UFAC", kind)
    assert delivery.id is not None
    batcher = AnswerBatcher(services.answers, services.views)
    value = 3 if kind is PromptKind.PULSE else None

    async def answer(text: str) -> tuple[str | None, str | None]:
        assert delivery.id is not None
        outcome = await batcher.answer(workspace_id, "UFAC", delivery.id, value=value, text=text)
        return outcome.refusal, outcome.view.kind.value if outcome.view else None

    refusal, shown = asyncio.run(answer("de robot\x00 is eng"))
    assert refusal is not None and NL_REFUSAL in refusal and shown == kind.value
    with services.uow() as uow:
        assert uow.answers.for_delivery(workspace_id, delivery.id) is None
    assert asyncio.run(answer("de robot is eng\n\tzegt men"))[0] is None
