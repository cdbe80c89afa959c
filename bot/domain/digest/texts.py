"""What people wrote, for the digest: recurring themes and a few anonymous quotes."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.domain.digest.view import QuoteView, ThemeView
from bot.domain.model import PERSPECTIVES, Perspective, Text
from bot.domain.records import StoredDigest, TextPoint

MAX_QUOTES = 3
QUOTE_LENGTH = 200
MAX_THEMES_PER_PERSPECTIVE = 3
MIN_THEME_MENTIONS = 2

_MENTION = re.compile(r"<[@#!][^>]*>")


@dataclass(frozen=True)
class ThemeRule:
    id: str
    label: Text
    keywords: tuple[str, ...]  # lower-case word beginnings, Dutch and English

    @property
    def pattern(self) -> re.Pattern[str]:
        return _theme_pattern(self.keywords)


@lru_cache(maxsize=256)
def _theme_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    # A keyword matches at the start of a word: `zorg` finds `zorgen`, not `verzorging`.
    return re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + ")", re.UNICODE)


def themes(
    k: int, texts: Sequence[TextPoint], theme_rules: Sequence[ThemeRule]
) -> tuple[ThemeView, ...]:
    """Per perspective, the themes most people wrote about (keyword counts, no network)."""
    out: list[ThemeView] = []
    for perspective in PERSPECTIVES:
        mine = [t for t in texts if t.perspective is perspective]
        writers = {t.member_id for t in mine}
        if len(writers) < k:
            continue
        people: dict[str, set[int]] = defaultdict(set)
        for item in mine:
            lowered = item.text.lower()
            for rule in theme_rules:
                if rule.pattern.search(lowered):
                    people[rule.id].add(item.member_id)
        ranked = sorted(
            (r for r in theme_rules if len(people[r.id]) >= MIN_THEME_MENTIONS),
            key=lambda r: (-len(people[r.id]), r.id),
        )
        for rule in ranked[:MAX_THEMES_PER_PERSPECTIVE]:
            n = len(people[rule.id])
            out.append(ThemeView(perspective, rule.id, rule.label, n if n >= k else None))
    return tuple(out)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int = QUOTE_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def quote_text(text: str, limit: int = QUOTE_LENGTH) -> str:
    """A text as the bot quotes it (an answer, a logged note, what leadership did): mentions
    dropped (they would name someone), shortened and escaped. Erasure finds a quote by this."""
    return escape(shorten(_MENTION.sub("@…", text), limit))


# A logged note (a touchpoint) is shown as safely as a quote.


def quote_seed(journey_id: int, iso_week: str) -> str:
    return f"{journey_id}:{iso_week}"


def pick_quotes(
    k: int, texts: Sequence[TextPoint], seed: str, limit: int = MAX_QUOTES
) -> list[TextPoint]:
    """The texts `quotes` shows, in its order (the digest keeps where each came from)."""
    writers: dict[Perspective, set[int]] = defaultdict(set)
    for item in texts:
        writers[item.perspective].add(item.member_id)
    eligible = [item for item in texts if len(writers[item.perspective]) >= k and item.text.strip()]
    random.Random(seed).shuffle(eligible)
    return _once_each(eligible)[:limit]


def _once_each(texts: Sequence[TextPoint]) -> list[TextPoint]:
    """The first of texts that would be quoted the same (case and spacing aside): no quote
    twice in one digest."""
    seen: set[str] = set()
    out: list[TextPoint] = []
    for item in texts:
        same = " ".join(quote_text(item.text).casefold().split())
        if same not in seen:
            seen.add(same)
            out.append(item)
    return out


def quotes(
    k: int, texts: Sequence[TextPoint], seed: str, limit: int = MAX_QUOTES
) -> tuple[QuoteView, ...]:
    """Up to `limit` anonymous quotes, only from perspectives where at least k people wrote.

    Mentions are dropped (they would name someone), the text is shortened and escaped, and
    the order is shuffled with a seed per journey and week, so it is stable on re-rendering
    but says nothing about who answered first.
    """
    return tuple(
        QuoteView(item.perspective, quote_text(item.text), item.signal)
        for item in pick_quotes(k, texts, seed, limit)
    )


def erase_quotes(
    stored: StoredDigest, answer_ids: Collection[int], texts: Collection[str]
) -> StoredDigest | None:
    """A stored digest without the quotes of the given answers (an erased person's), or None
    when it quoted none of them.

    Where the digest kept its quotes' sources, they decide (a quote from an answer edited
    since still goes); a digest stored before that loses every quote with the same words.
    """
    quoted: list[Any] = list(stored.payload.get("quotes") or [])
    sources = stored.quote_sources
    if sources is not None and len(sources) == len(quoted):
        keep = [i for i, source in enumerate(sources) if source not in answer_ids]
    else:
        words = {quote_text(t) for t in texts if t.strip()}
        keep = [
            i for i, q in enumerate(quoted) if not (isinstance(q, dict) and q.get("text") in words)
        ]
        sources = None
    if len(keep) == len(quoted):
        return None
    return stored._replace(
        payload={**stored.payload, "quotes": [quoted[i] for i in keep]},
        quote_sources=tuple(sources[i] for i in keep) if sources is not None else None,
    )
