"""Prometheus metrics, in a registry of our own so tests and reloads start from zero; and
which libraries may log below INFO."""

from __future__ import annotations

import logging

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
