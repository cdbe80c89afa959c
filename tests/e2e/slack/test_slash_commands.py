"""Every /pioneer subcommand through the real Bolt app, signed, over HTTP."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import text as sql

from bot.app.commands.words import SUBCOMMANDS
from bot.clock import FixedClock
from bot.container import Container
from bot.domain.model import Phase, PromptKind, Role, TouchpointKind
from tests.e2e.slack.conftest import SlackSender, deliver, journey_id_of, slack_workspace_id
from tests.fakes.slack_api import FakeSlack

FACILITATOR, BOB, CAROL, DIANA = "U1", "U2", "U3", "U4"


@pytest.fixture
def started(slack: SlackSender, container: Container) -> int:
    text = slack.say("start Plant Noord", user=FACILITATOR)
    assert "Plant Noord" in text
    return journey_id_of(container)


def phase_of(container: Container) -> Phase:
    return container.journeys.journey_for_channel(slack_workspace_id(container), "C1").phase


def test_help_and_unknown_list_every_subcommand(slack: SlackSender) -> None:
    for text in ("help", "", "frobnicate now"):
        reply = slack.say(text)
        for sub in SUBCOMMANDS:
            assert f"`{sub.name}" in reply, (text, sub.name)
    assert "frobnicate" in slack.say("frobnicate")
    assert slack.last_reply().args["response_type"] == "ephemeral"


def test_start_is_told_to_the_channel(
    slack: SlackSender, container: Container, fake_slack: FakeSlack
) -> None:
    fake_slack.set_user(FACILITATOR, locale="nl-NL", tz="Europe/Brussels")
    text = slack.say("start Plant <!channel> Noord", user=FACILITATOR)
    reply = slack.last_reply()
    assert reply.args["response_type"] == "in_channel"
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    journey = container.journeys.journey_for_channel(slack_workspace_id(container), "C1")
    # A new journey speaks the starter's language and lives in their time zone.
    assert (journey.language.value, journey.timezone) == ("nl", "Europe/Brussels")
    assert container.journeys.member(journey.workspace_id, journey.id or 0, FACILITATOR)
    again = slack.say("start Another", user=BOB)
    assert "Plant" in again and slack.last_reply().args["response_type"] == "ephemeral"


def test_status_join_and_roles(slack: SlackSender, container: Container, started: int) -> None:
    assert "Nobody" not in slack.say("status")
    joined = slack.say("join", user=BOB)
    assert "follower" in joined
    text = slack.say(
        f"role <@{BOB}|bob> <@{CAROL}> director frontrunner -follower", user=FACILITATOR
    )
    assert f"<@{BOB}>" in text and f"<@{CAROL}>" in text
    workspace_id = slack_workspace_id(container)
    bob = container.journeys.member(workspace_id, started, BOB)
    carol = container.journeys.member(workspace_id, started, CAROL)
    assert bob is not None and bob.roles == {Role.DIRECTOR, Role.FRONTRUNNER}
    assert carol is not None and carol.roles == {Role.DIRECTOR, Role.FRONTRUNNER}
    status = slack.say("status", user=BOB)
    assert "awareness" in status and "0 week" in status
    assert f"director (2): <@{BOB}>, <@{CAROL}>" in status
    assert "role" in slack.say("role director")  # no mention: its usage line


def test_phase_moves_and_tells_the_channel(
    slack: SlackSender, container: Container, started: int
) -> None:
    text = slack.say("phase next", user=FACILITATOR)
    assert slack.last_reply().args["response_type"] == "in_channel"
    assert "awareness" in text and "interest" in text
    assert phase_of(container) is Phase.INTEREST
    assert "reason" in slack.say("phase back", user=FACILITATOR)
    assert phase_of(container) is Phase.INTEREST
    text = slack.say("phase back <!here> no picture yet", user=FACILITATOR)
    assert "&lt;!here&gt; no picture yet" in text and "<!here>" not in text
    assert phase_of(container) is Phase.AWARENESS
    slack.say("phase desire we skip ahead", user=FACILITATOR)
    assert phase_of(container) is Phase.DESIRE


@pytest.mark.parametrize(
    "command",
    [
        f"role <@{BOB}> facilitator",
        "phase next",
        "poll now",
        "poll now human",
        "checkin now",
        "digest preview",
        "pause",
        "resume",
        "schedule pulse tue 10:00",
    ],
)
def test_others_are_refused_and_nothing_changes(
    slack: SlackSender, container: Container, started: int, command: str
) -> None:
    slack.say("join", user=BOB)
    text = slack.say(command, user=BOB)
    assert slack.last_reply().args["response_type"] == "ephemeral"
    assert "Only a" in text and "facilitator" in text
    assert phase_of(container) is Phase.AWARENESS
    bob = container.journeys.member(slack_workspace_id(container), started, BOB)
    assert bob is not None and bob.roles == {Role.FOLLOWER}


def test_someone_outside_the_journey_is_refused_too(slack: SlackSender, started: int) -> None:
    assert "Only a facilitator" in slack.say("phase next", user=DIANA)


def test_digest_preview_is_for_directors_too(
    slack: SlackSender, started: int, clock: FixedClock
) -> None:
    slack.say(f"role <@{BOB}> director", user=FACILITATOR)
    text = slack.say("digest preview", user=BOB)
    assert slack.last_reply().args["response_type"] == "ephemeral"
    assert "Week 2026-W49 is not over yet" in text  # the journey's first week
    clock.set(clock.now() + timedelta(weeks=1))
    text = slack.say("digest preview", user=BOB)
    assert slack.last_reply().args["response_type"] == "ephemeral"
    assert "Weekly digest" in text and "The latest weekly digest: that of the last week" in text
    assert "Phase: awareness (waking up), week 1 in this phase" in text


def test_poll_now_reaches_the_audience_and_a_click_is_recorded(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, started: int
) -> None:
    for user in (BOB, CAROL):
        slack.say("join", user=user)
    text = slack.say("poll now human", user=FACILITATOR)
    posts = {c.args["channel"]: c for c in fake_slack.calls_to("chat.postMessage")}
    # The audience is the phase's pulse audience (the scheduler decides whether it
    # includes the facilitator); every one of them got exactly one DM.
    assert f"Poll sent to {len(posts)} people." in text, text
    assert {f"D{BOB}", f"D{CAROL}"} <= set(posts)
    assert len(fake_slack.calls_to("chat.postMessage")) == len(posts)
    post = posts[f"D{BOB}"]
    assert post.args["metadata"]["event_type"] == "pioneer_delivery"
    (message,) = fake_slack.messages(f"D{BOB}")
    button = next(e for b in message.blocks if b["type"] == "actions" for e in b["elements"])
    assert button["action_id"] == "pioneer.poll.1"
    slack.action(button["action_id"], button["value"], user=BOB, channel=f"D{BOB}", ts=message.ts)
    with container.uow() as uow:
        answers = uow.answers.for_journey(slack_workspace_id(container), started)
    assert [(a.value, a.perspective.value) for a in answers] == [(1, "human")]


def test_checkin_now_reaches_the_audience(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, started: int
) -> None:
    slack.say("join", user=BOB)
    assert "Check-in sent to" in slack.say("checkin now", user=FACILITATOR)
    (message,) = fake_slack.messages(f"D{BOB}")
    assert "pioneer.checkin" in str(message.blocks)


def test_ecosystem_is_logged_escaped(
    slack: SlackSender, container: Container, started: int
) -> None:
    text = slack.say("ecosystem Fieldlab visit <http://evil|click> & talk", user=FACILITATOR)
    assert "(fieldlab): Fieldlab visit &lt;http://evil|click&gt; &amp; talk" in text
    with container.uow() as uow:
        logged = uow.touchpoints.list(slack_workspace_id(container), started)
    # "Fieldlab" names the kind of contact and, without a colon, stays part of the note,
    # stored as written.
    assert [(t.kind, t.note) for t in logged] == [
        (TouchpointKind.FIELDLAB, "Fieldlab visit <http://evil|click> & talk")
    ]
    assert "Only a" in slack.say("ecosystem something", user=DIANA)


def test_language_switches_every_reply(slack: SlackSender, started: int) -> None:
    slack.say("join", user=BOB)
    assert "Nederlands" in slack.say("language nl", user=BOB)
    dutch = slack.say("help", user=BOB)
    assert "gebruik" in dutch and "`start ‹naam›`" in dutch
    assert "Alleen een facilitator" in slack.say("phase next", user=BOB)
    assert "English" in slack.say("taal en", user=BOB)
    assert "`start ‹name›`" in slack.say("help", user=BOB)


def test_without_a_journey_the_slack_locale_decides(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.set_user(DIANA, locale="nl-NL")
    assert "gebruik" in slack.say("help", user=DIANA, channel="C9")
    assert "pioniersreis" in slack.say("status", user=DIANA, channel="C9")
    # users.info is asked once per person, not per command.
    assert len(fake_slack.calls_to("users.info")) == 1


def test_forget_me_asks_first(slack: SlackSender, container: Container, started: int) -> None:
    slack.say("join", user=BOB)
    assert "Are you sure" in slack.say("forget-me", user=BOB)
    blocks = slack.last_reply().args["blocks"]
    button = blocks[-1]["elements"][0]
    assert button["style"] == "danger"
    assert container.journeys.member(slack_workspace_id(container), started, BOB) is not None
    before = len(slack.replies())
    slack.action(button["action_id"], button["value"], user=BOB, channel="C1")
    assert len(slack.replies()) == before + 1
    assert "erased" in slack.last_reply().args["text"]
    assert container.journeys.member(slack_workspace_id(container), started, BOB) is None
    assert "no data" in slack.say("forget-me", user=BOB)
    assert "last facilitator" in slack.say("forget-me yes", user=FACILITATOR)


def test_export_aggregates_for_facilitators_and_own_answers_for_members(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, started: int
) -> None:
    text = slack.say("export", user=FACILITATOR)
    assert "Anonymous aggregates" in text
    upload = fake_slack.calls_to("files.completeUploadExternal")[-1]
    file_id = upload.args["files"][0]["id"]
    content = fake_slack.upload(file_id)["content"].decode()
    assert next(csv.reader(io.StringIO(content)))[:4] == ["week", "phase", "perspective", "signal"]
    assert upload.args["channel_id"] == f"D{FACILITATOR}"

    slack.say("join", user=BOB)
    assert "Your own answers: 0" in slack.say("export", user=BOB)
    upload = fake_slack.calls_to("files.completeUploadExternal")[-1]
    assert upload.args["channel_id"] == f"D{BOB}"


def test_schedule_pause_resume_and_away(
    slack: SlackSender, container: Container, started: int
) -> None:
    slack.say("join", user=BOB)
    assert "Only a facilitator" in slack.say("pause", user=BOB)
    assert "Only a facilitator" in slack.say("schedule pulse tue 10:00", user=BOB)
    assert "Plant Noord" in slack.say("schedule", user=FACILITATOR)
    assert "paused" in slack.say("pause", user=FACILITATOR)
    assert slack.last_reply().args["response_type"] == "in_channel"
    assert "running again" in slack.say("resume", user=FACILITATOR)
    assert "2026-12-24" in slack.say("away until 2026-12-24", user=BOB)
    assert slack.last_reply().args["response_type"] == "ephemeral"
    bob = container.journeys.member(slack_workspace_id(container), started, BOB)
    assert bob is not None and str(bob.away_until) == "2026-12-24"


def test_status_names_the_next_rituals(slack: SlackSender, started: int) -> None:
    assert "Next rituals" in slack.say("status", user=FACILITATOR)


def test_bad_arguments_show_the_usage(slack: SlackSender, started: int) -> None:
    assert "`away until YYYY-MM-DD`" in slack.say("away someday", user=FACILITATOR)
    assert "`language nl|en`" in slack.say("language fr", user=FACILITATOR)
    assert "`poll now" in slack.say("poll later", user=FACILITATOR)


def _exported(fake_slack: FakeSlack) -> list[list[str]]:
    upload = fake_slack.calls_to("files.completeUploadExternal")[-1]
    content = fake_slack.upload(upload.args["files"][0]["id"])["content"].decode()
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize(("people", "shown"), [(4, False), (5, True)])
def test_aggregates_leave_out_groups_under_the_threshold(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, people: int, shown: bool
) -> None:
    slack.say("start Plant Noord", user=FACILITATOR)
    journey_id = journey_id_of(container)
    workspace_id = slack_workspace_id(container)
    for n in range(people):
        user = f"UP{n}"
        slack.say("join", user=user)
        delivery = deliver(container, journey_id, user)
        assert delivery.id is not None
        container.answers.record(workspace_id, delivery.id, user, value=4)
    slack.say("export", user=FACILITATOR)
    rows = _exported(fake_slack)[1:]
    if shown:
        assert len(rows) == 1 and rows[0][4:6] == ["5", "4.0"]
    else:
        assert rows == []


def test_own_export_has_my_answers_and_no_formulas(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, started: int
) -> None:
    slack.say("join", user=BOB)
    delivery = deliver(container, started, BOB, PromptKind.CHECKIN)
    assert delivery.id is not None
    container.answers.record(
        slack_workspace_id(container), delivery.id, BOB, text='=HYPERLINK("http://x")'
    )
    assert "Your own answers: 1" in slack.say("export", user=BOB)
    header, row = _exported(fake_slack)
    assert header[-1] == "text" and row[-1] == '\'=HYPERLINK("http://x")'
    assert row[0] == "Plant Noord" and row[5] == "checkin"


def test_an_outage_gets_a_plain_apology_not_a_trace(
    slack: SlackSender, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    with container.engine.begin() as conn:
        conn.execute(sql("ALTER TABLE journeys RENAME TO journeys_gone"))
    try:
        reply = slack.say("status")
    finally:
        with container.engine.begin() as conn:
            conn.execute(sql("ALTER TABLE journeys_gone RENAME TO journeys"))
    assert "That did not work" in reply and "Dat lukte niet" in reply
    assert "Traceback" not in reply and "journeys" not in reply
    assert slack.last_reply().args["response_type"] == "ephemeral"
    assert "the /pioneer command failed" in caplog.text


def test_text_slack_escaped_is_taken_as_typed_and_shown_escaped_once(
    slack: SlackSender, container: Container
) -> None:
    # Slack sends "R&D <3" typed in /pioneer as "R&amp;D &lt;3".
    text = slack.say("start R&amp;D &lt;3", user=FACILITATOR, channel="C9")
    assert "R&amp;D &lt;3" in text and "&amp;amp;" not in text
    journey = container.journeys.journey_for_channel(slack_workspace_id(container), "C9")
    assert journey.name == "R&D <3"


def test_poll_now_answers_slack_before_a_slow_send_is_done(
    slack: SlackSender, fake_slack: FakeSlack, started: int
) -> None:
    """Slack waits 3 s for its answer; sending to a big team takes longer than that."""
    slack.say("join", user=BOB)
    replies = len(slack.replies())
    fake_slack.script("chat.postMessage", ["timeout"])  # one DM hangs 3 s, then drops
    began = time.monotonic()
    assert slack.command("poll now", user=FACILITATOR).status == 200
    assert time.monotonic() - began < 2.0
    fake_slack.wait_for("response_url", replies + 1, timeout=30)
    assert "Poll sent to" in slack.last_reply().args["text"]


def test_poll_now_with_nobody_to_ask_says_so(slack: SlackSender, started: int) -> None:
    slack.say("away until 2027-03-01", user=FACILITATOR)  # the only member
    assert "nobody to ask" in slack.say("poll now", user=FACILITATOR)
