"""Views at their worst, for the tests that check what each platform can carry: a prompt in
every state (kind, language, closed, reminder, answered) with the longest, most
markup-laden texts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from bot.domain.model import Language, Perspective, Phase, PromptKind
from bot.domain.views import PromptView

NAME = "Plant <Noord> & Zuid"
CLOSES = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def prompt_views(answered_text: str, label_times: int = 1) -> list[PromptView]:
    """Every state of a prompt; an answered one carries `answered_text`, and its scale's
    labels stand `label_times` times over."""
    views = []
    for kind, language, closed, reminder, answered in itertools.product(
        PromptKind, Language, (False, True), (False, True), (False, True)
    ):
        views.append(
            PromptView(
                delivery_id=123456,
                kind=kind,
                language=language,
                journey_name=NAME * 10,
                phase=Phase.DESIRE,
                perspective=Perspective.HUMAN,
                question="How <much> & why? " * 30,
                low_label="not at all <really>" * label_times,
                high_label="completely & utterly" * label_times,
                closes_at=CLOSES,
                answered_value=4 if answered else None,
                answered_text=answered_text if answered else None,
                closed=closed,
                reminder=reminder,
            )
        )
    return views
