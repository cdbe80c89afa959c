"""Neutral views: what the domain asks a platform to show, with no markup of any platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import Language, Perspective, Phase, PromptKind


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
