"""`/pioneer holiday | workdays | timezone | digest channel` through the real Bolt app,
signed, over HTTP; a workspace admin (Slack's users.info) acting as facilitator; the digest
then posted in the leaders' channel by the scheduler's own pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.container import Container
from tests.e2e.slack.conftest import SlackSender, journey_id_of, slack_workspace_id
from tests.fakes.slack_api import FakeSlack

FACILITATOR, BOB, DIANA, ANNA = "U1", "U2", "U4", "U5"
# Monday 7 December 2026, 8:31 in Amsterdam: just after the weekly digest fell due.
NEXT_MON_0831_AMS = datetime(2026, 12, 7, 7, 31, tzinfo=UTC)


@pytest.fixture
def started(slack: SlackSender, container: Container) -> int:
    assert "Plant Noord" in slack.say("start Plant Noord", user=FACILITATOR)
    slack.say("join", user=BOB)
    slack.say("join", user=ANNA)
    assert "Nederlands" in slack.say("taal nl", user=ANNA)
    return journey_id_of(container)


def settings_of(container: Container, journey_id: int) -> tuple[str, str, list[str], str | None]:
    workspace_id = slack_workspace_id(container)
    journey = container.journeys.get(workspace_id, journey_id)
    with container.uow() as uow:
        schedule = uow.rituals.schedule(workspace_id, journey_id)
    assert schedule is not None
    return journey.timezone, schedule.working_days, schedule.holidays, journey.leadership_channel


UNCHANGED = ("Europe/Amsterdam", "mon-fri", [], None)


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("holiday add 2026-12-25", "feestdag toevoegen 2026-12-25"),
        ("workdays mon-thu", "werkdagen ma-do"),
        ("timezone Europe/London", "tijdzone Europe/London"),
        ("digest channel <#CLEAD|leaders>", "digest kanaal <#CLEAD|leaders>"),
    ],
)
def test_others_are_refused_politely_in_their_language(
    slack: SlackSender, container: Container, started: int, english: str, dutch: str
) -> None:
    assert slack.say(english, user=BOB) == "Only a facilitator may do that."
    assert slack.last_reply().args["response_type"] == "ephemeral"
    assert slack.say(dutch, user=ANNA) == "Alleen een facilitator mag dat doen."
    assert settings_of(container, started) == UNCHANGED


def test_a_facilitator_sets_them_and_status_says_where_the_digest_goes(
    slack: SlackSender, container: Container, started: int
) -> None:
    assert "Holiday added: 2026-12-25." in slack.say("holiday add 2026-12-25")
    assert "2 holidays" in slack.say("feestdag toevoegen 2026-12-31")
    assert "now `mon-thu`" in slack.say("workdays mon-thu")
    assert "Europe/London" in slack.say("timezone europe/london")
    said = slack.say("digest channel <#CLEAD|leaders>")
    assert "posted in <#CLEAD> too" in said and "/invite @Pioneer" in said
    assert settings_of(container, started) == (
        "Europe/London",
        "mon-thu",
        ["2026-12-25", "2026-12-31"],
        "CLEAD",
    )
    status = slack.say("status", user=BOB)
    to_all = "Weekly digest: by direct message to the directors and learning professionals"
    assert f"{to_all}, and in <#CLEAD>." in status
    assert "en in <#CLEAD>" in slack.say("status", user=ANNA)
    assert "2026-12-25, 2026-12-31" in slack.say("holiday list", user=BOB)  # looking is for all
    slack.say("digest channel off")
    assert "Weekly digest: by direct message to the directors and learning professionals." in (
        slack.say("status", user=BOB)
    )


def test_bad_dates_zones_and_channels_are_refused_with_what_to_type(
    slack: SlackSender, container: Container, started: int
) -> None:
    assert slack.say("holiday add 2026-13-01") == (
        "`2026-13-01` is not a date I can read. Write it as YYYY-MM-DD, for example `2026-12-25`."
    )
    slack.say(f"role <@{ANNA}> facilitator")
    assert slack.say("feestdag toevoegen 31-12-2026", user=ANNA) == (
        "`31-12-2026` is geen datum die ik kan lezen. Schrijf hem als JJJJ-MM-DD, bijvoorbeeld "
        "`2026-12-25`."
    )
    assert slack.say("timezone Amsterdam") == (
        "`Amsterdam` is not a time zone I know. Use an IANA name, for example Europe/Amsterdam."
    )
    assert slack.say("tijdzone Europe/Amsterdm", user=ANNA).startswith(
        "`Europe/Amsterdm` is geen tijdzone die ik ken. Gebruik een IANA-naam, bijvoorbeeld "
        "Europe/Amsterdam"
    )
    # Typed text is escaped when it is said back.
    assert "`&lt;!channel&gt;` is not a date" in slack.say("holiday add <!channel>")
    assert "pick the channel from the list" in slack.say("digest channel #leaders")
    assert "Kies een apart (privé)kanaal" in slack.say("digest kanaal <#C1|pioneers>", user=ANNA)
    assert settings_of(container, started) == UNCHANGED


@pytest.mark.parametrize("power", ["is_admin", "is_owner"])
def test_a_workspace_admin_acts_as_facilitator_of_any_journey(
    slack: SlackSender, container: Container, fake_slack: FakeSlack, started: int, power: str
) -> None:
    fake_slack.set_user(DIANA, **{power: True})
    assert "Holiday added" in slack.say("holiday add 2026-12-24", user=DIANA)
    assert "interest" in slack.say("phase next", user=DIANA)
    assert "Poll sent" in slack.say("poll now", user=DIANA)
    assert settings_of(container, started)[2] == ["2026-12-24"]
    # users.info said so; a plain member is asked too, and stays refused.
    assert "Only a facilitator" in slack.say("holiday add 2026-12-23", user=BOB)


def test_the_digest_goes_to_the_leaders_channel_once_set(
    slack: SlackSender,
    container: Container,
    fake_slack: FakeSlack,
    clock: FixedClock,
    started: int,
) -> None:
    slack.say(f"role <@{BOB}> director")
    clock.set(NEXT_MON_0831_AMS)
    assert container.dispatch.run_pass().digests == 1
    assert fake_slack.messages("CLEAD") == []  # not set yet: by DM only
    slack.say("digest channel <#CLEAD|leaders>")
    clock.set(NEXT_MON_0831_AMS + timedelta(days=7))
    assert container.dispatch.run_pass().digests == 1
    (posted,) = fake_slack.messages("CLEAD")
    assert "Weekly digest Plant Noord, week 2026-W50" in str(posted.blocks)
    assert [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")].count("CLEAD") == 1
    # The directors still get theirs by DM, each week.
    digests = [m for m in fake_slack.messages(f"D{BOB}") if m.text.startswith("Weekly digest")]
    assert [m.text[-8:] for m in digests] == ["2026-W49", "2026-W50"]
