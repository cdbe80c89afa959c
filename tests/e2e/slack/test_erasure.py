"""forget-me through Slack takes a quoted person's words out of every stored digest, sent or
not, and out of the SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.model import PromptKind
from bot.platforms.slack.render.prompt import CHECKIN_SUBMIT, ModalMeta
from bot.rendering.markdown import render_markdown
from tests.e2e.slack.conftest import SlackSender, deliver, slack_settings, slack_workspace_id
from tests.fakes.slack_api import FakeSlack

ALICE, BOB, CAROL, DIANA, ERIN = "U1", "U2", "U3", "U4", "U5"
WRITERS = (BOB, CAROL, DIANA)
# Friday of 2026-W49, 12:00 in Amsterdam; the digest of that week goes out Monday 08:30.
FRIDAY_W49 = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
MONDAY_W50 = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
BOBS_FIRST = "Zebra crossings at the plant gate worry me"
BOBS_EDIT = "Quagga mussels in the cooling water worry me"
BOBS_NEXT = "Yellowtail fish tanks are my other worry"


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    # k = 3: with three writers every check-in of the week is quoted.
    return slack_settings(database_url, fake_slack, pioneer_anonymity_threshold=3)


@pytest.fixture
def started(slack: SlackSender, container: Container, clock: FixedClock) -> Iterator[int]:
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    slack.say("start Plant Noord", user=ALICE)
    for user in (*WRITERS, ERIN):
        slack.say("join", user=user)
    slack.say(f"role <@{ERIN}> director", user=ALICE)
    journey = container.journeys.journey_for_channel(slack_workspace_id(container), "C1")
    assert journey.id is not None
    yield journey.id


def check_in(
    slack: SlackSender, container: Container, journey_id: int, texts: dict[str, str]
) -> dict[str, int]:
    """A check-in to each writer, answered in its modal as Slack submits it."""
    deliveries = {}
    for user, text in texts.items():
        delivery = deliver(
            container, journey_id, user, PromptKind.CHECKIN, closes_in=timedelta(days=4),
            occurrence=f"{container.clock.now():%G-W%V}",
        )  # fmt: skip
        assert delivery.id is not None
        deliveries[user] = delivery.id
        answer(slack, delivery.id, user, text)
    return deliveries


def answer(slack: SlackSender, delivery_id: int, user: str, text: str) -> None:
    meta = ModalMeta(delivery_id, f"D{user}", "1700000001.000100").dump()
    assert slack.submit(CHECKIN_SUBMIT, meta, text, user=user).status == 200


def file_bytes(database_url: str) -> bytes:
    """Everything SQLite keeps of the database on disk: the file and its write-ahead log."""
    path = Path(str(make_url(database_url).database))
    parts = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def test_a_quoted_person_who_forgets_themselves_leaves_no_words_behind(
    slack: SlackSender,
    container: Container,
    clock: FixedClock,
    database_url: str,
    started: int,
) -> None:
    workspace_id = slack_workspace_id(container)
    clock.set(FRIDAY_W49)
    bobs = check_in(
        slack, container, started,
        {BOB: BOBS_FIRST, CAROL: "Night shift needs training", DIANA: "Customers ask about price"},
    )  # fmt: skip
    clock.set(MONDAY_W50)
    assert container.digests.send_weekly(workspace_id, started, MONDAY_W50) is True
    # Bob changes his answer while the check-in is still open: the digest quoted the first.
    answer(slack, bobs[BOB], BOB, BOBS_EDIT)
    clock.set(MONDAY_W50 + timedelta(days=4))
    check_in(
        slack, container, started,
        {BOB: BOBS_NEXT, CAROL: "More room to explore", DIANA: "The robot pilot went well"},
    )  # fmt: skip
    clock.set(MONDAY_W50 + timedelta(days=7))
    container.digests.show(workspace_id, started, "2026-W50")  # stored, never sent

    weeks = ("2026-W49", "2026-W50")
    shown = [render_markdown(container.digests.show(workspace_id, started, w)) for w in weeks]
    assert BOBS_FIRST in shown[0] and BOBS_NEXT in shown[1]  # he was quoted, once sent
    on_disk = database_url.startswith("sqlite")
    if on_disk:
        assert BOBS_FIRST.encode() in file_bytes(database_url)

    assert "erased" in slack.say("forget-me yes", user=BOB)

    words = (BOBS_FIRST, BOBS_EDIT, BOBS_NEXT)
    with container.uow() as uow:
        stored = [uow.digests.get(workspace_id, started, w) for w in weeks]
    assert all(s is not None for s in stored)
    assert stored[0] is not None and stored[0].sent_at is not None
    for digest in stored:
        assert digest is not None
        assert not any(w in str(digest.payload) for w in words)
        assert len(digest.payload["quotes"]) == 2  # Carol's and Diana's stay
    for week in weeks:
        text = render_markdown(container.digests.show(workspace_id, started, week))
        assert not any(w in text for w in words)
        assert "Night shift needs training" in text or "More room to explore" in text
    if on_disk:
        raw = file_bytes(database_url)
        assert not any(w.encode() in raw for w in words)
        assert b"Night shift needs training" in raw  # what stays is still there
