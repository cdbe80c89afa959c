"""APScheduler 3 as the clock that wakes the dispatcher; nothing else lives in it.

- a MemoryJobStore (never shared between processes, never persisted: the database is the
  source of truth, so nothing is lost when the process and its job store go away);
- one job with a deterministic id, "dispatch", added with replace_existing=True, running
  a module-level function that takes the handle's id and looks its dispatcher up when it
  runs (no closures or domain objects in the job store);
- coalesce and max_instances=1: a slow fan-out makes the next wake-ups wait, not overlap;
- and one more job, "purge", the same way: the daily retention purge, when given one.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduling.dispatcher import Dispatcher, PassReport

log = logging.getLogger("pioneer.scheduling")
JOB_ID = "dispatch"
# The retention purge: once a day, first a few minutes after start (idempotent, so replicas
# and restarts running it too change nothing).
PURGE_JOB_ID = "purge"
PURGE_EVERY = timedelta(days=1)
PURGE_FIRST_AFTER = timedelta(minutes=5)
_HANDLES: dict[str, SchedulerHandle] = {}
_ids = itertools.count(1)


def dispatch_job(handle_id: str) -> None:
    """One dispatcher pass for the scheduler registered as `handle_id`."""
    handle = _HANDLES.get(handle_id)
    if handle is None:
        return
    # Passes follow each other while a workspace has more to send than one pass's time box:
    # each one records what fell due meanwhile before sending on.
    while True:
        try:
            report = handle.dispatcher.run_pass(wait=False, send_for=handle.send_for)
        except Exception:
            log.exception("dispatch pass failed; the next wake-up tries again")
            report = None
        handle._passed(report)
        if report is None or not report.unfinished or handle.stopping:
            return


def purge_job(handle_id: str) -> None:
    """The retention purge for the scheduler registered as `handle_id`."""
    handle = _HANDLES.get(handle_id)
    if handle is None or handle.purge is None:
        return
    try:
        handle.purge()
    except Exception:
        log.exception("retention purge failed; tomorrow's tries again")


@dataclass
class SchedulerHandle:
    handle_id: str
    dispatcher: Dispatcher
    scheduler: BackgroundScheduler
    passes: int = 0
    last: PassReport | None = None
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    # Told after each pass (None: the pass raised), e.g. to count it for /metrics.
    on_pass: list[Callable[[PassReport | None], None]] = field(default_factory=list)
    purge: Callable[[], object] | None = None
    send_for: float | None = None  # a pass's time box for sending (seconds)
    stopping: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def _passed(self, report: PassReport | None) -> None:
        for hook in list(self.on_pass):
            try:
                hook(report)
            except Exception:
                log.exception("a scheduler pass hook failed")
        with self._cond:
            self.passes += 1
            self.last = report
            self._cond.notify_all()

    def wake(self) -> None:
        """Run a pass now (tests, and after a facilitator changed the schedule)."""
        self.scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))

    def wait_for_pass(self, after: int, timeout: float = 10.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.passes > after, timeout=timeout)

    def stop(self) -> None:
        self.stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if _HANDLES.pop(self.handle_id, None) is not None:
            self.dispatcher.lock.release_process_lock()
        while self.on_stop:
            self.on_stop.pop()()


def start_scheduler(
    dispatcher: Dispatcher,
    every_seconds: int = 60,
    on_pass: Sequence[Callable[[PassReport | None], None]] = (),
    purge: Callable[[], object] | None = None,
    send_for: float | None = None,
) -> SchedulerHandle:
    """Run the dispatcher in this process every minute (and once at start), and `purge`
    (the retention purge) once a day.

    A pass sends for at most `send_for` seconds (default: half the interval), then the
    next pass follows at once: a due ritual, reminder or digest of another workspace waits
    at most that long behind a long fan-out, not until the fan-out is over.

    On SQLite this makes the process the database's one scheduler, or raises
    SchedulerLocked with a message saying what to do.
    """
    dispatcher.lock.hold_process_lock()
    handle_id = f"s{next(_ids)}"
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        timezone=UTC,
    )
    handle = SchedulerHandle(
        handle_id,
        dispatcher,
        scheduler,
        on_pass=list(on_pass),
        purge=purge,
        send_for=every_seconds / 2 if send_for is None else send_for,
    )
    _HANDLES[handle_id] = handle
    scheduler.add_job(
        dispatch_job,
        IntervalTrigger(seconds=every_seconds, timezone=UTC),
        args=[handle_id],
        id=JOB_ID,
        name="pioneer dispatcher",
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )
    if purge is not None:
        scheduler.add_job(
            purge_job,
            IntervalTrigger(seconds=int(PURGE_EVERY.total_seconds()), timezone=UTC),
            args=[handle_id],
            id=PURGE_JOB_ID,
            name="pioneer retention purge",
            replace_existing=True,
            next_run_time=datetime.now(UTC) + PURGE_FIRST_AFTER,
        )
    scheduler.start()
    return handle


def wake_all() -> None:
    """Wake this process's schedulers (a facilitator's "poll now" found the lock busy)."""
    for handle in list(_HANDLES.values()):
        try:
            handle.wake()
        except Exception:  # stopping, or never started: the next minute does it
            log.debug("could not wake scheduler %s", handle.handle_id, exc_info=True)
