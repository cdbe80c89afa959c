"""Broken prompt files, one mistake each: (name, YAML text, text on the reported line, message).

tests/unit/test_catalog_problems.py writes each into an override folder and checks that the
problem is reported at that file and line. Most are a valid prompt (`HEARD`, `EXPERIMENTS`)
with the one mistake made; the first and last are not prompts at all.
"""

from __future__ import annotations

from prompts.catalog import MAX_PROMPT_TEXT_LENGTH
from tests.unit.prompt_folders import EXPERIMENTS, HEARD, item

CONCERNS = HEARD | {"id": "acme.human.concerns.1", "signal": "concerns"}
SCALE = '{low: {nl: "Erg", en: "Very"}, high: {nl: "Niet", en: "Not"}}'

BROKEN: list[tuple[str, str, str, str]] = [
    (
        "syntax",
        """
        - id: acme.tech.spark.1
          kind: pulse
            phases: [awareness]
        """,
        "phases:",
        "YAML syntax error",
    ),
    (
        "no_english",
        item(CONCERNS, text=['nl: "Waar lig je wakker van?"']),
        "text:",
        "text has no 'en' (English) text",
    ),
    (
        "empty_english",
        item(CONCERNS, text=['nl: "Waar lig je wakker van?"', 'en: ""']),
        'en: ""',
        "text.en is empty",
    ),
    ("unknown_signal", item(HEARD, signal="hobbyism"), "hobbyism", "unknown signal 'hobbyism'"),
    (
        "unknown_role",
        item(HEARD, audience=["- follower", "- ceo"]),
        "- ceo",
        "unknown role 'ceo'",
    ),
    (
        "unknown_phase",
        item(HEARD, phases=["- desire", "- warming_up"]),
        "- warming_up",
        "unknown phase 'warming_up'",
    ),
    (
        "pulse_without_scale",
        item(EXPERIMENTS),
        "- id: acme.tech.experiments.1",
        "a pulse needs 'scale'",
    ),
    (
        "scale_without_high",
        item(EXPERIMENTS, scale=['low: {nl: "Nog niet", en: "Not yet"}']),
        "scale:",
        "scale has no 'high' label",
    ),
    (
        "unquoted_no",
        item(EXPERIMENTS, scale=['low: {nl: "Nee", en: No}', 'high: {nl: "Ja", en: "Yes"}']),
        "low:",
        "scale.low.en must be text, found a yes/no value; put it in quotes",
    ),
    ("checkin_with_scale", item(HEARD, scale=SCALE), "scale:", "a check-in is answered in words"),
    (
        "concerns_as_pulse",
        item(CONCERNS, kind="pulse", scale=SCALE),
        "signal:",
        "signal concerns is for check-ins only",
    ),
    ("unknown_field", item(HEARD, "weight: 2"), "weight:", "unknown field 'weight'"),
    (
        "field_twice",
        item(HEARD, "signal: my_role"),
        "signal: my_role",
        "field 'signal' appears twice",
    ),
    (
        "missing_field",
        item(HEARD, perspective=None),
        "- id: acme.human.heard.1",
        "missing field 'perspective'",
    ),
    (
        "too_long",
        item(HEARD, text=['nl: "Werd je gehoord?"', f'en: "{"Were you heard? " * 20}"']),
        "Were you heard? Were",
        f"keep it to {MAX_PROMPT_TEXT_LENGTH}",
    ),
    ("bad_id", item(HEARD, id="Acme Heard 1"), "Acme Heard 1", "id 'Acme Heard 1' must use only"),
    ("text_alone", item(HEARD, text='"Were you heard?"'), "text:", "text must have nl and en"),
    ("scale_a_number", item(EXPERIMENTS, scale="5"), "scale:", "scale must have low and high"),
    (
        "not_a_list",
        """
        # An organisation's own question
        id: acme.human.heard.1
        kind: checkin
        """,
        "id: acme",
        "must be a list of prompts",
    ),
]
