"""Prometheus metrics, in a registry of our own so tests and reloads start from zero."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Collectors of process-wide parts (the in-process scheduler), served with every /metrics.
PROCESS_REGISTRY = CollectorRegistry()


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

    def exposition(self) -> bytes:
        # The scheduler lives beside the web app, with its own container; what it counts
        # is published through the process-wide registry.
        return generate_latest(self.registry) + generate_latest(PROCESS_REGISTRY)

    content_type = CONTENT_TYPE_LATEST
