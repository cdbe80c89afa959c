"""The message catalog: every text the bot says, in Dutch and English."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.domain.errors import DomainError
from bot.domain.model import Language, Perspective, Phase, Role, Stage

MESSAGES = Path(__file__).parent / "messages"


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All message files merged; a key defined twice is a mistake, not an override."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data: dict[str, dict[str, str]] = yaml.safe_load(handle) or {}
        for key, entry in data.items():
            if key in merged:
                raise ValueError(f"{path.name}: message {key!r} is defined twice")
            if set(entry) != {"nl", "en"} or not all(entry.values()):
                raise ValueError(f"{path.name}: message {key!r} needs non-empty nl and en")
            merged[key] = entry
    return merged


def t(key: str, language: Language | str, **params: Any) -> str:
    """The text for `key` in `language`, with `{name}` placeholders filled in."""
    entry = catalog()[key]
    text = entry[Language(language).value]
    return text.format(**{k: _word(v, language) for k, v in params.items()}) if params else text


def _word(value: Any, language: Language | str) -> str:
    """Vocabulary values say themselves in the user's language; lists join with 'or'."""
    if isinstance(value, Role | Phase | Perspective | Stage):
        return t(f"{type(value).__name__.lower()}.{value.value}", language)
    if isinstance(value, list | tuple | set | frozenset):
        words = [_word(v, language) for v in value]
        if len(words) <= 1:
            return "".join(words)
        return f"{', '.join(words[:-1])} {t('word.or', language)} {words[-1]}"
    return str(value)


def say(error: DomainError, language: Language | str) -> str:
    """A domain refusal in the user's language."""
    return t(error.key, language, **error.params)
