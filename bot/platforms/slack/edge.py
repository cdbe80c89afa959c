"""What `/slack/events` checks before Bolt sees a request: signature, shape, and replays.

Bolt parses a body before it verifies the signature, so a malformed body (`payload={x`,
`[1,2,3]`, bytes that are not UTF-8) from anyone answered 500 with a traceback; and its
own check logs the whole body of every refused request, answers and all. Here the
signature is checked first, over the raw bytes, and nothing of a body is ever logged: a
refusal is one line that says why.

A signed slash command or click is a one-off: Slack never sends the same one twice (it
retries only events, which are deduplicated by their event id). The same signature seen
again within the window Slack's signature stays valid for is a replay, answered without
running it again. The memory of signatures is this process's: see `Replays`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.internals import parse_body

# Slack's own limit for a request's timestamp, either way (clock skew included).
WINDOW_SECONDS = 5 * 60
MAX_REMEMBERED = 100_000
# Request types that are not one-off commands or clicks: Slack retries events itself, with
# their event id to deduplicate them by (`dedupe_events` in app.py).
EVENT_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})


@dataclass(frozen=True)
class Checked:
    """The outcome of `SlackEdge.check`: a refusal (`status`, `reason`), a replay, or the
    verified body as text for Bolt."""

    status: int = 200
    reason: str = ""
    text: str = ""
    replay: bool = False

    @property
    def refused(self) -> bool:
        return self.status != 200


class Replays:
    """Signatures of one-off requests seen in the last `WINDOW_SECONDS`, in this process.

    A signature covers the timestamp and the whole body, so an identical request is the
    only way to see one twice. Kept in memory, not the database: a poll click is the
    hottest request the bot serves and must not pay a write for this. With `--workers N`
    a replay can reach another worker and run there; one process (the default) stops it.
    """

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str, timestamp: int) -> bool:
        now = self._now()
        while self._seen:
            oldest, expires = next(iter(self._seen.items()))
            if expires > now and len(self._seen) < MAX_REMEMBERED:
                break
            del self._seen[oldest]
        if signature in self._seen:
            return False
        # Slack accepts a timestamp up to the window either side of now.
        self._seen[signature] = max(timestamp, now) + WINDOW_SECONDS
        return True


class SlackEdge:
    def __init__(self, signing_secret: str, now: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self._now = now
        self.replays = Replays(now)

    def check(self, headers: Mapping[str, str], raw: bytes) -> Checked:
        """Verify `raw` as Slack signs it, then that it is a body Bolt can read."""
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        valid = timestamp.isascii() and timestamp.isdigit()  # "²".isdigit() is True
        if not valid or abs(self._now() - int(timestamp)) > WINDOW_SECONDS:
            return Checked(401, "missing or stale timestamp")
        base = b"v0:" + timestamp.encode() + b":" + raw
        expected = b"v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest().encode()
        # As bytes: compare_digest refuses a str that is not ASCII (with a TypeError).
        if not hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape")):
            return Checked(401, "bad signature")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Checked(400, "body is not UTF-8")
        body = _parsed(text, headers.get("Content-Type"))
        if body is None:
            return Checked(400, "body is not a Slack payload")
        if body.get("type") not in EVENT_TYPES and not self.replays.first_time(
            signature, int(timestamp)
        ):
            return Checked(replay=True)
        return Checked(text=text)


def _parsed(text: str, content_type: str | None) -> dict[str, Any] | None:
    """The body as Bolt will parse it, or None where Bolt would fail or get no object."""
    media = (content_type or "").split(";")[0].strip().lower()
    try:
        body = parse_body(text, media or None)
    except ValueError:  # JSON errors included
        return None
    return body if isinstance(body, dict) else None
