"""The web view's templates, rendered without a server or browser: every page in Dutch and
English, with landmarks and labels, people's words escaped, and charts that leave a gap
where the digest withheld a figure."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.app.web_pages import Seat, Viewer
from bot.domain.model import (
    Journey,
    Language,
    Member,
    Phase,
    PhaseChange,
    Role,
    Text,
    TouchpointKind,
)
from bot.domain.team_update import DoneItem, SaidFigure, SaidTheme, TeamUpdateView
from bot.domain.web_access import Page
from bot.rendering.update_text import render_team_update_markdown
from bot.webview.guard import Look, WebDeps, render
from bot.webview.svg_trend import Series, trend_svg
from bot.webview.text_blocks import blocks

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NASTY = '<script>alert("x")</script> & co'


def journey() -> Journey:
    return Journey(1, NASTY, "C1", Language.EN, "Europe/Amsterdam", Phase.DESIRE, NOW, NOW, id=4)


def look(language: Language, roles: frozenset[Role], read_only: bool = False) -> Look:
    member = Member(1, 4, "U1", set(roles), display_name=NASTY)
    seat = Seat(journey(), member, roles)
    deps = WebDeps(pages=None, signin=None, read_only=read_only)  # type: ignore[arg-type]
    return Look(Viewer(1, "U1"), [seat], language, "c" * 64, deps)


def context(page: Page, seat: Seat) -> dict[str, Any]:
    member = Member(1, 4, "U2", {Role.FOLLOWER}, display_name=NASTY, away_until=date(2027, 1, 8))
    ritual = SimpleNamespace(key="pulse", days="tue", time="10:00", next_due=NOW)
    return {
        "history": [PhaseChange(4, 1, NOW, Phase.INTEREST, Phase.DESIRE, NASTY)],
        "blocks": blocks(
            f"# Title\n\n- **signal**: 3.5\n\n> {NASTY}\n\n| | a |\n|---|---|\n| w | 1 |"
        ),
        "charts": [
            {
                "title": "Per perspective",
                "svg": trend_svg(["2026-W46"], [Series(NASTY, [3.5])], "none"),
                "legend": [(NASTY, "#000", "")],
                "weeks": ["2026-W46"],
                "series": [Series(NASTY, [None])],
            }
        ],
        "weeks": ["2026-W47"],
        "fortnights": [("2026-W46", "2026-W47")],
        "touchpoints": [
            (SimpleNamespace(happened_on=date(2026, 11, 20), kind=TouchpointKind.EXPERT), NASTY)
        ],
        "members": [member],
        "roles": list(Role),
        "schedule": SimpleNamespace(timezone="Europe/Amsterdam", paused=False, rituals=[ritual]),
        "calendar": SimpleNamespace(
            working_days="mon-fri", timezone="Europe/Amsterdam", holidays=[date(2026, 12, 24)]
        ),
        "phases": list(Phase),
        "seat": seat,
        "page": page,
    }


PAGES = [p for p in Page if p not in (Page.HOME, Page.ME, Page.EXPORT)]


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages_with_landmarks(
    language: Language, page: Page
) -> None:
    viewer = look(language, frozenset({Role.FACILITATOR, Role.DIRECTOR}))
    response = render(viewer, f"{page.value}.html", **context(page, viewer.seats[0]))
    body = response.text or ""
    assert f'<html lang="{language.value}">' in body
    for landmark in ("<header", "<nav", '<main id="main"', "<footer", 'class="skip"'):
        assert landmark in body, landmark
    assert "<script>" not in body and "&lt;script&gt;" in body
    # Every form field has a label, every form its CSRF token.
    for field in re.findall(r'<(?:input|select|textarea)[^>]*id="([^"]+)"', body):
        assert f'for="{field}"' in body, field
    assert body.count(f'name="csrf" value="{"c" * 64}"') == body.count("<form")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_two_languages_differ_and_read_only_switches_forms_off() -> None:
    roles = frozenset({Role.FACILITATOR})
    english = look(Language.EN, roles)
    dutch = look(Language.NL, roles, read_only=True)
    seat = english.seats[0]
    en = render(english, "members.html", **context(Page.MEMBERS, seat)).text or ""
    nl = render(dutch, "members.html", **context(Page.MEMBERS, seat)).text or ""
    assert "Members and roles" in en and "Leden en rollen" in nl
    assert "<fieldset disabled>" in nl and "<fieldset disabled>" not in en


def test_a_chart_leaves_a_gap_for_a_withheld_week() -> None:
    svg = str(trend_svg(["W1", "W2", "W3"], [Series("tech", [3.0, None, 4.0])], "none"))
    assert svg.count("<polyline") == 2  # two runs: the withheld week is not bridged
    assert svg.count("<circle") == 2
    empty = str(trend_svg(["W1"], [Series("tech", [None])], "No figures <yet>"))
    assert "No figures &lt;yet&gt;" in empty and "<polyline" not in empty


def test_chat_text_becomes_plain_blocks() -> None:
    text = "# Digest\n\n## Part\n\n1. one\n2. two\n\n- **a**: b\n  - c\n\nPlain &lt;b&gt; _x_ `y`"
    shown = blocks(text)
    assert [b.kind for b in shown] == ["h2", "h3", "ol", "ul", "p"]
    assert shown[3].items == ["a: b", "c"] and shown[3].depths == [0, 1]
    assert shown[4].text == "Plain <b> x y"


def update(done: tuple[DoneItem, ...]) -> TeamUpdateView:
    """A fortnight's update as the view builds it: figures over k, an escaped action."""
    return TeamUpdateView(
        journey_id=4,
        journey_name=NASTY,
        iso_week="2026-W47",
        weeks=("2026-W46", "2026-W47"),
        language=Language.EN,  # the journey's; the page speaks the viewer's
        phase=Phase.DESIRE,
        k=5,
        perspectives=(SaidFigure("human", 3.25, 6),),
        signals=(SaidFigure("heard", 2.5, 5),),
        themes=(SaidTheme("job_security", Text("baanzekerheid", "job security"), 5),),
        done=done,
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            Language.EN,
            ["Team update about weeks 2026-W46 and 2026-W47", "What you said", "All team updates"],
        ),
        (
            Language.NL,
            ["Teamupdate over week 2026-W46 en 2026-W47", "Wat jullie zeiden", "Alle teamupdates"],
        ),
    ],
)
def test_a_team_update_page_in_the_viewers_language(
    language: Language, expected: list[str]
) -> None:
    viewer = look(language, frozenset({Role.FOLLOWER}))
    action = DoneItem(date(2026, 11, 18), "Extra &lt;b&gt;training&lt;/b&gt; &amp; coaching")
    shown = blocks(render_team_update_markdown(update((action,)), language, "slack"))
    response = render(
        viewer,
        "update.html",
        seat=viewer.seats[0],
        page=Page.UPDATES,
        first="2026-W46",
        week="2026-W47",
        blocks=shown,
    )
    body = response.text or ""
    assert f'<html lang="{language.value}">' in body
    for text in expected:
        assert text in body, text
    assert ("baanzekerheid" in body) is (language is Language.NL)
    assert "3,2" in body if language is Language.NL else "3.2" in body
    # The journey's name and the action are text, escaped once: no markup, no double escape.
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "Extra &lt;b&gt;training&lt;/b&gt; &amp; coaching" in body and "&amp;lt;" not in body
    # The menu offers a follower the team updates and none of the digest's pages.
    assert 'href="/web/j/4/updates" aria-current="page"' in body
    assert "/web/j/4/digests" not in body and "/web/j/4/trends" not in body


