"""Benchmark (not a test): signed poll clicks against `pioneer serve`, next to a bare Bolt app.

    .venv/bin/python benchmarks/bench_slack.py [--seconds 10] [--concurrency 1 10 50]
                                               [--tool wrk|aiohttp] [--database-url URL]

What runs, all on 127.0.0.1:
- the fake Slack Web API (tests/fakes/slack_api.py) in this process, answering chat.update;
- `pioneer serve` in a subprocess on a fresh SQLite file (or --database-url), seeded with a
  journey of 200 people and --polls-per-run open pulse polls per run between them; every
  request is a correctly signed `block_actions` click on a poll of its own (as when a team
  answers a poll: no click of a run shares a message with another), so each one records
  an answer, which is committed before the ack, and redraws its message through
  chat.update after it. The table counts those redraws during the run and how long the
  rest took to arrive once the load stopped;
- a bare Bolt AsyncApp on aiohttp in another subprocess whose listener only acks the same
  action (process_before_response=True, the same adapter), as the ceiling.

Load (benchmarks/slack_load.py): `wrk` (C, light on the shared CPUs) with a Lua script that
rotates pre-signed bodies, or an aiohttp client loop bounded in count and time. Requests are
signed with a timestamp taken just before each run, so they stay inside Slack's 5-minute
window.

Prints req/s and p50/p99 latency per concurrency for both, and the throughput ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.slack_load import Result, load_aiohttp, load_wrk  # noqa: E402

SECRET = "bench-signing-secret"  # noqa: S105 (a benchmark against a fake)
TOKEN = "xoxb-bench"  # noqa: S105
TEAM = "T0001"
PEOPLE = 200


# -- the bare app: Bolt only acks ------------------------------------------------------------
def run_bare(port: int, api_url: str) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    async def make() -> web.Application:
        bolt = AsyncApp(
            signing_secret=SECRET,
            client=AsyncWebClient(token=TOKEN, base_url=api_url),
            process_before_response=True,
        )

        @bolt.action(re.compile(r"^pioneer\.poll\.[1-5]$"))
        async def click(ack):  # type: ignore[no-untyped-def]
            await ack()

        async def events(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(
                await bolt.async_dispatch(await to_bolt_request(request))
            )

        async def health(_: web.Request) -> web.StreamResponse:
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/slack/events", events)
        app.router.add_get("/healthz", health)
        return app

    web.run_app(make(), host="127.0.0.1", port=port, print=None, access_log=None, reuse_port=True)


# -- set-up ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(database_url: str, polls: int) -> list[tuple[str, int]]:
    """A journey of PEOPLE followers with `polls` open pulse polls between them.

    Every click in a run lands on a poll of its own, as in a real burst (a team answering
    one poll), so no two clicks of a run share a message: nothing can be coalesced.
    Returns [(user, delivery id)].
    """
    from sqlalchemy import select

    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.container import Container
    from bot.domain.model import Delivery, Phase, PromptKind
    from storage.migrate import upgrade
    from storage.models import DeliveryRow, MemberRow

    upgrade(database_url)
    container = Container(Settings(_env_file=None, database_url=database_url), SystemClock())  # type: ignore[call-arg]
    prompt = container.catalog.select(kind=PromptKind.PULSE, phase=Phase.AWARENESS)[0]
    with container.uow() as uow:
        workspace = uow.workspaces.get_or_create("slack", TEAM)
        uow.commit()
    assert workspace.id is not None
    # A channel of its own, so the script can run again against the same database.
    journey = container.journeys.start(workspace.id, f"C{time.time_ns()}", "Bench", "UFAC")
    assert journey.id is not None
    members = [
        container.journeys.join(workspace.id, journey.id, f"U{n:05d}") for n in range(PEOPLE)
    ]
    now = datetime.now(UTC)
    rows = [
        (
            Delivery(
                workspace_id=workspace.id,
                journey_id=journey.id,
                member_id=members[n % PEOPLE].id or 0,
                prompt_id=prompt.id,
                kind=prompt.kind,
                phase=Phase.AWARENESS,
                perspective=prompt.perspective,
                signal=prompt.signal,
                ritual_key="bench",
                occurrence=f"bench-{n // PEOPLE}",
                created_at=now,
                due_at=now,
                closes_at=now + timedelta(days=1),
                status="sent",
            ),
            None,
        )
        for n in range(polls)
    ]
    with container.uow() as uow:
        uow.dispatch.record(rows)
        uow.commit()
    with container.engine.connect() as conn:
        clicks = [
            (user, delivery_id)
            for delivery_id, user in conn.execute(
                select(DeliveryRow.id, MemberRow.user)
                .join(MemberRow, MemberRow.id == DeliveryRow.member_id)
                .where(DeliveryRow.journey_id == journey.id)
                .order_by(DeliveryRow.id)
            )
        ]
    container.close()
    return clicks


def click_body(user: str, delivery_id: int, value: int, fake_url: str) -> str:
    ts = f"{delivery_id}.000100"  # each poll its own message
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "bench"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "x",
        "trigger_id": "t",
        "container": {"type": "message", "channel_id": f"D{user}", "message_ts": ts},
        "channel": {"id": f"D{user}"},
        "message": {"ts": ts, "type": "message"},
        "response_url": f"{fake_url}/response/1",
        "actions": [
            {
                "type": "button",
                "action_id": f"pioneer.poll.{value}",
                "block_id": f"pioneer.delivery.{delivery_id}",
                "value": f"{delivery_id}:{value}",
                "action_ts": "1.0",
            }
        ],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    # Our own command line, run from a neutral folder so no stray .env is read.
    process = subprocess.Popen(  # noqa: S603
        cmd, env=env, cwd=tempfile.gettempdir(), stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"{cmd} exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{cmd} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def count_answers(database_url: str) -> int:
    from sqlalchemy import func, select

    from storage.db import make_engine
    from storage.models import AnswerRow

    engine = make_engine(database_url)
    with engine.connect() as conn:
        count = int(conn.scalar(select(func.count()).select_from(AnswerRow)) or 0)
    engine.dispose()
    return count


# -- main ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument(
        "--tool", choices=["wrk", "aiohttp"], default="wrk" if shutil.which("wrk") else "aiohttp"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PIONEER_TEST_DATABASE_URL"),
        help="default: $PIONEER_TEST_DATABASE_URL (scripts/with-postgres), else fresh SQLite",
    )
    parser.add_argument(
        "--polls-per-run",
        type=int,
        default=30_000,
        help="distinct open polls per run; every click of a run lands on its own poll",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processes per server (serve --workers; bare alike)"
    )
    parser.add_argument(
        "--with-scheduler",
        action="store_true",
        help="let serve run its ritual scheduler too (default: measure the click path alone)",
    )
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)  # internal: run the bare app
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        run_bare(args.bare, args.api_url)
        return

    from tests.fakes.slack_api import FakeSlack

    workdir = Path(tempfile.mkdtemp(prefix="pioneer-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    runs = len(args.concurrency) + 1  # and a warm-up
    with FakeSlack(team_id=TEAM) as fake:
        clicks = seed(database_url, args.polls_per_run * runs)
        bodies = [click_body(u, d, 1 + n % 5, fake.url) for n, (u, d) in enumerate(clicks)]
        slices = [bodies[k::runs] for k in range(runs)]  # disjoint polls for each run
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PIONEER_"))}
        env |= {
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "LOG_LEVEL": "WARNING",
        }
        tool = load_wrk if args.tool == "wrk" else load_aiohttp

        def load(url: str, polls: list[str], concurrency: int, seconds: float) -> Result:
            return tool(url, polls, concurrency, seconds, SECRET)

        def updates() -> int:
            return sum(1 for c in fake.calls if c.method == "chat.update")

        def measured(url: str, polls: list[str], concurrency: int) -> Result:
            before = updates()
            result = load(url, polls, concurrency, args.seconds)
            result.redraws = updates() - before
            # Redraws follow acks; wait (bounded) until they stop arriving.
            began = last = time.perf_counter()
            seen = updates()
            while time.perf_counter() - last < 1.0 and time.perf_counter() - began < 120:
                time.sleep(0.05)
                if updates() != seen:
                    seen, last = updates(), time.perf_counter()
            result.drain_s = max(0.0, last - began)
            return result

        results: dict[str, dict[int, Result]] = {}
        warm: dict[str, Result] = {}
        for name in ("bare Bolt (ack only)", "pioneer serve"):
            port = free_port()
            if name == "pioneer serve":
                cmd = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
                cmd += ["--port", str(port), "--workers", str(args.workers)]
                if not args.with_scheduler:
                    cmd.append("--no-scheduler")
                processes = [start(cmd, env, port)]
            else:
                cmd = [sys.executable, __file__, "--bare", str(port), "--api-url", fake.api_url]
                processes = [start(cmd, env, port) for _ in range(args.workers)]
            url = f"http://127.0.0.1:{port}/slack/events"
            try:
                # Warm-up: imports, auth.test, connections.
                warm[name] = load(url, slices[0][:2000], 5, 1.0)
                results[name] = {
                    c: measured(url, slices[1 + n], c) for n, c in enumerate(args.concurrency)
                }
            finally:
                for process in processes:
                    stop(process)
        answered = count_answers(database_url)

    print(
        f"\nSigned poll clicks, {args.tool}, {args.seconds:.0f} s per run, {os.cpu_count()} CPUs, "
        f"{args.workers} worker(s) per server, database {database_url.split(':')[0]}"
    )
    columns = ("req/s", "p50 ms", "p99 ms", "requests", "errors", "redraws", "drain s")
    print(f"{'server':24} {'c':>3} " + " ".join(f"{h:>9}" for h in columns))
    for name, by_c in results.items():
        for c, r in by_c.items():
            cells = (
                f"{r.rps:.0f}",
                f"{r.p50_ms:.1f}",
                f"{r.p99_ms:.1f}",
                r.requests,
                r.errors,
                r.redraws,
                f"{r.drain_s:.1f}",
            )
            print(f"{name:24} {c:>3} " + " ".join(f"{v:>9}" for v in cells))
    bare, ours = results["bare Bolt (ack only)"], results["pioneer serve"]
    acked = sum(r.requests - r.errors for r in [*ours.values(), warm["pioneer serve"]])
    print(
        f"answers stored: {answered}; clicks acknowledged by pioneer serve: {acked} (warm-up "
        f"included) -> every acknowledged click stored: {'yes' if answered >= acked else 'NO'}"
    )
    print(
        "redraws: chat.update calls the fake Slack received during a run; drain s: how long "
        "the rest took to arrive once the load stopped"
    )
    for c in args.concurrency:
        print(f"c={c}: pioneer serve / bare = {ours[c].rps / bare[c].rps:.2f} of the throughput")
    top = max(args.concurrency)
    worst, ratio = ours[top], ours[top].rps / bare[top].rps
    print(
        f"targets at c={top}: p99 {worst.p99_ms:.1f} ms (< 100: "
        f"{'yes' if worst.p99_ms < 100 else 'NO'}), ratio {ratio:.2f} "
        f"(>= 0.5: {'yes' if ratio >= 0.5 else 'NO'})"
    )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
