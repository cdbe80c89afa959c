"""The one sending policy, on its own: windows per conversation, and digests sent by it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import cast

import pytest

from bot.domain.digest.view import DigestView
from bot.domain.errors import DeliveryFailed, TemporaryFailure, Unreachable
from bot.domain.model import Member
from bot.scheduling.sender import Limits, PacedDigests, Sender, SlidingWindows
from tests.fakes.sleeps import Sleeps

ANNE = Member(workspace_id=1, journey_id=1, user="U1", id=1)


def test_a_message_waits_for_room_in_every_conversation_it_counts_against() -> None:
    windows = SlidingWindows()
    limits: Limits = ((2, 1.0),)
    assert windows.reserve(["a", "new"], limits, 0.0) == 0.0
    assert windows.reserve(["b", "new"], limits, 0.1) == 0.1
    # "new" (the tenant's chat creations, say) is full until 1.0; "c" alone is not.
    assert windows.reserve(["c", "new"], limits, 0.2) == 1.0
    assert windows.reserve(["c"], limits, 0.3) == 1.0  # in booking order within "c"
    assert windows.reserve(["d"], limits, 0.3) == 0.3


def test_parallel_senders_book_distinct_slots() -> None:
    windows = SlidingWindows()
    booked: list[float] = []
    lock = threading.Lock()

    def book() -> None:
        for _ in range(10):
            at = windows.reserve(["conv"], ((7, 1.0), (60, 30.0)), 0.0)
            with lock:
                booked.append(at)

    threads = [threading.Thread(target=book) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    booked.sort()
    assert len(booked) == 40
    for i, at in enumerate(booked):
        assert len([b for b in booked if at <= b < at + 1.0]) <= 7, i


class Paced:
    """A digest platform that limits each conversation and fails as scripted."""

    conversation_limits: Limits = ((7, 1.0),)

    def __init__(self, failures: Sequence[DeliveryFailed]) -> None:
        self.failures = list(failures)
        self.calls = 0

    def pace_keys(self, to: Member | str) -> tuple[str, ...]:
        return (to if isinstance(to, str) else to.user,)

    def send_digest(self, member_or_channel: Member | str, view: DigestView, chart: bytes) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "C1|1"


def _view() -> DigestView:
    return cast(DigestView, object())  # never read by these fakes


def test_a_digest_message_is_retried_by_the_sender_and_sent_once() -> None:
    sleeps = Sleeps()
    platform = Paced([TemporaryFailure("HTTP 502"), TemporaryFailure("HTTP 502")])
    sender = Sender(rate=0.0, sleep=sleeps, monotonic=sleeps.monotonic)
    assert PacedDigests(platform, sender).send_digest("C1", _view(), b"") == "C1|1"
    assert platform.calls == 3 and len(sleeps.slept) == 2


@pytest.mark.parametrize(
    ("failures", "raised"),
    [
        ([Unreachable("HTTP 403")], Unreachable),
        ([TemporaryFailure("HTTP 504")] * 9, TemporaryFailure),
        ([DeliveryFailed("HTTP 400")], DeliveryFailed),
    ],
)
def test_what_still_fails_reaches_the_digest_service_as_the_platform_said_it(
    failures: list[DeliveryFailed], raised: type[DeliveryFailed]
) -> None:
    sleeps = Sleeps()
    platform = Paced(failures)
    sender = Sender(rate=0.0, max_attempts=3, sleep=sleeps, monotonic=sleeps.monotonic)
    with pytest.raises(DeliveryFailed) as caught:
        PacedDigests(platform, sender).send_digest(ANNE, _view(), b"")
    assert type(caught.value) is raised and caught.value is failures[0]
    assert platform.calls == (3 if raised is TemporaryFailure else 1)


def test_an_unpaced_platform_is_paced_by_the_pass_alone() -> None:
    sleeps = Sleeps()
    sender = Sender(rate=2.0, sleep=sleeps, monotonic=sleeps.monotonic)
    outcomes = [sender.deliver(object(), "C1", lambda: "C1|x") for _ in range(3)]
    assert [o.status for o in outcomes] == ["sent"] * 3
    assert sleeps.slept == [pytest.approx(0.5)] * 2
