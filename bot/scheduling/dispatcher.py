"""The dispatcher: one pass records what fell due, then sends what is pending.

A pass, as of an instant `now`:
1. for every journey whose rituals fell due since its watermark (`dispatched_through`),
   record the deliveries (unique per journey, ritual, occurrence and member; pending, or
   missed when already past the grace window) in bounded batches, then move the watermark;
2. record pending deliveries whose poll closed as missed (never silently dropped);
3. send pending deliveries, each claimed first (its attempt counted and committed), so a
   crash leaves a trace: the next pass asks the platform whether it got through before
   sending again;
4. send the one reminder to members who have not answered yet.

Steps 1 and 2 (and digests) run under the planning lock (`DispatchLock.pass_`), one
process at a time. Steps 3 and 4 go workspace by workspace, each under its send lease, so
scheduler replicas on PostgreSQL share the sending; with `send_for` a pass stops sending
after that many seconds (between chunks), so the next pass records what fell due
meanwhile and one workspace's long, paced fan-out never holds up another workspace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain import errors
from bot.domain.calendar import Calendar
from bot.domain.journeys import FACILITATORS, require_role
from bot.domain.model import (
    Delivery,
    Journey,
    Perspective,
    Prompt,
    PromptKind,
)
from bot.domain.ports import ChatPort, Clock, DispatchLock, UnitOfWork, UnitOfWorkFactory
from bot.domain.pulse_design import history_window
from bot.domain.records import Asked, JourneySchedule
from bot.domain.rituals import (
    CadenceOverride,
    Fate,
    JourneyPaused,
    RitualKind,
    RitualPlan,
    first_due,
)
from bot.domain.sampling import DuePlan, adhoc_ritual, plan_due, plan_now
from bot.scheduling.courier import Courier
from bot.scheduling.preview import preview
from bot.scheduling.report import PassReport, Totals
from bot.scheduling.sender import Sender

log = logging.getLogger("pioneer.scheduling")
# An idle journey's watermark is moved along at most this often (one UPDATE for all).
WATERMARK_STEP = timedelta(hours=1)
# The watermark stops this far before a digest not yet handled, so that it falls due again.
_INSTANT = timedelta(microseconds=1)
# Deliveries per INSERT transaction: 50,000 people are recorded in short transactions.
RECORD_BATCH = 1000
# (workspace id, journey id, now, due_at=when the digest ritual fell due) -> sent?
DigestHook = Callable[..., Any]


class Dispatcher:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        lock: DispatchLock,
        plan: RitualPlan,
        prompts: Sequence[Prompt],
        clock: Clock,
        chat_for: Callable[[int], ChatPort],
        sender_factory: Callable[[], Sender],
        digest_hook: Callable[[], DigestHook | None] | None = None,
        batch: int = 200,
        chunk: int = 20,
        on_deferred: Callable[[], None] | None = None,
        concurrency: int = 4,
        digest_resume: Callable[[], Callable[[datetime], int] | None] | None = None,
        team_update_hook: Callable[[], DigestHook | None] | None = None,
        workspaces: int = 4,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.uow = uow
        self.lock = lock
        self.plan = plan
        self.prompts = list(prompts)
        self._by_id = {p.id: p for p in self.prompts}
        self.clock = clock
        self.chat_for = chat_for
        self.sender_factory = sender_factory
        self.digest_hook = digest_hook
        self.team_update_hook = team_update_hook
        self.digest_resume = digest_resume
        self.batch = batch
        self.chunk = chunk
        self.on_deferred = on_deferred
        self.concurrency = concurrency
        self.totals = Totals()
        self.monotonic = monotonic
        self.courier = Courier(
            uow,
            self._by_id,
            chat_for,
            sender_factory,
            self.totals,
            lock,
            batch,
            chunk,
            concurrency,
            workspaces,
            monotonic,
        )
        self._next_due: dict[int, tuple[object, datetime | None]] = {}

    # -- one pass ---------------------------------------------------------------------------
    def run_pass(
        self,
        now: datetime | None = None,
        dry_run: bool = False,
        wait: bool = True,
        send_for: float | None = None,
    ) -> PassReport:
        """One pass. `send_for`: stop sending after that many seconds (what is left goes
        first next pass); None sends everything (`pioneer tick`)."""
        now = now or self.clock.now()
        report = PassReport(at=now, dry_run=dry_run)
        if dry_run:
            preview(self, now, report)
            return report
        with self.lock.pass_(wait=wait) as got:
            if got:
                self.record_due(now, report)
                with self.uow() as uow:
                    report.expired = uow.dispatch.expire(now)
                    uow.commit()
                self._resume_digests(now, report)
        report.planned = got
        if not got and not self.lock.shared:
            report.skipped = True  # another process is this database's one scheduler
            return report
        until = None if send_for is None else self.monotonic() + send_for
        with self.lock.sending() as may:
            if may:
                self.courier.send_due(now, report, until)
        self._log(report)
        return report

    # -- 1. record ----------------------------------------------------------------------------
    def _due_journeys(
        self, uow: UnitOfWork, now: datetime
    ) -> tuple[list[tuple[Journey, JourneySchedule, datetime]], list[tuple[int, int]]]:
        """Journeys with something due since their watermark; and idle ones to move along.

        The idle pass runs every minute over every journey, so each journey's next due
        instant is remembered (keyed by everything it depends on) and recomputed only
        when that changes.
        """
        zones = uow.dispatch.zones()
        overrides = uow.dispatch.all_overrides()
        due: list[tuple[Journey, JourneySchedule, datetime]] = []
        idle: list[tuple[int, int]] = []
        memo = self._next_due
        for cursor in uow.dispatch.cursors():
            mark = cursor.dispatched_through or cursor.started_at
            if mark >= now:
                continue
            if cursor.paused:
                idle.append((cursor.workspace_id, cursor.id))  # skipped, not missed
                continue
            changes = tuple(overrides.get(cursor.id, ()))
            tzs = frozenset(tz or cursor.timezone for tz in zones.get(cursor.id, {None})) | {
                cursor.timezone
            }
            key = (mark, cursor.phase, cursor.working_days, cursor.holidays, tzs, changes)
            known = memo.get(cursor.id)
            if known is None or known[0] != key:
                rituals = self.plan.for_phase(cursor.phase, changes)
                calendar = Calendar.of(cursor.working_days, cursor.holidays)
                known = (key, first_due(rituals, tzs, calendar, mark))
                memo[cursor.id] = known
            next_due = known[1]
            if next_due is not None and next_due <= now:
                journey = uow.journeys.get(cursor.workspace_id, cursor.id)
                if journey is not None:
                    due.append((journey, cursor.schedule, mark))
            elif now - mark >= WATERMARK_STEP:
                idle.append((cursor.workspace_id, cursor.id))
                # Moved to `now` with nothing due in between: the next due instant stays,
                # so the hourly pass computes no journey's rituals again. (None, nothing
                # within the search horizon, is searched again from the new mark.)
                if next_due is not None:
                    memo[cursor.id] = ((now, *key[1:]), next_due)
        return due, idle

    def _plan(
        self,
        uow: UnitOfWork,
        journey: Journey,
        schedule: JourneySchedule,
        overrides: Sequence[CadenceOverride],
        mark: datetime,
        now: datetime,
    ) -> DuePlan:
        assert journey.id is not None
        rituals = self.plan.for_phase(journey.phase, overrides)
        members = uow.members.list(journey.workspace_id, journey.id)

        def asked_before(day: date) -> Asked:
            assert journey.id is not None
            return uow.deliveries.pulse_history(
                journey.workspace_id,
                journey.id,
                journey.phase,
                *history_window(day, journey.timezone),
            )

        return plan_due(
            journey,
            rituals,
            members,
            self.prompts,
            _calendar(schedule),
            mark,
            now,
            now,
            asked_before,
        )

    def record_due(self, now: datetime, report: PassReport | None = None) -> None:
        report = report or PassReport(at=now)
        with self.uow() as uow:
            due, idle = self._due_journeys(uow, now)
            uow.dispatch.set_watermarks(idle, now)
            uow.commit()
        for journey, schedule, mark in due:
            assert journey.id is not None
            with self.uow() as uow:
                overrides = uow.rituals.overrides(journey.workspace_id, journey.id)
                plan = self._plan(uow, journey, schedule, overrides, mark, now)
            missed = [
                (p.delivery(journey, now), None) for p in plan.deliveries if p.fate is Fate.MISSED
            ]
            sent = [
                (p.delivery(journey, now), p.remind_at)
                for p in plan.deliveries
                if p.fate is not Fate.MISSED
            ]
            # Counted as inserted: a pass that plans the same span again counts nothing.
            missed_now = self._record(missed)
            report.missed += missed_now
            report.recorded += missed_now + self._record(sent)
            digests_due = self._digests_due(journey, plan, now)
            # Not past a digest until it is handled: one that fails (the database was
            # locked) falls due again on the next pass, for the same week. Moved after the
            # last batch: a crash before it plans the span again, and records only the rest.
            through = min((at for _, at in digests_due), default=now + _INSTANT) - _INSTANT
            with self.uow() as uow:
                uow.dispatch.set_watermark(journey.workspace_id, journey.id, through)
                uow.commit()
            if not digests_due:
                continue
            done = [self._run_digest(journey, now, due_at, kind) for kind, due_at in digests_due]
            report.digests += sum(1 for sent_now in done if sent_now)
            if all(sent_now is not None for sent_now in done):
                with self.uow() as uow:
                    uow.dispatch.set_watermark(journey.workspace_id, journey.id, now)
                    uow.commit()
        self.totals.missed += report.missed

    def _record(self, rows: Sequence[tuple[Delivery, datetime | None]]) -> int:
        """Insert in bounded transactions, so senders (other replicas too) start on the
        first batches while the rest is recorded, and no transaction runs long."""
        inserted = 0
        for start in range(0, len(rows), RECORD_BATCH):
            with self.uow() as uow:
                inserted += uow.dispatch.record(rows[start : start + RECORD_BATCH])
                uow.commit()
        return inserted

    @staticmethod
    def _digests_due(
        journey: Journey, plan: DuePlan, now: datetime
    ) -> list[tuple[RitualKind, datetime]]:
        """Each whole-journey ritual of `plan` (digest, team update) that may still go, with
        when it fell due; missed ones are logged."""
        due = []
        for item in plan.journey_rituals:
            if item.ritual.fate(item.due_at, now) is Fate.PENDING:
                due.append((item.ritual.kind, item.due_at))
            else:
                log.warning(
                    "journey %s: %s of %s missed (the bot was down)",
                    journey.id,
                    item.ritual.key,
                    item.occurrence,
                )
        return due

    def _run_digest(
        self, journey: Journey, now: datetime, due_at: datetime, kind: RitualKind
    ) -> bool | None:
        """Whether the digest (or team update) went out now (False: nothing to send, or sent
        before); None when preparing it failed, so the next pass tries that week again."""
        source = self.team_update_hook if kind is RitualKind.TEAM_UPDATE else self.digest_hook
        hook = source() if source else None
        if hook is None:
            return False
        assert journey.id is not None
        try:
            return bool(hook(journey.workspace_id, journey.id, now, due_at=due_at))
        except Exception:  # a digest problem must not stop the prompts of every journey
            what = "team update" if kind is RitualKind.TEAM_UPDATE else "weekly digest"
            log.exception("journey %s: the %s failed; tried again next pass", journey.id, what)
            return None

    def _resume_digests(self, now: datetime, report: PassReport) -> None:
        """Digest messages a crash, a rate limit or a time-out left unsent go out now."""
        resume = self.digest_resume() if self.digest_resume else None
        if resume is None:
            return
        try:
            report.digest_messages += resume(now)
        except Exception:  # a digest problem must not stop the next pass's prompts
            log.exception("digest messages left unsent could not be sent")

    def _log(self, report: PassReport) -> None:
        if report.recorded or report.lines or report.expired:
            log.info(
                "dispatch pass %s: recorded %s (missed %s), expired %s, sent %s, reminded %s, "
                "unreachable %s, still pending %s",
                report.at.isoformat(),
                report.recorded,
                report.missed,
                report.expired,
                report.count("sent"),
                report.count("sent", reminder=True),
                report.count("unreachable"),
                report.count("failed"),
            )

    # -- a facilitator's "poll now" ------------------------------------------------------------
    def send_now(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        kind: PromptKind,
        perspective: Perspective | None = None,
        admin: bool = False,
    ) -> int:
        """Ask the current phase's audience one prompt now; returns how many were asked.

        Recorded like any ritual occurrence (keyed by the minute, so a double click asks
        once), then sent at once if nobody else is sending this workspace, else by them.
        """
        now = self.clock.now()
        with self.uow() as uow:
            journey = uow.journeys.get(workspace_id, journey_id)
            if journey is None:
                raise errors.NoJourney()
            action = "poll" if kind is PromptKind.PULSE else "checkin"
            actor_member = uow.members.by_user(workspace_id, journey_id, actor)
            require_role(actor_member, FACILITATORS, action, admin)
            schedule = uow.rituals.schedule(workspace_id, journey_id)
            if schedule is not None and schedule.paused:
                raise JourneyPaused()  # it would wait, unsent, until the journey resumes
            overrides = uow.rituals.overrides(workspace_id, journey_id)
            members = list(uow.members.list(workspace_id, journey_id))
            _, week_start = history_window(now.date(), journey.timezone)
            asked = uow.deliveries.pulse_history(
                workspace_id, journey_id, journey.phase, now, week_start
            )
        ritual = adhoc_ritual(self.plan.for_phase(journey.phase, overrides), kind)
        planned = plan_now(journey, ritual, members, self.prompts, now, perspective, asked)
        rows = [(p.delivery(journey, now), p.remind_at) for p in planned]
        occurrence = planned[0].occurrence if planned else ""
        if not rows:
            return 0
        with self.uow() as uow:
            uow.dispatch.record(rows)
            ids = uow.dispatch.keys_of(workspace_id, journey_id, ritual.key, occurrence)
            uow.commit()
        # Sent now unless another sender has this workspace (it takes them in its stride);
        # another workspace's fan-out does not hold them up.
        with self.lock.sending() as may:
            sent = may and self.courier.send_workspace(workspace_id, now, ids)
        if not sent and self.on_deferred is not None:
            self.on_deferred()  # wakes this process's scheduler, if it runs here
        return len(ids)


def _calendar(schedule: JourneySchedule) -> Calendar:
    return Calendar.of(schedule.working_days, schedule.holidays)
