"""Sending within a platform's limits: pacing, Retry-After, backoff with jitter, no doubles.

The one policy for every platform: a platform's ChatPort makes one attempt per call and
says what went wrong with the domain's exceptions; the `Sender` decides about waiting and
trying again.

One `Sender` paces every message of a pass to `rate` per second (Slack: about one per
second per channel and a few hundred per minute per workspace). A platform that also
limits each conversation (Teams: 7 messages per second, 60 per 30 seconds) names the
conversations a message counts against, and `SlidingWindows`, shared by every Sender of
the process, keeps each within them. A 429 pauses that chat's messages (one workspace)
for exactly `Retry-After` while other workspaces go on; a server error, timeout or
connection reset is retried with exponential backoff and jitter, but first the platform
is asked whether the message got through anyway (`find_sent`), because a connection reset
after the platform accepted a post must not become a second visible DM.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.domain.errors import DeliveryFailed, RateLimited, TemporaryFailure, Unreachable
from bot.domain.model import Member
from bot.domain.ports import ChatPort, FindsSent
from bot.domain.views import PromptView

if TYPE_CHECKING:
    from bot.domain.digest.view import DigestView
    from bot.domain.ports import DigestSender
    from bot.domain.team_update import TeamUpdateView

log = logging.getLogger("pioneer.scheduling")
UNCLEAR = "could not check whether an earlier attempt got through"
# (messages, seconds): at most that many messages in any span of that many seconds.
Limits = tuple[tuple[int, float], ...]


@runtime_checkable
class PacedPerConversation(Protocol):
    """A platform that limits how many messages a bot posts in one conversation (Teams)."""

    @property
    def conversation_limits(self) -> Limits: ...

    def pace_keys(self, to: Member | str) -> Sequence[str]:
        """What a message to a member (by DM) or a channel counts against, by name."""
        ...


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" | "unreachable" | "failed" (stays pending)
    ref: str | None = None
    error: str | None = None
    recovered: bool = False  # found already sent after an unclear failure
    failure: DeliveryFailed | None = field(default=None, compare=False)  # what said so


class SlidingWindows:
    """Per key (a conversation), at most `limit` messages in any `period` seconds.

    `reserve` books the first instant, not before `earliest`, at which one more message
    fits every window of every key; the caller waits until then. Booking at once lets
    parallel senders queue up instead of all seeing the same free slot. One instance
    serves every Sender of a process (the container's), so a pass's prompts, its
    reminders and a digest share a conversation's budget; times are the callers'
    monotonic clock.
    """

    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self._sent: dict[str, deque[float]] = {}
        self._longest = 0.0
        self._lock = threading.Lock()

    def reserve(self, keys: Sequence[str], limits: Limits, earliest: float) -> float:
        if not keys or not limits:
            return earliest
        with self._lock:
            self._longest = max(self._longest, *(period for _, period in limits))
            at = earliest
            for key in keys:
                sent = self._sent.setdefault(key, deque())
                while sent and earliest - sent[0] >= self._longest:
                    sent.popleft()
                if sent:
                    at = max(at, sent[-1])  # in booking order: the stamps stay sorted
                for limit, period in limits:
                    if len(sent) >= limit:
                        at = max(at, sent[-limit] + period)
            for key in keys:
                self._sent[key].append(at)
            if len(self._sent) > self.MAX_KEYS:
                idle = [k for k, v in self._sent.items() if not v or at - v[-1] >= self._longest]
                for key in idle:
                    del self._sent[key]
            return at


class Pacer:
    """`rate` sends per second, evenly spaced, shared by the sending threads; `hold` stops
    only what a 429 was about (one workspace's chat) for exactly its Retry-After.

    Time lost to a pause (a commit, a slow answer, a 429 of one workspace) may be made up
    within `burst` seconds: Slack allows bursts of about a second's worth, and its budget
    refilled while nothing was sent; longer idle time is never banked, so a quiet spell
    cannot turn into a flood. A pass starts without such credit: what went just before it
    is unknown.
    """

    def __init__(
        self,
        rate: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        burst: float = 1.0,
        windows: SlidingWindows | None = None,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.burst = burst
        self.windows = windows or SlidingWindows()
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: float | None = None
        self._held: dict[object, float] = {}
        self._lock = threading.Lock()
        self.waited = 0.0

    def wait(self, keys: Sequence[str] = (), limits: Limits = (), scope: object = None) -> None:
        """Return when the next message may go: its turn in the pass, for `keys` room in
        every window of `limits`, and `scope` (what a 429 holds) no longer held. A
        conversation that is full, or a workspace that is held, holds up only its own
        messages; the pass's next slot is not moved for it."""
        self._wait_held(scope)
        with self._lock:
            now = self._monotonic()
            start = now if self._next is None else self._next
            slot = max(start, now - self.burst)
            self._next = slot + self.interval
        at = self.windows.reserve(keys, limits, max(slot, now)) if keys else slot
        delay = max(at - now, 0.0)
        with self._lock:
            self.waited += delay
        if delay > 0:
            self._sleep(delay)
        self._wait_held(scope)  # a 429 may have come in while this one waited its turn

    def _wait_held(self, scope: object) -> None:
        while True:
            with self._lock:
                delay = self._held.get(scope, 0.0) - self._monotonic()
                if delay > 0:
                    self.waited += delay
            if delay <= 0:
                return
            self._sleep(delay)

    def hold(self, seconds: float, scope: object = None) -> None:
        """Nothing more to `scope` until `seconds` from now (a 429's Retry-After)."""
        with self._lock:
            until = self._monotonic() + max(seconds, 0.0)
            self._held[scope] = max(self._held.get(scope, 0.0), until)


class Sender:
    def __init__(
        self,
        rate: float = 1.0,
        max_attempts: int = 5,
        base_backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_rate_limited: int = 20,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        windows: SlidingWindows | None = None,
    ) -> None:
        self.pacer = Pacer(rate, monotonic, sleep, windows=windows)
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.max_rate_limited = max_rate_limited
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self.rate_limited = 0
        self.retries = 0
        self._count_lock = threading.Lock()

    def backoff(self, attempt: int) -> float:
        """Full jitter between half and all of base * 2^attempt, capped."""
        ceiling = min(self.max_backoff, self.base_backoff * (2**attempt))
        return ceiling * (0.5 + self._rng.random() / 2)

    def send(
        self,
        chat: ChatPort,
        member: Member,
        view: PromptView,
        key: str,
        maybe_sent: bool = False,
    ) -> Outcome:
        """Deliver once. `maybe_sent`: an earlier attempt may have got through (a crash)."""
        find = partial(chat.find_sent, member, key) if isinstance(chat, FindsSent) else None
        return self.deliver(
            chat, member, partial(chat.send_prompt, member, view, key), find, maybe_sent
        )

    def deliver(
        self,
        chat: object,
        to: Member | str,
        attempt: Callable[[], str],
        find: Callable[[], str | None] | None = None,
        maybe_sent: bool = False,
    ) -> Outcome:
        """Any message of `chat` to a member or a channel: `attempt` posts it once and
        returns its ref; `find` (if the platform can) finds it already sent."""
        if maybe_sent:
            known, found = self._find(find, chat)
            if found:
                return Outcome("sent", ref=found, recovered=True)
            if not known:
                return Outcome("failed", error=UNCLEAR)
        failures = 0
        limited = 0
        while True:
            self._wait(chat, to)
            try:
                return Outcome("sent", ref=attempt())
            except RateLimited as exc:
                limited += 1
                with self._count_lock:
                    self.rate_limited += 1
                if limited > self.max_rate_limited:
                    return Outcome("failed", error=str(exc), failure=exc)
                self.pacer.hold(exc.retry_after, scope=id(chat))
            except Unreachable as exc:
                return Outcome("unreachable", error=str(exc) or type(exc).__name__, failure=exc)
            except TemporaryFailure as exc:
                failures += 1
                known, found = self._find(find, chat)
                if found:
                    return Outcome("sent", ref=found, recovered=True)
                if not known:
                    return Outcome("failed", error=UNCLEAR, failure=exc)
                if failures >= self.max_attempts:
                    return Outcome("failed", error=str(exc) or type(exc).__name__, failure=exc)
                with self._count_lock:
                    self.retries += 1
                self._sleep(self.backoff(failures - 1))
            except DeliveryFailed as exc:
                # An answer we do not understand: keep it pending for a later pass.
                return Outcome("failed", error=str(exc) or type(exc).__name__, failure=exc)

    def _wait(self, chat: object, to: Member | str) -> None:
        if isinstance(chat, PacedPerConversation):
            self.pacer.wait(chat.pace_keys(to), chat.conversation_limits, scope=id(chat))
        else:
            self.pacer.wait(scope=id(chat))

    def _find(
        self, find: Callable[[], str | None] | None, chat: object = None
    ) -> tuple[bool, str | None]:
        """(whether we know, the ref if it was sent)."""
        if find is None:
            return True, None
        for attempt in range(3):
            try:
                return True, find()
            except RateLimited as exc:
                self.pacer.hold(exc.retry_after, scope=id(chat))
                self.pacer.wait(scope=id(chat))
            except TemporaryFailure:
                self._sleep(self.backoff(attempt))
            except DeliveryFailed:
                return True, None
        # Unknown whether it was posted: better to keep it pending than risk a double.
        return False, None


class PacedDigests:
    """A platform's digest messages sent by the Sender's policy, as prompts are: paced per
    conversation, a 429 waited out, a temporary failure tried again after a backoff.

    What still fails is raised as the platform said it, so DigestService marks the reader
    unreachable or tries again on a later pass.
    """

    def __init__(self, chat: DigestSender, sender: Sender) -> None:
        self.chat = chat
        self.sender = sender

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        outcome = self.sender.deliver(
            self.chat,
            member_or_channel,
            lambda: self.chat.send_digest(member_or_channel, view, chart_png),
        )
        if outcome.status == "sent":
            return outcome.ref or ""
        raise outcome.failure or DeliveryFailed(outcome.error or "not sent")

    def send_team_update(self, member: Member, view: TeamUpdateView) -> str:
        outcome = self.sender.deliver(
            self.chat, member, lambda: self.chat.send_team_update(member, view)
        )
        if outcome.status == "sent":
            return outcome.ref or ""
        raise outcome.failure or DeliveryFailed(outcome.error or "not sent")
