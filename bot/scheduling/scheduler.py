"""APScheduler 3 as the clock that wakes the dispatcher; nothing else lives in it.

- a MemoryJobStore (never shared between processes, never persisted: the database is the
  source of truth, so nothing is lost when the process and its job store go away);
- one job with a deterministic id, "dispatch", added with replace_existing=True, running
  a module-level function that takes an id and looks the container up when it runs (no
  closures or domain objects in the job store);
- coalesce and max_instances=1: a slow fan-out makes the next wake-ups wait, not overlap.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.container import Container
    from bot.scheduling.dispatcher import PassReport

log = logging.getLogger("pioneer.scheduling")
JOB_ID = "dispatch"
_CONTAINERS: dict[str, Container] = {}
_HANDLES: dict[str, SchedulerHandle] = {}
_ids = itertools.count(1)


def dispatch_job(container_id: str) -> None:
    """One dispatcher pass for the container registered as `container_id`."""
    container = _CONTAINERS.get(container_id)
    if container is None:
        return
    try:
        report = container.dispatch.run_pass(wait=False)
    except Exception:
        log.exception("dispatch pass failed; the next wake-up tries again")
        report = None
    handle = _HANDLES.get(container_id)
    if handle is not None:
        handle._passed(report)


@dataclass
class SchedulerHandle:
    container_id: str
    scheduler: BackgroundScheduler
    passes: int = 0
    last: PassReport | None = None
    owns_container: bool = False
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def _passed(self, report: PassReport | None) -> None:
        with self._cond:
            self.passes += 1
            self.last = report
            self._cond.notify_all()

    def wake(self) -> None:
        """Run a pass now (tests, and after a facilitator changed the schedule)."""
        from datetime import datetime

        self.scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))

    def wait_for_pass(self, after: int, timeout: float = 10.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.passes > after, timeout=timeout)

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        container = _CONTAINERS.pop(self.container_id, None)
        if container is not None:
            container.dispatch.lock.release_process_lock()
            if self.owns_container:
                container.close()
        _HANDLES.pop(self.container_id, None)
        while self.on_stop:
            self.on_stop.pop()()


def start_scheduler(container: Container, every_seconds: int = 60) -> SchedulerHandle:
    """Run the dispatcher in this process every minute (and once at start).

    On SQLite this makes the process the database's one scheduler, or raises
    SchedulerLocked with a message saying what to do.
    """
    container.dispatch.lock.hold_process_lock()
    container_id = f"c{next(_ids)}"
    _CONTAINERS[container_id] = container
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        timezone=UTC,
    )
    handle = SchedulerHandle(container_id, scheduler)
    _HANDLES[container_id] = handle
    from datetime import datetime

    scheduler.add_job(
        dispatch_job,
        IntervalTrigger(seconds=every_seconds, timezone=UTC),
        args=[container_id],
        id=JOB_ID,
        name="pioneer dispatcher",
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return handle


def wake_all() -> None:
    """Wake this process's schedulers (a facilitator's "poll now" found the lock busy)."""
    for handle in list(_HANDLES.values()):
        try:
            handle.wake()
        except Exception:  # stopping, or never started: the next minute does it
            log.debug("could not wake scheduler %s", handle.container_id, exc_info=True)


def serve_scheduler(settings: Settings) -> SchedulerHandle:
    """For `pioneer serve`: a scheduler with its own container; exits with a clear message
    when another scheduler already runs against this SQLite database."""
    import typer

    from bot.container import Container
    from bot.domain.ports import SchedulerLocked

    container = Container(settings)
    try:
        handle = start_scheduler(container)
    except SchedulerLocked as exc:
        container.close()
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(code=2) from None
    handle.owns_container = True
    from bot.scheduling.collector import DispatchCollector
    from bot.telemetry import PROCESS_REGISTRY

    collector = DispatchCollector(container.dispatch)
    PROCESS_REGISTRY.register(collector)
    handle.on_stop.append(lambda: PROCESS_REGISTRY.unregister(collector))
    log.info("scheduler running (job %r every minute)", JOB_ID)
    return handle
