"""A delivery as its member sees it, the key that makes sending it idempotent, and whether
it (or its reminder) may go out now."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.calendar import Calendar, zone
from bot.domain.model import Answer, Delivery, Journey, Language, Member, Prompt
from bot.domain.rituals import is_away, member_timezone
from bot.domain.views import PromptView

# A prompt sent this long after it fell due is late (the bot was down, or the platform):
# it waits for the person's working hours. Sooner, it is on time whatever the hour, so a
# fan-out to a big team that runs past 18:00 still reaches everyone that evening.
LATE_AFTER = timedelta(hours=1)


class Hold(StrEnum):
    """Why a recorded delivery, or its reminder, does not go out now (it stays pending)."""

    PAUSED = "paused"  # the journey is paused
    AWAY = "away"  # the person is away today
    OFF_HOURS = "off-hours"  # late, or a reminder, outside the person's working hours


def hold(
    delivery: Delivery,
    member: Member,
    journey_timezone: str,
    calendar: Calendar,
    paused: bool,
    now: datetime,
    reminder: bool = False,
) -> Hold | None:
    """Why `delivery` (its reminder, with `reminder`) may not be sent now; None: it may.

    Pause and away apply to what was recorded before they were set, too (a delivery left
    pending by an outage, a reminder). A late prompt or a reminder waits for working
    hours; what is still held when its poll closes is never sent (it expires as missed).
    """
    if paused:
        return Hold.PAUSED
    timezone = member_timezone(member, journey_timezone)
    if is_away(member, now.astimezone(zone(timezone)).date()):
        return Hold.AWAY
    due = delivery.due_at or delivery.created_at
    late = reminder or now - due > LATE_AFTER
    if late and not calendar.is_working_time(now, timezone):
        return Hold.OFF_HOURS
    return None


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
