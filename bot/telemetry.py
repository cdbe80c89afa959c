"""Prometheus metrics, in a registry of our own so tests and reloads start from zero; and
which libraries may log below INFO.

One process: /metrics is this app's instruments, the process-wide ones (the scheduler's)
and the runtime's (process, Python, build). With `pioneer serve --workers N` every process
writes its counters into PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode)
and each worker's /metrics adds them all up, the scheduler's included; `process_*` and the
garbage collector's figures are those of the worker that answered the scrape.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import tempfile
from collections.abc import Iterable, Iterator

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.about import version

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Collectors of process-wide parts (the in-process scheduler), served with every /metrics.
PROCESS_REGISTRY = CollectorRegistry()


class BuildInfo(Collector):
    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily(
            "pioneer_build_info",
            "Which Pioneer answers: its version, and the Python it runs on (always 1).",
            labels=["version", "python"],
        )
        info.add_metric([version(), platform.python_version()], 1)
        yield info


# What the runtime says about this process: CPU, memory, file descriptors, Python, GC.
RUNTIME = (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR, BuildInfo())


def shared_dir() -> str | None:
    """The folder the processes of `--workers N` share their counts through, if any."""
    return os.environ.get(MULTIPROC_DIR) or None


def share_between_processes() -> tuple[str, bool]:
    """Switch this process (and the workers it starts, which inherit the environment) to
    multiprocess mode: every counter made from now on is kept in a file of the shared
    folder. Returns the folder and whether it was made here (then remove it at the end).
    An operator's PROMETHEUS_MULTIPROC_DIR is used, emptied of an earlier run's files."""
    path = shared_dir()
    made = path is None
    if path is None:
        path = tempfile.mkdtemp(prefix="pioneer-metrics-")
        os.environ[MULTIPROC_DIR] = path
    else:
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            if name.endswith(".db"):
                os.remove(os.path.join(path, name))
    # prometheus_client picks its value store when it is imported; this process may have
    # imported it before the folder was set.
    values.ValueClass = values.get_value_class()
    return path, made


def stop_sharing(path: str, made: bool) -> None:
    if made:
        shutil.rmtree(path, ignore_errors=True)


class _Except(Collector):
    """A registry's collectors, less the metrics multiprocess mode already adds up."""

    def __init__(self, registry: CollectorRegistry, names: Iterable[str]) -> None:
        self.registry = registry
        self.names = frozenset(names)

    def collect(self) -> Iterator[Metric]:
        return (m for m in self.registry.collect() if m.name not in self.names)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "pioneer_http_requests",
            "HTTP requests served, by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pioneer_http_request_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.commands = Counter(
            "pioneer_commands",
            "Slash subcommands run, by platform and subcommand.",
            ["platform", "subcommand"],
            registry=self.registry,
        )
        self.answers = Counter(
            "pioneer_answers",
            "Answers recorded, by platform and kind.",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.refusals = Counter(
            "pioneer_refusals",
            "Domain refusals shown to users, by message key.",
            ["key"],
            registry=self.registry,
        )
        instruments = (self.requests, self.latency, self.commands, self.answers, self.refusals)
        # Families multiprocess mode adds up from every worker's files.
        self._shared_names = {family.name for i in instruments for family in i.describe()}

    def exposition(self) -> bytes:
        if shared_dir() is not None:
            return self._shared_exposition()
        # The scheduler lives beside the web app, with its own container; what it counts
        # is published through the process-wide registry.
        runtime = CollectorRegistry(auto_describe=False)
        for collector in RUNTIME:
            runtime.register(collector)
        return (
            generate_latest(self.registry)
            + generate_latest(PROCESS_REGISTRY)
            + generate_latest(runtime)
        )

    def _shared_exposition(self) -> bytes:
        view = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(view)
        view.register(_Except(self.registry, self._shared_names))
        view.register(_Except(PROCESS_REGISTRY, ()))
        for collector in RUNTIME:
            view.register(collector)
        return generate_latest(view)

    content_type = CONTENT_TYPE_LATEST


def quiet_payload_loggers(*names: str) -> None:
    """Keep the named libraries' loggers at INFO or above, whatever the root level.

    Below INFO the chat SDKs log whole requests and responses: a check-in's text, a quoted
    answer in a digest, the body of a refused request. Answers are meant to be anonymous
    and never belong in a log, so their debug output stays off even at LOG_LEVEL=DEBUG.
    Set on each logger itself: slack_sdk decides by its own level whether to build a debug
    line at all, and Bolt copies the level of the logger it is given to every one it makes.
    """
    level = max(logging.getLogger().getEffectiveLevel(), logging.INFO)
    for name in names:
        logging.getLogger(name).setLevel(level)
