"""Benchmark (not a test): scheduler replicas sharing a fan-out on PostgreSQL.

    PATH=$PWD/.venv/bin:$PATH scripts/with-postgres .venv/bin/python benchmarks/bench_replicas.py \
        [--workspaces 20] [--people 500] [--repeat 3] [--lease 3] [--skip-delay]

`--people` per workspace (default 10,000 in all). The fake Slack Web API
(tests/fakes/slack_api.py) runs on 127.0.0.1 in a process of its own; each replica is a
process of its own running the real Dispatcher (its own container, dispatch lock and send
leases) pass after pass, as `pioneer serve`'s scheduler does when a pass leaves work, until
the database has nothing pending. Pacing is off, so the figure is what the replicas can do.

1. one replica vs two: wall time of the whole fan-out (planning, recording, sending),
   median of `--repeat` interleaved runs (one, two, one, two, ...), each on a fresh database;
2. two replicas, one SIGKILLed when ~30 % is sent: the other finishes after the lease;
3. (unless --skip-delay) the real scheduler in this process, paced at PIONEER_SEND_RATE
   (default 4/s) with a pass interval of `--interval` s, fans out to `--people x
   --workspaces` people in one workspace; another workspace's pulse falls due meanwhile:
   how long until its people have it, against the interval.

Duplicates (a person with more than one DM) and losses (a person with none) are counted
from what the fake received against the database's members; statuses from the database.
Every wait is bounded (`--timeout`).
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, func, insert, or_, select  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.container import Container  # noqa: E402
from bot.domain.model import Language  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import DeliveryRow, JourneyRow, MemberRow  # noqa: E402
from tests.databases import fanned_out, migrated  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.seed import workspace_id as seed_workspace_id  # noqa: E402

# The test suite's ritual plan: a Tuesday pulse for everyone at 10:00 in the journey's zone.
PLAN_DIR = ROOT / "tests" / "integration" / "scheduling" / "plan"
MON_9_AMS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
TUE_10_AMS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class CountingSlack(FakeSlack):
    """The fake, with how many messages each channel got, for the parent process; each
    call answered after `latency` seconds, as a round trip to Slack takes time."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/bench/stats":
            with self._lock:
                counts = {c: len(m) for c, m in self._messages.items()}
            self._send(handler, 200, {"counts": counts, "posts": sum(counts.values())})
            return
        if self.latency:
            time.sleep(self.latency)
        super()._handle(handler)


