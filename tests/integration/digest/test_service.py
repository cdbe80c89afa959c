"""The digest service end to end: stored once, sent once, shown later, previewed by readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app.digests import MAX_SEND_ATTEMPTS, DigestService, NoDigestSender, retry_after
from bot.clock import FixedClock
from bot.domain import errors
from bot.domain.digest.weeks import InvalidWeek, WeekNotOver
from bot.domain.errors import TemporaryFailure
from bot.domain.model import Perspective, Role
from bot.platforms.console import ConsoleChat
from bot.platforms.slack.chat import SlackChat
from bot.rendering.chart import render_chart
from storage.uow import SqlUnitOfWorkFactory
from tests import seed
from tests.fakes.slack_api import FakeSlack
from tests.integration.digest.conftest import THEMES, Scenario
from tests.integration.digest.test_scenarios import company_a

# Monday 23 November 2026, 08:30 in Amsterdam: the digest reports week 47, just ended.
MONDAY_W48 = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def company(scenario_factory: Callable[..., Scenario]) -> Scenario:
    a = company_a(scenario_factory)
    a.people("UL", 1, Role.LEARNING)
    a.journeys.set_language(a.workspace_id, a.journey_id, "UL01", "nl")
    return a


def test_send_weekly_twice_delivers_one_digest_to_directors_and_learning(
    company: Scenario,
    uow: SqlUnitOfWorkFactory,
    clock: FixedClock,
    fake_slack: FakeSlack,
) -> None:
    chat = SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=2)
    service = DigestService(uow, clock, sender=chat, chart=render_chart, theme_rules=THEMES)
    clock.set(MONDAY_W48)
    assert service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is True
    assert service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is False
    # A second service (another replica) cannot send it either.
    other = DigestService(uow, clock, sender=chat, chart=render_chart, theme_rules=THEMES)
    assert other.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is False

    posts = fake_slack.calls_to("chat.postMessage")
    recipients = sorted(c.args["channel"] for c in posts)
    assert recipients == ["DUD01", "DUD02", "DUL01"]  # two directors, one learning professional
    by_channel = {c.args["channel"]: c.args for c in posts}
    assert by_channel["DUD01"]["blocks"][0]["text"]["text"].startswith("Weekly digest Company A")
    # The learning professional's own week first, in their language; then the board's digest.
    steward = by_channel["DUL01"]["blocks"]
    assert steward[0]["text"]["text"].startswith("Voor de leerprofessional: de menselijke kant van")
    assert any(
        b.get("text", {}).get("text", "").startswith("Weekoverzicht Company A") for b in steward
    )
    directors = json.dumps(by_channel["DUD01"]["blocks"])
    assert "learning professional:" not in directors and "Your checklist" not in directors
    completed = fake_slack.calls_to("files.completeUploadExternal")
    assert len(completed) == 3
    file_id = completed[0].args["files"][0]["id"]
    assert fake_slack.upload(file_id)["content"][:8] == b"\x89PNG\r\n\x1a\n"

    stored = service.get_stored(company.workspace_id, company.journey_id, "2026-W47")
    assert stored is not None and stored.iso_week == "2026-W47"
    # With a learning professional in the journey, no nudge asks to appoint one.
    # Technology too quiet to show: the human side (3.1) lags business (3.62) alone.
    assert [n.rule for n in stored.nudges] == [
        "involve_followers_heard",
        "rebalance_quiet",
        "steward_human_lags",
    ]
    assert stored.nudges[2].params == {"mean": 3.1, "others": 3.62}


def test_a_sent_digest_is_a_record_and_is_not_rebuilt(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    chat = SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=2)
    service = DigestService(uow, clock, sender=chat, theme_rules=THEMES)
    clock.set(MONDAY_W48)
    service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48)
    sent = service.get_stored(company.workspace_id, company.journey_id, "2026-W47")
    # Late answers for that week change neither the record nor what building it returns.
    company.ask("2026-W47", "all.tech.balance.1", [f"US{i:02d}" for i in range(1, 11)], [5])
    rebuilt = service.build(company.workspace_id, company.journey_id, "2026-W47")
    assert service.get_stored(company.workspace_id, company.journey_id, "2026-W47") == sent
    assert rebuilt == sent
    assert sent is not None and not sent.perspective(Perspective.TECHNOLOGY).all.shown
    with uow() as tx:  # ten more answered technology: enough to show, had it been rebuilt
        late = tx.answers.for_journey(company.workspace_id, company.journey_id)
    assert sum(a.value == 5 and a.iso_week == "2026-W47" for a in late) >= 10


def test_without_a_chat_platform_nothing_is_claimed(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    service = DigestService(uow, clock, theme_rules=THEMES)
    with pytest.raises(NoDigestSender):
        service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48)
    assert service.get_stored(company.workspace_id, company.journey_id, "2026-W47") is None


def test_preview_is_for_readers_and_shows_the_last_week_that_is_over(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock, digests: DigestService
) -> None:
    clock.set(datetime(2026, 11, 19, 12, tzinfo=UTC))  # Thursday of week 47
    view = digests.preview(company.workspace_id, company.journey_id, actor="UD01")
    assert view.preview and view.iso_week == "2026-W46"  # week 47 is still going on
    # Stored as it was shown: the digest sent on Monday shows the same.
    stored = digests.get_stored(company.workspace_id, company.journey_id, "2026-W46")
    assert stored is not None and replace(stored, preview=True) == view
    with pytest.raises(errors.NotAllowed) as refused:
        digests.preview(company.workspace_id, company.journey_id, actor="US01")
    assert set(refused.value.params["allowed"]) == {Role.FACILITATOR, Role.DIRECTOR, Role.LEARNING}
    clock.set(MONDAY_W48)
    view = digests.preview(company.workspace_id, company.journey_id, actor="UD01")
    assert view.iso_week == "2026-W47" and view.nudges
    with pytest.raises(WeekNotOver):
        digests.show(company.workspace_id, company.journey_id, "2026-W48")


def test_bad_weeks_and_unknown_journeys_are_refused(
    company: Scenario, digests: DigestService
) -> None:
    for bad in ("2026-49", "2026-W54", "W49", ""):
        with pytest.raises(InvalidWeek):
            digests.build(company.workspace_id, company.journey_id, bad)
    with pytest.raises(errors.NoJourney):
        digests.build(company.workspace_id, 999, "2026-W47")


def pioneer(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": database_url},
        check=False,
    )


def test_cli_shows_a_stored_digest_or_builds_it(
    company: Scenario, database_url: str, tmp_path: os.PathLike[str]
) -> None:
    journey = str(company.journey_id)
    built = pioneer("digest", "--journey", journey, "--week", "2026-W47", database_url=database_url)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("# Weekly digest Company A, week 2026-W47")
    chart = f"{tmp_path}/chart.png"
    as_json = pioneer(
        "digest", "--journey", journey, "--week", "2026-w47", "--format", "json",
        "--chart", chart, database_url=database_url,
    )  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["iso_week"] == "2026-W47"
    assert payload["nudges"][0]["rule"] == "involve_followers_heard"
    with open(chart, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    dutch = pioneer(
        "digest", "--journey", journey, "--week", "2026-W47", "--lang", "nl",
        database_url=database_url,
    )  # fmt: skip
    assert dutch.stdout.startswith("# Weekoverzicht Company A")
    bad = pioneer("digest", "--journey", journey, "--week", "49", database_url=database_url)
    assert bad.returncode == 2 and "2026-W49" in bad.stderr
    missing = pioneer("digest", "--journey", "999", "--week", "2026-W47", database_url=database_url)
    assert missing.returncode == 1 and "999" in missing.stderr


def slack_company(
    uow: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> tuple[int, int]:
    """A Slack workspace with a journey of two directors who answered in week 47."""
    workspace_id = seed.workspace_id(uow, "slack", fake_slack.team_id, "Fake Team")
    a = Scenario(uow, clock, workspace_id, "Company A", "2026-W37")
    directors = a.people("UD", 2, Role.DIRECTOR)
    a.ask("2026-W47", "all.tech.balance.1", directors, [3])
    return workspace_id, a.journey_id


def slack_container(database_url: str, fake_slack: FakeSlack, clock: FixedClock) -> Any:
    from bot.container import Container
    from tests.e2e.slack.conftest import slack_settings

    return Container(slack_settings(database_url, fake_slack), clock=clock)


def test_the_container_sends_through_the_workspaces_own_platform(
    uow: SqlUnitOfWorkFactory, clock: FixedClock, database_url: str, fake_slack: FakeSlack
) -> None:
    workspace_id, journey_id = slack_company(uow, clock, fake_slack)
    container = slack_container(database_url, fake_slack, clock)
    try:
        assert container.digests.send_weekly(workspace_id, journey_id, MONDAY_W48) is True
        assert container.digests.send_weekly(workspace_id, journey_id, MONDAY_W48) is False
    finally:
        container.close()
    assert sorted(c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")) == [
        "DUD01",
        "DUD02",
    ]
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 2


@pytest.mark.parametrize("writers", [4, 5, 6])
def test_pulse_comments_are_quoted_only_from_k_writers(
    scenario_factory: Callable[..., Scenario], digests: DigestService, writers: int
) -> None:
    s = scenario_factory("Comments", "2026-W45")
    people = s.people("UP", 6, Role.FOLLOWER)
    for i, user in enumerate(people[:writers]):
        s.comment("2026-W47", "all.human.balance.1", user, 3, f"Comment {i} <@U0{i}> & more")
    view = digests.build(s.workspace_id, s.journey_id, "2026-W47")
    if writers < 5:
        assert view.quotes == ()
    else:
        assert len(view.quotes) == 3
        assert all(q.text.endswith("@… &amp; more") for q in view.quotes)
        assert all(q.perspective.value == "human" for q in view.quotes)


def test_send_weekly_through_the_console_platform_once(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    import io

    from bot.platforms.console import ConsoleChat

    out = io.StringIO()
    console = ConsoleChat(out=out)
    service = DigestService(uow, clock, sender=console, chart=render_chart, theme_rules=THEMES)
    for _ in range(2):
        service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48)
    assert [len(console.digests_to(u)) for u in ("UD01", "UD02", "UL01", "US01")] == [1, 1, 1, 0]
    (dutch,) = console.digests_to("UL01")
    assert dutch.language.value == "nl" and dutch.iso_week == "2026-W47"
    assert "→ UL01: Weekoverzicht Company A, week 2026-W47" in out.getvalue()
    assert "→ UL01: # Voor de leerprofessional" in out.getvalue()
    assert "→ UD01: # " not in out.getvalue()
    assert all(s.chart_png.startswith(b"\x89PNG") for s in console.sent)


# -- nothing lost: each recipient's message is planned, sent and marked on its own -------------
def posted_to(fake: FakeSlack, channel: str) -> int:
    """Digest messages that reached `channel` (a failed post stores nothing)."""
    return sum(
        1 for m in fake.messages(channel) if m.text.startswith(("Weekly digest", "Weekoverzicht"))
    )


def test_a_digest_message_that_failed_goes_out_on_a_later_pass_and_only_once(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    chat = SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=2)
    service = DigestService(uow, clock, sender=chat, theme_rules=THEMES)
    fake_slack.script("chat.postMessage", [500])  # Slack has a bad moment for one message
    assert service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is True
    counts = {c: posted_to(fake_slack, c) for c in ("DUD01", "DUD02", "DUL01")}
    assert sorted(counts.values()) == [0, 1, 1]

    # Tried again after a pause that grows with each failure (2 minutes after the first).
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=1)) == 0
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=2)) == 1
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=30)) == 0
    assert {c: posted_to(fake_slack, c) for c in counts} == dict.fromkeys(counts, 1)
    # The one sent late is in its reader's language like the others.
    assert fake_slack.messages("DUL01")[-1].text.startswith("Weekoverzicht")


def test_a_message_a_crashed_sender_held_is_sent_once_its_lease_ran_out(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    """A sender claimed a message and died before marking it: nobody may lose it."""
    chat = SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=2)
    service = DigestService(uow, clock, sender=chat, theme_rules=THEMES)
    week = "2026-W47"
    service.build(company.workspace_id, company.journey_id, week)
    with uow() as tx:  # what send_weekly commits before its first message ...
        assert tx.digests.claim_send(company.workspace_id, company.journey_id, week, MONDAY_W48)
        members = tx.members.list(company.workspace_id, company.journey_id)
        readers = [
            (f"member:{m.id}", m.id) for m in members if m.roles & {Role.DIRECTOR, Role.LEARNING}
        ]
        tx.digests.plan_sends(company.workspace_id, company.journey_id, week, readers)
        (first, *_) = tx.digests.due_sends(MONDAY_W48)
        # ... and the claim of a sender that then crashed.
        assert tx.digests.claim_recipient(first.id, MONDAY_W48, MONDAY_W48)
        tx.commit()
    # The week is claimed: another trigger sends nothing new.
    assert service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is False
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=1)) == 2  # not the held one
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=11)) == 1  # its lease ran out
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=30)) == 0
    assert [posted_to(fake_slack, c) for c in ("DUD01", "DUD02", "DUL01")] == [1, 1, 1]


def test_a_long_outage_loses_no_digest_message() -> None:
    """Twelve tries spread over hours: Slack down for an afternoon still loses nothing."""
    waits = [retry_after(n) for n in range(1, MAX_SEND_ATTEMPTS)]
    assert waits[:3] == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert max(waits) == timedelta(hours=1)
    assert sum(waits, timedelta()) > timedelta(hours=6)


def test_someone_unreachable_is_not_retried_and_does_not_hold_up_the_others(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    chat = SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=2)
    service = DigestService(uow, clock, sender=chat, theme_rules=THEMES)
    fake_slack.unreachable("UD01")
    assert service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is True
    assert service.send_pending(MONDAY_W48 + timedelta(hours=2)) == 0
    assert [posted_to(fake_slack, c) for c in ("DUD01", "DUD02", "DUL01")] == [0, 1, 1]
    opens = [c for c in fake_slack.calls_to("conversations.open") if c.args["users"] == "UD01"]
    assert len(opens) == 1


def test_a_scheduler_pass_sends_digest_messages_left_unsent(
    uow: SqlUnitOfWorkFactory, clock: FixedClock, database_url: str, fake_slack: FakeSlack
) -> None:
    workspace_id, journey_id = slack_company(uow, clock, fake_slack)
    fake_slack.script("chat.postMessage", [(429, 0.0)])
    clock.set(MONDAY_W48)
    container = slack_container(database_url, fake_slack, clock)
    try:
        assert container.digests.send_weekly(workspace_id, journey_id, MONDAY_W48) is True
        assert [posted_to(fake_slack, c) for c in ("DUD01", "DUD02")] == [0, 1]
        report = container.dispatch.run_pass(MONDAY_W48 + timedelta(minutes=2))
    finally:
        container.close()
    assert report.digest_messages == 1
    assert [posted_to(fake_slack, c) for c in ("DUD01", "DUD02")] == [1, 1]


def test_a_chart_that_cannot_be_uploaded_does_not_repeat_the_digest(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> None:
    chat = SlackChat.connect("xoxb-test", fake_slack.api_url, timeout=2)
    service = DigestService(uow, clock, sender=chat, chart=render_chart, theme_rules=THEMES)
    # The app lacks files:write, say: every upload is refused.
    fake_slack.script("files.getUploadURLExternal", [{"ok": False, "error": "missing_scope"}] * 9)
    assert service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is True
    for hours in (1, 2, 5, 12):
        service.send_pending(MONDAY_W48 + timedelta(hours=hours))
    assert [posted_to(fake_slack, c) for c in ("DUD01", "DUD02", "DUL01")] == [1, 1, 1]


def test_a_director_demoted_before_a_retry_no_longer_receives_the_digest(
    company: Scenario, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    class Down:
        def send_digest(self, member_or_channel: object, view: object, chart: bytes) -> str:
            raise TemporaryFailure("HTTP 503")

    service = DigestService(uow, clock, sender=Down(), theme_rules=THEMES)
    assert service.send_weekly(company.workspace_id, company.journey_id, MONDAY_W48) is True
    company.journeys.change_roles(
        company.workspace_id, company.journey_id, "UFAC", ["UD01"], remove=[Role.DIRECTOR]
    )
    console = ConsoleChat()
    service.sender = console
    assert service.send_pending(MONDAY_W48 + timedelta(minutes=5)) == 2
    assert console.digests_to("UD01") == []
    assert len(console.digests_to("UD02")) == 1 and len(console.digests_to("UL01")) == 1
