"""The message catalog: every text the bot says, in Dutch and English.

A message is a text per language, or per language a text per plural form (CLDR's `one`,
`other`), chosen by the count in `by` (default `count`):

    cmd.sent.pulse:
      nl: {one: "... naar {count} persoon.", other: "... naar {count} personen."}
      en: {one: "... to {count} person.", other: "... to {count} people."}

Numbers are written the language's way ("3,4" in Dutch) by `number`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.numbers import format_decimal

from bot.domain.errors import DomainError
from bot.domain.model import Language, Perspective, Phase, Role, Stage

MESSAGES = Path(__file__).parent / "messages"
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})
LOCALES = {Language.NL: "nl_NL", Language.EN: "en_GB"}

Text = str | dict[str, str]


@cache
def catalog() -> dict[str, dict[str, Text]]:
    """All message files merged; a key defined twice is a mistake, not an override."""
    merged: dict[str, dict[str, Text]] = {}
    for path in sorted(MESSAGES.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data: dict[str, dict[str, Text]] = yaml.safe_load(handle) or {}
        for key, entry in data.items():
            if key in merged:
                raise ValueError(f"{path.name}: message {key!r} is defined twice")
            if set(entry) != {"nl", "en"} or not all(entry.values()):
                raise ValueError(f"{path.name}: message {key!r} needs non-empty nl and en")
            for value in entry.values():
                if isinstance(value, dict) and (
                    "other" not in value or set(value) - PLURAL_FORMS - {"by"}
                ):
                    raise ValueError(f"{path.name}: message {key!r}: plural forms need `other`")
            merged[key] = entry
    return merged


@cache
def _locale(language: Language) -> Locale:
    return Locale.parse(LOCALES[language])


def t(key: str, language: Language | str, **params: Any) -> str:
    """The text for `key` in `language`, with `{name}` placeholders filled in."""
    lang = Language(language)
    text = catalog()[key][lang.value]
    if isinstance(text, dict):
        count = params.get(text.get("by", "count"), 0)
        form = _locale(lang).plural_form(abs(count) if isinstance(count, int | float) else 0)
        text = text.get(form, text["other"])
    return text.format(**{k: _word(v, lang) for k, v in params.items()}) if params else text


def number(value: float, language: Language | str, digits: int = 1) -> str:
    """`3.4` in English, `3,4` in Dutch: a figure as the reader's language writes it."""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=_locale(Language(language)))


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
