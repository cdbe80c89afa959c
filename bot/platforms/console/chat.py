"""ConsoleChat: a ChatPort that writes each message as a line and keeps a record of it.

It can simulate a platform's rate limit (`limit_per_second`: over it, `RateLimited` with
the time until a slot frees up), so pacing can be exercised without a network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bot.domain.digest.view import DigestView
from bot.domain.errors import RateLimited
from bot.domain.model import Member
from bot.domain.team_update import TeamUpdateView
from bot.domain.views import Notice, PromptView, message_ref
from prompts.messages import t


@dataclass(frozen=True)
class Sent:
    ref: str
    to: str  # a member's user id or a channel
    idempotency_key: str | None
    view: PromptView | None
    notice: Notice | None
    digest: DigestView | None = None
    chart_png: bytes = b""
    team_update: TeamUpdateView | None = None


def render_prompt(view: PromptView) -> str:
    """One line: the question and, for a pulse, its scale."""
    words = [t("scheduling.console.reminder", view.language)] if view.reminder else []
    words.append(f"[{view.journey_name}] {view.question}")
    if view.low_label and view.high_label:
        words.append(f"(1 = {view.low_label} … 5 = {view.high_label})")
    return " ".join(words)


class ConsoleChat:
    def __init__(
        self,
        out: TextIO | None = None,
        limit_per_second: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.sent: list[Sent] = []
        self._by_key: dict[str, str] = {}
        self._lock = threading.Lock()
        self._limit = limit_per_second
        self._monotonic = monotonic
        self._window_start = 0.0
        self._in_window = 0

    def _check_rate(self) -> None:
        if not self._limit:
            return
        now = self._monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._in_window = now, 0
        if self._in_window >= self._limit:
            raise RateLimited(retry_after=max(0.0, 1.0 - (now - self._window_start)))
        self._in_window += 1

    def send_prompt(self, member: Member, view: PromptView, idempotency_key: str) -> str:
        with self._lock:
            self._check_rate()
            ref = message_ref("console", str(len(self.sent) + 1))
            self.sent.append(Sent(ref, member.user, idempotency_key, view, None))
            self._by_key[idempotency_key] = ref
        if self.out is not None:
            print(f"→ {member.user}: {render_prompt(view)}", file=self.out)
        return ref

    def post_notice(self, channel: str, notice: Notice) -> str:
        with self._lock:
            ref = message_ref("console", str(len(self.sent) + 1))
            self.sent.append(Sent(ref, channel, None, None, notice))
        if self.out is not None:
            print(f"→ #{channel}: {notice.text}", file=self.out)
        return ref

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        """The weekly digest (the domain's DigestSender): a short text, the chart kept."""
        from bot.rendering.markdown import render_summary

        to = member_or_channel if isinstance(member_or_channel, str) else member_or_channel.user
        with self._lock:
            ref = message_ref("console", str(len(self.sent) + 1))
            self.sent.append(Sent(ref, to, None, None, None, digest=view, chart_png=chart_png))
        if self.out is not None:
            if view.for_steward:
                from bot.rendering.steward_text import render_steward_markdown

                print(f"→ {to}: {render_steward_markdown(view)}", file=self.out)
            print(f"→ {to}: {render_summary(view)}", file=self.out)
        return ref

    def send_team_update(self, member: Member, view: TeamUpdateView) -> str:
        """The fortnight's team update (the domain's DigestSender): its Markdown, kept."""
        from bot.rendering.update_text import team_update_text

        with self._lock:
            self._check_rate()
            ref = message_ref("console", str(len(self.sent) + 1))
            self.sent.append(Sent(ref, member.user, None, None, None, team_update=view))
        if self.out is not None:
            print(f"→ {member.user}: {team_update_text(view).summary}", file=self.out)
        return ref

    def team_updates_to(self, user: str) -> list[TeamUpdateView]:
        return [s.team_update for s in self.sent if s.to == user and s.team_update is not None]

    def digests_to(self, user: str) -> list[DigestView]:
        return [s.digest for s in self.sent if s.to == user and s.digest is not None]

    def find_sent(self, member: Member, idempotency_key: str) -> str | None:
        with self._lock:
            return self._by_key.get(idempotency_key)

    def prompts_to(self, user: str) -> list[PromptView]:
        return [s.view for s in self.sent if s.to == user and s.view is not None]