@pytest.mark.parametrize("language", list(Language))
def test_a_team_update_without_actions_says_how_to_record_one(language: Language) -> None:
    viewer = look(language, frozenset({Role.FRONTRUNNER}))
    shown = blocks(render_team_update_markdown(update(()), language, "teams"))
    body = (
        render(
            viewer,
            "update.html",
            seat=viewer.seats[0],
            page=Page.UPDATES,
            first="2026-W46",
            week="2026-W47",
            blocks=shown,
        ).text
        or ""
    )
    did = "@Pioneer gedaan" if language is Language.NL else "@Pioneer did"
    assert did in body  # as the viewer's platform types it, not as in the console


def test_the_team_update_list_in_both_languages() -> None:
    for language, label, none in (
        (Language.EN, "Weeks 2026-W46 and 2026-W47", "No team update has been sent yet."),
        (Language.NL, "Week 2026-W46 en 2026-W47", "Er is nog geen teamupdate verstuurd."),
    ):
        viewer = look(language, frozenset({Role.FOLLOWER}))
        seat = viewer.seats[0]
        listed = (
            render(
                viewer,
                "updates.html",
                seat=seat,
                page=Page.UPDATES,
                fortnights=[("2026-W46", "2026-W47")],
            ).text
            or ""
        )
        assert f'<a href="/web/j/4/updates/2026-W47">{label}</a>' in listed
        empty = render(viewer, "updates.html", seat=seat, page=Page.UPDATES, fortnights=[])
        assert none in (empty.text or "") and none not in listed
