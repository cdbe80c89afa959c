"""Benchmark (not a test): a fan-out of DMs under a rate limit, and an idle scheduler pass.

    .venv/bin/python benchmarks/bench_fanout.py [--people 10000] [--rate 400] [--pace R]
        [--journeys 1000] [--idle-passes 30] [--database-url URL]

Fan-out: the fake Slack Web API (tests/fakes/slack_api.py) on 127.0.0.1 with a token
bucket on chat.postMessage (`--rate` per second, bursts up to one second's worth); over it
the fake answers HTTP 429 with Retry-After, as Slack does. A journey of `--people` members
gets its Tuesday pulse: one dispatcher pass records the deliveries, then the real
SlackChat (sync slack_sdk WebClient) sends them, paced to `--pace` per second (default:
the allowed rate). Reports the achieved rate as a fraction of the allowed one, 429s,
duplicates (a person with more than one DM) and losses (a person with none).

Idle pass: `--journeys` journeys of 10 members each, nothing due; the median wall time of
one `run_pass` (journeys, zones, overrides, expiry, pending and reminder queries),
advancing the clock a minute per pass as the real scheduler does.

SQLite in a temporary folder unless --database-url points at (an empty) PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, update  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.container import Container  # noqa: E402
from bot.domain.model import Language  # noqa: E402
from storage.models import DeliveryRow, JourneyRow, MemberRow  # noqa: E402
from tests.databases import fanned_out, migrated  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.seed import workspace_id as seed_workspace_id  # noqa: E402

TUE_10_AMS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MON_9_AMS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
WED_NOON_AMS = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


class LimitedSlack(FakeSlack):
    """The fake with Slack's behaviour over a rate limit: 429 and Retry-After (seconds)."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate
        self.tokens = rate
        self.stamp = time.monotonic()
        self.limited = 0
        self.bucket_lock = threading.Lock()

    def _take(self) -> float:
        """0 if a token was taken, else seconds until one is free."""
        with self.bucket_lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            self.limited += 1
            return (1 - self.tokens) / self.rate

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/bench/stats":
            with self._lock:
                counts = {c: len(m) for c, m in self._messages.items()}
            self._send(handler, 200, {"limited": self.limited, "counts": counts})
            return
        if handler.path == "/bench/empty":
            with self.bucket_lock:
                self.tokens = 0
            self._send(handler, 200, {"ok": True})
            return
        if handler.path.endswith("/chat.postMessage"):
            wait = self._take()
            if wait > 0:
                length = int(handler.headers.get("Content-Length") or 0)
                if length:
                    handler.rfile.read(length)
                self._send(handler, 429, {"ok": False, "error": "ratelimited"}, math.ceil(wait))
                return
        super()._handle(handler)


def fresh_database(url: str | None, folder: Path) -> str:
    return migrated(url or f"sqlite:///{folder / 'bench.db'}")


def seed(container: Container, journeys: int, people: int, platform: str) -> None:
    workspace_id = seed_workspace_id(container.uow, platform, "T0001", "Bench")
    rows = []
    for j in range(journeys):
        journey = container.journeys.start(
            workspace_id, f"C{j:05}", f"Plant {j}", f"UF{j:05}", Language.EN, "Europe/Amsterdam"
        )
        rows += [
            {
                "workspace_id": workspace_id,
                "journey_id": journey.id,
                "user": f"U{j:04}{n:05}",
                "display_name": "",
                "roles": "follower",
                "timezone": "America/New_York" if n % 10 == 9 else None,
            }
            for n in range(people - 1)
        ]
    with container.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(MemberRow), rows[start : start + 5000])


