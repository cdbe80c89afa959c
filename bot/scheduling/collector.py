"""Dispatcher figures for /metrics: register `DispatchCollector(container.dispatch)` once.

Counters come from the dispatcher's running totals; `pioneer_deliveries` (by status) and
`pioneer_deliveries_retrying` (pending with a failed attempt behind them: the ones that
keep failing) are read from the database at scrape time, so every replica reports the
same truth.

With `--workers N` the scheduler runs in the process that started the workers and serves
no HTTP itself: `SchedulerMetrics` then writes its counts where prometheus_client's
multiprocess mode gathers them for every worker's /metrics, and each worker reads the
database's figures itself (`DeliveriesCollector`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.domain.ports import UnitOfWorkFactory
from bot.scheduling.dispatcher import Dispatcher, PassReport

MESSAGES = "pioneer_dispatch_messages"
MESSAGES_HELP = "Messages this process handed to a chat platform, by outcome."


def _by_outcome(dispatcher: Dispatcher) -> list[tuple[str, int]]:
    totals = dispatcher.totals
    return [
        ("sent", totals.sent),
        ("reminder", totals.reminded),
        ("unreachable", totals.unreachable),
        ("failed_attempt", totals.failed),
        ("recovered", totals.recovered),
        ("rate_limited", totals.rate_limited),
    ]


class DeliveriesCollector(Collector):
    """Deliveries by status, and those retrying, read from the database when scraped."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def collect(self) -> Iterator[Metric]:
        with self.uow() as uow:
            counts = uow.dispatch.status_counts()
        deliveries = GaugeMetricFamily(
            "pioneer_deliveries", "Deliveries in the database, by status.", labels=["status"]
        )
        for status, count in counts.by_status.items():
            deliveries.add_metric([status], count)
        yield deliveries
        yield GaugeMetricFamily(
            "pioneer_deliveries_retrying",
            "Pending deliveries that failed at least once (they stay pending, not dropped).",
            value=counts.retrying,
        )


class DispatchCollector(Collector):
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.deliveries = DeliveriesCollector(dispatcher.uow)

    def collect(self) -> Iterator[Metric]:
        sent = CounterMetricFamily(MESSAGES, MESSAGES_HELP, labels=["outcome"])
        for outcome, value in _by_outcome(self.dispatcher):
            sent.add_metric([outcome], value)
        yield sent
        yield from self.deliveries.collect()


class SchedulerMetrics(Collector):
    """The scheduler's passes and the time of the last good one (to alert on: no good pass
    for ten minutes means no poll goes out); with `shared`, the dispatcher's totals too,
    copied after each pass into counters that multiprocess mode can gather."""

    def __init__(self, dispatcher: Dispatcher, shared: bool = False) -> None:
        self.dispatcher = dispatcher
        self.passes = Counter(
            "pioneer_scheduler_passes",
            "Scheduler passes, by outcome (ok, failed).",
            ["outcome"],
            registry=None,
        )
        self.last_success = Gauge(
            "pioneer_scheduler_last_success_timestamp_seconds",
            "When the scheduler last finished a pass without an error (Unix time).",
            registry=None,
            multiprocess_mode="max",
        )
        for outcome in ("ok", "failed"):
            self.passes.labels(outcome)
        self.messages: Counter | None = None
        self._copied: dict[str, int] = {}
        if shared:
            self.messages = Counter(MESSAGES, MESSAGES_HELP, ["outcome"], registry=None)
            for outcome, _ in _by_outcome(dispatcher):
                self.messages.labels(outcome)
                self._copied[outcome] = 0

    def passed(self, report: PassReport | None) -> None:
        """After each pass (None: it raised)."""
        if report is None:
            self.passes.labels("failed").inc()
        else:
            self.passes.labels("ok").inc()
            self.last_success.set(time.time())
        if self.messages is not None:
            for outcome, value in _by_outcome(self.dispatcher):
                if value > self._copied[outcome]:
                    self.messages.labels(outcome).inc(value - self._copied[outcome])
                    self._copied[outcome] = value

    def collect(self) -> Iterator[Metric]:
        yield from self.passes.collect()
        yield from self.last_success.collect()
