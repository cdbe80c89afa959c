"""Neutral views: what the domain asks a platform to show, with no markup of any platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.model import Language, Member, Perspective, Phase, PromptKind


@dataclass(frozen=True)
class PromptView:
    """A pulse poll (1-5 scale with labelled ends) or a check-in (open text) for one member."""

    delivery_id: int
    kind: PromptKind
    language: Language
    journey_name: str
    phase: Phase
    perspective: Perspective
    question: str
    low_label: str | None
    high_label: str | None
    closes_at: datetime
    answered_value: int | None = None
    answered_text: str | None = None
    closed: bool = False
    reminder: bool = False


@dataclass(frozen=True)
class Notice:
    """A plain message to a channel or a person (phase moved, digest ready, ...)."""

    language: Language
    text: str


class ChatPort(Protocol):
    """How the scheduler and services reach people; each platform implements it at the edge."""

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        """Deliver `view` to `member` by direct message; return a reference to the message.

        `idempotency_key` is stable for the delivery, so a retry after an unclear failure
        can find the message already sent instead of posting a second one.
        """
        ...

    def post_notice(self, channel: str, notice: Notice) -> str: ...


class DeliveryFailed(Exception):
    """A platform could not deliver a message. Subclasses say whether to try again."""


class RateLimited(DeliveryFailed):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


class TemporaryFailure(DeliveryFailed):
    """Server error, timeout or connection reset: worth retrying with backoff."""


class Unreachable(DeliveryFailed):
    """The person cannot be reached (left, blocked the app, no permission): do not retry."""
