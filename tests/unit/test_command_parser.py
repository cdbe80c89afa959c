"""The one place that parses /pioneer text (shared by Slack and Teams)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app.commands.words import (
    SUBCOMMANDS,
    Away,
    CheckinNow,
    DigestPreview,
    Ecosystem,
    ForgetMe,
    Help,
    Join,
    PhaseMove,
    PollNow,
    RoleChange,
    SetLanguage,
    Start,
    Unknown,
    Usage,
    parse,
)
from bot.domain.journeys import PhaseTarget
from bot.domain.model import Language, Perspective, Phase, Role, TouchpointKind
from prompts.messages import t


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("  HELP ", Help()),
        ("hulp", Help()),
        ("start  Plant   Noord ", Start(name="Plant Noord")),
        ("join", Join()),
        ("meedoen", Join()),
        (
            "role <@U1|ann> <@U2> director, frontrunner -follower",
            RoleChange(
                users=("U1", "U2"),
                add=frozenset({Role.DIRECTOR, Role.FRONTRUNNER}),
                remove=frozenset({Role.FOLLOWER}),
            ),
        ),
        (
            "rol <@U3> koploper",
            RoleChange(users=("U3",), add=frozenset({Role.FRONTRUNNER}), remove=frozenset()),
        ),
        ("phase next", PhaseMove(PhaseTarget(direction="next"), "")),
        ("fase terug geen beeld", PhaseMove(PhaseTarget(direction="back"), "geen beeld")),
        ("phase desire we are ready", PhaseMove(PhaseTarget(phase=Phase.DESIRE), "we are ready")),
        ("poll now", PollNow(None)),
        ("poll now mens", PollNow(Perspective.HUMAN)),
        ("poll now Business", PollNow(Perspective.BUSINESS)),
        ("checkin now", CheckinNow()),
        ("digest preview", DigestPreview()),
        ("digest tussenstand", DigestPreview()),
        ("weekoverzicht tussenstand", DigestPreview()),
        ("ecosystem Fieldlab <b>", Ecosystem("Fieldlab <b>", TouchpointKind.FIELDLAB)),
        ("ecosystem klant: brainstorm", Ecosystem("brainstorm", TouchpointKind.CUSTOMER)),
        ("ecosystem team formed", Ecosystem("team formed", TouchpointKind.TEAM)),
        ("ecosystem a visit", Ecosystem("a visit")),
        ("language NL", SetLanguage(Language.NL)),
        ("taal english", SetLanguage(Language.EN)),
        ("forget-me", ForgetMe(confirmed=False)),
        ("forget-me ja", ForgetMe(confirmed=True)),
        ("away until 2026-12-24", Away(date(2026, 12, 24))),
        ("afwezig tot 2027-01-02", Away(date(2027, 1, 2))),
        ("dance", Unknown("dance")),
    ],
)
def test_parse(text: str, expected: object) -> None:
    assert parse(text)[1] == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("start", "start"),
        ("role director", "role"),
        ("role <@U1>", "role"),
        ("role <@U1> wizard", "role"),
        ("phase sideways", "phase"),
        ("poll", "poll"),
        ("poll now fun", "poll"),
        ("checkin later", "checkin"),
        ("digest", "digest"),
        ("ecosystem", "ecosystem"),
        ("language fr", "language"),
        ("forget-me maybe", "forget-me"),
        ("away soon", "away"),
        ("join me", "join"),
    ],
)
def test_bad_arguments_name_their_subcommand(text: str, name: str) -> None:
    assert parse(text)[1] == Usage(name)


def test_every_subcommand_has_help_in_both_languages() -> None:
    for sub in SUBCOMMANDS:
        for language in Language:
            assert sub.name in t(sub.usage_key, language)


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("phase interesse", Phase.INTEREST),
        ("fase verlangen", Phase.DESIRE),
        ("fase actie", Phase.ACTION),
        ("phase bewustwording", Phase.AWARENESS),
        ("fase desire", Phase.DESIRE),
    ],
)
def test_a_phase_is_understood_in_either_language(text: str, phase: Phase) -> None:
    _, command = parse(text)
    assert isinstance(command, PhaseMove) and command.target.phase is phase