def serve_fake(latency: float) -> None:
    """Child process: the fake on a core of its own (it costs about as much CPU as we do)."""
    with CountingSlack(latency) as fake:
        print(fake.api_url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (127.0.0.1)
        result: dict[str, Any] = json.loads(response.read())
    return result


class Fake:
    def __init__(self, latency: float = 0.0) -> None:
        self.child = subprocess.Popen(  # noqa: S603 (this very script, by absolute path)
            [sys.executable, __file__, "--serve-fake", str(latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.child.stdout is not None
        self.api_url = self.child.stdout.readline().strip()

    def stats(self) -> dict[str, Any]:
        return _get(self.api_url.removesuffix("api/") + "bench/stats")

    def close(self) -> None:
        if self.child.stdin:
            self.child.stdin.close()
        self.child.wait(timeout=30)
        if self.child.stdout:
            self.child.stdout.close()


def settings(url: str, api_url: str) -> Settings:
    return Settings(
        database_url=url,
        pioneer_prompts_dir=PLAN_DIR,
        slack_bot_token="xoxb-bench",  # noqa: S106 (the fake accepts any token)
        slack_api_url=api_url,
        _env_file=None,  # type: ignore[call-arg]
    )


def seed(url: str, sizes: list[tuple[str, int]]) -> None:
    """One Slack workspace per (time zone, people), each with one journey."""
    container = Container(settings(url, "http://127.0.0.1:9/api/"), FixedClock(MON_9_AMS))
    try:
        rows = []
        for w, (tz, people) in enumerate(sizes):
            workspace = seed_workspace_id(container.uow, "slack", f"T{w:04}", f"Team {w}")
            journey = container.journeys.start(
                workspace, f"C{w:04}", f"Plant {w}", f"UF{w:04}", Language.EN, tz
            )
            rows += [
                {
                    "workspace_id": workspace,
                    "journey_id": journey.id,
                    "user": f"U{w:03}{n:06}",
                    "display_name": "",
                    "roles": "follower",
                }
                for n in range(people - 1)
            ]
        with container.engine.begin() as conn:
            for start in range(0, len(rows), 5000):
                conn.execute(insert(MemberRow), rows[start : start + 5000])
    finally:
        container.close()


def finished(engine: Engine, at: datetime) -> bool:
    """Everything due at `at` recorded and nothing left pending."""
    with engine.connect() as conn:
        behind = conn.scalar(
            select(func.count())
            .select_from(JourneyRow)
            .where(or_(JourneyRow.dispatched_through.is_(None), JourneyRow.dispatched_through < at))
        )
        pending = conn.scalar(
            select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status == "pending")
        )
    return not behind and not pending


def replica(url: str, api_url: str, timeout: float, send_for: float) -> None:
    """Child process: one scheduler replica, pass after pass until nothing is pending."""
    faulthandler.register(signal.SIGUSR1)  # where it is, on demand (kill -USR1 <pid>)
    container = Container(settings(url, api_url), FixedClock(TUE_10_AMS), paced=False)
    dispatch = container.dispatch
    # Warmed up as a running scheduler is: nothing is due yet at the journeys' start, but the
    # pass loads what a pass needs (digests, charts), so no replica starts late.
    dispatch.run_pass(MON_9_AMS)
    container.chat_for(1)  # imports the Slack platform
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    started = time.monotonic()
    sent = passes = held = 0
    try:
        while time.monotonic() - started < timeout:
            report = dispatch.run_pass(wait=False, send_for=send_for)
            passes += 1
            sent += report.count("sent")
            held += report.held
            if not report.lines and finished(container.engine, TUE_10_AMS):
                break
            if not report.lines:
                time.sleep(0.25)  # another replica has the rest (or its lease runs out)
    finally:
        container.close()
    print(json.dumps({"sent": sent, "passes": passes, "held": held}), flush=True)


def start_replicas(
    url: str, api_url: str, count: int, timeout: float, send_for: float = 30.0
) -> list[subprocess.Popen[str]]:
    env = dict(os.environ, PIONEER_SEND_LEASE=os.environ.get("PIONEER_SEND_LEASE", "3"))
    children = [
        subprocess.Popen(  # noqa: S603 (this very script, by absolute path)
            [sys.executable, __file__, "--replica", url, api_url, str(timeout), str(send_for)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(count)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    return children


def counted(url: str, fake: Fake) -> tuple[int, int, int, dict[str, int]]:
    """(people, duplicates, losses, statuses)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            users, statuses = fanned_out(conn)
    finally:
        engine.dispose()
    counts = fake.stats()["counts"]
    got = [int(counts.get(f"D{u}", 0)) for u in users]
    return len(users), sum(n - 1 for n in got if n > 1), sum(1 for n in got if n == 0), statuses


def fan_out_run(
    base_url: str, args: argparse.Namespace, count: int, kill_at: float | None = None
) -> dict[str, Any]:
    url = migrated(base_url)
    seed(url, [("Europe/Amsterdam", args.people)] * args.workspaces)
    fake = Fake(args.latency)
    try:
        children = start_replicas(url, fake.api_url, count, args.timeout, args.send_for)
        total = args.people * args.workspaces
        started = time.perf_counter()
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        killed = None
        if kill_at is not None:
            deadline = time.monotonic() + args.timeout
            while fake.stats()["posts"] < kill_at * total and time.monotonic() < deadline:
                time.sleep(0.02)
            children[0].send_signal(signal.SIGKILL)
            killed = fake.stats()["posts"]
        outs = []
        for child in children:
            out, _ = child.communicate(timeout=args.timeout + 30)
            outs.append(json.loads(out) if child.returncode == 0 else {"killed": True})
        elapsed = time.perf_counter() - started
        people, dup, lost, statuses = counted(url, fake)
    finally:
        fake.close()
    return {
        "replicas": count,
        "seconds": elapsed,
        "people": people,
        "duplicates": dup,
        "lost": lost,
        "statuses": statuses,
        "per_replica": outs,
        "posts_when_killed": killed,
    }


def cross_workspace_delay(base_url: str, args: argparse.Namespace) -> None:
    """A paced fan-out in one workspace; another's pulse falls due meanwhile."""
    from bot.scheduling.scheduler import start_scheduler

    url = migrated(base_url)
    big = args.people * args.workspaces
    # London's 10:00 is an hour after Amsterdam's: the second pulse falls due later.
    seed(url, [("Europe/Amsterdam", big), ("Europe/London", 3)])
    fake = Fake()
    clock = FixedClock(TUE_10_AMS)
    container = Container(settings(url, fake.api_url), clock)
    handle = None
    try:
        handle = start_scheduler(container.dispatch, every_seconds=args.interval)
        deadline = time.monotonic() + args.timeout
        while fake.stats()["posts"] < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(args.interval / 2)  # well into the fan-out
        clock.set(TUE_10_AMS + timedelta(hours=1))
        due = time.perf_counter()
        others = ["DUF0001"] + [f"DU001{n:06}" for n in range(2)]
        while time.monotonic() < deadline:
            counts = fake.stats()["counts"]
            if all(counts.get(c) for c in others):
                break
            time.sleep(0.05)
        waited = time.perf_counter() - due
        posts = fake.stats()["posts"]
    finally:
        if handle is not None:
            handle.stop()
        container.close()
        fake.close()
    rate = container.settings.pioneer_send_rate
    print(f"another workspace's pulse during a paced fan-out to {big} people ({rate:g}/s):")
    print(
        f"  its 3 people had it {waited:.1f} s after it fell due; pass interval "
        f"{args.interval} s (a pass sends for at most {args.interval / 2:g} s); "
        f"{posts - 3} of the fan-out sent by then"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--people", type=int, default=500, help="per workspace")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--interval", type=int, default=20, help="scheduler pass interval (s)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--database-url", default=os.environ.get("PIONEER_TEST_DATABASE_URL"))
    parser.add_argument("--skip-delay", action="store_true")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the fake takes to answer a call"
    )
    parser.add_argument("--serve-fake", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--send-for", type=float, default=30.0, help="a pass's time box for sending (s)"
    )
    parser.add_argument("--replica", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake is not None:
        serve_fake(args.serve_fake)
        return
    if args.replica:
        url, api_url, timeout, send_for = args.replica
        replica(url, api_url, float(timeout), float(send_for))
        return
    url = args.database_url
    if not url or not url.startswith("postgresql"):
        parser.error("needs PostgreSQL: --database-url, or run it under scripts/with-postgres")
    total = args.people * args.workspaces
    times: dict[int, list[float]] = {1: [], 2: []}
    for n in range(args.repeat):
        for count in (1, 2):
            run = fan_out_run(url, args, count)
            times[count].append(run["seconds"])
            print(
                f"run {n + 1}, {count} replica(s): {total} people in {args.workspaces} "
                f"workspaces, {run['seconds']:.1f} s, duplicates {run['duplicates']}, "
                f"lost {run['lost']}, statuses {run['statuses']}, {run['per_replica']}",
                flush=True,
            )
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(
        f"median of {args.repeat}: one replica {one:.1f} s ({total / one:.0f} msg/s), two "
        f"{two:.1f} s ({total / two:.0f} msg/s): two / one = {two / one:.2f} (goal <= 0.6)"
    )
    if not args.skip_kill:
        run = fan_out_run(url, args, 2, kill_at=0.3)
        print(
            f"two replicas, one SIGKILLed at {run['posts_when_killed']} messages: all done in "
            f"{run['seconds']:.1f} s (lease {os.environ.get('PIONEER_SEND_LEASE', '3')} s), "
            f"duplicates {run['duplicates']}, lost {run['lost']}, statuses {run['statuses']}"
        )
    if not args.skip_delay:
        cross_workspace_delay(url, args)


if __name__ == "__main__":
    main()
