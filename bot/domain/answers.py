"""Recording answers: one per delivery, changeable until the delivery closes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import errors
from bot.domain.model import (
    MAX_TEXT_LENGTH,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Delivery,
    Journey,
    Member,
    PromptKind,
    iso_week,
)
from bot.domain.ports import Clock, UnitOfWorkFactory
from bot.domain.records import AnswerContext


@dataclass(frozen=True)
class AnswerRequest:
    """`user` answers delivery `delivery_id`: a value on the scale, a text, or both."""

    workspace_id: int
    delivery_id: int
    user: str
    value: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Recorded:
    """An answer as stored, with what it was checked against (a prompt's view needs it)."""

    answer: Answer
    delivery: Delivery
    journey: Journey
    member: Member


class AnswerService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def record(
        self,
        workspace_id: int,
        delivery_id: int,
        user: str,
        value: int | None = None,
        text: str | None = None,
    ) -> Answer:
        """Answer delivery `delivery_id` as `user`. Answering again replaces the answer.

        A pulse takes a value on the 1-5 scale and may carry a comment; a check-in takes text.
        """
        (outcome,) = self.record_many(
            [AnswerRequest(workspace_id, delivery_id, user, value=value, text=text)]
        )
        if isinstance(outcome, errors.DomainError):
            raise outcome
        return outcome.answer

    def record_many(self, requests: Sequence[AnswerRequest]) -> list[Recorded | errors.DomainError]:
        """Record several answers in one transaction; each gets its answer or its refusal.

        Requests are taken in order: a second click on the same delivery in one batch
        changes the first, exactly as if they had come one after the other.
        """
        now = self._clock.now()
        outcomes: list[Recorded | errors.DomainError] = []
        with self._uow() as uow:
            contexts = uow.answers.contexts([(r.workspace_id, r.delivery_id) for r in requests])
            latest: dict[int, Answer] = {}
            for request in requests:
                context = contexts.get((request.workspace_id, request.delivery_id))
                try:
                    if context is None:
                        raise errors.PromptGone()
                    existing = latest.get(request.delivery_id, context.answer)
                    answer = _answer(request, context, existing, now)
                except errors.DomainError as error:
                    outcomes.append(error)
                    continue
                latest[request.delivery_id] = answer
                outcomes.append(Recorded(answer, context.delivery, context.journey, context.member))
            if not latest:
                return outcomes
            ids = uow.answers.upsert_many(list(latest.values()))
            uow.commit()
        return [
            o
            if isinstance(o, errors.DomainError)
            else Recorded(
                _with_id(o.answer, ids[o.answer.delivery_id]), o.delivery, o.journey, o.member
            )
            for o in outcomes
        ]


def _with_id(answer: Answer, answer_id: int | None) -> Answer:
    return answer if answer.id == answer_id else replace(answer, id=answer_id)


def _answer(
    request: AnswerRequest, context: AnswerContext, existing: Answer | None, now: datetime
) -> Answer:
    """The answer `request` makes of its delivery, or the domain error that refuses it."""
    delivery, journey, member = context.delivery, context.journey, context.member
    value, text = request.value, request.text
    if text is not None:
        text = text.strip()
        if len(text) > MAX_TEXT_LENGTH:
            raise errors.InvalidText(max=MAX_TEXT_LENGTH)
        text = text or None
    if member.user != request.user:
        raise errors.NotYourDelivery()
    if not delivery.is_open(now):
        raise errors.DeliveryClosed()
    if delivery.kind is PromptKind.PULSE:
        if value is None and existing is not None:
            value = existing.value  # a comment added to an earlier click
        if value is None or not (SCALE_MIN <= value <= SCALE_MAX):
            raise errors.InvalidValue(low=SCALE_MIN, high=SCALE_MAX)
        if text is None and existing is not None:
            text = existing.text
    else:
        if value is not None:
            raise errors.WrongAnswerKind(kind=delivery.kind)
        if text is None:
            raise errors.EmptyText()
    local = now.astimezone(ZoneInfo(journey.timezone))
    return Answer(
        workspace_id=request.workspace_id,
        journey_id=delivery.journey_id,
        delivery_id=request.delivery_id,
        member_id=delivery.member_id,
        prompt_id=delivery.prompt_id,
        kind=delivery.kind,
        # The phase the question was asked in, not the one the answer arrives in.
        phase=delivery.phase,
        perspective=delivery.perspective,
        signal=delivery.signal,
        # Roles count as they were when the member first answered.
        roles=existing.roles if existing is not None else frozenset(member.roles),
        answered_at=now,
        iso_week=existing.iso_week if existing is not None else iso_week(local),
        value=value,
        text=text,
        id=existing.id if existing is not None else None,
    )
