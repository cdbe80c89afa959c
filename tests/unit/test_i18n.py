"""Every message exists in Dutch and English, and placeholders agree between them."""

from __future__ import annotations

import string

from bot.domain.errors import DomainError
from prompts.messages import catalog


def placeholders(text: str | dict[str, str]) -> set[str]:
    """A text's placeholders; of plural forms, all of them (each form may drop the count)."""
    forms = [v for k, v in text.items() if k != "by"] if isinstance(text, dict) else [text]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    messages = catalog()
    assert len(messages) > 20
    for key, entry in messages.items():
        assert all(placeholders(entry[lang]) or entry[lang] for lang in ("nl", "en")), key
        assert placeholders(entry["nl"]) == placeholders(entry["en"]), key


def test_every_domain_error_has_a_message() -> None:
    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    keys = {error.key for error in subclasses(DomainError)}
    assert keys <= set(catalog())
