"""Sending what the dispatcher recorded: pending deliveries and their one reminder.

Every message goes through the Sender (one pacing and retry policy); a few are in flight
at once, so the pace, not one round trip after another, sets the rate. Outcomes are
written back in chunks: a crash loses at most one chunk's outcomes, and those deliveries
carry an attempt, so the next pass asks the platform whether each got through.

What is held (the journey paused, the person away, a late prompt or a reminder outside
the person's working hours: `bot.domain.deliveries.hold`) stays as it is for a later pass;
what is still held when its poll closes expires as missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from bot.domain.calendar import Calendar
from bot.domain.deliveries import Hold, hold, idempotency_key, prompt_view
from bot.domain.errors import DeliveryFailed
from bot.domain.model import Delivery, Journey, Member, Prompt
from bot.domain.ports import ChatPort, Mark, OpensDms, UnitOfWork, UnitOfWorkFactory
from bot.domain.records import JourneySchedule
from bot.domain.views import parse_ref
from bot.scheduling.report import PassReport, SentLine, Totals
from bot.scheduling.sender import UNCLEAR, Outcome, Sender

log = logging.getLogger("pioneer.scheduling")
Item = tuple[Delivery, Member, Journey]


class Holds:
    """`hold` for the deliveries of one pass, each journey's calendar and pause read once."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._schedules: dict[int, tuple[Calendar, bool] | None] = {}

    def of(self, uow: UnitOfWork, item: Item, reminder: bool) -> Hold | None:
        delivery, member, journey = item
        assert journey.id is not None
        if journey.id not in self._schedules:
            schedule = uow.rituals.schedule(journey.workspace_id, journey.id)
            self._schedules[journey.id] = _calendar(schedule)
        known = self._schedules[journey.id]
        if known is None:
            return None
        calendar, paused = known
        return hold(delivery, member, journey.timezone, calendar, paused, self.now, reminder)

    def ready(self, uow: UnitOfWork, items: Sequence[Item], reminder: bool) -> list[Item]:
        return [item for item in items if self.of(uow, item, reminder) is None]


def _calendar(schedule: JourneySchedule | None) -> tuple[Calendar, bool] | None:
    if schedule is None:
        return None
    return Calendar.of(schedule.working_days, schedule.holidays), schedule.paused