def serve_fake(rate: float) -> None:
    """Child process: the rate-limited fake on its own core (it costs as much CPU as we do)."""
    with LimitedSlack(rate) as fake:
        print(fake.api_url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (127.0.0.1)
        result: dict[str, Any] = json.loads(response.read())
    return result


def fan_out(args: argparse.Namespace, folder: Path) -> None:
    url = fresh_database(args.database_url, folder)
    pace = args.pace or args.rate
    child = subprocess.Popen(  # noqa: S603 (this very script, by absolute path)
        [sys.executable, __file__, "--serve-fake", str(args.rate)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        api_url = child.stdout.readline().strip()
        base = api_url.removesuffix("api/")
        os.environ.update({"PIONEER_SEND_RATE": str(pace), "PIONEER_SEND_MAX_BACKOFF": "2"})
        settings = Settings(
            database_url=url,
            slack_bot_token="xoxb-bench",  # noqa: S106 (the fake accepts any token)
            slack_api_url=api_url,
        )
        container = Container(settings, FixedClock(MON_9_AMS))
        try:
            seed(container, 1, args.people, "slack")
            # 10:00 in New York: every member's pulse is due (a tenth of them live there).
            container.clock.set(TUE_10_AMS + timedelta(hours=6))  # type: ignore[attr-defined]
            dispatch = container.dispatch
            started = time.perf_counter()
            dispatch.record_due(container.clock.now())
            recorded = time.perf_counter() - started
            with container.engine.connect() as conn:
                total = conn.scalar(select(func.count()).select_from(DeliveryRow)) or 0
            _get(base + "bench/empty")  # no free burst in the figure
            started = time.perf_counter()
            report = dispatch.run_pass()
            elapsed = time.perf_counter() - started
            with container.engine.connect() as conn:
                users, statuses = fanned_out(conn)
        finally:
            container.close()
        stats = _get(base + "bench/stats")
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=30)
        if child.stdout:
            child.stdout.close()
    counts = [int(stats["counts"].get(f"D{u}", 0)) for u in users]
    duplicates = sum(n - 1 for n in counts if n > 1)
    lost = sum(1 for n in counts if n == 0)
    sent = report.count("sent")
    achieved = sent / elapsed
    print(f"fan-out on {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"  people {len(users)}, deliveries recorded {total} in {recorded:.2f} s")
    print(f"  allowed rate {args.rate:.0f}/s, paced at {pace:.0f}/s")
    print(f"  sent {sent} in {elapsed:.1f} s = {achieved:.1f}/s")
    print(f"  achieved / allowed = {achieved / args.rate:.1%}  (target >= 90%)")
    print(f"  429 answers {stats['limited']}; duplicates {duplicates}; lost {lost}")
    print(f"  statuses {statuses}")


def idle_pass(args: argparse.Namespace, folder: Path) -> None:
    url = fresh_database(args.database_url, folder / "idle")
    container = Container(Settings(database_url=url), FixedClock(MON_9_AMS))
    try:
        seed(container, args.journeys, 10, "console")
        # Steady state: every journey was dispatched a minute before the first pass.
        start = WED_NOON_AMS
        with container.engine.begin() as conn:
            conn.execute(update(JourneyRow).values(dispatched_through=start))
        dispatch = container.dispatch
        timings = []
        for n in range(1, args.idle_passes + 1):
            now = start + timedelta(minutes=n)
            began = time.perf_counter()
            report = dispatch.run_pass(now)
            timings.append((time.perf_counter() - began) * 1000)
            assert not report.lines and not report.recorded, "the idle pass did something"
        with container.engine.connect() as conn:
            members = conn.scalar(select(func.count()).select_from(MemberRow))
    finally:
        container.close()
    print(f"idle pass: {args.journeys} journeys, {members} members, {args.idle_passes} passes")
    print(
        f"  median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, "
        f"max {max(timings):.1f} ms  (target < 50 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=400.0, help="allowed posts per second")
    parser.add_argument("--pace", type=float, default=None, help="sender pace (default: rate)")
    parser.add_argument("--journeys", type=int, default=1000)
    parser.add_argument("--idle-passes", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--serve-fake", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake is not None:
        serve_fake(args.serve_fake)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "idle").mkdir()
        if not args.skip_fanout:
            fan_out(args, folder)
        idle_pass(args, folder)


if __name__ == "__main__":
    main()
