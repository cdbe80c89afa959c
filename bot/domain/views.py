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


REF_SEPARATOR = "|"


def message_ref(conversation: str, message: str) -> str:
    """The one reference to a sent message, on every platform: `conversation|message`.

    `conversation` is where it was posted (a Slack channel, a Teams conversation id) and
    `message` which one it is there (a Slack ts, a Teams activity id). Teams conversation
    ids contain ':' (`a:1…`, `19:…@thread.tacv2`), so ':' cannot separate them; '|' occurs
    in no id of either platform.

    `parse_ref` reads every form ever stored: with a '|', the part after the last '|' is
    the message (Teams refs always had this form); without one, it is a Slack ref written
    before refs were one format, `channel:ts`, split at its first ':' (Slack channel ids
    and timestamps hold no ':').
    """
    return f"{conversation}{REF_SEPARATOR}{message}"


def parse_ref(ref: str) -> tuple[str, str]:
    """(conversation, message) of a ref made by `message_ref`, or of an older Slack ref."""
    if REF_SEPARATOR in ref:
        conversation, _, message = ref.rpartition(REF_SEPARATOR)
    else:
        conversation, _, message = ref.partition(":")
    return conversation, message


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
