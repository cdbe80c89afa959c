"""Refusals that should be answers: an empty check-in, a prompt erased by forget-me, settings
asked for by someone in no journey, coming back from `away`, and a big team's status."""

from __future__ import annotations

import asyncio

from bot.app.answering import AnswerBatcher, Answered
from bot.app.commands import Context, execute
from bot.app.services import Services
from bot.domain.model import Language, PromptKind
from tests.seed import deliver


def say(services: Services, workspace_id: int, text: str, user: str = "UFAC") -> str:
    ctx = Context(platform="console", workspace_id=workspace_id, channel="C1", user=user)
    return execute(services, ctx, text)[1].text


def answer(services: Services, workspace_id: int, delivery_id: int, **kw: object) -> Answered:
    batcher = AnswerBatcher(services.answers, services.views)
    return asyncio.run(batcher.answer(workspace_id, "UBOB", delivery_id, **kw))  # type: ignore[arg-type]


def journey(services: Services, workspace_id: int, language: Language = Language.EN) -> int:
    started = services.journeys.start(workspace_id, "C1", "Plant", "UFAC", language)
    assert started.id is not None
    services.journeys.join(workspace_id, started.id, "UBOB")
    return started.id


def test_a_whitespace_only_checkin_is_called_empty(services: Services, workspace_id: int) -> None:
    delivery = deliver(
        services, workspace_id, journey(services, workspace_id), "UBOB", PromptKind.CHECKIN
    )
    assert delivery.id is not None
    refusal = answer(services, workspace_id, delivery.id, text=" \n\t ").refusal
    assert refusal is not None and "empty" in refusal and "3000" not in refusal


def test_after_forget_me_an_old_prompt_says_it_is_gone_in_the_persons_language(
    services: Services, workspace_id: int
) -> None:
    delivery = deliver(services, workspace_id, journey(services, workspace_id), "UBOB")
    assert delivery.id is not None
    say(services, workspace_id, "forget-me yes", user="UBOB")
    dutch = answer(services, workspace_id, delivery.id, value=4, language=lambda: Language.NL)
    assert dutch.refusal is not None and dutch.language is Language.NL
    assert "bestaat niet meer" in dutch.refusal and "delivery" not in dutch.refusal
    unknown = answer(services, workspace_id, delivery.id, value=4, language=lambda: None)
    assert unknown.refusal is not None and "no longer exists" in unknown.refusal


def test_someone_in_no_journey_is_told_how_to_join(services: Services, workspace_id: int) -> None:
    journey(services, workspace_id, Language.NL)
    for text in ("language nl", "away until 2099-01-01", "away off"):
        reply = say(services, workspace_id, text, user="USTRANGER")
        assert "/pioneer join" in reply and "Ik ken" not in reply, text


def test_away_off_ends_an_absence(services: Services, workspace_id: int) -> None:
    journey_id = journey(services, workspace_id)
    assert "2099-01-01" in say(services, workspace_id, "away until 2099-01-01", user="UBOB")
    assert "Welcome back" in say(services, workspace_id, "away off", user="UBOB")
    member = services.journeys.member(workspace_id, journey_id, "UBOB")
    assert member is not None and member.away_until is None
    assert "`away off` — back again" in say(services, workspace_id, "help")


def test_status_of_a_big_team_counts_per_role_and_names_a_few(
    services: Services, workspace_id: int
) -> None:
    journey_id = journey(services, workspace_id)
    for n in range(180):
        services.journeys.join(workspace_id, journey_id, f"UMEMBER{n:04d}")
    status = say(services, workspace_id, "status")
    assert len(status) < 1500  # one short message, the readiness card included
    assert "follower (181): " in status and "and 176 more" in status
    assert "• facilitator (1): <@UFAC>\n" in status