@dataclass
class Courier:
    uow: UnitOfWorkFactory
    prompts: Mapping[str, Prompt]  # by id
    chat_for: Callable[[int], ChatPort]
    sender_factory: Callable[[], Sender]
    totals: Totals
    batch: int = 200
    chunk: int = 20
    concurrency: int = 4

    def send_pending(
        self, now: datetime, report: PassReport, ids: Sequence[int] | None = None
    ) -> None:
        sender = self.sender_factory()
        chats: dict[int, ChatPort | DeliveryFailed] = {}
        after_id = 0
        pool = (
            ThreadPoolExecutor(self.concurrency, thread_name_prefix="pioneer-send")
            if self.concurrency > 1
            else None
        )
        holds = Holds(now)
        try:
            while True:
                with self.uow() as uow:
                    found = uow.dispatch.pending(now, self.batch, after_id, ids)
                    batch = holds.ready(uow, found, reminder=False)
                if not found:
                    break
                after_id = found[-1][0].id or after_id
                self._send_batch(sender, chats, batch, now, report, pool)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        self.totals.rate_limited += sender.rate_limited

    def _send_batch(
        self,
        sender: Sender,
        chats: dict[int, ChatPort | DeliveryFailed],
        batch: Sequence[Item],
        now: datetime,
        report: PassReport,
        pool: ThreadPoolExecutor | None,
    ) -> None:
        """Claim a chunk, send it, record its outcomes: two commits per chunk, not per DM.

        With threads, the next chunk is claimed and started before the outcomes of the one
        before are written, so the senders do not wait for the database. A crash loses at
        most two chunks' outcomes; those deliveries carry an attempt, so the next pass asks
        the platform whether each got through before sending again.
        """
        before: tuple[Sequence[Item], Callable[[], list[Outcome]]] | None = None
        for start in range(0, len(batch), self.chunk):
            chunk = batch[start : start + self.chunk]
            running = self._start_chunk(sender, chats, chunk, now, pool)
            if before is not None:
                self._finish_chunk(chats, *before, now, report)
            before = (chunk, running)
            if pool is None:
                self._finish_chunk(chats, *before, now, report)
                before = None
        if before is not None:
            self._finish_chunk(chats, *before, now, report)

    def _start_chunk(
        self,
        sender: Sender,
        chats: dict[int, ChatPort | DeliveryFailed],
        chunk: Sequence[Item],
        now: datetime,
        pool: ThreadPoolExecutor | None,
    ) -> Callable[[], list[Outcome]]:
        """Claim `chunk` and start sending it; returns what waits for its outcomes."""
        with self.uow() as uow:
            uow.dispatch.claim([d.id for d, _, _ in chunk if d.id is not None])
            uow.commit()

        def send(item: Item) -> Outcome:
            delivery, member, journey = item
            return self._send_one(sender, chats, delivery, member, journey, now, reminder=False)

        # A few in flight at once so the pace, not one round trip after another, sets the rate.
        if pool is not None:  # also one alone: the chunk before may still be in flight
            futures = [pool.submit(send, item) for item in chunk]
            return lambda: [future.result() for future in futures]
        outcomes = [send(item) for item in chunk]
        return lambda: outcomes

    def _finish_chunk(
        self,
        chats: dict[int, ChatPort | DeliveryFailed],
        chunk: Sequence[Item],
        running: Callable[[], list[Outcome]],
        now: datetime,
        report: PassReport,
    ) -> None:
        outcomes = running()
        results = [(d, m, o) for (d, m, _), o in zip(chunk, outcomes, strict=True)]
        with self.uow() as uow:
            for workspace_id, channels in self._new_dm_channels(chats, chunk, outcomes).items():
                uow.members.remember_dm_channels(workspace_id, channels)
            marks: list[Mark] = []
            for delivery, _member, outcome in results:
                assert delivery.id is not None
                status = outcome.status if outcome.status in ("sent", "unreachable") else "pending"
                marks.append((delivery.id, status, outcome.ref, outcome.error))
            uow.dispatch.mark_many(marks, now)
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
            report.lines.append(self.line(delivery, member, outcome, False))

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
    def send_reminders(self, now: datetime, report: PassReport) -> None:
        sender = self.sender_factory()
        chats: dict[int, ChatPort | DeliveryFailed] = {}
        holds = Holds(now)
        # By id, once each: a reminder given back is tried again next pass, not now.
        after_id = 0
        while True:
            with self.uow() as uow:
                found = uow.dispatch.due_reminders(now, self.batch, after_id)
                batch = holds.ready(uow, found, reminder=True)
            if not found:
                break
            after_id = found[-1][0].id or after_id
            for delivery, member, journey in batch:
                assert delivery.id is not None
                # Claimed before sending: a crash in between loses a reminder, never doubles it.
                with self.uow() as uow:
                    claimed = uow.dispatch.claim_reminder(delivery.id, now)
                    uow.commit()
                if not claimed:
                    continue
                outcome = self._send_one(
                    sender, chats, delivery, member, journey, now, reminder=True
                )
                if outcome.status == "failed" and outcome.error != UNCLEAR:
                    # Surely not sent (Slack said no, or never answered before the post):
                    # the claim is given back, so a later pass sends the reminder after all.
                    with self.uow() as uow:
                        uow.dispatch.release_reminder(delivery.id, now)
                        uow.commit()
                self._count(outcome, reminder=True)
                report.lines.append(self.line(delivery, member, outcome, True))
