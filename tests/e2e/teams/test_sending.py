"""Teams sends under the scheduler's one policy. TeamsChat makes one attempt per call and says
what went wrong as the domain's exceptions; the Sender paces within Teams' limits per
conversation, waits out Retry-After, backs off on 412, 5xx and lost connections, and stops
at 403. Against the fake Bot Connector, with the Sender sleeping on fake time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.container import Container
from bot.domain.errors import DeliveryFailed, RateLimited, TemporaryFailure, Unreachable
from bot.domain.model import Language, Role
from bot.domain.views import Notice, parse_ref
from bot.platforms.teams.chat import TEAMS_WINDOWS
from bot.scheduling.sender import Pacer, SlidingWindows
from tests.e2e.teams.asked import Asked, ask_bart, bart_in_private, prompt_for
from tests.e2e.teams.conftest import (
    ANNA,
    BART,
    CEES,
    CHANNEL,
    RecordingSleep,
    Teams,
    chat,
    joined,
    member_of,
    recorded_sender,
)
from tests.fakes.bot_connector import DROP, Call, FakeConnector


def _attempts(connector: FakeConnector, conversation_id: str) -> list[Call]:
    return [c for c in connector.calls if c.conversation_id == conversation_id]


@pytest.fixture
def asked(teams: Teams, container: Container, connector: FakeConnector) -> Asked:
    return ask_bart(teams, container, connector)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, RateLimited),
        (412, TemporaryFailure),
        (500, TemporaryFailure),
        (502, TemporaryFailure),
        (503, TemporaryFailure),
        (504, TemporaryFailure),
        (DROP, TemporaryFailure),
        (400, DeliveryFailed),
        (404, Unreachable),
    ],
)
def test_the_chat_makes_one_attempt_and_says_what_went_wrong(
    asked: Asked,
    connector: FakeConnector,
    sleep: RecordingSleep,
    status: int,
    expected: type[DeliveryFailed],
) -> None:
    connector.script(asked.personal, [status] * 3, retry_after="3")

    with pytest.raises(DeliveryFailed) as raised:
        asked.send_prompt()

    assert type(raised.value) is expected
    assert len(_attempts(connector, asked.personal)) == 1 and sleep.delays == []
    if isinstance(raised.value, RateLimited):
        assert raised.value.retry_after == 3.0


def test_a_502_twice_then_accepted_is_attempted_three_times_in_all(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    connector.script(asked.personal, [502, 502])

    outcome = asked.send(recorded_sender(container, sleep))

    assert outcome.status == "sent"
    assert len(_attempts(connector, asked.personal)) == 3  # not 3 x 5: nobody else retries
    [card] = connector.messages(asked.personal)
    assert outcome.ref is not None and parse_ref(outcome.ref) == (asked.personal, card.activity_id)
    assert len(sleep.delays) == 2


def test_412_502_and_504_are_retried_with_exponential_backoff_and_jitter(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    connector.script(asked.personal, [412, 502, 504])

    outcome = asked.send(recorded_sender(container, sleep))

    assert outcome.status == "sent"
    attempts = _attempts(connector, asked.personal)
    assert len(attempts) == 4 and attempts[-1].activity_id is not None
    assert len(connector.messages(asked.personal)) == 1
    backoffs = sleep.delays
    assert len(backoffs) == 3
    # Exponential: each wait lies in [b*2^n/2, b*2^n] for b = 0.5 s.
    for n, delay in enumerate(backoffs):
        assert 0.5 * 2**n / 2 <= delay <= 0.5 * 2**n
    assert len(set(backoffs)) == 3


def test_a_lost_connection_is_retried_and_the_message_arrives_once(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    connector.script(asked.personal, [DROP, DROP])

    outcome = asked.send(recorded_sender(container, sleep))

    assert outcome.status == "sent"
    assert len(_attempts(connector, asked.personal)) == 3
    assert len(connector.messages(asked.personal)) == 1


def test_a_429_waits_out_retry_after_and_delivers_once(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    connector.script(asked.personal, [429, 429], retry_after="3")
    sender = recorded_sender(container, sleep)

    outcome = asked.send(sender)

    assert outcome.status == "sent" and sender.rate_limited == 2
    assert len(_attempts(connector, asked.personal)) == 3
    assert len(connector.messages(asked.personal)) == 1
    assert len(sleep.delays) == 2 and all(delay >= 3.0 for delay in sleep.delays)


def test_retry_after_is_honoured_and_a_lasting_429_is_reported(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    connector.script(asked.personal, [429] * 10, retry_after="3")
    sender = recorded_sender(container, sleep, max_rate_limited=4)

    outcome = asked.send(sender)

    assert outcome.status == "failed" and isinstance(outcome.failure, RateLimited)
    assert outcome.failure.retry_after == 3.0 and "retry after 3.0s" in (outcome.error or "")
    assert len(_attempts(connector, asked.personal)) == 5
    assert connector.messages(asked.personal) == []
    assert all(delay >= 3.0 for delay in sleep.delays) and len(sleep.delays) == 4


def test_a_lasting_server_error_is_a_temporary_failure(
    asked: Asked, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    connector.script(asked.personal, [504] * 10)

    outcome = asked.send(recorded_sender(container, sleep, max_attempts=5))

    assert outcome.status == "failed" and isinstance(outcome.failure, TemporaryFailure)
    assert len(_attempts(connector, asked.personal)) == 5
    assert connector.messages(asked.personal) == []


def test_a_403_marks_the_member_unreachable_and_stops_trying(
    teams: Teams,
    asked: Asked,
    container: Container,
    connector: FakeConnector,
    sleep: RecordingSleep,
) -> None:
    connector.script(asked.personal, [403])

    outcome = asked.send(recorded_sender(container, sleep))
    assert outcome.status == "unreachable" and isinstance(outcome.failure, Unreachable)
    assert len(_attempts(connector, asked.personal)) == 1 and sleep.delays == []  # no retry
    assert container.teams is not None
    person = container.teams.bot.people.get(asked.workspace_id, BART.aad)
    assert person is not None and person.unreachable_since is not None

    connector.clear()
    with pytest.raises(Unreachable):
        asked.send_prompt()
    assert connector.calls == []  # not even tried

    # Bart writes to the bot again: reachable again.
    teams.hello_in_private(BART)
    asked.send_prompt()
    assert connector.messages(asked.personal)[-1].card is not None


def test_creating_a_chat_refused_with_403_marks_unreachable(
    teams: Teams, container: Container, connector: FakeConnector
) -> None:
    workspace_id, _, bart = joined(teams, container, BART)  # Bart never wrote 1:1
    view, key = prompt_for(container, bart)
    connector.refuse_member(BART.teams_id, 403)
    with pytest.raises(Unreachable):
        chat(container, workspace_id).send_prompt(bart, view, key)
    assert container.teams is not None
    person = container.teams.bot.people.get(workspace_id, BART.aad)
    assert person is not None and person.unreachable_since is not None


# -- pacing: Teams' limits per conversation, kept by the scheduler's pacer ----------------------
def test_pacer_keeps_within_7_per_second_and_60_per_30_seconds() -> None:
    sleep = RecordingSleep()
    pacer = Pacer(0.0, sleep.monotonic, sleep, windows=SlidingWindows())
    stamps: list[float] = []
    for _ in range(130):
        pacer.wait(["conv"], TEAMS_WINDOWS)
        stamps.append(sleep.now)
    for i in range(len(stamps)):
        in_second = [s for s in stamps if stamps[i] <= s < stamps[i] + 1.0]
        in_30 = [s for s in stamps if stamps[i] <= s < stamps[i] + 30.0]
        assert len(in_second) <= 7 and len(in_30) <= 60
    # Not slower than needed: 130 messages fit in just over two 30-second windows.
    assert stamps[-1] - stamps[0] <= 61.0
    # Another conversation is not held up by this one.
    before = sleep.now
    pacer.wait(["other"], TEAMS_WINDOWS)
    assert sleep.now == before


def test_one_conversation_is_paced_through_the_sender_and_others_are_not_held_up(
    teams: Teams, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    workspace_id, _, bart, personal = bart_in_private(teams, container)
    port = chat(container, workspace_id)
    prompts = [prompt_for(container, bart, n) for n in range(10, 19)]
    connector.clear()
    sender = recorded_sender(container, sleep)

    outcomes = [sender.send(port, bart, view, key) for view, key in prompts]

    assert [o.status for o in outcomes] == ["sent"] * 9
    assert len(connector.messages(personal)) == 9
    # Seven in the first second; the eighth waits for the first to leave the window.
    assert sleep.delays == [pytest.approx(1.0)]
    # A notice to the channel (another conversation) goes at once.
    notice = Notice(Language.EN, "The digest is ready")
    posted = sender.deliver(port, CHANNEL, lambda: port.post_notice(CHANNEL, notice))
    assert posted.status == "sent" and len(sleep.delays) == 1


def test_a_chat_not_yet_created_also_counts_against_the_tenants_creations(
    teams: Teams, container: Container
) -> None:
    workspace_id, journey_id, bart, _ = bart_in_private(teams, container)  # Bart has a 1:1 chat
    teams.say(CEES, "join")  # Cees has none yet
    cees = member_of(container, workspace_id, journey_id, CEES)
    port = chat(container, workspace_id)
    assert port.pace_keys(bart) == (f"teams:{workspace_id}:{BART.aad}",)
    assert port.pace_keys(cees) == (
        f"teams:{workspace_id}:{CEES.aad}",
        f"teams:create:{workspace_id}",
    )
    assert port.pace_keys(CHANNEL) == (f"teams:{CHANNEL}",)


# -- every caller goes through the one policy ----------------------------------------------------
def test_poll_now_through_the_dispatcher_waits_out_a_429_and_delivers_once(
    teams: Teams, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    workspace_id, _, bart, personal = bart_in_private(teams, container)
    connector.clear()
    connector.script(personal, [429], retry_after="3")

    asked = teams.activity(ANNA, text="poll now")
    assert teams.post(asked).status == 202

    assert len(_attempts(connector, personal)) == 2
    [card] = connector.messages(personal)
    assert card.card is not None
    assert any(delay >= 3.0 for delay in sleep.delays)
    with container.uow() as uow:
        assert bart.id is not None
        [delivery] = uow.deliveries.open_for_member(workspace_id, bart.id, container.clock.now())
    assert delivery.status == "sent" and delivery.message_ref == f"{personal}|{card.activity_id}"


def test_a_digest_message_hit_by_502s_is_retried_at_once_and_sent_once(
    teams: Teams, container: Container, connector: FakeConnector, sleep: RecordingSleep
) -> None:
    workspace_id, journey_id, _ = joined(teams, container, CEES, Role.DIRECTOR)
    connector.clear()
    connector.script(CHANNEL, [502, 502])
    monday = container.clock.now() + timedelta(days=7)

    digests = container.digests
    assert digests.send_weekly(workspace_id, journey_id, monday, leadership_channel=CHANNEL)

    assert len(_attempts(connector, CHANNEL)) == 3
    assert len(connector.messages(CHANNEL)) == 1
    assert len([m for m in connector.messages() if m.card is not None]) == 2  # and Cees's
    # Nothing was left for a later pass.
    assert digests.send_pending(monday + timedelta(hours=2)) == 0
    assert len(connector.messages(CHANNEL)) == 1
