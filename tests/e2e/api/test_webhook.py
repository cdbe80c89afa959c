"""The outgoing webhook against a receiver on 127.0.0.1: signed like Slack's requests, sent
once per published digest, retried when the receiver fails, and never in the digest's way."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from bot.cli.doctor import check_webhook
from bot.clock import FixedClock
from bot.container import Container
from bot.domain.model import Perspective
from tests.e2e.api.conftest import MONDAY_W48, api_settings, company, publish
from tests.fakes.webhook_receiver import WebhookReceiver

SECRET = "whsec-test-2b7e151628aed2a6"
DIRECTORS = ("UD01", "UD02")


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[WebhookReceiver]:
    statuses = getattr(request, "param", (200,))
    with WebhookReceiver(statuses) as receiver:
        yield receiver


@pytest.fixture
def hooked(database_url: str, clock: FixedClock, receiver: WebhookReceiver) -> Iterator[Container]:
    settings = api_settings(
        database_url,
        pioneer_webhook_url=receiver.url,
        pioneer_webhook_secret=SECRET,
        pioneer_send_attempts=3,
        pioneer_send_backoff=0.05,
        pioneer_send_max_backoff=0.2,
    )
    container = Container(settings, clock=clock, paced=False)
    yield container
    container.close()


def expected_signature(timestamp: str, body: bytes) -> str:
    base = f"v1:{timestamp}:".encode() + body
    return "v1=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()


def digests_to_directors(container: Container) -> list[int]:
    return [len(container.console.digests_to(user)) for user in DIRECTORS]


def test_a_published_digest_is_posted_once_signed_with_its_summary(
    hooked: Container, clock: FixedClock, receiver: WebhookReceiver
) -> None:
    a = company(hooked, clock, "T-ACME", "Acme BV")
    assert publish(hooked, clock, a, MONDAY_W48)
    (post,) = receiver.wait_for(1)
    headers = post.headers
    timestamp = headers["X-Pioneer-Request-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert hmac.compare_digest(
        headers["X-Pioneer-Signature"], expected_signature(timestamp, post.body)
    )
    assert headers["X-Pioneer-Event"] == "digest.published"
    assert headers["Content-Type"] == "application/json"
    body = json.loads(post.body)
    assert body["id"] == headers["X-Pioneer-Delivery"]
    assert body["workspace"] == {"platform": "console", "id": "T-ACME", "name": "Acme BV"}
    assert body["journey"] == {"id": a.journey_id, "name": "Company A"}
    assert (body["iso_week"], body["phase"], body["k"]) == ("2026-W47", "desire", 5)
    stored = hooked.digests.get_stored(a.workspace_id, a.journey_id, "2026-W47")
    assert stored is not None
    human = stored.perspective(Perspective.HUMAN).all
    assert body["perspectives"]["human"] == {"respondents": human.respondents, "mean": human.mean}
    assert body["perspectives"]["technology"] is None  # three people: withheld, as in the digest
    assert body["ready_to_move_on"] is False
    text = post.body.decode()
    assert "http" not in text and "twintig jaar" not in text
    # The same week again (a second trigger, a replica): no second digest, no second post.
    assert not publish(hooked, clock, a, MONDAY_W48)
    assert hooked.webhook is not None
    hooked.webhook.close()
    assert len(receiver.received) == 1
    assert digests_to_directors(hooked) == [1, 1]


@pytest.mark.parametrize("receiver", [(503, 500, 200)], indirect=True)
def test_a_failing_receiver_is_retried_without_holding_up_or_doubling_the_digest(
    hooked: Container, clock: FixedClock, receiver: WebhookReceiver
) -> None:
    a = company(hooked, clock, "T-ACME", "Acme BV")
    receiver.hold.clear()  # the receiver takes every request and answers none, for now
    started = time.monotonic()
    assert publish(hooked, clock, a, MONDAY_W48)
    assert time.monotonic() - started < 5
    assert digests_to_directors(hooked) == [1, 1]  # sent while the webhook still waits
    assert receiver.received == []
    receiver.hold.set()
    posts = receiver.wait_for(3)
    assert [p.status for p in posts] == [503, 500, 200]
    assert len({p.headers["X-Pioneer-Delivery"] for p in posts}) == 1
    assert len({p.body for p in posts}) == 1
    for post in posts:  # each attempt signed afresh
        timestamp = post.headers["X-Pioneer-Request-Timestamp"]
        assert post.headers["X-Pioneer-Signature"] == expected_signature(timestamp, post.body)
    assert not publish(hooked, clock, a, MONDAY_W48)
    assert hooked.webhook is not None
    hooked.webhook.close()
    assert len(receiver.received) == 3
    assert hooked.webhook.delivered == 1
    assert digests_to_directors(hooked) == [1, 1]


@pytest.mark.parametrize("receiver", [(500,)], indirect=True)
def test_a_receiver_that_keeps_failing_is_given_up_on_and_logged(
    hooked: Container,
    clock: FixedClock,
    receiver: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a = company(hooked, clock, "T-ACME", "Acme BV")
    with caplog.at_level(logging.WARNING, logger="bot.webhook"):
        assert publish(hooked, clock, a, MONDAY_W48)
        receiver.wait_for(3)
        assert hooked.webhook is not None
        hooked.webhook.close()
    assert len(receiver.received) == 3  # PIONEER_SEND_ATTEMPTS, then no more
    assert hooked.webhook.failed == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "2026-W47" in message and "HTTP 500" in message
    assert "/hooks/pioneer" not in caplog.text  # the URL's path may hold a secret
    assert digests_to_directors(hooked) == [1, 1]


def test_the_webhook_url_is_checked_when_read_and_by_pioneer_check(
    database_url: str, receiver: WebhookReceiver
) -> None:
    for bad in ("ftp://example.org/x", "example.org/hook", "https://"):
        with pytest.raises(ValidationError) as refused:
            api_settings(database_url, pioneer_webhook_url=bad)
        assert "pioneer_webhook_url" in str(refused.value)
    signed = check_webhook(
        api_settings(database_url, pioneer_webhook_url=receiver.url, pioneer_webhook_secret=SECRET)
    )
    assert signed.startswith("published digests go to http://127.0.0.1:")
    assert "signed" in signed and "/hooks" not in signed
    unsigned = check_webhook(api_settings(database_url, pioneer_webhook_url=receiver.url))
    assert "unsigned" in unsigned
