"""Showing an answer in the message it was given in, after Slack has its acknowledgement.

A click is acknowledged once its answer is committed; redrawing the poll to show the chosen
value is a second Web API call that the person can wait a moment for and that Slack limits
per workspace (chat.update is Tier 3). So redraws go through this queue:

- one pending redraw per message, and never two in flight for one message: a member who
  clicks 4 and then 2 sees 2 in the end (the latest view wins), never 4 after 2;
- a few redraws in flight at once, so a burst of clicks is acknowledged first and the
  redraws follow, instead of every click queueing behind its own Web API call;
- rate limits: the client waits out Retry-After (`AsyncRateLimitErrorRetryHandler`); a
  redraw still refused goes to the back of the queue, up to RATE_LIMITED_ROUNDS times;
- bounded: past `max_pending` messages waiting, a click waits for its own redraw again
  (backpressure), so memory stays bounded however long a burst lasts;
- `finish()` on shutdown sends what is still pending. A redraw that fails is logged: the
  answer is stored either way and the App Home shows it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.views import PromptView
from bot.platforms.slack.render.prompt import prompt_message

logger = logging.getLogger(__name__)

IN_FLIGHT = 4
MAX_PENDING = 5_000
RATE_LIMITED_ROUNDS = 5

Key = tuple[str, str]  # (channel, ts) of the message


class MessageUpdates:
    def __init__(self, in_flight: int = IN_FLIGHT, max_pending: int = MAX_PENDING) -> None:
        self._in_flight = in_flight
        self._max_pending = max_pending
        self._pending: OrderedDict[Key, tuple[AsyncWebClient, PromptView]] = OrderedDict()
        self._waiters: dict[Key, list[asyncio.Future[None]]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        # Counted by the workers themselves: a worker that has just found the queue empty
        # is no longer one, even before its task's done-callback has run.
        self._active = 0
        self._sending: set[Key] = set()  # messages with a redraw in flight
        self._limited: dict[Key, int] = {}  # rounds a message's redraw met HTTP 429
        self.sent = 0
        self.failed = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def show(self, client: AsyncWebClient, channel: str, ts: str, view: PromptView) -> None:
        """Redraw message (channel, ts) as `view`, soon; returns at once unless backed up."""
        key = (channel, ts)
        # A newer view replaces one not yet sent, keeping its place in the queue.
        self._pending[key] = (client, view)
        backed_up = len(self._pending) > self._max_pending
        done: asyncio.Future[None] | None = None
        if backed_up:
            done = asyncio.get_running_loop().create_future()
            self._waiters.setdefault(key, []).append(done)
        while self._active < self._in_flight and self._active < len(self._pending):
            self._active += 1
            worker = asyncio.create_task(self._work())
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        if done is not None:
            await done

    async def finish(self, timeout: float = 10) -> None:
        """Send what is pending (on shutdown), for at most `timeout` seconds."""
        if self._workers:
            await asyncio.wait(set(self._workers), timeout=timeout)

    async def _work(self) -> None:
        try:
            while True:
                # Never two redraws of one message at once: they could land out of order
                # and leave the older answer showing. A newer view waits for the one in
                # flight; whoever sends that takes it next.
                key = next((k for k in self._pending if k not in self._sending), None)
                if key is None:
                    return
                client, view = self._pending.pop(key)
                waiters = self._waiters.pop(key, [])
                self._sending.add(key)
                try:
                    await _send(client, key, view)
                    self.sent += 1
                    self._limited.pop(key, None)
                except SlackApiError as exc:
                    if exc.response.status_code == 429 and self._again(key, client, view):
                        continue  # still rate limited after the client's own waits: later
                    self._give_up(key)
                except Exception:  # noqa: BLE001 - logged; the answer itself is stored
                    self._give_up(key)
                finally:
                    self._sending.discard(key)
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_result(None)
        finally:
            self._active -= 1

    def _again(self, key: Key, client: AsyncWebClient, view: PromptView) -> bool:
        """Queue a rate-limited redraw once more (at the back), up to RATE_LIMITED_ROUNDS."""
        rounds = self._limited.get(key, 0) + 1
        if rounds > RATE_LIMITED_ROUNDS:
            return False
        self._limited[key] = rounds
        self._pending.setdefault(key, (client, view))  # unless a newer view is waiting
        return True

    def _give_up(self, key: Key) -> None:
        self.failed += 1
        self._limited.pop(key, None)
        logger.warning("could not redraw a poll after its answer", exc_info=True)


async def _send(client: AsyncWebClient, key: Key, view: PromptView) -> None:
    text, blocks = prompt_message(view)
    await client.chat_update(channel=key[0], ts=key[1], text=text, blocks=blocks)
