"""The web view's forms over real HTTP: each runs the chat command it stands for, as the
signed-in person, and none runs without the page's CSRF token."""

from __future__ import annotations

from bot.domain.model import Phase, PromptKind, Role
from tests.e2e.slack.conftest import deliver
from tests.e2e.web.conftest import DIRECTOR, FACILITATOR, FOLLOWER, Rig


def roles_of(rig: Rig, user: str) -> set[Role]:
    member = rig.container.journeys.member(rig.a.workspace_id, rig.a.journey_id, user)
    assert member is not None
    return member.roles


def test_a_form_without_its_csrf_token_is_refused(rig: Rig) -> None:
    browser = rig.browser(FACILITATOR)
    action = f"/web/j/{rig.a.journey_id}/do/role"
    form = {"user": FOLLOWER, "change": "add", "role": "frontrunner"}
    for token in ({}, {"csrf": "0" * 64}):
        refused = browser.post(action, form | token)
        assert refused.status == 403 and "did not come from this page" in refused.body
    assert Role.FRONTRUNNER not in roles_of(rig, FOLLOWER)
    # Another person's token does not fit this session either.
    other = rig.browser(DIRECTOR).get("/web/").csrf()
    assert browser.post(action, form | {"csrf": other}).status == 403


def test_a_facilitator_changes_a_role(rig: Rig) -> None:
    browser = rig.browser(FACILITATOR)
    members = browser.get(f"/web/j/{rig.a.journey_id}/members")
    done = browser.post(
        f"/web/j/{rig.a.journey_id}/do/role",
        {"csrf": members.csrf(), "user": FOLLOWER, "change": "add", "role": "frontrunner"},
    )
    assert done.status == 200 and "role" in done.body
    assert Role.FRONTRUNNER in roles_of(rig, FOLLOWER)


def test_only_a_facilitator_may_post_a_facilitators_form(rig: Rig) -> None:
    browser = rig.browser(DIRECTOR)
    csrf = browser.get("/web/").csrf()
    refused = browser.post(
        f"/web/j/{rig.a.journey_id}/do/phase",
        {"csrf": csrf, "target": "next", "reason": "ready", "confirm": "yes"},
    )
    assert refused.status == 403
    assert rig.container.journeys.get(rig.a.workspace_id, rig.a.journey_id).phase is Phase.DESIRE


def test_a_facilitator_moves_the_phase_with_a_reason_after_confirming(rig: Rig) -> None:
    browser = rig.browser(FACILITATOR)
    page = browser.get(f"/web/j/{rig.a.journey_id}/phase")
    form = {"csrf": page.csrf(), "target": "next", "reason": "Sales <b>ready</b> now"}
    unconfirmed = browser.post(f"/web/j/{rig.a.journey_id}/do/phase", form)
    assert unconfirmed.status == 400
    moved = browser.post(f"/web/j/{rig.a.journey_id}/do/phase", form | {"confirm": "yes"})
    assert moved.status == 200
    journey = rig.container.journeys.get(rig.a.workspace_id, rig.a.journey_id)
    assert journey.phase is Phase.ACTION
    history = rig.container.journeys.history(rig.a.workspace_id, rig.a.journey_id)
    assert history[-1].reason == "Sales <b>ready</b> now"
    timeline = browser.get(f"/web/j/{rig.a.journey_id}/timeline").body
    assert "Sales &lt;b&gt;ready&lt;/b&gt; now" in timeline and "<b>ready" not in timeline


def test_a_facilitator_pauses_sets_a_holiday_and_the_schedule(rig: Rig) -> None:
    browser = rig.browser(FACILITATOR)
    base = f"/web/j/{rig.a.journey_id}"
    csrf = browser.get(base + "/schedule").csrf()
    assert "paused" in browser.post(base + "/do/pause", {"csrf": csrf}).body
    assert "Resume the journey" in browser.get(base + "/schedule").body
    browser.post(base + "/do/resume", {"csrf": csrf})
    added = browser.post(base + "/do/holiday", {"csrf": csrf, "day": "2026-12-24", "change": "add"})
    assert "2026-12-24" in added.body
    bad = browser.post(base + "/do/holiday", {"csrf": csrf, "day": "24-12-2026", "change": "add"})
    assert bad.status == 200 and "24-12-2026" in bad.body  # refused by name, as in chat
    export = browser.get(base + "/export")
    assert export.status == 200 and export.headers["Content-Type"].startswith("text/csv")
    assert export.body.startswith("week,phase,perspective,signal,respondents,mean")


def test_a_member_changes_an_answer_until_it_closes(rig: Rig) -> None:
    delivery = deliver(rig.container, rig.a.journey_id, FOLLOWER, PromptKind.PULSE)
    browser = rig.browser(FOLLOWER)
    me = browser.get("/web/me")
    assert me.status == 200 and f'name="delivery" value="{delivery.id}"' in me.body
    for value in ("4", "2"):
        saved = browser.post(
            "/web/me/answer", {"csrf": me.csrf(), "delivery": str(delivery.id), "value": value}
        )
        assert "Your answer is saved" in saved.body
    with rig.container.uow() as uow:
        answer = uow.answers.for_delivery(rig.a.workspace_id, delivery.id or 0)
    assert answer is not None and answer.value == 2
    assert 'value="2" checked' in browser.get("/web/me").body


def test_a_member_sets_language_and_away_and_is_forgotten(rig: Rig) -> None:
    browser = rig.browser(FOLLOWER)
    csrf = browser.get("/web/me").csrf()
    dutch = browser.post("/web/me/language", {"csrf": csrf, "language": "nl"})
    assert 'lang="nl"' in dutch.body
    away = browser.post("/web/me/away", {"csrf": csrf, "until": "2027-01-08"})
    assert "2027-01-08" in away.body
    unconfirmed = browser.post("/web/me/forget", {"csrf": csrf})
    assert rig.container.journeys.member(rig.a.workspace_id, rig.a.journey_id, FOLLOWER)
    assert "bevestiging" in unconfirmed.body
    forgotten = browser.post("/web/me/forget", {"csrf": csrf, "confirm": "yes"})
    assert forgotten.status == 200
    assert rig.container.journeys.member(rig.a.workspace_id, rig.a.journey_id, FOLLOWER) is None
    # Signed out with it: the browser keeps no session of someone forgotten.
    assert "pioneer_session" not in browser.cookies
    assert browser.get("/web/").status == 401
