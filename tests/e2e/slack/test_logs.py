"""No answer text, token or secret in any log line, at any level: a run with logging at DEBUG
from the start, answers sent with a wrong signing secret and with the right one."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.clock import FixedClock
from bot.container import Container
from bot.domain.model import PromptKind
from bot.platforms.slack.render.prompt import (
    CHECKIN_ACTION,
    CHECKIN_SUBMIT,
    COMMENT_SUBMIT,
    ModalMeta,
)
from tests.e2e.server import serve
from tests.e2e.slack.conftest import (
    BOT_TOKEN,
    SECRET,
    SlackSender,
    deliver,
    journey_id_of,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack

WRONG_SECRET = "0123456789abcdef0123456789abcdef"
# Each carries one word that survives URL and JSON encoding, to find it in any form.
REFUSED_ANSWER = "the night shift fears the robot: refusedanswer41"
CHECKIN_ANSWER = "my manager never listens: checkinanswer42"
COMMENT = "nobody dares to say it: pulsecomment43"
NOTE = "met the works council: ecosystemnote44"
MARKERS = ("refusedanswer41", "checkinanswer42", "pulsecomment43", "ecosystemnote44")


@pytest.fixture
def debug_server(
    database_url: str,
    fake_slack: FakeSlack,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[tuple[SlackSender, Container]]:
    # DEBUG before anything is built: loggers take their levels when the app is made.
    caplog.set_level(logging.DEBUG)
    container = Container(slack_settings(database_url, fake_slack), clock=clock)
    server = serve(container)
    yield SlackSender(server.url, fake_slack), container
    server.stop()
    container.close()


def logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_answers_tokens_and_secrets_stay_out_of_the_logs(
    debug_server: tuple[SlackSender, Container],
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack, container = debug_server
    slack.say("start Plant Noord")
    journey_id = journey_id_of(container)
    checkin = deliver(container, journey_id, "U1", PromptKind.CHECKIN)
    pulse = deliver(container, journey_id, "U1", PromptKind.PULSE)
    assert checkin.id is not None and pulse.id is not None

    forger = SlackSender(slack.base_url, fake_slack, secret=WRONG_SECRET)
    meta = ModalMeta(checkin.id, "DU1", "1700000001.000100").dump()
    assert forger.submit(CHECKIN_SUBMIT, meta, REFUSED_ANSWER).status == 401
    assert forger.command(f"ecosystem {REFUSED_ANSWER}").status == 401

    slack.action(CHECKIN_ACTION, str(checkin.id), channel="DU1")
    assert slack.submit(CHECKIN_SUBMIT, meta, CHECKIN_ANSWER).status == 200
    slack.action(CHECKIN_ACTION, str(checkin.id), channel="DU1")  # shows the answer to edit
    slack.action("pioneer.poll.4", f"{pulse.id}:4", channel="DU1")
    pulse_meta = ModalMeta(pulse.id, "DU1", "1700000001.000200").dump()
    assert slack.submit(COMMENT_SUBMIT, pulse_meta, COMMENT).status == 200
    slack.say(f"ecosystem {NOTE}")
    fake_slack.wait_for("chat.update", 2)

    text = logged(caplog)
    assert "refused a Slack request" in text  # the logs were captured
    for secret in (*MARKERS, SECRET, WRONG_SECRET, BOT_TOKEN):
        assert secret not in text, secret
