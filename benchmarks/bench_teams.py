"""Benchmark (not a test): rough figures for the Teams adapter, offline.

    .venv/bin/python benchmarks/bench_teams.py [people, default 300]

1. /api/messages: `@Pioneer status` in a channel and a poll card submit (one answer row
   written), sequential and with 10 concurrent clients; latency medians and p99.
2. Proactive fan-out: poll cards to N people, each with a stored 1:1 reference, through
   TeamsChat (one conversation per person, so pacing never waits), sequential and from 10
   threads.
Uses a SQLite file in a temporary folder and the fake Bot Connector.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import FixedClock  # noqa: E402
from bot.container import Container  # noqa: E402
from bot.domain.model import PromptKind, Role  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.e2e.teams.conftest import (  # noqa: E402
    ANNA,
    Person,
    RecordingSleep,
    Teams,
    channel_journey,
    chat,
    deliver,
    make_platform,
    member_of,
    teams_server,
    teams_settings,
)
from tests.fakes.bot_connector import FakeConnector  # noqa: E402


def _stats(name: str, samples: list[float], wall: float) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:44} n={len(samples):4}  median {statistics.median(samples) * 1000:6.1f} ms"
        f"  p99 {p99 * 1000:6.1f} ms  {len(samples) / wall:7.1f}/s"
    )


def main(n: int = 300) -> None:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    container = Container(
        teams_settings(url), clock=FixedClock(datetime(2026, 11, 30, 9, tzinfo=UTC))
    )
    container.teams = make_platform(container, RecordingSleep())
    connector = FakeConnector()
    server = teams_server(container.teams)
    teams = Teams(server.url, connector)
    people = [Person(f"e0000000-0000-4000-8000-{i:012d}", f"Person {i}") for i in range(n)]
    try:
        teams.say(ANNA, "start Bench")
        for person in people:
            teams.post(teams.activity(person, text="join"))
            teams.post(teams.activity(person, text="help", channel=None, mention_bot=False))
        workspace_id, journey_id = channel_journey(container)
        members = [member_of(container, workspace_id, journey_id, p) for p in people]
        deliveries = [deliver(container, m) for m in members]

        def timed(call: object) -> float:
            started = time.perf_counter()
            call()  # type: ignore[operator]
            return time.perf_counter() - started

        for label, workers in (("sequential", 1), ("10 concurrent", 10)):
            started = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                samples = list(
                    pool.map(
                        lambda p: timed(lambda: teams.post(teams.activity(p, text="status"))),
                        people,
                    )
                )
            _stats(f"/api/messages status, {label}", samples, time.perf_counter() - started)

            started = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                samples = list(
                    pool.map(
                        lambda pd: timed(
                            lambda: teams.post(
                                teams.activity(
                                    pd[0],
                                    value={
                                        "verb": "pioneer.answer",
                                        "delivery": pd[1].id,
                                        "value": 3 if workers == 1 else 4,  # noqa: B023
                                    },
                                    channel=None,
                                )
                            )
                        ),
                        zip(people, deliveries, strict=True),
                    )
                )
            _stats(f"/api/messages card submit, {label}", samples, time.perf_counter() - started)

        port = chat(container, workspace_id)
        views = [container.prompt_views.view_for(workspace_id, d.id or 0) for d in deliveries]
        for label, workers in (("sequential", 1), ("10 threads", 10)):
            started = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                samples = list(
                    pool.map(
                        lambda mv: timed(lambda: port.send_prompt(mv[0], mv[1], "k")),
                        zip(members, views, strict=True),
                    )
                )
            _stats(f"proactive poll cards, {label}", samples, time.perf_counter() - started)
        assert PromptKind.PULSE and Role.FOLLOWER  # keep imports honest for readers
    finally:
        server.stop()
        connector.stop()
        container.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
