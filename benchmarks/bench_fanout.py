"""Benchmark (not a test): Pioneer's fan-out beside a bare aiohttp loop, a paced fan-out
with 429s, and an idle scheduler pass.

    .venv/bin/python benchmarks/bench_fanout.py [--people 1000] [--concurrency 8]
        [--rate 100] [--every 400] [--paced-people 500] [--journeys 1000]
        [--idle-passes 30] [--database-url URL] [--skip-fanout] [--skip-paced]

The fake Slack Web API (tests/fakes/slack_api.py; benchmarks/fanout_fake.py, with the bare
loop) runs in a child process on 127.0.0.1, on its own core as far as two cores allow (it
costs about as much CPU as the sender).

Side by side: a journey of `--people` members gets its Tuesday pulse (several prompts per
person); one dispatcher pass records the deliveries (not timed), then the timed pass sends
them through the real SlackChat (slack_sdk AsyncWebClient over one shared aiohttp session)
with the pace out of the way. The bare loop is what a team would write by hand: one
aiohttp session, `--concurrency` calls at once, the same calls (one conversations.open per
person, then one chat.postMessage per message with the same text, blocks and metadata),
no database. Three repetitions, interleaved; medians, the ratio Pioneer / bare, and
duplicates and losses: each delivery in the database against the messages the fake
received for its idempotency key.

Paced with 429s: the fake keeps a token bucket on chat.postMessage (`--rate` per second,
bursts up to one second's worth, 429 with Retry-After over it, as Slack) and also answers
every `--every`-th chat.postMessage with 429 + Retry-After: 1. Pioneer sends
`--paced-people` members' pulse paced at `--pace` (default 95 % of `--rate`: at exactly
the allowed rate the bucket is always nearly empty and any jitter of the machine is a 429);
reported as the achieved share of the allowed rate (target >= 90 %).

Idle pass: `--journeys` journeys of 10 members each, nothing due; the median wall time of
one `run_pass` (journeys, zones, overrides, expiry, pending and reminder queries),
advancing the clock a minute per pass as the real scheduler does.

SQLite in a temporary folder unless --database-url points at a PostgreSQL database, whose
public schema is dropped and migrated afresh before each run. The figures are noisy on a
shared 2-core machine: compare the side-by-side ratio, not the rates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, update  # noqa: E402

from benchmarks.fanout_fake import (  # noqa: E402
    Run,
    bare_fanout,
    get_json,
    start_fake,
    stop_fake,
)
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.container import Container  # noqa: E402
from bot.domain.model import Language  # noqa: E402
from storage.models import DeliveryRow, JourneyRow, MemberRow  # noqa: E402
from tests.databases import migrated  # noqa: E402
from tests.seed import workspace_id as seed_workspace_id  # noqa: E402

TUE_10_AMS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MON_9_AMS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
WED_NOON_AMS = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
UNPACED = 1_000_000.0  # messages per second: the pace out of the way


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


def pioneer_fanout(
    api_url: str, url: str, people: int, pace: float, concurrency: int, reset: str
) -> tuple[Run, dict[str, int]]:
    """One cold fan-out by the real dispatcher; also each user's number of deliveries."""
    base = api_url.removesuffix("api/")
    os.environ.update(
        {
            "PIONEER_SEND_RATE": str(pace),
            "PIONEER_SEND_MAX_BACKOFF": "2",
            "PIONEER_SEND_CONCURRENCY": str(concurrency),
        }
    )
    settings = Settings(
        database_url=url,
        slack_bot_token="xoxb-bench",  # noqa: S106 (the fake accepts any token)
        slack_api_url=api_url,
    )
    container = Container(settings, FixedClock(MON_9_AMS))
    try:
        seed(container, 1, people, "slack")
        # 10:00 in New York: every member's pulse is due (a tenth of them live there).
        container.clock.set(TUE_10_AMS + timedelta(hours=6))  # type: ignore[attr-defined]
        dispatch = container.dispatch
        dispatch.record_due(container.clock.now())
        get_json(base + "bench/reset?" + reset)
        started = time.perf_counter()
        report = dispatch.run_pass()
        elapsed = time.perf_counter() - started
        with container.engine.connect() as conn:
            deliveries = conn.scalar(select(func.count()).select_from(DeliveryRow)) or 0
            per_user = dict(
                conn.execute(
                    select(MemberRow.user, func.count(DeliveryRow.id))
                    .join(DeliveryRow, DeliveryRow.member_id == MemberRow.id)
                    .group_by(MemberRow.user)
                ).all()
            )
    finally:
        container.close()
    stats = get_json(base + "bench/stats")
    keys = stats["keys"]
    run = Run(
        sent=report.count("sent"),
        seconds=elapsed,
        deliveries=deliveries,
        duplicates=sum(n - 1 for n in keys.values() if n > 1),
        lost=deliveries - len(keys),
        calls=stats["calls"],
        limited=stats["limited"],
    )
    return run, per_user


