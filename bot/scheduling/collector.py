"""Dispatcher figures for /metrics: register `DispatchCollector(container.dispatch)` once.

Counters come from the dispatcher's running totals; `pioneer_deliveries` (by status) and
`pioneer_deliveries_retrying` (pending with a failed attempt behind them: the ones that
keep failing) are read from the database at scrape time, so every replica reports the
same truth.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.scheduling.dispatcher import Dispatcher


class DispatchCollector(Collector):
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def collect(self) -> Iterator[Metric]:
        totals = self.dispatcher.totals
        sent = CounterMetricFamily(
            "pioneer_dispatch_messages",
            "Messages this process handed to a chat platform, by outcome.",
            labels=["outcome"],
        )
        for outcome, value in (
            ("sent", totals.sent),
            ("reminder", totals.reminded),
            ("unreachable", totals.unreachable),
            ("failed_attempt", totals.failed),
            ("recovered", totals.recovered),
            ("rate_limited", totals.rate_limited),
        ):
            sent.add_metric([outcome], value)
        yield sent
        with self.dispatcher.uow() as uow:
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
