"""The web view in a real browser: Debian's headless Chromium driven by Playwright.

Sign in through the link a signed `/pioneer web` gets each role, browse their pages, change
a role, move a phase and change an answer by mouse and keyboard as a person would, and see
the refusals. Screenshots of the main pages go to the test's folder (or PIONEER_SCREENSHOTS).

Skipped where /usr/bin/chromium is absent; CI sets PIONEER_BROWSER_TESTS=required, which
turns that skip into a failure (.ci/run installs the browser).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.model import Phase, PromptKind, Role
from bot.domain.web_access import JOURNEY_PAGES, Page, may_open
from tests.e2e.slack.conftest import deliver
from tests.e2e.web.conftest import DIRECTOR, FACILITATOR, FOLLOWER, PEOPLE, Rig

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    missing = _unavailable()
    if missing is not None:
        if os.environ.get("PIONEER_BROWSER_TESTS") == "required":
            pytest.fail(f"browser tests are required here, but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PIONEER_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(chromium: Any, rig: Rig, user: str, width: int = 1000) -> Any:
    """A new browser profile, signed in by following `user`'s link and pressing the button."""
    page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(rig.url + rig.link(user))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/web/")
    assert page.get_by_role("heading", name="My journeys").is_visible()
    return page


def test_each_role_browses_exactly_its_pages(chromium: Any, rig: Rig, shots: Path) -> None:
    journey = rig.a.journey_id
    for role, user in PEOPLE.items():
        page = sign_in(chromium, rig, user)
        for p in JOURNEY_PAGES:
            if p is Page.EXPORT:
                continue  # a download: tried over HTTP (test_web_forms.py)
            response = page.goto(f"{rig.url}/web/j/{journey}/{p.value}")
            assert response is not None
            allowed = may_open(p, frozenset({role}))
            assert response.status == (200 if allowed else 403), (role, p)
            assert page.locator("h1").count() == 1
        page.context.close()
    director = sign_in(chromium, rig, DIRECTOR)
    for name in ("trends", "scorecard", "timeline", "digests/2026-W47"):
        director.goto(f"{rig.url}/web/j/{journey}/{name}")
        director.screenshot(
            path=str(shots / f"director-{name.replace('/', '-')}.png"), full_page=True
        )
    # Keyboard first: the first Tab reaches the skip link, which leads into the page.
    director.keyboard.press("Tab")
    assert director.evaluate("document.activeElement.className") == "skip"
    director.context.close()
    deliver(rig.container, journey, FOLLOWER, PromptKind.PULSE)
    phone = sign_in(chromium, rig, FOLLOWER, width=390)
    phone.goto(f"{rig.url}/web/me")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    phone.screenshot(path=str(shots / "follower-me-phone.png"), full_page=True)
    assert len(list(shots.glob("*.png"))) == 5


def test_a_follower_cannot_open_a_directors_page_by_url(chromium: Any, rig: Rig) -> None:
    page = sign_in(chromium, rig, FOLLOWER)
    response = page.goto(f"{rig.url}/web/j/{rig.a.journey_id}/trends")
    assert response is not None and response.status == 403
    assert page.get_by_text("This page is for").is_visible()
    assert page.locator("svg.chart").count() == 0


def test_a_follower_finds_the_team_update_from_the_menu(
    chromium: Any, rig: Rig, shots: Path
) -> None:
    rig.send_team_update()
    page = sign_in(chromium, rig, FOLLOWER, width=390)
    page.get_by_role("link", name="Team updates").first.click()
    page.get_by_role("link", name="Weeks 2026-W46 and 2026-W47").click()
    heading = "Team update about weeks 2026-W46 and 2026-W47"
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("Sales coaching booked <b>for all</b>").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "follower-team-update-phone.png"), full_page=True)
    assert page.get_by_role("link", name="Digests").count() == 0
    response = page.goto(f"{rig.url}/web/j/{rig.a.journey_id}/digests/2026-W47")
    assert response is not None and response.status == 403


def test_a_facilitator_changes_a_role_and_moves_the_phase(
    chromium: Any, rig: Rig, shots: Path
) -> None:
    page = sign_in(chromium, rig, FACILITATOR)
    page.goto(f"{rig.url}/web/j/{rig.a.journey_id}/members")
    page.get_by_label("Who").select_option(FOLLOWER)
    page.get_by_label("Role", exact=True).select_option("frontrunner")
    page.get_by_role("button", name="Save role").click()
    assert page.locator(".said").is_visible()
    member = rig.container.journeys.member(rig.a.workspace_id, rig.a.journey_id, FOLLOWER)
    assert member is not None and Role.FRONTRUNNER in member.roles
    page.screenshot(path=str(shots / "facilitator-members.png"), full_page=True)

    page.goto(f"{rig.url}/web/j/{rig.a.journey_id}/phase")
    page.get_by_label("To", exact=True).select_option("next")
    page.get_by_label("Why").fill("Sales heard and ready")
    # Without the confirmation the browser itself does not send the form.
    page.get_by_role("button", name="Move phase").click()
    journey = rig.container.journeys.get(rig.a.workspace_id, rig.a.journey_id)
    assert journey.phase is Phase.DESIRE
    page.get_by_label("Yes, move the phase").check()
    page.get_by_role("button", name="Move phase").click()
    page.wait_for_selector(".said")
    journey = rig.container.journeys.get(rig.a.workspace_id, rig.a.journey_id)
    assert journey.phase is Phase.ACTION
    page.screenshot(path=str(shots / "facilitator-phase.png"), full_page=True)


def test_a_member_changes_an_answer(chromium: Any, rig: Rig) -> None:
    delivery = deliver(rig.container, rig.a.journey_id, FOLLOWER, PromptKind.PULSE)
    page = sign_in(chromium, rig, FOLLOWER)
    page.goto(f"{rig.url}/web/me")
    for value in ("4", "2"):
        question = page.locator(f"section[aria-labelledby='q-{delivery.id}']")
        question.locator(f"label[for='v-{delivery.id}-{value}']").click()
        question.get_by_role("button", name="Save").click()
        page.wait_for_selector(".said")
    with rig.container.uow() as uow:
        answer = uow.answers.for_delivery(rig.a.workspace_id, delivery.id or 0)
    assert answer is not None and answer.value == 2


def test_reused_and_expired_links_and_a_missing_csrf_token_are_refused(
    chromium: Any, rig: Rig
) -> None:
    path = rig.link(FOLLOWER)
    first = chromium.new_context().new_page()
    first.goto(rig.url + path)
    first.get_by_role("button", name="Sign in").click()
    first.wait_for_url("**/web/")
    second = chromium.new_context().new_page()
    second.goto(rig.url + path)
    second.get_by_role("button", name="Sign in").click()
    assert second.get_by_role("heading", name="This link no longer works").is_visible()

    late = rig.link(FOLLOWER)
    rig.clock.advance(timedelta(minutes=11))
    third = chromium.new_context().new_page()
    third.goto(rig.url + late)
    third.get_by_role("button", name="Sign in").click()
    assert third.get_by_role("heading", name="This link no longer works").is_visible()

    rig.clock.advance(timedelta(minutes=-11))
    page = sign_in(chromium, rig, FACILITATOR)
    page.goto(f"{rig.url}/web/j/{rig.a.journey_id}/schedule")
    # A page of another site would post without the token: take it out, then post.
    page.evaluate("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())")
    page.get_by_role("button", name="Pause the journey").click()
    assert page.get_by_text("did not come from this page").is_visible()
    assert not rig.container.services.schedule.show(rig.a.workspace_id, rig.a.journey_id).paused
