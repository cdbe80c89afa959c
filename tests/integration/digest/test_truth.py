"""Issue 12 through the database: the scorecard's weeks in a row, advice folding over stored
digests, the ecosystem by kind, and every surface saying it in both languages."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.app.digests import DigestService
from bot.domain.digest.view import DigestView
from bot.domain.model import Language, Phase, Role, TouchpointKind
from bot.platforms.slack.render.digest import MAX_BLOCKS, MAX_TEXT, digest_blocks
from bot.platforms.teams.digest_card import digest_card
from bot.rendering.markdown import nudge_text, render_markdown
from tests.integration.digest.conftest import Scenario, tuesday
from tests.integration.digest.test_render import texts
from tests.integration.digest.test_scenarios import company_b

Factory = Callable[..., Scenario]
STAFF = [f"UW{i:02d}" for i in range(1, 11)]


def company_b_in_desire(make: Factory) -> Scenario:
    """Company B's board of three (never k), followers asked the exit signals two weeks."""
    b = company_b(make)
    b.move("2026-W46", Phase.DESIRE)
    for week in ("2026-W47", "2026-W48"):
        b.ask(week, "de.human.heard.1", STAFF, [4, 4, 3, 4, 4])
        b.ask(week, "de.biz.why_unavoidable.1", STAFF, [4, 4, 4, 3, 4])
        b.ask(week, "de.human.my_role.1", STAFF, [4, 3, 4, 4, 3])
    b.clock.set(tuesday("2026-W48", 14))
    b.journeys.log_touchpoint(
        b.workspace_id, b.journey_id, "UFAC", "Repair team formed", kind=TouchpointKind.TEAM
    )
    b.journeys.log_touchpoint(
        b.workspace_id,
        b.journey_id,
        "UFAC",
        "Fieldlab <visit>: industrial robots",
        kind=TouchpointKind.FIELDLAB,
    )
    return b


def test_the_scorecard_counts_weeks_in_a_row_from_the_answers(
    scenario_factory: Factory, digests: DigestService
) -> None:
    b = company_b_in_desire(scenario_factory)
    first = digests.build(b.workspace_id, b.journey_id, "2026-W47")
    assert first.scorecard is not None and not first.scorecard.ready
    assert [(r.status, r.weeks) for r in first.scorecard.rows] == [("met", 1)] * 3
    view = digests.build(b.workspace_id, b.journey_id, "2026-W48")
    card = view.scorecard
    assert card is not None and card.phase is Phase.DESIRE and card.ready
    assert [(r.signal.value, r.status, r.weeks) for r in card.rows] == [
        ("why_unavoidable", "met", 2),
        ("heard", "met", 2),
        ("my_role", "met", 2),
    ]
    # The board of three can never reach k: left out, with one line why.
    assert card.left_out == view.left_out == (Role.DIRECTOR, Role.FACILITATOR, Role.LEARNING)
    assert Role.DIRECTOR not in [p.role for p in view.participation]
    # Stored and, once the week is over, shown again exactly as computed.
    b.clock.set(tuesday("2026-W49", 8))
    assert digests.show(b.workspace_id, b.journey_id, "2026-W48") == view


def test_the_ecosystem_by_kind_only_outside_counts(
    scenario_factory: Factory, digests: DigestService
) -> None:
    b = company_b_in_desire(scenario_factory)
    view = digests.build(b.workspace_id, b.journey_id, "2026-W48")
    # The futurist (W45, kind not said) and the fieldlab visit are outside; the repair team
    # formed is a step inside: listed, not counted. W43's visits are over four weeks ago.
    assert view.touchpoints == 2
    assert len(view.contacts) == 3
    assert [(c.kind, c.outside) for c in view.contacts][:2] == [
        (TouchpointKind.FIELDLAB, True),
        (TouchpointKind.TEAM, False),
    ]
    assert view.contacts[0].note == "Fieldlab &lt;visit&gt;: industrial robots"


def test_advice_open_for_weeks_folds_over_the_stored_digests(
    scenario_factory: Factory, digests: DigestService
) -> None:
    quiet = scenario_factory("Alone", "2026-W37")
    quiet.people("UF", 6, Role.FRONTRUNNER)
    for week in ("2026-W41", "2026-W42"):
        view = digests.build(quiet.workspace_id, quiet.journey_id, week)
        (alone,) = [n for n in view.nudges if n.rule == "look_outside"]
        assert not alone.open_since and alone.key == "nudge.look_outside"
    # A step inside the company is no contact outside it.
    quiet.clock.set(tuesday("2026-W43", 14))
    quiet.journeys.log_touchpoint(
        quiet.workspace_id,
        quiet.journey_id,
        "UFAC",
        "Decided on a pilot",
        kind=TouchpointKind.DECISION,
    )
    third = digests.build(quiet.workspace_id, quiet.journey_id, "2026-W43")
    (still,) = [n for n in third.nudges if n.rule == "look_outside"]
    assert still.open_since == "2026-W41" and still.key == "nudge.look_outside.next"
    assert nudge_text(still, Language.EN).startswith("Open since 2026-W41. Still no contact")
    fourth = digests.build(quiet.workspace_id, quiet.journey_id, "2026-W44")
    assert [n.open_since for n in fourth.nudges if n.rule == "look_outside"] == ["2026-W41"]
    # An outside contact closes it.
    quiet.touch("2026-W45", "Visited a customer")
    fifth = digests.build(quiet.workspace_id, quiet.journey_id, "2026-W45")
    assert "look_outside" not in [n.rule for n in fifth.nudges]


@pytest.fixture
def view(scenario_factory: Factory, digests: DigestService) -> DigestView:
    b = company_b_in_desire(scenario_factory)
    return digests.build(b.workspace_id, b.journey_id, "2026-W48")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            Language.EN,
            (
                "Scorecard: desire",
                "met 2 times in a row",
                "Ready to move on? Yes",
                "Directors, facilitators and learning professionals are each fewer than 5 people",
                "fieldlab: Fieldlab &lt;visit&gt;: industrial robots",
                "team formed inside the company (no contact outside the company, not counted)",
                "Contacts outside the company in the last 4 weeks: 2.",
            ),
        ),
        (
            Language.NL,
            (
                "Scorekaart: desire",
                "2 keer op rij gehaald",
                "Klaar voor de volgende fase? Ja",
                "Directeuren, facilitators en leerprofessionals tellen elk minder dan 5 mensen",
                "fieldlab: Fieldlab &lt;visit&gt;: industrial robots",
                "team gevormd binnen de eigen muren (geen contact buiten de deur, telt niet mee)",
                "Contacten buiten de deur in de laatste 4 weken: 2.",
            ),
        ),
    ],
)
def test_every_surface_says_it_in_both_languages(
    view: DigestView, language: Language, words: tuple[str, ...]
) -> None:
    markdown = render_markdown(view, language)
    blocks = digest_blocks(view, language)
    slack = json.dumps(blocks, ensure_ascii=False)
    # The Teams card speaks the language of the view (a member's own, set when sending).
    teams = json.dumps(digest_card(replace(view, language=language)), ensure_ascii=False)
    for surface in (markdown, slack, teams):
        for word in words:
            assert word in surface, (word, surface[:200])
    # The scorecard comes before the advice everywhere.
    for surface in (markdown, slack, teams):
        assert surface.index(words[0]) < surface.index(nudge_text(view.nudges[0], language)[:30])
    assert 1 <= len(blocks) <= MAX_BLOCKS
    assert all(len(x) <= MAX_TEXT for x in texts(blocks))
