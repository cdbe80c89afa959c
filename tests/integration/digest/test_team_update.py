"""You said, we did: what leadership records reaches every member once a fortnight, with the
team's figures over k people and never a word anyone wrote in a check-in."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from bot.app.digests import DigestService
from bot.app.team_updates import TeamUpdateService
from bot.clock import FixedClock
from bot.domain import errors
from bot.domain.model import Language, Role
from bot.domain.team_update import EmptyAction, TeamUpdateView
from bot.platforms.console import ConsoleChat
from bot.platforms.slack.chat import SlackChat
from bot.platforms.slack.render.did import team_update_message
from bot.platforms.teams.digest_card import team_update_activity
from bot.rendering.update_text import render_team_update_markdown
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes.slack_api import FakeSlack
from tests.integration.digest.conftest import THEMES, Scenario
from tests.integration.digest.test_scenarios import company_a
from tests.integration.digest.test_service import MONDAY_W48

# What the sales team wrote in their check-ins (company_a): never in a team update.
WRITTEN = (
    "twintig jaar",
    "Niemand legt uit",
    "subscription portal",
    "bad idea",
    "Te veel tijdsdruk",
    "verdienmodel",
)
DID = "Held a listening session with both shifts <@UD02> & <!channel>"


@pytest.fixture
def company(scenario_factory: Callable[..., Scenario]) -> Scenario:
    a = company_a(scenario_factory)
    a.people("UL", 1, Role.LEARNING)
    a.journeys.set_language(a.workspace_id, a.journey_id, "US01", "nl")
    # Both weeks of the fortnight have their digest stored, as the Monday digests do.
    digests = DigestService(a.uow, a.clock, theme_rules=THEMES)
    for week in ("2026-W46", "2026-W47"):
        digests.build(a.workspace_id, a.journey_id, week)
    return a


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def members_of(company: Scenario) -> list[str]:
    with company.uow() as tx:
        return [m.user for m in tx.members.list(company.workspace_id, company.journey_id)]


def renderings(view: TeamUpdateView) -> dict[str, str]:
    """The update as each platform shows it, in both languages."""
    out = {}
    for lang in Language:
        out[f"markdown-{lang}"] = render_team_update_markdown(view, lang)
        out[f"slack-{lang}"] = json.dumps(team_update_message(view, lang), ensure_ascii=False)
    activity = team_update_activity(view)
    out["teams"] = json.dumps(activity.model_dump(mode="json"), ensure_ascii=False)
    return out


def test_every_member_gets_the_update_once_with_figures_over_k_and_never_a_quote(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    out = io.StringIO()
    console = ConsoleChat(out=out)
    service = TeamUpdateService(uow, clock, sender=console)
    clock.set(MONDAY_W48 - timedelta(days=3))  # in the fortnight (week 47)
    action = service.record(company.workspace_id, company.journey_id, "UD01", DID, "explain_why")
    assert action.rule == "explain_why" and action.signal == ""
    # Followers and frontrunners are told who may; nothing is recorded for them.
    for user in ("US02", "UF01", "UL01"):
        with pytest.raises(errors.NotAllowed):
            service.record(company.workspace_id, company.journey_id, user, "We did it")
    with pytest.raises(EmptyAction):
        service.record(company.workspace_id, company.journey_id, "UFAC", "   ")

    clock.set(MONDAY_W48)
    for _ in range(3):  # a retry, a second replica, the next pass: one update each
        service.send_fortnightly(company.workspace_id, company.journey_id, MONDAY_W48)
    assert service.send_pending(MONDAY_W48 + timedelta(hours=1)) == 0
    everyone = members_of(company)
    assert len(everyone) == 22
    assert {u: len(console.team_updates_to(u)) for u in everyone} == dict.fromkeys(everyone, 1)

    (dutch,) = console.team_updates_to("US01")
    (english,) = console.team_updates_to("UD01")
    assert (dutch.language, english.language) == (Language.NL, Language.EN)
    assert dutch.iso_week == "2026-W47" and dutch.weeks == ("2026-W46", "2026-W47")
    said = [*english.perspectives, *english.signals]
    assert said and all(f.respondents >= 5 for f in said)
    assert all(theme.people >= 5 for theme in english.themes)
    (done,) = english.done
    assert done.text.startswith("Held a listening session") and "<" not in done.text

    # The digest directors read quotes what was written; the team update must not.
    digest = DigestService(uow, clock, theme_rules=THEMES)
    stored = digest.get_stored(company.workspace_id, company.journey_id, "2026-W47")
    assert stored is not None
    assert any(w in q.text for q in stored.quotes for w in WRITTEN)
    for name, text in renderings(english).items():
        for written in WRITTEN:
            assert written not in text, (name, written)
        assert "<!channel>" not in text and "<@UD02>" not in text, name
        assert "Held a listening session" in text, name
    pages = renderings(english)
    assert pages["markdown-en"].startswith("# You said, we did: Company A")
    assert "## What leadership did" in pages["markdown-en"]
    assert pages["markdown-nl"].startswith("# Jullie zeiden, wij deden: Company A")
    assert "## Wat de leiding deed" in pages["markdown-nl"]
    assert "Wat jullie zeiden" in pages["slack-nl"] and "What you said" in pages["slack-en"]
    assert "What leadership did" in pages["teams"]
    assert "→ US01: Jullie zeiden, wij deden: Company A" in out.getvalue()


def test_a_fortnight_without_actions_says_so_in_each_language(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    service = TeamUpdateService(uow, clock)
    clock.set(MONDAY_W48)
    # Recorded after the fortnight ended: it belongs to the next update, not this one.
    service.record(company.workspace_id, company.journey_id, "UD01", "Too late for this one")
    view = service.view(company.workspace_id, company.journey_id, "2026-W47")
    assert view.done == () and view.said_anything
    pages = renderings(view)
    assert "Nothing was recorded these two weeks" in pages["markdown-en"]
    assert "`/pioneer did ‹what was done›`" in pages["slack-en"]
    assert "Deze twee weken is er niets vastgelegd" in pages["markdown-nl"]
    # Teams people type commands as a mention.
    assert "@Pioneer did" in pages["teams"] and "/pioneer" not in pages["teams"]
    later = service.view(company.workspace_id, company.journey_id, "2026-W49")
    assert [d.text for d in later.done] == ["Too late for this one"]
    # No digest stored for those weeks: nothing said is shown, and it says why.
    assert not later.said_anything
    assert "Too few answers these two weeks" in render_team_update_markdown(later, Language.EN)


def test_an_update_that_failed_goes_out_later_and_only_once(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    """Planned before sent: a failed message is retried, a crashed sender's is taken over."""
    chat = SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=2)
    service = TeamUpdateService(uow, clock, sender=chat)
    fake_slack.script("chat.postMessage", [500])
    clock.set(MONDAY_W48)
    week = "2026-W47"
    with uow() as tx:  # what send_fortnightly commits before its first message ...
        members = tx.members.list(company.workspace_id, company.journey_id)
        tx.team_updates.plan_sends(
            company.workspace_id,
            company.journey_id,
            week,
            [(f"member:{m.id}", m.id) for m in members],
        )
        (first, *_) = tx.team_updates.due_sends(MONDAY_W48)
        # ... and the claim of a sender that then crashed.
        assert tx.team_updates.claim_recipient(first.id, MONDAY_W48, MONDAY_W48)
        tx.commit()
    assert service.send_fortnightly(company.workspace_id, company.journey_id, MONDAY_W48)
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=1)) == 0
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=2)) == 1  # the failed one
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=11)) == 1  # the held one
    assert service.send_pending(MONDAY_W48 + timedelta(hours=2)) == 0
    users = [m.user for m in members]
    assert {u: len(fake_slack.messages(f"D{u}")) for u in users} == dict.fromkeys(users, 1)
    assert fake_slack.messages("DUS01")[0].text.startswith("Jullie zeiden, wij deden")
