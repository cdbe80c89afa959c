"""Every message reads as written by a person: real plural forms, numbers the language's way."""

from __future__ import annotations

import re

import pytest

from bot.domain.model import Language
from prompts.messages import catalog, number, t

# "person(s)", "groep(en)", "persoon/personen", "week/weken": a plural left to the reader.
TRICKS = re.compile(r"\w\((s|en|n)\)|\b(\w+)/\2(en|s|n)\b|persoon/personen|week/weken|reis/reizen")


def texts() -> list[tuple[str, str, str]]:
    out = []
    for key, entry in catalog().items():
        for language, value in entry.items():
            forms = value.values() if isinstance(value, dict) else [value]
            out += [(key, language, text) for text in forms if isinstance(text, str)]
    return out


def test_no_message_leaves_the_plural_to_the_reader() -> None:
    assert [(k, lang, text) for k, lang, text in texts() if TRICKS.search(text)] == []


def test_the_check_catches_the_tricks() -> None:
    for text in ("sent to 3 person(s)", "3 groep(en)", "3 persoon/personen", "2 week/weken"):
        assert TRICKS.search(text), text


@pytest.mark.parametrize(
    ("count", "nl", "en"),
    [
        (1, "1 persoon.", "1 person."),
        (0, "0 mensen.", "0 people."),
        (7, "7 mensen.", "7 people."),
    ],
)
def test_plural_forms_follow_the_count(count: int, nl: str, en: str) -> None:
    assert t("cmd.sent.pulse", Language.NL, count=count).endswith(nl)
    assert t("cmd.sent.pulse", Language.EN, count=count).endswith(en)


def test_a_plural_chosen_by_another_count() -> None:
    one = t("cmd.export.aggregates", Language.EN, groups=1, k=5)
    many = t("cmd.export.aggregates", Language.EN, groups=4, k=5)
    assert "1 group of" in one and "4 groups of" in many


def test_numbers_are_written_the_languages_way() -> None:
    assert number(3.4, Language.NL) == "3,4"
    assert number(3.4, Language.EN) == "3.4"
    assert number(1234.56, Language.NL) == "1.234,6"
    assert number(1234.56, Language.EN) == "1,234.6"
    assert number(12, Language.NL, digits=0) == "12"
