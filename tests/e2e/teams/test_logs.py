"""No answer text or token in any Teams log line, at any level: logging at DEBUG from the
start, a check-in and a note with text in them, and a request with a bad token."""

from __future__ import annotations

import logging

import pytest

from bot.container import Container
from bot.domain.model import PromptKind
from bot.platforms.teams import render
from tests.e2e.teams.conftest import ANNA, BART, Teams, deliver, joined

MARKERS = ("checkinanswer51", "ecosystemnote52", "bearertoken53")


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    # Before the platform is built: it sets the SDK's log levels then.
    caplog.set_level(logging.DEBUG)


def test_answers_and_tokens_stay_out_of_the_logs(
    teams: Teams, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    _, _, bart = joined(teams, container, BART)
    delivery = deliver(container, bart, kind=PromptKind.CHECKIN)
    text = "the robot scares us: checkinanswer51"
    data = {"verb": render.ANSWER_VERB, "delivery": delivery.id, "text": text}
    assert teams.post(teams.activity(BART, value=data, channel=None)).status == 202
    teams.say(ANNA, "ecosystem met the works council: ecosystemnote52")
    forged = {"Authorization": "Bearer bearertoken53"}
    assert teams.post(teams.activity(ANNA, text="help"), headers=forged).status == 401

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "Refused a Teams request" in logged  # the logs were captured
    for marker in MARKERS:
        assert marker not in logged, marker
