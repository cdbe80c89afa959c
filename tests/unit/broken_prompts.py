"""Broken prompt files, one mistake each: (name, YAML text, text on the reported line, message).

tests/unit/test_catalog_problems.py writes each into an override folder and checks that the
problem is reported at that file and line.
"""

from __future__ import annotations

from prompts.catalog import MAX_PROMPT_TEXT_LENGTH

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
        """
        - id: acme.human.concerns.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: concerns
          text:
            nl: "Waar lig je wakker van?"
        """,
        "text:",
        "text has no 'en' (English) text",
    ),
    (
        "empty_english",
        """
        - id: acme.human.concerns.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: concerns
          text:
            nl: "Waar lig je wakker van?"
            en: ""
        """,
        'en: ""',
        "text.en is empty",
    ),
    (
        "unknown_signal",
        """
        - id: acme.human.spark.1
          kind: checkin
          phases: [awareness]
          perspective: human
          audience: [frontrunner]
          signal: hobbyism
          text: {nl: "Wat zag je?", en: "What did you see?"}
        """,
        "hobbyism",
        "unknown signal 'hobbyism'",
    ),
    (
        "unknown_role",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience:
            - follower
            - ceo
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "- ceo",
        "unknown role 'ceo'",
    ),
    (
        "unknown_phase",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases:
            - desire
            - warming_up
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "- warming_up",
        "unknown phase 'warming_up'",
    ),
    (
        "pulse_without_scale",
        """
        - id: acme.tech.experiments.1
          kind: pulse
          phases: [action]
          perspective: technology
          audience: [follower]
          signal: experiments
          text: {nl: "Loopt de proef?", en: "Is the trial running?"}
        """,
        "- id: acme.tech.experiments.1",
        "a pulse needs 'scale'",
    ),
    (
        "scale_without_high",
        """
        - id: acme.tech.experiments.1
          kind: pulse
          phases: [action]
          perspective: technology
          audience: [follower]
          signal: experiments
          text: {nl: "Loopt de proef?", en: "Is the trial running?"}
          scale:
            low: {nl: "Nog niet", en: "Not yet"}
        """,
        "scale:",
        "scale has no 'high' label",
    ),
    (
        "unquoted_no",
        """
        - id: acme.tech.experiments.1
          kind: pulse
          phases: [action]
          perspective: technology
          audience: [follower]
          signal: experiments
          text: {nl: "Loopt de proef?", en: "Is the trial running?"}
          scale:
            low: {nl: "Nee", en: No}
            high: {nl: "Ja", en: "Yes"}
        """,
        "low:",
        "scale.low.en must be text, found a yes/no value; put it in quotes",
    ),
    (
        "checkin_with_scale",
        """
        - id: acme.human.ideas.1
          kind: checkin
          phases: [action]
          perspective: human
          audience: [follower]
          signal: ideas
          text: {nl: "Wat zou je proberen?", en: "What would you try?"}
          scale: {low: {nl: "a", en: "a"}, high: {nl: "b", en: "b"}}
        """,
        "scale:",
        "a check-in is answered in words",
    ),
    (
        "concerns_as_pulse",
        """
        - id: acme.human.concerns.1
          kind: pulse
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: concerns
          text: {nl: "Maak je je zorgen?", en: "Are you worried?"}
          scale: {low: {nl: "Erg", en: "Very"}, high: {nl: "Niet", en: "Not"}}
        """,
        "signal:",
        "signal concerns is for check-ins only",
    ),
    (
        "unknown_field",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
          weight: 2
        """,
        "weight:",
        "unknown field 'weight'",
    ),
    (
        "field_twice",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
          signal: my_role
        """,
        "signal: my_role",
        "field 'signal' appears twice",
    ),
    (
        "missing_field",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "- id: acme.human.heard.1",
        "missing field 'perspective'",
    ),
    (
        "too_long",
        f"""
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text:
            nl: "Werd je gehoord?"
            en: "{"Were you heard? " * 20}"
        """,
        "Were you heard? Were",
        f"keep it to {MAX_PROMPT_TEXT_LENGTH}",
    ),
    (
        "bad_id",
        """
        - id: Acme Heard 1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "Acme Heard 1",
        "id 'Acme Heard 1' must use only",
    ),
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
