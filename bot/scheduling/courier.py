"""Sending what the dispatcher recorded: pending deliveries and their one reminder.

Every message goes through the Sender (one pacing and retry policy); a few are in flight
at once, so the pace, not one round trip after another, sets the rate. Outcomes are
written back in chunks: a crash loses at most two chunks' outcomes, and those deliveries
carry an attempt, so the next pass asks the platform whether each got through.

Sending goes workspace by workspace, each under its send lease (`DispatchLock.workspace`):
one sender per workspace at a time, in this process and across replicas, with a Sender of
its own, so the pace is per workspace and replicas split the workspaces between them.

What is held (the journey paused, the person away, a late prompt or a reminder outside
the person's working hours: `bot.domain.deliveries.hold`) stays as it is for a later pass;
what is still held when its poll closes expires as missed.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.deliveries import idempotency_key, prompt_view
from bot.domain.errors import DeliveryFailed
from bot.domain.model import Delivery, Journey, Member, Prompt
from bot.domain.ports import (
    ChatPort,
    DispatchLock,
    Mark,
    OpensDms,
    SendLease,
    UnitOfWorkFactory,
)
from bot.domain.views import parse_ref
from bot.scheduling.holds import Holds, Item
from bot.scheduling.report import PassReport, SentLine, Totals
from bot.scheduling.sender import UNCLEAR, Outcome, Sender

log = logging.getLogger("pioneer.scheduling")
LEASE_LOST = "another scheduler took this workspace over before it was sent"


@dataclass
class Courier:
    uow: UnitOfWorkFactory
    prompts: Mapping[str, Prompt]  # by id
    chat_for: Callable[[int], ChatPort]
    sender_factory: Callable[[], Sender]
    totals: Totals
    lock: DispatchLock
    batch: int = 200
    chunk: int = 20
    concurrency: int = 4
    workspaces: int = 4  # sent at once, each at its own pace
    monotonic: Callable[[], float] = time.monotonic
    _served: dict[int, float] = field(default_factory=dict)
    _mutex: threading.Lock = field(default_factory=threading.Lock)

    def send_due(self, now: datetime, report: PassReport, until: float | None = None) -> None:
        """Every workspace's due prompts, then its reminders, each workspace under its send
        lease and at its own pace, a few workspaces at once. With `until` (a monotonic
        instant) a workspace stops between chunks once it has passed and is served first
        next pass, so one long fan-out never holds up another workspace's messages."""
        with self.uow() as uow:
            found = list(uow.dispatch.sendable(now))
        # Least recently served by this process first (never served: first of all).
        order = sorted(found, key=lambda w: self._served.get(w, float("-inf")))
        if not order:
            return
        parallel = min(self.workspaces, len(order)) if self.concurrency > 1 else 1
        # Several workspaces at once send one message at a time each: a pool shared by all
        # would have one workspace's pacing sleeps hold up the others' messages.
        pool = self._pool(self.concurrency) if parallel == 1 else None
        try:
            if parallel > 1:
                with ThreadPoolExecutor(parallel, thread_name_prefix="pioneer-ws") as each:
                    done = list(
                        each.map(lambda w: self._workspace(w, now, until, None, pool), order)
                    )
            else:
                done = [self._workspace(w, now, until, None, pool) for w in order]
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        for lines, state in done:
            report.lines.extend(lines)
            report.unfinished += state == "unfinished"
            report.held += state == "held"

    def send_workspace(self, workspace_id: int, now: datetime, ids: Sequence[int]) -> bool:
        """Send the pending deliveries `ids` of one workspace now (a facilitator's "poll
        now"); False when another sender has the workspace (it sends them in its stride)."""
        pool = self._pool(self.concurrency)
        try:
            _, state = self._workspace(workspace_id, now, None, ids, pool)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        return state != "held"

    def _pool(self, size: int) -> ThreadPoolExecutor | None:
        if self.concurrency <= 1:
            return None
        return ThreadPoolExecutor(size, thread_name_prefix="pioneer-send")

    def _workspace(
        self,
        workspace_id: int,
        now: datetime,
        until: float | None,
        ids: Sequence[int] | None,
        pool: ThreadPoolExecutor | None,
    ) -> tuple[list[SentLine], str]:
        """(what was sent, "done" | "unfinished" (stopped at `until`) | "held" (not ours))."""
        lines: list[SentLine] = []
        with self.lock.workspace(workspace_id) as lease:
            if lease is None:
                return lines, "held"
            sender = self.sender_factory()
            run = _Run(workspace_id, lease, sender, Holds(now), now, until, lines, pool)
            try:
                state = self._prompts(run, ids)
                if state == "done" and ids is None:
                    state = self._reminders(run)
            finally:
                with self._mutex:
                    self.totals.rate_limited += sender.rate_limited
                    self._served[workspace_id] = self.monotonic()
        return lines, state

    def _stop(self, run: _Run) -> str | None:
        # Past the time box only once something went: every pass gets each workspace on.
        if run.progressed and run.until is not None and self.monotonic() >= run.until:
            return "unfinished"
        if not run.lease.renew():
            return "held"  # another process took the workspace over; it sends the rest
        return None

    def _prompts(self, run: _Run, ids: Sequence[int] | None) -> str:
        after_id = 0
        chats: dict[int, ChatPort | DeliveryFailed] = {}
        # With threads, the next chunk is claimed and started before the outcomes of the one
        # before are written, so the senders do not wait for the database.
        before: tuple[Sequence[Item], Callable[[], list[Outcome]]] | None = None
        try:
            while True:
                if stop := self._stop(run):
                    return stop
                with self.uow() as uow:
                    found = uow.dispatch.pending(
                        run.now, self.batch, after_id, ids, run.workspace_id
                    )
                    batch = run.holds.ready(uow, found, reminder=False)
                if not found:
                    return "done"
                after_id = found[-1][0].id or after_id
                start = 0
                while start < len(batch):
                    if start and (stop := self._stop(run)):
                        return stop
                    size = self._chunk_size(run)
                    chunk = batch[start : start + size]
                    running = self._start_chunk(run, chats, chunk)
                    if before is not None:
                        self._finish_chunk(run, chats, *before)
                    before = (chunk, running)
                    if run.pool is None:
                        self._finish_chunk(run, chats, *before)
                        before = None
                    run.progressed = True
                    start += size
        finally:
            if before is not None:
                self._finish_chunk(run, chats, *before)

    def _chunk_size(self, run: _Run) -> int:
        """A chunk that ends about when the time box does, at this workspace's pace."""
        interval = run.sender.pacer.interval
        if run.until is None or interval <= 0:
            return self.chunk
        left = run.until - self.monotonic()
        return max(1, min(self.chunk, math.ceil(left / interval)))

    def _start_chunk(
        self, run: _Run, chats: dict[int, ChatPort | DeliveryFailed], chunk: Sequence[Item]
    ) -> Callable[[], list[Outcome]]:
        """Claim `chunk` and start sending it; returns what waits for its outcomes.

        Two commits per chunk, not per DM: a crash loses at most two chunks' outcomes (the
        one sending and the one before); those deliveries carry an attempt, so the next pass
        asks the platform whether each got through before sending again.
        """
        now = run.now
        with self.uow() as uow:
            uow.dispatch.claim([d.id for d, _, _ in chunk if d.id is not None])
            uow.commit()

        def send(item: Item) -> Outcome:
            delivery, member, journey = item
            if not run.lease.renew():
                # Claimed but not sent: the new holder asks the platform, finds nothing, sends.
                return Outcome("failed", error=LEASE_LOST)
            return self._send_one(run.sender, chats, delivery, member, journey, now, reminder=False)

        # A few in flight at once so the pace, not one round trip after another, sets the rate.
        if run.pool is not None:  # also one alone: the chunk before may still be in flight
            futures = [run.pool.submit(send, item) for item in chunk]
            return lambda: [future.result() for future in futures]
        outcomes = [send(item) for item in chunk]
        return lambda: outcomes

    def _finish_chunk(
        self,
        run: _Run,
        chats: Mapping[int, ChatPort | DeliveryFailed],
        chunk: Sequence[Item],
        running: Callable[[], list[Outcome]],
    ) -> None:
        outcomes = running()
        results = [(d, m, o) for (d, m, _), o in zip(chunk, outcomes, strict=True)]
        with self.uow() as uow:
            for workspace_id, channels in self._new_dm_channels(chats, chunk, outcomes).items():
                uow.members.remember_dm_channels(workspace_id, channels)
            marks: list[Mark] = []
            for delivery, _member, outcome in results:
                assert delivery.id is not None
                if outcome.error == LEASE_LOST:
                    continue  # the workspace's new sender has it now: its row is theirs
                status = outcome.status if outcome.status in ("sent", "unreachable") else "pending"
                marks.append((delivery.id, status, outcome.ref, outcome.error))
            uow.dispatch.mark_many(marks, run.now)
            uow.commit()
        for delivery, member, outcome in results:
            self._count(outcome, reminder=False)
            if outcome.status == "failed":
                log.warning(
                    "delivery %s to %s still pending after %s attempt(s): %s",
                    delivery.id,
                    member.user,
                    delivery.attempts + 1,
                    outcome.error,
                )
            run.lines.append(self.line(delivery, member, outcome, False))

    @staticmethod
    def _new_dm_channels(
        chats: Mapping[int, ChatPort | DeliveryFailed],
        chunk: Sequence[Item],
        outcomes: Sequence[Outcome],
    ) -> dict[int, dict[str, str]]:
        """Per workspace, the DM channels a send opened (or opened again): kept with the
        outcomes, in the same commit, so the next fan-out posts without opening."""
        found: dict[int, dict[str, str]] = {}
        for (_, member, journey), outcome in zip(chunk, outcomes, strict=True):
            if outcome.status != "sent" or not outcome.ref:
                continue
            if not isinstance(chats.get(journey.workspace_id), OpensDms):
                continue
            channel, _ = parse_ref(outcome.ref)
            if channel and channel != member.dm_channel:
                found.setdefault(journey.workspace_id, {})[member.user] = channel
        return found

    def _send_one(
        self,
        sender: Sender,
        chats: dict[int, ChatPort | DeliveryFailed],
        delivery: Delivery,
        member: Member,
        journey: Journey,
        now: datetime,
        reminder: bool,
    ) -> Outcome:
        maybe_sent = delivery.attempts > 0 and not reminder
        chat = chats.get(journey.workspace_id)
        if chat is None:
            try:
                chat = self.chat_for(journey.workspace_id)
            except DeliveryFailed as exc:
                chat = exc
            chats[journey.workspace_id] = chat
        if isinstance(chat, DeliveryFailed):
            return Outcome("failed", error=f"no chat platform: {chat}")
        view = prompt_view(
            delivery, journey, member, self.prompts.get(delivery.prompt_id), now, reminder
        )
        key = idempotency_key(delivery, reminder)
        return sender.send(chat, member, view, key, maybe_sent=maybe_sent)

    def line(
        self, delivery: Delivery, member: Member, outcome: Outcome, reminder: bool
    ) -> SentLine:
        assert delivery.id is not None
        prompt = self.prompts.get(delivery.prompt_id)
        return SentLine(
            delivery_id=delivery.id,
            journey_id=delivery.journey_id,
            user=member.user,
            ritual_key=delivery.ritual_key,
            occurrence=delivery.occurrence,
            question=prompt.text.en if prompt else delivery.prompt_id,
            status=outcome.status,
            reminder=reminder,
            error=outcome.error,
        )

    def _count(self, outcome: Outcome, reminder: bool) -> None:
        with self._mutex:
            self._count_locked(outcome, reminder)

    def _count_locked(self, outcome: Outcome, reminder: bool) -> None:
        if outcome.status == "sent":
            if reminder:
                self.totals.reminded += 1
            else:
                self.totals.sent += 1
            if outcome.recovered:
                self.totals.recovered += 1
        elif outcome.status == "unreachable":
            self.totals.unreachable += 1
        else:
            self.totals.failed += 1

    # -- 4. remind ----------------------------------------------------------------------------
    def _reminders(self, run: _Run) -> str:
        chats: dict[int, ChatPort | DeliveryFailed] = {}
        # By id, once each: a reminder given back is tried again next pass, not now.
        after_id = 0
        while True:
            with self.uow() as uow:
                found = uow.dispatch.due_reminders(run.now, self.batch, after_id, run.workspace_id)
                batch = run.holds.ready(uow, found, reminder=True)
            if not found:
                return "done"
            after_id = found[-1][0].id or after_id
            for delivery, member, journey in batch:
                assert delivery.id is not None
                if stop := self._stop(run):
                    return stop
                # Claimed before sending: a crash in between loses a reminder, never doubles it.
                with self.uow() as uow:
                    claimed = uow.dispatch.claim_reminder(delivery.id, run.now)
                    uow.commit()
                if not claimed:
                    continue
                outcome = self._send_one(
                    run.sender, chats, delivery, member, journey, run.now, reminder=True
                )
                if outcome.status == "failed" and outcome.error != UNCLEAR:
                    # Surely not sent (Slack said no, or never answered before the post):
                    # the claim is given back, so a later pass sends the reminder after all.
                    with self.uow() as uow:
                        uow.dispatch.release_reminder(delivery.id, run.now)
                        uow.commit()
                self._count(outcome, reminder=True)
                run.lines.append(self.line(delivery, member, outcome, True))
                run.progressed = True


@dataclass
class _Run:
    """One workspace's sending in one pass."""

    workspace_id: int
    lease: SendLease
    sender: Sender
    holds: Holds
    now: datetime
    until: float | None
    lines: list[SentLine]
    pool: ThreadPoolExecutor | None
    progressed: bool = False