def side_by_side(args: argparse.Namespace, folder: Path, api_url: str) -> None:
    # A pass ends by resuming unsent digests, which imports the chart's libraries once per
    # process (seconds); a running server has done so long before its fan-out.
    import bot.rendering.chart  # noqa: F401

    # Warm-up, not counted: the first fan-out of a process loads the message catalog and
    # compiles its SQL once; the bare loop gets the same turn.
    url = fresh_database(args.database_url, folder / "warm")
    _, per_user = pioneer_fanout(api_url, url, 20, UNPACED, args.concurrency, "")
    sample = get_json(api_url.removesuffix("api/") + "bench/stats")["sample"]
    bare_fanout(api_url, per_user, args.concurrency, sample)
    pioneer: list[Run] = []
    bare: list[Run] = []
    for rep in range(3):
        url = fresh_database(args.database_url, folder / f"side{rep}")
        run, per_user = pioneer_fanout(api_url, url, args.people, UNPACED, args.concurrency, "")
        pioneer.append(run)
        sample = get_json(api_url.removesuffix("api/") + "bench/stats")["sample"]
        bare.append(bare_fanout(api_url, per_user, args.concurrency, sample))
    ours = statistics.median(r.rate for r in pioneer)
    theirs = statistics.median(r.rate for r in bare)
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(f"fan-out side by side on {where}: {args.people} people, concurrency {args.concurrency}")
    print(f"  deliveries {pioneer[0].deliveries}; calls made by Pioneer {pioneer[0].calls}")
    for name, runs, median in (("Pioneer", pioneer, ours), ("bare   ", bare, theirs)):
        each = " / ".join(f"{r.rate:.0f}" for r in runs)
        print(f"  {name} msg/s {each}, median {median:.0f}")
    pairs = statistics.median(p.rate / b.rate for p, b in zip(pioneer, bare, strict=True))
    print(f"  ratio of medians {ours / theirs:.2f}, median of paired ratios {pairs:.2f}")
    print("  (target >= 0.6)")
    print(
        f"  Pioneer duplicates {sum(r.duplicates for r in pioneer)}, "
        f"lost {sum(r.lost for r in pioneer)}; "
        f"bare duplicates {sum(r.duplicates for r in bare)}, lost {sum(r.lost for r in bare)}"
    )


def paced(args: argparse.Namespace, folder: Path, api_url: str) -> None:
    url = fresh_database(args.database_url, folder / "paced")
    reset = f"rate={args.rate}&every={args.every}"
    pace = args.pace or args.rate * 0.95
    run, _ = pioneer_fanout(api_url, url, args.paced_people, pace, args.concurrency, reset)
    injected = run.calls.get("chat.postMessage", 0) // args.every if args.every else 0
    print(f"paced fan-out: {run.deliveries} messages, allowed {args.rate:.0f}/s")
    print(f"  paced at {pace:.0f}/s")
    print(f"  every {args.every}th chat.postMessage answered 429 + Retry-After: 1 ({injected})")
    print(f"  sent {run.sent} in {run.seconds:.1f} s = {run.rate:.0f}/s")
    print(f"  achieved / allowed = {run.rate / args.rate:.1%}  (target >= 90%)")
    print(f"  429s over the bucket {run.limited}; duplicates {run.duplicates}; lost {run.lost}")


def fan_out(args: argparse.Namespace, folder: Path) -> None:
    child, api_url = start_fake()
    try:
        for name in ("warm", "side0", "side1", "side2", "paced"):
            (folder / name).mkdir()
        side_by_side(args, folder, api_url)
        if not args.skip_paced:
            paced(args, folder, api_url)
    finally:
        stop_fake(child)


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
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight, both")
    parser.add_argument("--rate", type=float, default=100.0, help="allowed posts per second")
    parser.add_argument("--every", type=int, default=400, help="a 429 every n-th post")
    parser.add_argument("--paced-people", type=int, default=500)
    parser.add_argument("--pace", type=float, default=None, help="default: 95%% of --rate")
    parser.add_argument("--journeys", type=int, default=1000)
    parser.add_argument("--idle-passes", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--skip-paced", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "idle").mkdir()
        if not args.skip_fanout:
            fan_out(args, folder)
        idle_pass(args, folder)


if __name__ == "__main__":
    main()
