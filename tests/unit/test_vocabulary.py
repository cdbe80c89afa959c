"""One word per concept in each language, across every message and the prompt catalog.

The table says, per concept, the word chosen and the variants that must not come back.
Command words (`/pioneer digest preview`, anything in backticks) are what people type,
not what they read, so they are left out of the check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.domain.model import Text
from prompts.catalog import load_catalog
from prompts.messages import catalog

# concept: (the word chosen, variants it replaces as patterns), per language.
FORBIDDEN: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "nl": {
        "digest": (
            "weekoverzicht",
            (r"\bweekdigest", r"\bdigest\b", r"wekelijks overzicht", r"samenvatting"),
        ),
        "preview": ("tussenstand", (r"\bvoorproefje", r"\bvoorbeeld\b")),
        "nudge": ("aandachtspunt", (r"\bduwtje", r"\bsuggestie", r"wat nu te doen")),
        "technology": ("technologie", (r"\btechniek",)),
        "a perspective in a sentence": (
            "de technologische / menselijke / zakelijke kant",
            (
                r"mensenkant",
                r"technische kant",
                r"menselijke perspectief",
                r"het perspectief (technologie|mens|business|\{perspective\})",
            ),
        ),
        "poll": ("peiling", (r"\bpulspeiling",)),
        "outside the company": ("buiten de deur", (r"buitenwereld", r"leren van buiten")),
        "inside the company": ("binnen de eigen muren", (r"binnen de muren",)),
        "people counted": ("mensen (1 persoon)", (r"\bpersonen\b", r"\bgevraagden\b")),
        "colleagues": ("collega's", (r"\bmedewerkers?\b",)),
        "participation": ("deelname", (r"\brespons\b",)),
        "schedule": ("rooster", (r"\britme\b",)),
        "the phase interest": ("de fase interest", (r"\binteresse\b",)),
        "facilitator's word for 'pays off'": ("rendeert", (r"renderet",)),
    },
    "en": {
        "digest": ("(weekly) digest", (r"weekly overview", r"weekly summary")),
        "nudge": ("nudge", (r"\bsuggestions?\b", r"what to do now", r"nothing to act on")),
        "a perspective in a sentence": (
            "the technology / human / business side",
            (
                r"people side",
                r"(technology|human|business|\{perspective\}) perspective",
            ),
        ),
        "poll": ("poll", (r"pulse poll",)),
        "outside the company": (
            "outside the company",
            (r"outside world", r"inside the walls", r"beyond your walls"),
        ),
        "the board": ("the board", (r"\bmanagement\b", r"leadership meeting")),
        "colleagues": ("colleagues", (r"\bstaff\b",)),
        "participation": ("participation", (r"\bresponse:",)),
        "schedule": ("schedule", (r"\brhythm\b",)),
    },
}

_COMMANDS = re.compile(r"`[^`]*`|/pioneer\b.*$|‹[^›]*›")
# "{who} voelen zich": the verb would have to agree with a group that may be "iedereen".
_GROUP_AS_SUBJECT = re.compile(r"(^|[.:;] )\{who\} \w")


def _message_texts() -> Iterator[tuple[str, str, str]]:
    for key, entry in catalog().items():
        for language, value in entry.items():
            forms = (
                [v for k, v in value.items() if k != "by"] if isinstance(value, dict) else [value]
            )
            for text in forms:
                yield f"message {key}", language, text


def _catalog_texts() -> Iterator[tuple[str, str, str]]:
    for prompt in load_catalog():
        texts: list[Text] = [prompt.text]
        texts += [label for label in (prompt.low, prompt.high) if label is not None]
        for text in texts:
            yield f"prompt {prompt.id}", "nl", text.nl
            yield f"prompt {prompt.id}", "en", text.en


def everything() -> list[tuple[str, str, str]]:
    return [*_message_texts(), *_catalog_texts()]


def offences(texts: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    found = []
    for where, language, text in texts:
        readable = _COMMANDS.sub(" ", text)
        for concept, (_, patterns) in FORBIDDEN[language].items():
            for pattern in patterns:
                if re.search(pattern, readable, re.IGNORECASE):
                    found.append((where, language, concept, pattern))
    return found


def test_every_concept_has_one_word_per_language() -> None:
    assert offences(everything()) == []


@pytest.mark.parametrize(
    ("language", "text", "concept"),
    [
        ("nl", "De Weekdigest van Plant Noord staat klaar.", "digest"),
        ("nl", "Voorproefje: deze week loopt nog.", "preview"),
        ("nl", "Breng techniek, mens en business in balans.", "technology"),
        ("nl", "Het perspectief mens valt stil.", "a perspective in a sentence"),
        ("nl", "30 van de 30 gevraagden gaven antwoord", "people counted"),
        ("en", "Suggestions for this week", "nudge"),
        ("en", "Did the people side get attention?", "a perspective in a sentence"),
    ],
)
def test_the_check_catches_a_variant(language: str, text: str, concept: str) -> None:
    assert [o[2] for o in offences([("a text", language, text)])] == [concept]


def test_typed_commands_are_not_words_to_read() -> None:
    typed = [("a text", "nl", "bijv. `/pioneer digest voorbeeld`"), ("b", "nl", "/pioneer digest")]
    assert offences(typed) == []


def test_a_group_is_never_the_subject_a_verb_must_agree_with() -> None:
    subjects = [(w, lang, t) for w, lang, t in _message_texts() if _GROUP_AS_SUBJECT.search(t)]
    assert subjects == []
    assert _GROUP_AS_SUBJECT.search("{who} voelen zich weinig gehoord")
    assert not _GROUP_AS_SUBJECT.search("{who}: 12 van de 14 gevraagde mensen gaven antwoord")
