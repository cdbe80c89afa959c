"""Synthetic people and the two cases of the method, as moods rather than scripted answers.

A persona answers from a mood: a mean on the 1-5 scale that depends on the scenario, the
phase, the signal asked about, the persona's group and how long the phase has lasted.
What the answers add up to is left to the real digest; nothing here knows its output.
Directors act on the nudges they read, which lifts the signal behind the nudge later on,
and events of the case (an expert hired, a repair team formed) change moods from then on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.domain.model import Perspective, Phase, Role, Signal, Text, TouchpointKind

P = Phase
S = Signal
K = TouchpointKind


@dataclass(frozen=True)
class Persona:
    user: str
    name: str
    roles: frozenset[Role]
    group: str
    answer_rate: float
    bias: float


@dataclass(frozen=True)
class Mood:
    """Mean on the scale; `slope` is added per week spent in the phase (capped)."""

    mean: float
    slope: float = 0.0


@dataclass(frozen=True)
class Event:
    """Something that happens in the case, in a phase's n-th week (1-based).

    With a touchpoint it is logged, of its kind: a contact outside (a customer, a fieldlab)
    or a step inside the walls (a decision, a team formed).
    """

    phase: Phase
    week: int
    touchpoint: Text | None = None
    kind: TouchpointKind = TouchpointKind.OTHER
    lifts: dict[str, dict[Signal, float]] = field(default_factory=dict)  # group -> signal -> lift


@dataclass(frozen=True)
class Scenario:
    key: str
    title: Text
    story: Text
    groups: dict[str, int]  # follower groups and their sizes
    moods: dict[tuple[Phase, Signal], Mood]
    group_moods: dict[tuple[str, Phase, Signal], float]  # offsets for one group
    quiet: dict[tuple[Phase, Perspective], float]  # answer-rate factor: a perspective goes quiet
    quiet_offset: dict[tuple[Phase, Perspective], float]
    events: tuple[Event, ...]
    texts: dict[str, tuple[Text, ...]]  # check-in texts by group ("*" for anyone)
    max_weeks: dict[Phase, int]


FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Charlotte",
    "Daan",
    "Eva",
    "Finn",
    "Gijs",
    "Hanna",
    "Iris",
    "Jesse",
    "Kees",
    "Lotte",
    "Maarten",
    "Noor",
    "Olaf",
    "Pien",
    "Quinten",
    "Roos",
    "Sander",
    "Tessa",
    "Ugo",
    "Vera",
    "Wouter",
    "Xander",
    "Yara",
    "Zeger",
    "Bas",
    "Femke",
    "Joost",
    "Marit",
    "Ruben",
    "Sanne",
    "Thijs",
    "Wendy",
]


def people(scenario: Scenario) -> list[Persona]:
    """The same cast for every seed: roles are the scenario's, names are fixed."""
    cast: list[tuple[frozenset[Role], str, float, float]] = [
        (frozenset({Role.FACILITATOR}), "facilitator", 1.0, 0.0),
        (frozenset({Role.LEARNING}), "hr", 0.95, 0.1),
    ]
    cast += [(frozenset({Role.DIRECTOR}), "board", 0.9, 0.0)] * 3
    cast += [(frozenset({Role.FRONTRUNNER}), "frontrunner", 0.9, 0.3)] * 6
    for group, size in scenario.groups.items():
        cast += [(frozenset({Role.FOLLOWER}), group, 0.8, -0.1)] * size
    return [
        Persona(
            user=f"U{i + 1:03d}",
            name=FIRST_NAMES[i % len(FIRST_NAMES)],
            roles=roles,
            group=group,
            answer_rate=rate,
            bias=bias,
        )
        for i, (roles, group, rate, bias) in enumerate(cast)
    ]


def clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def mean_for(
    scenario: Scenario,
    persona: Persona,
    phase: Phase,
    signal: Signal,
    perspective: Perspective,
    week_in_phase: int,
    lifts: dict[tuple[str, Signal], float],
) -> float:
    mood = scenario.moods.get((phase, signal), Mood(3.2))
    mean = mood.mean + min(max(week_in_phase - 1, 0) * mood.slope, 1.5)
    mean += scenario.group_moods.get((persona.group, phase, signal), 0.0)
    mean += scenario.quiet_offset.get((phase, perspective), 0.0)
    mean += lifts.get((persona.group, signal), 0.0) + lifts.get(("*", signal), 0.0)
    return mean + persona.bias


def answer_value(rng: random.Random, mean: float) -> int:
    return clamp(rng.gauss(mean, 0.7))


def answer_rate(
    scenario: Scenario, persona: Persona, phase: Phase, perspective: Perspective
) -> float:
    return persona.answer_rate * scenario.quiet.get((phase, perspective), 1.0)


def checkin_text(scenario: Scenario, persona: Persona, language: str, rng: random.Random) -> str:
    pool = scenario.texts.get(persona.group) or scenario.texts["*"]
    return rng.choice(pool).in_(language)
