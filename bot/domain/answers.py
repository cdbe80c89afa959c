"""Recording answers: one per delivery, changeable until the delivery closes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import errors
from bot.domain.model import (
    MAX_TEXT_LENGTH,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    PromptKind,
    iso_week,
)
from bot.domain.ports import Clock, UnitOfWorkFactory


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
        if text is not None:
            text = text.strip()
            if len(text) > MAX_TEXT_LENGTH:
                raise errors.InvalidText(max=MAX_TEXT_LENGTH)
            text = text or None
        now = self._clock.now()
        with self._uow() as uow:
            # One query for all three: this runs on every poll click.
            found = uow.deliveries.with_context(workspace_id, delivery_id)
            if found is None:
                raise errors.NotFound(what=f"delivery {delivery_id}")
            delivery, journey, member = found
            if member.user != user:
                raise errors.NotYourDelivery()
            if not delivery.is_open(now):
                raise errors.DeliveryClosed()
            existing = uow.answers.for_delivery(workspace_id, delivery_id)
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
                    raise errors.InvalidText(max=MAX_TEXT_LENGTH)
            local = now.astimezone(ZoneInfo(journey.timezone))
            answer = Answer(
                workspace_id=workspace_id,
                journey_id=delivery.journey_id,
                delivery_id=delivery_id,
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
            answer = uow.answers.upsert(answer)
            uow.commit()
        return answer
