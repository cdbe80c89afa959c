"""Sending within a platform's limits: pacing, Retry-After, backoff with jitter, no doubles.

One `Sender` paces every message of a pass to `rate` per second (Slack: about one per
second per channel and a few hundred per minute per workspace). A 429 pauses the whole
pacer for `Retry-After`; a server error, timeout or connection reset is retried with
exponential backoff and jitter, but first the platform is asked whether the message got
through anyway (`find_sent`), because a connection reset after the platform accepted a
post must not become a second visible DM.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.model import Member
from bot.domain.ports import (
    ChatPort,
    DeliveryFailed,
    FindsSent,
    RateLimited,
    TemporaryFailure,
    Unreachable,
)
from bot.domain.views import PromptView

log = logging.getLogger("pioneer.scheduling")
UNCLEAR = "could not check whether an earlier attempt got through"


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" | "unreachable" | "failed" (stays pending)
    ref: str | None = None
    error: str | None = None
    recovered: bool = False  # found already sent after an unclear failure


class Pacer:
    """`rate` sends per second, evenly spaced, shared by the sending threads; `hold`
    pauses everyone (a 429's Retry-After is about the whole workspace).

    Time lost to a pause of ours (a commit, a slow answer) may be made up within `burst`
    seconds, as Slack allows short bursts; longer idle time is never banked, so a quiet
    spell cannot turn into a flood.
    """

    def __init__(
        self,
        rate: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        burst: float = 0.5,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.burst = burst
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()
        self.waited = 0.0

    def wait(self) -> None:
        with self._lock:
            now = self._monotonic()
            slot = max(self._next, now - self.burst)
            self._next = slot + self.interval
            delay = max(slot - now, 0.0)
            self.waited += delay
        if delay > 0:
            self._sleep(delay)

    def hold(self, seconds: float) -> None:
        with self._lock:
            # After a 429, start again evenly: no catching up on the time lost.
            self._next = max(self._next, self._monotonic() + max(seconds, 0.0) + self.burst)


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
    ) -> None:
        self.pacer = Pacer(rate, monotonic, sleep)
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
        if maybe_sent:
            known, found = self._find(chat, member, key)
            if found:
                return Outcome("sent", ref=found, recovered=True)
            if not known:
                return Outcome("failed", error=UNCLEAR)
        failures = 0
        limited = 0
        last_error = ""
        while True:
            self.pacer.wait()
            try:
                return Outcome("sent", ref=chat.send_prompt(member, view, key))
            except RateLimited as exc:
                limited += 1
                with self._count_lock:
                    self.rate_limited += 1
                last_error = str(exc)
                if limited > self.max_rate_limited:
                    return Outcome("failed", error=last_error)
                self.pacer.hold(exc.retry_after)
            except Unreachable as exc:
                return Outcome("unreachable", error=str(exc) or type(exc).__name__)
            except TemporaryFailure as exc:
                failures += 1
                last_error = str(exc) or type(exc).__name__
                known, found = self._find(chat, member, key)
                if found:
                    return Outcome("sent", ref=found, recovered=True)
                if not known:
                    return Outcome("failed", error=UNCLEAR)
                if failures >= self.max_attempts:
                    return Outcome("failed", error=last_error)
                with self._count_lock:
                    self.retries += 1
                self._sleep(self.backoff(failures - 1))
            except DeliveryFailed as exc:
                # An answer we do not understand: keep it pending for a later pass.
                return Outcome("failed", error=str(exc) or type(exc).__name__)

    def _find(self, chat: ChatPort, member: Member, key: str) -> tuple[bool, str | None]:
        """(whether we know, the ref if it was sent)."""
        if not isinstance(chat, FindsSent):
            return True, None
        for attempt in range(3):
            try:
                return True, chat.find_sent(member, key)
            except RateLimited as exc:
                self.pacer.hold(exc.retry_after)
                self.pacer.wait()
            except TemporaryFailure:
                self._sleep(self.backoff(attempt))
            except DeliveryFailed:
                return True, None
        # Unknown whether it was posted: better to keep it pending than risk a double.
        return False, None
