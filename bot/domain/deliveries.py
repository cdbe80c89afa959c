"""A delivery as its member sees it, and the key that makes sending it idempotent."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Answer, Delivery, Journey, Language, Member, Prompt
from bot.domain.views import PromptView


def prompt_view(
    delivery: Delivery,
    journey: Journey,
    member: Member,
    prompt: Prompt | None,
    now: datetime,
    reminder: bool = False,
    answer: Answer | None = None,
) -> PromptView:
    """What `member` sees of `delivery` now: question, scale, their answer, open or closed."""
    assert delivery.id is not None
    language: Language = member.language or journey.language
    if prompt is None:
        question, low, high = delivery.prompt_id, None, None
    else:
        question = prompt.text.in_(language)
        low = prompt.low.in_(language) if prompt.low else None
        high = prompt.high.in_(language) if prompt.high else None
    return PromptView(
        delivery_id=delivery.id,
        kind=delivery.kind,
        language=language,
        journey_name=journey.name,
        phase=delivery.phase,
        perspective=delivery.perspective,
        question=question,
        low_label=low,
        high_label=high,
        closes_at=delivery.closes_at,
        answered_value=answer.value if answer else None,
        answered_text=answer.text if answer else None,
        closed=not delivery.is_open(now),
        reminder=reminder,
    )


def idempotency_key(delivery: Delivery, reminder: bool = False) -> str:
    """Stable per delivery (and per reminder), so a retry can find what was already posted."""
    base = (
        f"d{delivery.journey_id}.{delivery.ritual_key}.{delivery.occurrence}.{delivery.member_id}"
    )
    return f"{base}.reminder" if reminder else base
