"""The fortnight's team update on the web, over real HTTP: every member of the journey reads
back what they got in chat, in their own language, with only figures over k (never a quote)
and what leadership recorded, escaped; a follower still opens none of the digest's pages."""

from __future__ import annotations

import html

import pytest

from bot.domain.model import Language
from tests.e2e.web.conftest import DIRECTOR, FOLLOWER, FRONTRUNNER, Rig


@pytest.fixture
def sent(rig: Rig) -> Rig:
    rig.send_team_update()
    return rig


def test_a_follower_reads_the_team_update_and_still_no_digest(sent: Rig) -> None:
    browser = sent.browser(FOLLOWER)
    journey = sent.a.journey_id
    home = browser.get("/web/").body
    assert f'href="/web/j/{journey}/updates"' in home
    assert f'href="/web/j/{journey}/digests"' not in home
    listed = browser.get(f"/web/j/{journey}/updates")
    assert listed.status == 200
    assert f'href="/web/j/{journey}/updates/2026-W47"' in listed.body
    assert "Weeks 2026-W46 and 2026-W47" in listed.body
    page = browser.get(f"/web/j/{journey}/updates/2026-W47")
    assert page.status == 200, page.body
    body = page.body
    assert "Team update about weeks 2026-W46 and 2026-W47" in body
    assert "You said, we did: Company A" in body and "What leadership did" in body
    # What leadership did, as text: escaped once, no markup and no channel ping.
    assert "Sales coaching booked &lt;b&gt;for all&lt;/b&gt; &amp;" in body
    assert "<b>" not in body and "<!channel>" not in body
    assert "Every figure comes from at least 5 people." in body and "out of 5 (" in body
    # Figures over k only: no quote of the fortnight's digests reaches the page.
    for week in ("2026-W46", "2026-W47"):
        digest = sent.container.digests.get_stored(sent.a.workspace_id, journey, week)
        assert digest is not None
        for quote in digest.quotes:
            assert html.unescape(quote.text) not in html.unescape(body), quote.text
    assert "Wie gaat de contracten verkopen" not in body and "twintig jaar" not in body
    # The digest's pages stay closed to a follower, by link or by URL.
    for path in ("digests", "digests/2026-W47", "digests/2026-W46", "trends", "scorecard"):
        refused = browser.get(f"/web/j/{journey}/{path}")
        assert refused.status == 403, path
        assert "out of 5" not in refused.body


def test_every_member_reads_it_in_their_language(sent: Rig) -> None:
    sent.set_language(FRONTRUNNER, Language.NL)
    journey = sent.a.journey_id
    dutch = sent.browser(FRONTRUNNER)
    page = dutch.get(f"/web/j/{journey}/updates/2026-W47").body
    assert 'lang="nl"' in page and "Teamupdate over week 2026-W46 en 2026-W47" in page
    assert "Wat jullie zeiden" in page and "Wat de leiding deed" in page
    english = sent.browser(DIRECTOR).get(f"/web/j/{journey}/updates/2026-W47").body
    assert 'lang="en"' in english and "What you said" in english


def test_a_week_without_an_update_is_not_found_in_the_viewers_language(sent: Rig) -> None:
    sent.set_language(FOLLOWER, Language.NL)
    browser = sent.browser(FOLLOWER)
    journey = sent.a.journey_id
    # Week 48 is in progress and week 45 ends no fortnight that was sent: neither exists.
    for week in ("2026-W48", "2026-W45", "2026-W46"):
        missing = browser.get(f"/web/j/{journey}/updates/{week}")
        assert missing.status == 404, week
        assert "Voor die week is geen teamupdate verstuurd." in missing.body
        assert "Dat kan niet" in missing.body and 'lang="nl"' in missing.body
    english = sent.browser(DIRECTOR).get(f"/web/j/{journey}/updates/2026-W45")
    assert english.status == 404 and "No team update was sent for that week." in english.body
    # Another journey's update is as absent as one that does not exist.
    assert browser.get(f"/web/j/{journey + 99}/updates/2026-W47").status == 404


def test_before_any_update_the_list_says_so(rig: Rig) -> None:
    listed = rig.browser(FOLLOWER).get(f"/web/j/{rig.a.journey_id}/updates")
    assert listed.status == 200 and "No team update has been sent yet." in listed.body
    assert rig.browser(FOLLOWER).get(f"/web/j/{rig.a.journey_id}/updates/2026-W47").status == 404
