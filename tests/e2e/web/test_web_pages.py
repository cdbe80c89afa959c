"""Every page as every role over real HTTP: what chat would show them, refusals otherwise,
in Dutch and English, and never a figure the digest withheld."""

from __future__ import annotations

import re

import pytest

from bot.domain.model import Language, Perspective, Role
from bot.domain.web_access import JOURNEY_PAGES, Page, may_open
from tests.e2e.web.conftest import DIRECTOR, FOLLOWER, LEARNING, PEOPLE, Rig

# Pages that need a published digest or a change to show something; the export is a file.
HTML_PAGES = [p for p in JOURNEY_PAGES if p is not Page.EXPORT]


@pytest.mark.parametrize("role", list(PEOPLE))
def test_every_page_follows_the_access_rule(rig: Rig, role: Role) -> None:
    browser = rig.browser(PEOPLE[role])
    roles = frozenset({role})
    journey = rig.a.journey_id
    home = browser.get("/web/")
    assert home.status == 200
    for page in JOURNEY_PAGES:
        shown = browser.get(f"/web/j/{journey}/{page.value}")
        if may_open(page, roles):
            assert shown.status == 200, (role, page)
            # The menu offers exactly the pages the rule allows.
            assert f"/web/j/{journey}/{page.value}" in home.body
        else:
            assert shown.status == 403, (role, page)
            assert "This page is for" in shown.body
            assert f'href="/web/j/{journey}/{page.value}"' not in home.body
    # A journey the person is not in, or that does not exist, is not found.
    assert browser.get(f"/web/j/{journey + 99}/timeline").status == 404
    assert browser.get("/web/me").status == 200


def test_a_follower_cannot_open_a_directors_page_by_url(rig: Rig) -> None:
    browser = rig.browser(FOLLOWER)
    for path in ("trends", "scorecard", "digests", "digests/2026-W47", "members", "export"):
        page = browser.get(f"/web/j/{rig.a.journey_id}/{path}")
        assert page.status == 403, path
        assert "2026-W47" not in page.body and "out of 5" not in page.body


def test_pages_speak_the_viewers_language(rig: Rig) -> None:
    rig.set_language(DIRECTOR, Language.NL)
    browser = rig.browser(DIRECTOR)
    journey = rig.a.journey_id
    assert "Mijn reizen" in browser.get("/web/").body
    for page in HTML_PAGES:
        if may_open(page, frozenset({Role.DIRECTOR})):
            body = browser.get(f"/web/j/{journey}/{page.value}").body
            assert 'lang="nl"' in body, page
    refused = browser.get(f"/web/j/{journey}/members")
    assert refused.status == 403 and "Deze pagina is voor: facilitator" in refused.body
    english = rig.browser(LEARNING).get(f"/web/j/{journey}/trends").body
    assert 'lang="en"' in english and "Per perspective" in english


def test_trends_are_the_published_figures_and_withhold_what_the_digest_withheld(
    rig: Rig,
) -> None:
    views = {
        v.iso_week: v
        for v in (
            rig.container.digests.get_stored(rig.a.workspace_id, rig.a.journey_id, week)
            for week in ("2026-W46", "2026-W47")
        )
        if v is not None
    }
    assert set(views) == {"2026-W46", "2026-W47"}
    page = rig.browser(DIRECTOR).get(f"/web/j/{rig.a.journey_id}/trends").body
    perspectives = page.split("</table>")[0]  # the first chart's table: per perspective
    rows = dict(re.findall(r'<tr><th scope="row">(2026-W\d\d)</th>(.*?)</tr>', perspectives))
    # The week in progress (stored when someone asked for it) is never shown.
    assert "2026-W48" not in page and set(rows) >= {"2026-W46", "2026-W47"}
    for week in ("2026-W46", "2026-W47"):
        view = views[week]
        cells = re.findall(r"<td>(.*?)</td>", rows[week])[:3]
        for perspective, cell in zip(
            (Perspective.TECHNOLOGY, Perspective.HUMAN, Perspective.BUSINESS), cells, strict=True
        ):
            figure = view.perspective(perspective).all
            expected = "–" if figure.mean is None else f"{figure.mean:.1f}"
            assert cell == expected, (week, perspective)
    # Week 47: three people answered on technology (k is 5): withheld, as in the digest.
    assert views["2026-W47"].perspective(Perspective.TECHNOLOGY).all.respondents is None
    assert re.findall(r"<td>(.*?)</td>", rows["2026-W47"])[0] == "–"
    assert re.findall(r"<td>(.*?)</td>", rows["2026-W46"])[0] != "–"


def test_the_digest_archive_shows_the_digest_as_sent(rig: Rig) -> None:
    browser = rig.browser(DIRECTOR)
    archive = browser.get(f"/web/j/{rig.a.journey_id}/digests").body
    assert "2026-W47" in archive and "2026-W46" in archive and "2026-W48" not in archive
    digest = browser.get(f"/web/j/{rig.a.journey_id}/digests/2026-W47")
    assert digest.status == 200 and "Scorecard" in digest.body
    # A worker's words stay escaped: no channel ping, no markup.
    assert "<!channel>" not in digest.body
    assert browser.get(f"/web/j/{rig.a.journey_id}/digests/2026-W48").status == 404


def test_timeline_and_ecosystem(rig: Rig) -> None:
    browser = rig.browser(LEARNING)
    timeline = browser.get(f"/web/j/{rig.a.journey_id}/timeline").body
    assert "From awareness to interest" in timeline and "From interest to desire" in timeline
    ecosystem = browser.get(f"/web/j/{rig.a.journey_id}/ecosystem").body
    assert "External change expert hired" in ecosystem


def test_a_learning_professional_reads_their_own_week_first(rig: Rig) -> None:
    path = f"/web/j/{rig.a.journey_id}/digests/2026-W47"
    theirs = rig.browser(LEARNING).get(path).body
    directors = rig.browser(DIRECTOR).get(path).body
    mine = "For the learning professional: the human side"
    assert mine in theirs and mine not in directors
    assert theirs.index(mine) < theirs.index("Weekly digest Company A")
