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
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from yarl import URL

# Slack's own limit for a request's timestamp, either way (clock skew included).
WINDOW_SECONDS = 5 * 60
MAX_REMEMBERED = 100_000
# Request types that are not one-off commands or clicks: Slack retries events itself, with
# their event id to deduplicate them by (`dedupe_events` in app.py).
EVENT_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})


@dataclass(frozen=True)
class Checked:
    """The outcome of `SlackEdge.check`: a refusal (`status`, `reason`), a replay, or the
    verified body for Bolt, as text and parsed (Bolt need not parse it again)."""

    status: int = 200
    reason: str = ""
    text: str = ""
    body: dict[str, Any] | None = None
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
        return Checked(text=text, body=body)


def bolt_request(checked: Checked, query: str, headers: Mapping[str, str]) -> AsyncBoltRequest:
    """The request as Bolt takes it, with the body `check` parsed: Bolt parses a text body
    itself, which would read every click twice. Bolt takes a parsed body only in Socket
    Mode's shape, so the request is made that way and then said to be what it is: HTTP,
    with its raw text (which Bolt reads again only to copy a request for a lazy listener).
    """
    assert checked.body is not None, "only a checked, accepted request"
    request = AsyncBoltRequest(
        body=checked.body, query=query, headers=dict(headers), mode="socket_mode"
    )
    request.raw_body = checked.text
    request.mode = "http"
    return request


def _parsed(text: str, content_type: str | None) -> dict[str, Any] | None:
    """The body as Bolt's `parse_body` reads it, or None where that fails or is no object.

    The same rules, but a form is decoded by yarl's C decoder: Python's `parse_qsl` took a
    twentieth of a millisecond per click, a tenth of the whole request's time.
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if not text:
        return {}
    try:
        if media == "application/json" or text.startswith("{"):
            body: Any = json.loads(text)
        else:
            form = _form(text)
            body = form
            if "payload" in text:
                payload = form.get("payload")
                body = json.loads(payload) if payload is not None else {}
    except ValueError:  # JSON errors included
        return None
    return body if isinstance(body, dict) else None


def _form(text: str) -> dict[str, str]:
    """An x-www-form-urlencoded body as parse_qsl reads it (`+` is a space; the last of
    repeated names wins; names without `=` are kept with an empty value)."""
    return dict(URL.build(query_string=text, encoded=True).query.items())
