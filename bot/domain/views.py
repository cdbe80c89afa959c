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
