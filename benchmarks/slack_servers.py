"""The servers and data of benchmarks/bench_slack.py: the bare Bolt app, the fake Slack Web
API in a process of its own, the seeded polls and the signed clicks on them.

    python benchmarks/slack_servers.py --bare PORT API_URL   # the bare app, ack only
    python benchmarks/slack_servers.py --fake                # the fake; stdin asks counts
"""

from __future__ import annotations

import json
import os
import re
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
    from sqlalchemy import insert, select

    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.container import Container
    from bot.domain.model import Delivery, Phase, PromptKind
    from storage.mapping import values_of
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
    # One executemany of plain rows: the dispatcher's path (ON CONFLICT, ids back) takes
    # minutes for the hundreds of thousands of polls a benchmark needs.
    table = DeliveryRow.__table__
    names = {c.name for c in table.c} - {"id"}
    with container.engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            chunk = [
                {k: v for k, v in values_of(d, due_at=d.due_at, attempts=0).items() if k in names}
                for d, _ in rows[start : start + 20_000]
            ]
            conn.execute(insert(table), chunk)
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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process `pid` has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def count_answers(database_url: str, deliveries: tuple[int, int]) -> tuple[int, int]:
    """(answers, distinct deliveries answered) among the benchmark's deliveries."""
    from sqlalchemy import func, select

    from storage.db import make_engine
    from storage.models import AnswerRow

    engine = make_engine(database_url)
    low, high = deliveries
    within = AnswerRow.delivery_id.between(low, high)
    with engine.connect() as conn:
        rows = int(conn.scalar(select(func.count()).where(within)) or 0)
        distinct = int(
            conn.scalar(select(func.count(func.distinct(AnswerRow.delivery_id))).where(within)) or 0
        )
    engine.dispose()
    return rows, distinct


# -- the fake Slack Web API in a process of its own ------------------------------------------
def run_fake() -> None:
    """Serve the fake; each line on stdin asks how many chat.update calls it answered."""
    from tests.fakes.slack_api import Call, FakeSlack

    class CountingFake(FakeSlack):
        def __init__(self) -> None:
            super().__init__(team_id=TEAM)
            self.updates = 0

        def _answer(self, call: Call) -> dict[str, object]:
            answer = super()._answer(call)
            if call.method == "chat.update":
                with self._lock:
                    self.updates += 1
            return answer

    with CountingFake() as fake:
        print(fake.url, flush=True)
        for _ in sys.stdin:
            fake.clear()  # the calls themselves are not needed: keep memory flat
            print(fake.updates, flush=True)


class FakeProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, __file__, "--fake"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        self.api_url = f"{self.url}/api/"

    def updates(self) -> int:
        """chat.update calls answered so far."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


if __name__ == "__main__":
    if sys.argv[1] == "--fake":
        run_fake()
    else:
        run_bare(int(sys.argv[2]), sys.argv[3])
