"""The outgoing webhook: a small signed JSON post when a weekly digest is published.

Posting happens on a thread of its own, so a slow or failing receiver never holds up the
digest; the digest service only hands the published view over (a queue put). Each event
is posted until the receiver answers 2xx, with the scheduler's backoff between attempts;
one that still fails is logged and dropped. Every attempt of one event carries the same
`X-Pioneer-Delivery` id, so a receiver that answered too late to be heard can tell a retry
from a new event.

Signed like Slack's requests: `X-Pioneer-Signature: v1=<hex>` is the HMAC-SHA256, keyed
with PIONEER_WEBHOOK_SECRET, of `v1:<X-Pioneer-Request-Timestamp>:<body>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import Settings
from bot.domain.data_export import webhook_summary
from bot.domain.digest.view import DigestView
from bot.domain.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

# Answers worth another attempt: the receiver is down, overloaded or asks to slow down.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "Pioneer-Webhook/1"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = f"v1:{timestamp}:".encode() + body
    return "v1=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def where(url: str) -> str:
    """The URL as it may be logged: scheme and host, never a path that may hold a secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would arrive as a GET without its body: a failure, said as one.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirect())


@dataclass(frozen=True)
class Event:
    delivery: str
    workspace_id: int
    view: DigestView


class WebhookNotifier:
    """A DigestPublished hook that posts each published digest's summary to one URL."""

    def __init__(
        self,
        url: str,
        secret: str | None,
        workspace_of: Callable[[int], dict[str, str]],
        *,
        attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self._secret = secret
        self._workspace_of = workspace_of
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.delivered = 0
        self.failed = 0

    def __call__(self, workspace_id: int, view: DigestView) -> None:
        self._queue.put(Event(str(uuid.uuid4()), workspace_id, view))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pioneer-webhook", daemon=True
                )
                self._thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Post what is queued (within `timeout` seconds), then stop."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)
        if thread.is_alive():
            self._stopping.set()  # stop waiting between attempts; what is left is logged
            thread.join(self.timeout + 1)

    # -- the posting thread ---------------------------------------------------------------
    def _run(self) -> None:
        while (event := self._queue.get()) is not None:
            try:
                self._deliver(event)
            except Exception:  # a bug here must not end the thread for every later event
                log.exception("webhook: event %s not posted", event.delivery)
                self.failed += 1

    def _body(self, event: Event) -> bytes:
        summary = webhook_summary(event.view, self._workspace_of(event.workspace_id))
        document = {"id": event.delivery, **summary}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    def _deliver(self, event: Event) -> None:
        body = self._body(event)
        problem = ""
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                pause = min(self.backoff * 2 ** (attempt - 2), self.max_backoff)
                if self._stopping.wait(pause):
                    break
            retry, problem = self._post(event.delivery, body)
            if not problem:
                self.delivered += 1
                log.info(
                    "webhook: digest %s of journey %d posted to %s",
                    event.view.iso_week,
                    event.view.journey_id,
                    where(self.url),
                )
                return
            if not retry:
                break
            log.warning(
                "webhook: attempt %d of %d to %s failed (%s)",
                attempt,
                self.attempts,
                where(self.url),
                problem,
            )
        self.failed += 1
        log.error(
            "webhook: digest %s of journey %d not posted to %s: %s",
            event.view.iso_week,
            event.view.journey_id,
            where(self.url),
            problem or "stopped",
        )

    def _post(self, delivery: str, body: bytes) -> tuple[bool, str]:
        """One attempt: ("" if it was taken), else whether to try again and why not."""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Pioneer-Event": "digest.published",
            "X-Pioneer-Delivery": delivery,
            "X-Pioneer-Request-Timestamp": timestamp,
        }
        if self._secret:
            headers["X-Pioneer-Signature"] = signature(self._secret, timestamp, body)
        # The URL is checked to be http(s) when read (Settings).
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with OPENER.open(request, timeout=self.timeout) as response:
                response.read()
                return False, ""
        except urllib.error.HTTPError as exc:
            return exc.code in RETRY_STATUSES, f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:  # refused, reset, timed out, no such host
            return True, type(exc).__name__


def notifier_for(settings: Settings, uow: UnitOfWorkFactory) -> WebhookNotifier:
    """The notifier for PIONEER_WEBHOOK_URL, with the scheduler's retry policy; on a thread
    of its own, so it never holds a digest up."""

    def workspace_summary(workspace_id: int) -> dict[str, str]:
        with uow() as work:
            workspace = work.workspaces.get(workspace_id)
        if workspace is None:
            return {}
        return {"platform": workspace.platform, "id": workspace.external_id, "name": workspace.name}

    assert settings.pioneer_webhook_url
    return WebhookNotifier(
        settings.pioneer_webhook_url,
        settings.pioneer_webhook_secret,
        workspace_summary,
        attempts=settings.pioneer_send_attempts,
        backoff=settings.pioneer_send_backoff,
        max_backoff=settings.pioneer_send_max_backoff,
    )
